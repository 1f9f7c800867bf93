"""Identity and contact profile (domain.md §5: CF, NT; issue 3 item 4)."""

import datetime as dt

import pytest
from django.utils import timezone

from candidates.accounts.services import profile_completeness, profile_update
from candidates.models import Profile
from portal.exceptions import DomainError
from tests.candidates.account_helpers import _clean_cache  # noqa: F401
from tests.factories import DepartementFactory, DossierFactory, ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def _valid(**changes) -> dict:
    data = {
        "birth_name": "  de   la fontaine ",
        "usage_name": "",
        "first_name_1": "camille",
        "first_name_2": "Marie-Ève",
        "first_name_3": "",
        "sex": "F",
        "birth_date": "2001-05-14",
        "birth_commune": "Nancy",
        "birth_country": "FR",
        "nationality": "FR",
        "address_line1": "12  rue Stanislas",
        "address_line2": "",
        "postcode": "54 000",
        "city": "Nancy",
        "country": "FR",
        "mobile_phone": "06 12 34 56 78",
        "consent_press": "false",
        "consent_commercial": "false",
        "consent_local_authorities": "true",
    }
    data.update(changes)
    return data


@pytest.fixture
def candidate(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_it_saves_a_normalised_profile_with_the_departement_of_the_postcode(client, candidate):
    meurthe = DepartementFactory(code="54")
    response = client.post("/mon-espace/profil/modifier/", _valid())
    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/profil/"
    profile = Profile.objects.get(user=candidate)
    assert profile.birth_name == "DE LA FONTAINE"
    assert profile.first_name_1 == "Camille"
    assert profile.first_name_2 == "Marie-Ève"
    assert profile.address_line1 == "12 rue Stanislas"
    assert profile.postcode == "54000"
    assert profile.departement == meurthe
    assert profile.mobile_phone == "+33612345678"
    assert (profile.consent_press, profile.consent_commercial, profile.consent_local_authorities) == (
        False,
        False,
        True,
    )
    page = client.get("/mon-espace/profil/").content.decode()
    assert "DE LA FONTAINE" in page
    assert "06 12 34 56 78" in page
    assert "54 – Meurthe-et-Moselle" in page
    assert "100 %" in page


@pytest.mark.parametrize(
    ("postcode", "code"),
    [("20000", "2A"), ("20200", "2B"), ("97200", "972")],
)
def test_it_derives_corsican_and_overseas_departements(candidate, postcode, code):
    DepartementFactory(code=code, name=f"Département {code}")
    profile = profile_update(user=candidate, data=_clean(_valid(postcode=postcode)))
    assert profile.departement_id == code


def test_it_accepts_a_residence_abroad_without_a_french_postcode(candidate):
    profile = profile_update(
        user=candidate,
        data=_clean(_valid(country="BE", postcode="1000", city="Bruxelles", mobile_phone="0470 12 34 56")),
    )
    assert profile.departement is None
    assert profile.mobile_phone == "+32470123456"


def _clean(data: dict) -> dict:
    # The shape the form hands to the service.
    out = dict(data)
    out["birth_date"] = dt.date.fromisoformat(out["birth_date"])
    out["postcode"] = out["postcode"].replace(" ", "")
    for name in ("consent_press", "consent_commercial", "consent_local_authorities"):
        out[name] = {"true": True, "false": False}.get(out[name])
    return out


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"mobile_phone": "03 83 86 20 50"}, "mobile_phone", "pas un fixe"),
        ({"mobile_phone": "06 12"}, "mobile_phone", "n'existe pas"),
        ({"mobile_phone": "allo"}, "mobile_phone", "pas reconnu"),
        ({"postcode": "5400"}, "postcode", "Code postal français invalide"),
        ({"postcode": "98000"}, "postcode", "Code postal français invalide"),
        ({"postcode": "ABCDE"}, "postcode", "Code postal français invalide"),
        ({"birth_date": "2099-01-01"}, "birth_date", "futur"),
        ({"birth_date": "1900-01-01"}, "birth_date", "plus de 100 ans"),
        ({"birth_date": "2020-01-01"}, "birth_date", "moins de 14 ans"),
        ({"birth_date": "31/02/2001"}, "birth_date", "Date invalide"),
        ({"birth_name": "  "}, "birth_name", "Indiquez votre nom de naissance."),
        ({"first_name_2": "", "first_name_3": "Lou"}, "first_name_2", "deuxième prénom avant le troisième"),
        ({"nationality": "ZZ"}, "nationality", "Choisissez un pays dans la liste"),
        ({"consent_press": ""}, "consent_press", "Répondez par Oui ou par Non"),
        ({"sex": "X"}, "sex", "Sélectionnez un choix valide"),
    ],
)
def test_it_refuses_a_faulty_field_with_a_french_error_on_that_field(
    client, candidate, changes, field, message
):
    response = client.post("/mon-espace/profil/modifier/", _valid(**changes))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert any(message in e for e in errors[field]), errors
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page
    assert 'role="alert"' in page
    profile = Profile.objects.filter(user=candidate).first()
    assert profile is None or profile.birth_name == ""


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mobile_phone": "03 83 86 20 50"}, "mobile_phone"),
        ({"postcode": "99999"}, "postcode"),
        ({"consent_commercial": None}, "consent_commercial"),
        ({"first_name_3": "Lou", "first_name_2": ""}, "first_name_2"),
    ],
)
def test_the_service_refuses_what_the_form_refuses(candidate, changes, field):
    data = _clean(_valid())
    data.update(changes)
    with pytest.raises(DomainError) as exc:
        profile_update(user=candidate, data=data, today=timezone.localdate())
    assert exc.value.field == field


def test_it_shows_the_current_values_when_editing(client, candidate):
    ProfileFactory(user=candidate, birth_name="MARTIN", mobile_phone="+33612345678")
    page = client.get("/mon-espace/profil/modifier/").content.decode()
    assert 'value="MARTIN"' in page
    assert 'value="06 12 34 56 78"' in page
    assert '<option value="FR" selected>France</option>' in page


def test_every_field_has_a_label(client, candidate):
    page = client.get("/mon-espace/profil/modifier/").content.decode()
    for name in ("birth_name", "first_name_1", "birth_date", "postcode", "mobile_phone", "nationality"):
        assert f'for="id_{name}"' in page
    assert page.count("<legend") >= 6  # sections, sex and the three consents


def test_the_departement_lookup_uses_the_same_rule(client, candidate):
    assert client.get("/mon-espace/profil/departement/", {"postcode": "20190"}).json() == {
        "departement": "2A"
    }
    assert client.get("/mon-espace/profil/departement/", {"postcode": "99999"}).json() == {
        "departement": None
    }


def test_completeness_counts_the_mandatory_answers(candidate):
    profile = Profile.objects.create(user=candidate)
    # Only the three countries, France by default, are answered on a new profile.
    assert profile_completeness(profile) == 20
    full = ProfileFactory(user=UserFactory())
    assert profile_completeness(full) == 100


@pytest.mark.parametrize(
    "url",
    [
        "/mon-espace/",
        "/mon-espace/profil/",
        "/mon-espace/profil/modifier/",
        "/mon-espace/mot-de-passe/",
        "/mon-espace/adresse-electronique/",
        "/mon-espace/profil/departement/?postcode=54000",
        "/mon-espace/adresse-electronique/confirmer/abc:def/",
    ],
)
def test_every_space_page_requires_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/?next=")


def test_a_candidate_sees_only_their_own_profile_and_dossiers(client):
    other = ProfileFactory(user=UserFactory(email="autre@example.org"), birth_name="AUTRE")
    DossierFactory(candidate=other.user, number="2025-BAT-00042")
    me = ProfileFactory(user=UserFactory(email="moi@example.org"), birth_name="MOI")
    client.force_login(me.user)
    for url in ("/mon-espace/", "/mon-espace/profil/", f"/mon-espace/profil/?user={other.user.pk}"):
        page = client.get(url).content.decode()
        assert "AUTRE" not in page and "autre@example.org" not in page
        assert "2025-BAT-00042" not in page


def test_the_space_shows_the_sections_and_the_empty_state(client, candidate):
    page = client.get("/mon-espace/").content.decode()
    for title in ("Mon profil", "Mes inscriptions", "Mes documents", "Mes messages"):
        assert title in page
    assert (
        "Vous n&#x27;avez encore aucune inscription" in page
        or "Vous n'avez encore aucune inscription" in page
    )


def test_the_space_lists_the_candidates_dossiers(client, candidate):
    DossierFactory(
        candidate=candidate, number="2025-BAT-00001", state="registered", registered_at=timezone.now()
    )
    page = client.get("/mon-espace/").content.decode()
    assert "2025-BAT-00001" in page


def test_the_form_shows_the_departement_of_the_typed_postcode_when_it_comes_back(client, candidate):
    DepartementFactory(code="54")
    response = client.post("/mon-espace/profil/modifier/", _valid(mobile_phone="03 83 86 20 50"))
    assert "Département : 54 – Meurthe-et-Moselle" in response.content.decode()
    response = client.post("/mon-espace/profil/modifier/", _valid(postcode="20200", mobile_phone="x"))
    assert "Département : 2B" in response.content.decode()
