"""Corrections after registration (issue 14): an address change in the profile is offered to the
open dossiers, never applied or ignored silently; a gestionnaire rectifies with a reason."""

import pytest
from django.urls import reverse

from candidates.corrections import selectors, services
from candidates.models import DossierState
from documents.models import DocumentKind, GeneratedDocument
from notifications.models import Message
from portal.exceptions import DomainError
from tests.candidates.review_fixtures import dossier as review_dossier
from tests.candidates.review_fixtures import world as review_world
from tests.documents.helpers import registered_dossier
from tests.factories import DepartementFactory, ProfileFactory

pytestmark = pytest.mark.django_db

PROFILE_POST = {
    "birth_name": "DUPONT", "first_name_1": "Camille", "sex": "F", "birth_date": "2001-05-14",
    "birth_commune": "Nancy", "birth_country": "FR", "nationality": "FR", "address_line1": "3 place Carnot",
    "postcode": "54000", "city": "Nancy", "country": "FR", "mobile_phone": "06 12 34 56 78",
    "consent_press": "false", "consent_commercial": "false", "consent_local_authorities": "false",
}  # fmt: skip


@pytest.fixture
def candidate_dossier():
    profile = ProfileFactory()
    dossier = registered_dossier(
        candidate=profile.user,
        address_line1=profile.address_line1,
        postcode=profile.postcode,
        city=profile.city,
        departement=profile.departement,
        mobile_phone=profile.mobile_phone,
        country="FR",
    )
    return profile, dossier


def test_an_address_change_in_the_profile_asks_about_the_open_dossiers(client, candidate_dossier):
    profile, dossier = candidate_dossier
    client.force_login(profile.user)
    response = client.post(reverse("candidates:profile_edit"), PROFILE_POST)
    assert response.status_code == 302 and response["Location"] == reverse("candidates:contact_update")
    dossier.refresh_from_db()
    assert dossier.address_line1 == "12 rue Stanislas"  # nothing applied silently
    page = client.get(reverse("candidates:space")).content.decode()
    assert "Mettre à jour mes dossiers" in page  # and never forgotten either
    page = client.get(reverse("candidates:contact_update")).content.decode()
    assert "12 rue Stanislas" in page and f'value="{dossier.pk}"' in page


def test_the_chosen_dossiers_get_the_new_address_and_a_new_recap_version(
    client, candidate_dossier, django_capture_on_commit_callbacks
):
    profile, dossier = candidate_dossier
    version = dossier.choices_version
    profile.address_line1 = "3 place Carnot"
    profile.save()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.dossier_apply_profile_contact(candidate=profile.user, dossier_ids=[dossier.pk])
    assert [d.pk for d in result.updated] == [dossier.pk]
    dossier.refresh_from_db()
    assert dossier.address_line1 == "3 place Carnot" and dossier.choices_version == version + 1
    assert GeneratedDocument.objects.filter(dossier=dossier, kind=DocumentKind.RECAP).exists()
    last = dossier.history.first()
    assert last.history_change_reason == "Coordonnées mises à jour depuis le profil"
    assert last.prev_record.address_line1 == "12 rue Stanislas"
    assert selectors.dossiers_with_stale_contact(profile.user) == []


def test_an_address_in_another_academie_is_not_carried_and_says_why(candidate_dossier):
    profile, dossier = candidate_dossier
    from tests.factories import AcademieFactory

    profile.postcode, profile.city = "31000", "Toulouse"
    profile.departement = DepartementFactory(code="31", name="Haute-Garonne", academie=AcademieFactory(code="toulouse", name="Toulouse"))  # fmt: skip
    profile.save()
    result = services.dossier_apply_profile_contact(candidate=profile.user, dossier_ids=[dossier.pk])
    assert not result.updated and "bureau des examens" in result.refused[0][1]
    dossier.refresh_from_db()
    assert dossier.postcode == "54000"


def test_a_gestionnaire_rectifies_with_a_reason_and_the_candidate_is_told(django_capture_on_commit_callbacks):
    w = review_world()
    d = review_dossier(w["s_nantes"], w["bat"], state=DossierState.IN_REVIEW, birth_commune="Nacy")
    with pytest.raises(DomainError, match="motif"):
        services.dossier_staff_correct(
            dossier_id=d.pk, actor=w["gest_bat"], changes={"birth_commune": "Nancy"}, reason=""
        )
    with django_capture_on_commit_callbacks(execute=True):
        services.dossier_staff_correct(
            dossier_id=d.pk, actor=w["gest_bat"], changes={"birth_commune": "Nancy"}, reason="Faute de frappe (acte de naissance)"
        )  # fmt: skip
    d.refresh_from_db()
    assert d.birth_commune == "Nancy"
    last = d.history.first()
    assert last.history_user == w["gest_bat"] and last.prev_record.birth_commune == "Nacy"
    assert last.history_change_reason.startswith("Rectification : Faute de frappe")
    body = Message.objects.get(kind="dossier_corrected", dossier=d).body
    assert "« Nacy » devient « Nancy »" in body and "Faute de frappe" in body
    assert GeneratedDocument.objects.filter(dossier=d, kind=DocumentKind.RECAP).exists()


def test_a_rectification_outside_the_scope_or_of_a_choice_is_refused():
    w = review_world()
    d = review_dossier(w["s_toulouse"], w["bat"], state=DossierState.IN_REVIEW)
    with pytest.raises(DomainError, match="accès"):
        services.dossier_staff_correct(
            dossier_id=d.pk, actor=w["gest_bat"], changes={"city": "Albi"}, reason="x"
        )
    with pytest.raises(DomainError, match="ne se rectifie pas"):
        services.dossier_staff_correct(
            dossier_id=d.pk, actor=w["superuser"], changes={"forme": "global"}, reason="x"
        )


def test_the_admin_page_offers_the_rectification_and_the_view_calls_the_service(client):
    w = review_world()
    d = review_dossier(w["s_nantes"], w["bat"], state=DossierState.IN_REVIEW, city="Nacy")
    client.force_login(w["gest_bat"])
    page = client.get(reverse("admin:candidates_dossier_change", args=[d.pk])).content.decode()
    assert "Rectifier l'identité ou les coordonnées" in page
    url = reverse("candidates:staff_correct", args=[d.pk])
    client.post(url, {"field": "city", "value": "Nancy", "reason": "Adresse mal saisie"})
    d.refresh_from_db()
    assert d.city == "Nancy"
    page = client.post(url, {"field": "city", "value": "Metz", "reason": ""}, follow=True).content.decode()
    d.refresh_from_db()
    assert d.city == "Nancy" and "obligatoire" in page


def test_the_space_counts_only_the_open_dossiers_whose_contact_differs(client, candidate_dossier):
    """issue 15: the space finds them in its own dossier list (no second read): a withdrawn
    dossier with the old address is not one of them, an open one is."""
    profile, dossier = candidate_dossier
    from tests.factories import SpecialtyFactory

    closed = registered_dossier(
        candidate=profile.user,
        specialty=SpecialtyFactory(code="old"),
        address_line1="1 rue Ancienne",
        country="FR",
    )
    closed.state = DossierState.WITHDRAWN
    closed.save()
    client.force_login(profile.user)
    assert "Mettre à jour mes dossiers" not in client.get(reverse("candidates:space")).content.decode()
    profile.address_line1 = "3 place Carnot"
    profile.save()
    page = client.get(reverse("candidates:space")).content.decode()
    assert f"diffère de celui de 1 dossier ({dossier.number})" in page
    assert [d.pk for d in selectors.dossiers_with_stale_contact(profile.user)] == [dossier.pk]
