"""Staffing an académie without the superuser (issue 13 item 6), and the catalogue's ownership as
two academy managers see it through the admin (item 1)."""

import datetime as dt
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from candidates.accounts import staff as account_staff
from exams import staff
from exams.models import SessionSpecialty, StaffAssignment
from portal.exceptions import DomainError
from tests.candidates.account_helpers import link_in
from tests.exams.test_admin import inline_management
from tests.factories import (
    AcademieFactory,
    ProfileFactory,
    SessionFactory,
    SpecialtyFactory,
    StaffAssignmentFactory,
    UserFactory,
    open_specialty,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Un-mot-de-passe-solide-1"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def nancy():
    academie = AcademieFactory()
    session = SessionFactory(academie=academie)
    batiment = SpecialtyFactory()
    open_specialty(session, batiment)
    manager = StaffAssignmentFactory(academie=academie, role="manager").user
    return academie, session, batiment, manager


def _invite(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        return account_staff.staff_invite(**kwargs)


def test_an_invitation_creates_an_inactive_staff_account_and_mails_a_48_hour_link(
    nancy, django_capture_on_commit_callbacks, client
):
    academie, _, batiment, manager = nancy
    assignment = _invite(
        django_capture_on_commit_callbacks, academie=academie, email="Claire@ac-nancy-metz.fr",
        specialties=[batiment], by=manager,
    )  # fmt: skip
    user = assignment.user
    assert (user.email, user.is_active, user.is_staff, user.has_usable_password()) == (
        "claire@ac-nancy-metz.fr", False, True, False,
    )  # fmt: skip
    assert list(assignment.specialties.all()) == [batiment]
    [message] = [m for m in mail.outbox if user.email in m.to]
    link = link_in(message, "/personnel/activation/")

    later = dt.datetime.now() + dt.timedelta(hours=49)
    with mock.patch.object(staff.StaffInvitationTokenGenerator, "_now", return_value=later):
        assert client.get(link).status_code == 400
    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_active and user.check_password(PASSWORD) and user.email_verified_at
    # Used once: dead.
    assert client.get(link).status_code == 400


def test_a_candidates_account_can_never_be_given_a_staff_role(nancy):
    academie, _, batiment, manager = nancy
    candidate = ProfileFactory(user=UserFactory(email="camille@example.org")).user
    with pytest.raises(DomainError, match="compte candidat"):
        staff.staff_invite(academie=academie, email=candidate.email, specialties=[batiment], by=manager)
    assert not StaffAssignment.objects.filter(user=candidate).exists()
    candidate.refresh_from_db()
    assert not candidate.is_staff


def test_the_assignment_picker_never_lists_a_candidates_account(nancy, client):
    academie, _, batiment, manager = nancy
    candidate = ProfileFactory(user=UserFactory(email="camille@example.org")).user
    client.force_login(manager)
    response = client.post(
        reverse("admin:exams_staffassignment_add"),
        {"user": candidate.pk, "academie": academie.pk, "role": "gestionnaire", "specialties": [batiment.pk]},
    )
    assert response.status_code == 200
    assert "user" in response.context["adminform"].form.errors
    assert not StaffAssignment.objects.filter(user=candidate).exists()


def test_a_manager_invites_only_for_their_academie_and_only_specialties_it_opens(nancy):
    academie, _, batiment, manager = nancy
    toulouse = AcademieFactory(code="toulouse", name="Toulouse")
    with pytest.raises(DomainError, match="Vous ne gérez pas"):
        staff.staff_invite(academie=toulouse, email="x@ac-toulouse.fr", by=manager)
    tp = SpecialtyFactory(code="travaux-publics", name="Travaux publics")
    with pytest.raises(DomainError, match="n'ouvre : Travaux publics"):
        staff.staff_invite(academie=academie, email="y@ac-nancy-metz.fr", specialties=[tp], by=manager)
    with pytest.raises(DomainError, match="responsable académique"):
        staff.staff_invite(academie=academie, email="z@ac-nancy-metz.fr", role="manager", by=manager)


def test_assigning_revoking_and_deactivating_are_in_the_history(nancy, django_capture_on_commit_callbacks):
    academie, session, batiment, manager = nancy
    sio = SpecialtyFactory(code="sio", name="SIO")
    open_specialty(session, sio)
    assignment = _invite(
        django_capture_on_commit_callbacks, academie=academie, email="g@ac-nancy-metz.fr",
        specialties=[batiment], by=manager,
    )  # fmt: skip
    user = assignment.user
    user.is_active = True
    user.save()
    staff.staff_set_specialties(assignment=assignment, specialties=[sio], by=manager)
    staff.staff_deactivate(assignment=assignment, by=manager)

    user.refresh_from_db()
    assert not user.is_active
    history = list(assignment.history.order_by("history_date"))
    assert len(history) >= 3
    assert all(h.history_user == manager for h in history)
    assert history[-1].deactivated_at is not None
    assert [s.specialty_id for s in history[-1].specialties.all()] == [sio.pk]
    with pytest.raises(DomainError, match="propre compte"):
        staff.staff_deactivate(assignment=StaffAssignment.objects.get(user=manager), by=manager)


def test_two_managers_never_change_what_the_other_academie_sees(client):
    nancy, toulouse = AcademieFactory(), AcademieFactory(code="toulouse", name="Toulouse")
    nm_session = SessionFactory(academie=nancy)
    tls_session = SessionFactory(academie=toulouse, year=2024, code="toulouse-bts-2024")
    batiment = SpecialtyFactory()
    tls_opening = open_specialty(tls_session, batiment, gestionnaire_email="bat@ac-toulouse.fr")
    nm_manager = StaffAssignmentFactory(academie=nancy, role="manager").user
    tls_manager = StaffAssignmentFactory(academie=toulouse, role="manager").user

    client.force_login(nm_manager)
    # The national referential is read-only: the Nancy-Metz manager cannot save "Bâtiment".
    change = reverse("admin:exams_specialty_change", args=[batiment.pk])
    assert client.get(change).status_code == 200
    response = client.post(change, {"code": "batiment", "name": "Bâtiment (NM)", "abbreviation": "BAT"})
    assert response.status_code == 403
    batiment.refresh_from_db()
    assert batiment.name == "Bâtiment"
    # Toulouse's session and its opening (with Toulouse's contact) are out of reach.
    assert client.get(reverse("admin:exams_session_change", args=[tls_session.pk])).status_code == 302
    assert tls_session.code not in client.get(reverse("admin:exams_session_changelist")).content.decode()
    # A piece rule cannot be put in Toulouse's session.
    response = client.post(
        reverse("admin:documents_piecerule_add"),
        {"session": tls_session.pk, "code": "identity", "reason": "x", "deadline_kind": "standard", "order": "0",
         "options": "[]", "mandatory_language_not_in": "[]"},
    )  # fmt: skip
    assert response.status_code == 200 and "session" in response.context["adminform"].form.errors
    # Nor can Nancy-Metz open a specialty for Toulouse through its own session's form.
    client.force_login(tls_manager)
    assert client.get(reverse("admin:exams_session_change", args=[nm_session.pk])).status_code == 302
    tls_opening.refresh_from_db()
    assert tls_opening.gestionnaire_email == "bat@ac-toulouse.fr"
    assert SessionSpecialty.objects.filter(session=tls_session).count() == 1


def test_the_admin_explains_bad_dates_and_options_in_french(client):
    session = SessionFactory()
    batiment = SpecialtyFactory()
    from tests.factories import SpecialtyOptionFactory

    other_option = SpecialtyOptionFactory(specialty=SpecialtyFactory(code="ms", name="MS"), code="B")
    client.force_login(UserFactory(email="root@example.org", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:exams_session_change", args=[session.pk]))
    from tests.exams.admin_forms import change_form_data

    data = change_form_data(page, session.academie.tzinfo)
    data.update(inline_management("openings", total=1))
    data.update({"openings-0-session": str(session.pk), "openings-0-specialty": str(batiment.pk),
                 "openings-0-options": [str(other_option.pk)]})  # fmt: skip
    data["pieces_deadline_0"] = "01/11/2024"
    response = client.post(reverse("admin:exams_session_change", args=[session.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "La date limite des pièces ne peut précéder la clôture des inscriptions." in body
    assert "ne sont pas de la spécialité" in body
    assert not SessionSpecialty.objects.exists()
