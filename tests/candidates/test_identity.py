"""One identity/contact/consent normaliser for the profile and the wizard (issue 11 item 3): the same
typed input gives the same stored values on both paths, one row per case."""

import pytest
from django.urls import reverse

from candidates.accounts import identity
from candidates.models import Dossier, Profile
from candidates.registration.services import dossier_start
from tests.factories import UserFactory, candidate_with_profile, open_session

pytestmark = pytest.mark.django_db

BASE = {
    "birth_name": "dupont",
    "usage_name": "",
    "first_name_1": "Camille",
    "first_name_2": "",
    "first_name_3": "",
    "sex": "F",
    "birth_date": "2001-05-14",
    "birth_commune": "Nancy",
    "birth_country": "FR",
    "nationality": "FR",
    "address_line1": "12 rue Stanislas",
    "address_line2": "",
    "postcode": "54000",
    "city": "Nancy",
    "country": "FR",
    "mobile_phone": "06 12 34 56 78",
    "consent_press": "false",
    "consent_commercial": "false",
    "consent_local_authorities": "true",
}

ROWS = [
    # The issue's own example: what the wizard stored as ('DUPONT   DURAND', 'martin', 'CAMILLE').
    {"birth_name": "  dupont   durand ", "first_name_1": "martin", "first_name_2": "CAMILLE"},
    {"birth_name": "de la fontaine", "usage_name": " martin ", "first_name_1": "jean-pierre"},
    {"first_name_1": "Marie-Ève", "first_name_2": "anne sophie", "first_name_3": "LÉA"},
    {"birth_name": "straße", "birth_commune": "  Saint-Dié-des-Vosges  ", "city": "Nancy   Centre"},
    {"postcode": "54 000", "mobile_phone": "+33 6 12 34 56 78", "address_line2": " bât.  B "},
    {"birth_country": "be", "nationality": "be", "mobile_phone": "0612345678"},
    # "True" as an older wizard page posted it, "true" as the profile posts it.
    {"consent_press": "True", "consent_commercial": "False", "consent_local_authorities": "false"},
]
STORED = [*identity.IDENTITY_REQUIRED, "usage_name", "first_name_2", "first_name_3", "address_line1",
          "address_line2", "postcode", "city", "country", "mobile_phone"]  # fmt: skip


def _stored(obj) -> dict:
    values = {name: getattr(obj, name) for name in STORED}
    values["departement"] = obj.departement_id
    return values


@pytest.mark.parametrize("typed", ROWS)
def test_the_profile_and_the_wizard_store_the_same_values(client, typed):
    data = {**BASE, **typed}
    session = open_session()
    candidate = candidate_with_profile()  # lives in Meurthe-et-Moselle: the département 54 exists
    # Path 1: the profile page.
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("candidates:profile_edit"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = Profile.objects.get(user=user)
    # Path 2: the wizard's two tabs, for a candidate of the same académie.
    dossier = dossier_start(candidate=candidate, session=session)
    client.force_login(candidate)
    for tab in ("identite", "contact"):
        response = client.post(reverse("registration:tab", args=[dossier.pk, tab]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get(pk=dossier.pk)
    assert _stored(dossier) == _stored(profile)
    wizard_consents = Profile.objects.get(user=candidate)
    for name in identity.CONSENT_FIELDS:
        assert getattr(wizard_consents, name) is getattr(profile, name)
        assert getattr(profile, name) is identity.to_consent(data[name])


def test_the_stored_names_are_normalised_once():
    out = identity.normalise(
        {"birth_name": "  dupont   durand ", "first_name_1": "martin", "postcode": "54 000"}
    )
    assert (out["birth_name"], out["first_name_1"], out["postcode"]) == ("DUPONT DURAND", "Martin", "54000")


@pytest.mark.parametrize(
    "value, expected",
    [(True, True), (False, False), ("true", True), ("True", True), ("false", False), ("False", False),
     ("", None), (None, None), ("peut-être", None)],
)  # fmt: skip
def test_a_consent_is_stored_as_a_boolean_whatever_the_page_posted(value, expected):
    assert identity.to_consent(value) is expected


def test_the_length_is_checked_after_upper_casing():
    values = identity.normalise({"birth_name": "ß" * 60})
    assert len(values["birth_name"]) == 120
    assert ("birth_name", "100 caractères au plus (120 saisis).") in identity.problems(values, required=())
