"""The registration rules as tables, one row per case citing its notice (domain.md §3, §4)."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from candidates.registration import rules


@pytest.mark.parametrize(
    ("category", "refused_with"),
    [
        ("distance_school", None),  # NM
        ("distance_apprentice", None),  # NM
        ("distance_continuing", None),  # NM
        ("former_school", None),  # NM
        ("former_apprentice", None),  # NM
        ("former_continuing", None),  # NM
        ("work_experience", None),  # NM
        ("establishment", "votre établissement"),  # CF, NT: registered by their establishment
        ("vae", "VAE"),  # CF, NT: separate service
        ("", "Choisissez"),
        ("unknown", "Choisissez"),
    ],
)
def test_category_refusals(category, refused_with):
    refusal = rules.category_refusal(category)
    if refused_with is None:
        assert refusal is None
    else:
        assert refused_with in refusal


@pytest.mark.parametrize(
    ("category", "required"),
    [
        ("former_school", True),  # CF: "IMPERATIVEMENT"
        ("former_apprentice", True),  # CF
        ("former_continuing", True),  # CF
        ("distance_school", False),
        ("work_experience", False),
    ],
)
def test_previous_number_is_required_for_former_candidates(category, required):
    assert rules.previous_number_required(category) is required


@pytest.mark.parametrize(
    ("category", "forme", "previous", "ok"),
    [
        ("former_school", "global", "", True),  # NM: global only
        ("former_school", "progressive", "", False),  # NM
        ("former_apprentice", "progressive", "", False),  # NM
        ("former_continuing", "progressive", "", True),  # NM: continuing chooses
        ("distance_school", "progressive", "", True),  # NM: distance, any status
        ("distance_apprentice", "progressive", "", True),  # NM
        ("work_experience", "progressive", "", True),  # NM
        ("work_experience", "global", "", True),  # NM
        ("distance_school", "global", "progressive", False),  # NM: the choice is final
        ("distance_school", "progressive", "progressive", True),  # NM
        ("distance_school", "", "", False),
    ],
)
def test_forme_rules(category, forme, previous, ok):
    assert (rules.forme_refusal(category=category, forme=forme, previous_forme=previous) is None) is ok


def _benefice(**kw):
    base = dict(
        grade=Decimal("12"),
        obtained_on=dt.date(2023, 6, 20),
        reference_date=dt.date(2026, 5, 10),
        today=dt.date(2025, 11, 1),
        session_year=2026,
        is_unit=True,
        forme="global",
        handicap=False,
        first_registration_year=None,
    )
    base.update(kw)
    return rules.benefice_refusal(**base)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, None),  # CF, TLS, NM, AM: ≥ 10 kept on request
        ({"grade": Decimal("10")}, None),  # "égales ou supérieures à 10"
        ({"grade": Decimal("9.5")}, "grade"),  # NM: below 10 not kept in global form
        ({"grade": Decimal("9.5"), "forme": "progressive"}, None),  # NM: progressive carries < 10
        ({"grade": Decimal("8"), "handicap": True}, None),  # TLS, D613-26
        ({"grade": Decimal("21")}, "grade"),
        ({"grade": None}, "grade"),
        ({"obtained_on": None}, "obtained_on"),
        ({"obtained_on": dt.date(2021, 5, 10)}, "obtained_on"),  # NM: 5 years date to date, expired that day
        ({"obtained_on": dt.date(2021, 5, 11)}, None),  # NM: still valid the day before expiry
        ({"obtained_on": dt.date(2026, 1, 1)}, "obtained_on"),  # not in the future
        ({"is_unit": False, "obtained_on": dt.date(2023, 6, 20)}, "choice"),  # CF: units only since 2022
        ({"is_unit": False, "obtained_on": dt.date(2021, 6, 20), "first_registration_year": 2020}, None),  # CF, AM exception
        ({"is_unit": False, "obtained_on": dt.date(2021, 6, 20), "first_registration_year": 2022}, "choice"),  # CF
        ({"is_unit": False, "obtained_on": dt.date(2022, 6, 20), "first_registration_year": 2021}, "choice"),  # CF: grade of 2022
        ({"is_unit": False, "session_year": 2021, "obtained_on": dt.date(2019, 6, 1), "reference_date": dt.date(2021, 5, 1)}, None),
        ({"renounced_before": True}, "choice"),  # CF, AM: renouncing is final
    ],
)  # fmt: skip
def test_benefice_rules(kwargs, field):
    refusal = _benefice(**kwargs)
    assert (refusal[0] if refusal else None) == field


@pytest.mark.parametrize(
    ("epreuve", "diploma", "ok"),
    [
        ({"is_professional": True, "is_general_culture": False, "dispensable": True}, "bts", False),  # NM: never professional
        ({"is_professional": False, "is_general_culture": True, "dispensable": False}, "bts", True),  # NM: CGE for BTS
        ({"is_professional": False, "is_general_culture": True, "dispensable": False}, "dut", True),  # NM: CGE for DUT
        ({"is_professional": False, "is_general_culture": True, "dispensable": False}, "level5", True),  # NM
        ({"is_professional": False, "is_general_culture": True, "dispensable": False}, "", False),  # NM: a diploma is needed
        ({"is_professional": False, "is_general_culture": False, "dispensable": True}, "level5", True),  # NM: referential allows
        ({"is_professional": False, "is_general_culture": False, "dispensable": False}, "level5", False),  # NM
    ],
)  # fmt: skip
def test_dispense_rules(epreuve, diploma, ok):
    assert (rules.dispense_refusal(**epreuve, dispense_diploma=diploma) is None) is ok


@pytest.mark.parametrize(
    ("code", "open_codes", "ok"),
    [
        ("de", {"de", "it"}, True),  # CF: from the session's list
        ("zh", {"de", "it"}, False),  # CF: only from the list
        ("", {"de"}, True),  # no optional LV
    ],
)
def test_optional_language_only_from_the_sessions_list(code, open_codes, ok):
    assert (rules.optional_language_refusal(language_code=code, open_codes=open_codes) is None) is ok


def test_the_optional_language_differs_from_the_mandatory_one():
    assert rules.languages_refusal(mandatory_code="en", optional_code="en")
    assert rules.languages_refusal(mandatory_code="en", optional_code="de") is None


# --- properties of "cinq ans, date à date" (NM) ------------------------------------------------

dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31))


@given(dates)
def test_a_benefice_is_valid_the_day_before_its_fifth_anniversary(obtained):
    expiry = rules.benefice_expires_on(obtained)
    assert rules.benefice_is_valid_on(obtained, expiry - dt.timedelta(days=1))
    assert rules.benefice_is_valid_on(obtained, obtained)


@given(dates, st.integers(min_value=0, max_value=4000))
def test_a_benefice_is_invalid_from_its_fifth_anniversary_on(obtained, days_after):
    expiry = rules.benefice_expires_on(obtained)
    assert not rules.benefice_is_valid_on(obtained, expiry + dt.timedelta(days=days_after))


@given(dates)
def test_validity_lasts_five_calendar_years_date_to_date(obtained):
    expiry = rules.benefice_expires_on(obtained)
    assert expiry.year == obtained.year + 5
    if (obtained.month, obtained.day) != (2, 29):
        assert (expiry.month, expiry.day) == (obtained.month, obtained.day)
    # Between 5*365 and 5*366 days: never a day less than five years.
    assert 5 * 365 + 1 <= (expiry - obtained).days <= 5 * 365 + 2


@pytest.mark.parametrize(
    ("obtained", "last_valid_day"),
    [
        (dt.date(2020, 2, 29), dt.date(2025, 2, 28)),  # leap day: kept through 28 February
        (dt.date(2019, 2, 28), dt.date(2024, 2, 27)),  # date to date across a leap year
        (dt.date(2021, 6, 30), dt.date(2026, 6, 29)),
    ],
)
def test_leap_days(obtained, last_valid_day):
    assert rules.benefice_is_valid_on(obtained, last_valid_day)
    assert not rules.benefice_is_valid_on(obtained, last_valid_day + dt.timedelta(days=1))
