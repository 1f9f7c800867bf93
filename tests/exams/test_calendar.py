"""The session calendar at its edges: one minute around each boundary, DST days, overseas time."""

import datetime as dt
import zoneinfo

import pytest

from exams.models import PieceDeadlineKind, RegistrationState, Session
from tests.factories import AcademieFactory, SessionFactory, paris

MINUTE = dt.timedelta(minutes=1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def nancy_2025() -> Session:
    return SessionFactory()  # NM notice: 2024-10-14 09:00 → 2024-11-13 17:00


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (paris(2024, 10, 14, 8, 59), RegistrationState.NOT_OPEN),  # NM: "à partir de 9h"
        (paris(2024, 10, 14, 9, 0), RegistrationState.OPEN),
        (paris(2024, 11, 13, 16, 59), RegistrationState.OPEN),
        (paris(2024, 11, 13, 17, 0), RegistrationState.CLOSED),  # NM: "au mercredi 13 novembre 2024 à 17h"
        (paris(2024, 11, 13, 17, 1), RegistrationState.CLOSED),
    ],
)
def test_registration_state_at_each_boundary(nancy_2025, instant, expected):
    assert nancy_2025.registration_state(instant) == expected
    assert nancy_2025.is_registration_open(instant) is (expected == RegistrationState.OPEN)


def test_standard_pieces_are_refused_from_the_deadline_minute(nancy_2025):
    deadline = nancy_2025.pieces_deadline
    assert nancy_2025.may_deposit_piece(PieceDeadlineKind.STANDARD, deadline - MINUTE)
    assert not nancy_2025.may_deposit_piece(PieceDeadlineKind.STANDARD, deadline)
    assert not nancy_2025.may_deposit_piece(PieceDeadlineKind.STANDARD, deadline + MINUTE)


def test_late_pieces_are_accepted_until_the_late_deadline(nancy_2025):
    # NM: Maintenance des systèmes attestations "à déposer avant le 17 janvier 2025".
    after_standard = nancy_2025.pieces_deadline + MINUTE
    assert nancy_2025.may_deposit_piece(PieceDeadlineKind.LATE, after_standard)
    assert nancy_2025.may_deposit_piece(PieceDeadlineKind.LATE, nancy_2025.late_pieces_deadline - MINUTE)
    assert not nancy_2025.may_deposit_piece(PieceDeadlineKind.LATE, nancy_2025.late_pieces_deadline)


def test_a_late_kind_falls_back_to_the_standard_deadline_without_a_late_date():
    session = SessionFactory(code="cf-2024", late_pieces_deadline=None)
    assert session.piece_deadline(PieceDeadlineKind.LATE) == session.pieces_deadline


def test_nothing_is_deposited_before_registration_opens(nancy_2025):
    assert not nancy_2025.may_deposit_piece(
        PieceDeadlineKind.STANDARD, nancy_2025.registration_opens_at - MINUTE
    )


@pytest.mark.parametrize(
    ("closes_local", "utc_closing"),
    [
        # Spring forward (2025-03-30, 02:00 → 03:00): 17:00 CEST is 15:00 UTC.
        (dt.datetime(2025, 3, 30, 17, 0), dt.datetime(2025, 3, 30, 15, 0, tzinfo=dt.UTC)),
        # Fall back (2024-10-27, 03:00 → 02:00): 17:00 CET is 16:00 UTC.
        (dt.datetime(2024, 10, 27, 17, 0), dt.datetime(2024, 10, 27, 16, 0, tzinfo=dt.UTC)),
    ],
)
def test_a_closing_on_a_dst_change_day_is_the_local_17h(closes_local, utc_closing):
    academie = AcademieFactory()
    session = SessionFactory(
        code=f"dst-{closes_local:%Y%m%d}",
        registration_opens_at=academie.make_aware(closes_local - dt.timedelta(days=20)),
        registration_closes_at=academie.make_aware(closes_local),
        pieces_deadline=academie.make_aware(closes_local + dt.timedelta(days=7)),
        late_pieces_deadline=None,
    )
    assert session.registration_closes_at == utc_closing
    assert session.is_registration_open(utc_closing - MINUTE)
    assert not session.is_registration_open(utc_closing)


def test_an_overseas_deadline_is_the_local_17h_not_paris():
    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    closes = martinique.make_aware(dt.datetime(2025, 11, 13, 17, 0))
    session = SessionFactory(
        academie=martinique,
        registration_opens_at=martinique.make_aware(dt.datetime(2025, 10, 14, 9, 0)),
        registration_closes_at=closes,
        pieces_deadline=martinique.make_aware(dt.datetime(2025, 11, 20, 17, 0)),
        late_pieces_deadline=None,
    )
    # 17:00 in Fort-de-France (UTC-4) is 22:00 in Paris (UTC+1 in November).
    paris_17h = paris(2025, 11, 13, 17, 0)
    assert session.is_registration_open(paris_17h)
    assert session.is_registration_open(paris(2025, 11, 13, 21, 59))
    assert not session.is_registration_open(paris(2025, 11, 13, 22, 0))
    assert session.local(session.registration_closes_at).hour == 17
    assert session.local(session.registration_closes_at).tzinfo == zoneinfo.ZoneInfo("America/Martinique")


def test_open_at_lists_only_sessions_open_at_that_instant(nancy_2025):
    assert list(Session.objects.open_at(paris(2024, 10, 20, 12, 0))) == [nancy_2025]
    assert list(Session.objects.open_at(paris(2024, 11, 13, 17, 0))) == []
