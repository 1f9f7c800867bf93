"""Pure rules of the account and profile (domain.md §5), one row per case."""

import datetime as dt

import pytest

from candidates.accounts import rules


@pytest.mark.parametrize(
    ("postcode", "expected"),
    [
        ("54000", "54"),  # Nancy (NM)
        ("01000", "01"),  # Bourg-en-Bresse: leading zero kept
        ("63000", "63"),  # Clermont-Ferrand (CF)
        ("20000", "2A"),  # Ajaccio: Corse-du-Sud 200xx
        ("20167", "2A"),  # Corse-du-Sud 201xx
        ("20200", "2B"),  # Bastia: Haute-Corse 202xx
        ("20600", "2B"),  # Haute-Corse 206xx
        ("20700", None),  # no Corsican postcode above 206xx
        ("97200", "972"),  # Fort-de-France, Martinique
        ("97100", "971"),  # Guadeloupe
        ("97600", "976"),  # Mayotte
        ("97700", None),  # Saint-Barthélemy is a collectivité, not a département
        ("98000", None),  # Monaco
        ("00100", None),
        ("96000", None),
        ("5400", None),  # four digits
        ("54 000", None),  # spaces are removed by the form, not the rule
        ("ABCDE", None),
        ("", None),
    ],
)
def test_it_derives_the_departement_from_the_postcode(postcode, expected):
    assert rules.departement_from_postcode(postcode) == expected


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("camille@gmial.com", "camille@gmail.com"),  # swapped letters
        ("camille@gnail.com", "camille@gmail.com"),
        ("camille@gmail.con", "camille@gmail.com"),  # top-level typo
        ("camille@gmail", "camille@gmail.com"),  # missing top-level
        ("camille@hotmial.fr", "camille@hotmail.fr"),
        ("camille@outlok.fr", "camille@outlook.fr"),
        ("camille@yaho.fr", "camille@yahoo.fr"),
        ("Camille@GMIAL.COM", "camille@gmail.com"),
        ("camille@gmail.com", None),  # already right
        ("camille@orange.fr", None),
        ("camille@univ-lorraine.fr", None),  # unknown but plausible: no suggestion
        ("camille@laposte.fr", None),
        ("pas-une-adresse", None),
        ("", None),
    ],
)
def test_it_suggests_a_common_domain_for_a_typo(email, expected):
    assert rules.suggest_email(email) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  de   la   Fontaine ", "DE LA FONTAINE"),
        ("müller", "MÜLLER"),
        ("N'Diaye", "N'DIAYE"),
    ],
)
def test_it_writes_the_birth_name_in_capitals_with_single_spaces(raw, expected):
    assert rules.normalise_birth_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("jean-pierre", "Jean-Pierre"),
        ("MARIE ÈVE", "Marie Ève"),
        ("  Marie-Ève  ", "Marie-Ève"),
        ("McKenzie", "McKenzie"),  # mixed case typed on purpose is kept
    ],
)
def test_it_normalises_first_names(raw, expected):
    assert rules.normalise_first_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("06 12 34 56 78", "+33612345678"),
        ("07.81.23.45.67", "+33781234567"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+32 470 12 34 56", "+32470123456"),  # Belgian mobile
        ("+44 7400 123456", "+447400123456"),  # British mobile
    ],
)
def test_it_stores_a_mobile_number_in_e164(raw, expected):
    assert rules.normalise_mobile_phone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("03 83 86 20 50", "mobile"),  # a landline (CF: "téléphone portable")
        ("06 12", "n'existe pas"),
        ("bonjour", "pas reconnu"),
        ("", "Indiquez"),
    ],
)
def test_it_refuses_a_number_that_is_not_a_mobile(raw, reason):
    with pytest.raises(ValueError, match=reason):
        rules.normalise_mobile_phone(raw)


TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("birth_date", "error"),
    [
        (dt.date(2001, 5, 14), None),
        (dt.date(2012, 11, 23), None),  # 14 today
        (dt.date(2012, 11, 24), "moins de 14 ans"),
        (dt.date(1926, 11, 23), None),  # 100 today
        (dt.date(1925, 11, 22), "plus de 100 ans"),
        (dt.date(2026, 11, 24), "futur"),
    ],
)
def test_it_checks_the_birth_date_is_plausible(birth_date, error):
    result = rules.birth_date_error(birth_date, TODAY)
    if error is None:
        assert result is None
    else:
        assert error in result


def test_it_lists_countries_in_french_with_france_first():
    choices = rules.country_choices()
    assert choices[0] == ("FR", "France")
    names = dict(choices)
    assert names["DE"] == "Allemagne"
    assert names["CI"] == "Côte d'Ivoire"
    assert len(choices) > 200
