"""The academy manager's day through the admin (issue 13 item 7): roll the session over, change a
date, open a specialty with its contact, add a piece rule for next year only, invite a gestionnaire
who activates their account and sees only their specialty; the current session's candidates see
nothing change."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from documents.models import PieceRule
from documents.pieces import selectors as piece_selectors
from documents.pieces.services import piece_rules_seed_session
from exams.catalogue import shift_one_year
from exams.models import Session, SessionSpecialty, StaffAssignment
from tests.candidates.account_helpers import link_in
from tests.exams.admin_forms import change_form_data
from tests.factories import (
    AcademieFactory,
    DossierFactory,
    SpecialtyFactory,
    StaffAssignmentFactory,
    UserFactory,
    open_session,
    open_specialty,
)

pytestmark = pytest.mark.django_db
PASSWORD = "Un-mot-de-passe-solide-1"


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _admin_login(client, email: str, password: str = PASSWORD) -> None:
    response = client.post(
        reverse("admin:login"), {"username": email, "password": password, "next": "/admin/"}
    )
    assert response.status_code == 302, response.content.decode()[:500]


def _snapshot(session: Session) -> tuple:
    session.refresh_from_db()
    openings = sorted(
        (o.specialty.code, o.gestionnaire_email, tuple(sorted(o.options.values_list("code", flat=True))))
        for o in session.openings.select_related("specialty")
    )
    rules = sorted(PieceRule.objects.filter(session=session).values_list("code", "reason", "is_active"))
    return (
        session.registration_opens_at,
        session.registration_closes_at,
        session.pieces_deadline,
        openings,
        rules,
    )


def test_the_managers_day(client, django_capture_on_commit_callbacks):
    nancy = AcademieFactory()
    current = open_session(academie=nancy, name="")
    batiment = SpecialtyFactory()
    sio = SpecialtyFactory(code="services-informatiques-aux-organisations", name="SIO", abbreviation="SIO")
    tp = SpecialtyFactory(code="travaux-publics", name="Travaux publics", abbreviation="TP")
    ms = SpecialtyFactory(code="maintenance-des-systemes", name="Maintenance des systèmes", abbreviation="MS")
    open_specialty(current, batiment)
    open_specialty(current, sio, r408_annex5=False, gestionnaire_email="sio@ac-nancy-metz.fr")
    piece_rules_seed_session(session=current)
    bat_dossier = DossierFactory(session=current, specialty=batiment, birth_name="BATISSEUR", number="N-1")
    sio_dossier = DossierFactory(session=current, specialty=sio, birth_name="INFORMATICIENNE", number="N-2")
    pieces_before = [(p.code, p.reason) for p in piece_selectors.required_pieces_for_dossier(bat_dossier)]
    current_before = _snapshot(current)

    manager = UserFactory(email="responsable@ac-nancy-metz.fr", is_staff=True)
    StaffAssignmentFactory(user=manager, academie=nancy, role="manager")
    _admin_login(client, manager.email)

    # 1. Roll the session over.
    response = client.post(
        reverse("admin:exams_session_changelist"),
        {"action": "prepare_next_session", "_selected_action": [current.pk]},
        follow=True,
    )
    assert "est préparée (non publiée)" in response.content.decode()
    new = Session.objects.get(previous_session=current)
    assert (new.year, new.is_published) == (current.year + 1, False)

    # 2. Change a date and 3. open Travaux publics with its contact, in one save of the form.
    page = client.get(reverse("admin:exams_session_change", args=[new.pk]))
    data = change_form_data(page, nancy.tzinfo)
    closes = new.academie.localtime(new.registration_closes_at) + dt.timedelta(days=2)
    data["registration_closes_at_0"] = closes.strftime("%d/%m/%Y")
    total = int(data["openings-TOTAL_FORMS"])
    data["openings-TOTAL_FORMS"] = str(total + 1)
    data.update(
        {
            f"openings-{total}-session": str(new.pk),
            f"openings-{total}-specialty": str(tp.pk),
            f"openings-{total}-gestionnaire_name": "M. Paul Terrassier",
            f"openings-{total}-gestionnaire_email": "tp@ac-nancy-metz.fr",
            f"openings-{total}-gestionnaire_phone": "03 83 86 20 51",
            f"openings-{total}-r408_annex5": "on",
        }
    )
    response = client.post(reverse("admin:exams_session_change", args=[new.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    new.refresh_from_db()
    moved = shift_one_year(current.registration_closes_at, nancy.tzinfo)
    # The form shows and posts whole seconds.
    expected = nancy.localtime(moved).replace(microsecond=0) + dt.timedelta(days=2)
    assert new.academie.localtime(new.registration_closes_at) == expected
    opened = SessionSpecialty.objects.get(session=new, specialty=tp)
    assert (opened.gestionnaire_email, opened.requires_r408) == ("tp@ac-nancy-metz.fr", True)

    # 4. A piece rule for next year only: refused for a specialty the session does not open...
    rule = {
        "session": str(new.pk), "code": "access_diploma", "label": "", "reason": "Demandé aux candidats de TP en 2028.",
        "deadline_kind": "standard", "is_active": "on", "order": "5", "source": "", "options": "[]",
        "nationality": "", "min_age": "", "max_age": "", "mandatory_language_not_in": "[]",
    }  # fmt: skip
    refused = client.post(reverse("admin:documents_piecerule_add"), {**rule, "specialties": [str(ms.pk)]})
    assert refused.status_code == 200
    assert "n&#x27;ouvre pas : Maintenance des systèmes" in refused.content.decode()
    assert (
        client.post(
            reverse("admin:documents_piecerule_add"), {**rule, "specialties": [str(tp.pk)]}
        ).status_code
        == 302
    )
    assert PieceRule.objects.filter(session=new, code="access_diploma").count() == 1
    assert not PieceRule.objects.filter(session=current, code="access_diploma").exists()

    # 5. Invite a gestionnaire for Bâtiment.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("staff_invite"),
            {
                "email": "Claire.Martin@ac-nancy-metz.fr",
                "academie": str(nancy.pk),
                "specialties": [str(batiment.pk)],
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = next(m for m in mail.outbox if "claire.martin@ac-nancy-metz.fr" in m.to)
    assert "48 heures" in invitation.body

    # 6. The gestionnaire activates their account, logs in and sees only Bâtiment's dossiers.
    gestionnaire = client.__class__()
    link = link_in(invitation, "/personnel/activation/")
    assert gestionnaire.get(link).status_code == 200
    response = gestionnaire.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert response.status_code == 302
    _admin_login(gestionnaire, "claire.martin@ac-nancy-metz.fr")
    listing = gestionnaire.get(reverse("admin:candidates_dossier_changelist")).content.decode()
    assert bat_dossier.number in listing and sio_dossier.number not in listing
    assignment = StaffAssignment.objects.get(user__email="claire.martin@ac-nancy-metz.fr")
    assert assignment.invited_by == manager
    assert assignment.history.filter(history_user=manager).exists()

    # 7. The current session's candidates see nothing change.
    assert _snapshot(current) == current_before
    assert current.is_registration_open()
    assert [
        (p.code, p.reason) for p in piece_selectors.required_pieces_for_dossier(bat_dossier)
    ] == pieces_before
