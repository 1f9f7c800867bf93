"""A deadline is an instant (domain.md §7): one converter from the notices' wording, and the
boundary (just before, at, just after) in two time zones."""

import datetime as dt
import zoneinfo

import pytest

from exams.deadlines import DeadlineWordingError, deadline_from_notice, deadline_wording

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
MARTINIQUE = zoneinfo.ZoneInfo("America/Martinique")


@pytest.mark.parametrize(
    ("wording", "local"),
    [
        # NT 004 l. 62: «à minuit» accepts the whole 24th.
        ("le vendredi 24 novembre 2023 à minuit", (2023, 11, 25, 0, 0)),
        # CF 000 l. 11, TLS 001 l. 10, NM 002 l. 9, AM 003 l. 14: at 17 h (18 h) it is already late.
        ("au mercredi 15 novembre 2023 à 17 heures", (2023, 11, 15, 17, 0)),
        ("Au mercredi 15 novembre 2023 à 17h00", (2023, 11, 15, 17, 0)),
        ("au mercredi 13 novembre 2024 à 17h", (2024, 11, 13, 17, 0)),
        ("AU LUNDI 21 NOVEMBRE 2022 A 18H", (2022, 11, 21, 18, 0)),
        # TLS 001 l. 88, AM 003 l. 47: a day without an hour is the whole day.
        ("jusqu'au 22 novembre 2023 au plus tard", (2023, 11, 23, 0, 0)),
        ("fixée au dimanche 4 décembre 2022", (2022, 12, 5, 0, 0)),
        ("le 1er mars 2024 à 23h59", (2024, 3, 2, 0, 0)),
        ("le 31/12/2024 à 24 h", (2025, 1, 1, 0, 0)),
    ],
)
@pytest.mark.parametrize("zone", [PARIS, MARTINIQUE], ids=["paris", "martinique"])
def test_it_reads_the_notices_wording_as_a_local_instant(wording, local, zone):
    assert deadline_from_notice(wording, zone) == dt.datetime(*local, tzinfo=zone)


@pytest.mark.parametrize("zone", [PARIS, MARTINIQUE], ids=["paris", "martinique"])
@pytest.mark.parametrize(
    ("wording", "just_before", "at"),
    [
        ("le vendredi 24 novembre 2023 à minuit", (2023, 11, 24, 23, 59, 59), (2023, 11, 25, 0, 0, 0)),
        ("le mercredi 15 novembre 2023 à 17 heures", (2023, 11, 15, 16, 59, 59), (2023, 11, 15, 17, 0, 0)),
    ],
)
def test_the_boundary_is_accepted_until_the_last_second_and_refused_at_the_deadline(
    zone, wording, just_before, at
):
    deadline = deadline_from_notice(wording, zone)
    accepted = lambda instant: instant < deadline  # noqa: E731 (the comparison every check uses)
    assert accepted(dt.datetime(*just_before, tzinfo=zone))
    assert not accepted(dt.datetime(*at, tzinfo=zone))
    assert not accepted(dt.datetime(*at, tzinfo=zone) + dt.timedelta(seconds=1))


def test_martinique_midnight_is_four_hours_after_paris_midnight():
    paris = deadline_from_notice("le vendredi 24 novembre 2023 à minuit", PARIS)
    martinique = deadline_from_notice("le vendredi 24 novembre 2023 à minuit", "America/Martinique")
    assert martinique - paris == dt.timedelta(hours=5)  # Paris is UTC+1 in November, Martinique UTC-4
    assert martinique.astimezone(dt.UTC) == dt.datetime(2023, 11, 25, 4, 0, tzinfo=dt.UTC)


def test_it_says_the_instant_back_as_the_notice_would():
    assert deadline_wording(deadline_from_notice("le 24 novembre 2023 à minuit", PARIS), PARIS) == (
        "le 24/11/2023 à minuit"
    )
    assert (
        deadline_wording(dt.datetime(2023, 11, 15, 17, 0, tzinfo=PARIS), PARIS) == "le 15/11/2023 à 17 h 00"
    )
    # The same instant read on Martinique's clocks.
    assert (
        deadline_wording(dt.datetime(2023, 11, 15, 17, 0, tzinfo=PARIS), MARTINIQUE)
        == "le 15/11/2023 à 12 h 00"
    )


@pytest.mark.parametrize("wording", ["bientôt", "le 31 février 2024", "le 12 brumaire 2024"])
def test_it_refuses_a_wording_without_a_real_date(wording):
    with pytest.raises((DeadlineWordingError, ValueError)):
        deadline_from_notice(wording, PARIS)
