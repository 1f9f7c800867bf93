"""Deposits, the lock, late pieces and the cancellation at the deadline (domain.md §6, §7)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from candidates.models import DossierState
from candidates.states import transition
from documents.models import Piece, PieceFile, PieceRule, PieceState
from documents.pieces import selectors, services
from notifications.models import Message
from portal.exceptions import DomainError
from tests.factories import (
    AcademieFactory,
    SessionFactory,
    SpecialtyFactory,
    UserFactory,
    open_session,
    open_specialty,
)

from .files import exe_bytes, pdf_bytes, png_bytes, upload
from .helpers import registered_dossier

pytestmark = pytest.mark.django_db


def deposit(dossier, code, *files, **kwargs):
    files = files or (upload("piece.pdf", pdf_bytes()),)
    return services.piece_deposit(
        dossier=dossier, code=code, files=list(files), by=dossier.candidate, **kwargs
    )


def test_the_dossier_requires_the_pieces_of_its_academie():
    dossier = registered_dossier()
    pieces = selectors.required_pieces_for_dossier(dossier)
    assert [(p.code, p.deadline_kind) for p in pieces] == [
        ("recap_signed", "standard"),
        ("identity", "standard"),
        ("r408", "late"),  # NM: Bâtiment, avant le 17 janvier
    ]
    assert pieces[2].deadline == dossier.session.late_pieces_deadline
    assert [p.code for p in selectors.missing_standard_pieces(dossier)] == ["recap_signed", "identity"]


def test_a_late_piece_falls_back_to_the_standard_deadline_when_the_session_has_none():
    dossier = registered_dossier(session=open_session(late_pieces_deadline=None))
    r408 = next(p for p in selectors.required_pieces_for_dossier(dossier) if p.code == "r408")
    assert r408.deadline == dossier.session.pieces_deadline


def test_it_deposits_a_piece_of_two_files_and_sends_a_confirmation(django_capture_on_commit_callbacks):
    dossier = registered_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        piece = deposit(
            dossier, "identity", upload("recto.png", png_bytes()), upload("verso.pdf", pdf_bytes())
        )
    assert piece.state == PieceState.DEPOSITED
    assert [(f.original_name, f.content_type) for f in piece.files.all()] == [
        ("recto.png", "image/png"),
        ("verso.pdf", "application/pdf"),
    ]
    stored = piece.files.first().file.name
    assert "recto" not in stored and stored.startswith("pieces/")
    assert len(mail.outbox) == 1
    assert "Pièce déposée" in mail.outbox[0].subject
    assert "recto.png, verso.pdf" in mail.outbox[0].body
    assert Message.objects.filter(recipient=dossier.candidate, kind="piece_deposited").exists()


def test_the_same_file_posted_twice_is_one_file_and_one_email(django_capture_on_commit_callbacks):
    """A double click, or a retry after a lost answer (issue 17): nothing new, nobody told twice."""
    dossier = registered_dossier()
    content = pdf_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        deposit(dossier, "identity", upload("carte.pdf", content))
        piece = deposit(dossier, "identity", upload("carte.pdf", content))
    assert piece.files.count() == 1
    assert len(mail.outbox) == 1
    assert Message.objects.filter(recipient=dossier.candidate, kind="piece_deposited").count() == 1


def test_a_refused_file_leaves_the_pieces_already_deposited():
    dossier = registered_dossier()
    deposit(dossier, "identity")
    with pytest.raises(DomainError, match="ni un PDF"):
        deposit(dossier, "identity", upload("ok.pdf", pdf_bytes()), upload("virus.pdf", exe_bytes()))
    piece = Piece.objects.get(dossier=dossier, code="identity")
    assert piece.files.count() == 1 and piece.state == PieceState.DEPOSITED


def test_it_adds_files_before_the_lock_and_replaces_them_when_asked():
    dossier = registered_dossier()
    deposit(dossier, "identity")
    deposit(dossier, "identity", upload("verso.png", png_bytes()))
    assert PieceFile.objects.filter(piece__dossier=dossier).count() == 2
    deposit(dossier, "identity", upload("nouveau.pdf", pdf_bytes()), replace=True)
    assert list(PieceFile.objects.filter(piece__dossier=dossier).values_list("original_name", flat=True)) == [
        "nouveau.pdf"
    ]


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("draft", "Enregistrez d'abord votre inscription"),
        ("not_required", "n'est pas demandée"),
        ("late", "est passée : aucune pièce n'est acceptée hors délai"),
    ],
)
def test_it_refuses_a_deposit_with_a_french_reason(setup, message):
    dossier = registered_dossier()
    code, at = "identity", None
    if setup == "draft":
        dossier.state = DossierState.DRAFT  # a raw draft: no transition leads back to it
    elif setup == "not_required":
        code = "access_diploma"  # NM asks no access diploma (the JDC is national: asked everywhere)
    else:
        at = dossier.session.pieces_deadline + dt.timedelta(minutes=1)
    with pytest.raises(DomainError, match=message):
        deposit(dossier, code, at=at)
    assert not Piece.objects.exists()


def test_it_refuses_the_deposit_at_the_deadline_minute_in_the_academies_zone():
    dossier = registered_dossier()
    deadline = dossier.session.pieces_deadline
    deposit(dossier, "identity", at=deadline - dt.timedelta(seconds=1))
    with pytest.raises(DomainError, match="heure de l'académie"):
        deposit(dossier, "recap_signed", at=deadline)


def test_the_lock_is_refused_while_a_standard_piece_is_missing_then_accepted(
    django_capture_on_commit_callbacks,
):
    dossier = registered_dossier()
    deposit(dossier, "identity")
    with pytest.raises(DomainError) as refused:
        services.piece_lock_all(dossier=dossier, by=dossier.candidate)
    assert "Il manque encore : Récapitulatif d'inscription daté et signé" in refused.value.message
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REGISTERED and dossier.pieces_locked_at is None

    deposit(dossier, "recap_signed")
    with django_capture_on_commit_callbacks(execute=True):
        services.piece_lock_all(dossier=dossier, by=dossier.candidate)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.pieces_locked_at is not None
    locked_mail = [m for m in mail.outbox if "Pièces transmises" in m.subject]
    assert locked_mail and "Attestation de formation R408" in locked_mail[0].body  # the late piece still due
    with pytest.raises(DomainError, match="déjà verrouillées"):
        services.piece_lock_all(dossier=dossier, by=dossier.candidate)


def locked_dossier():
    dossier = registered_dossier()
    deposit(dossier, "identity")
    deposit(dossier, "recap_signed")
    services.piece_lock_all(dossier=dossier, by=dossier.candidate)
    dossier.refresh_from_db()
    return dossier


def test_after_the_lock_nothing_changes_but_late_pieces_come_until_their_deadline():
    dossier = locked_dossier()
    with pytest.raises(DomainError, match="verrouillées"):
        deposit(dossier, "identity")
    late_deadline = dossier.session.late_pieces_deadline
    with pytest.raises(DomainError, match="hors délai"):
        deposit(dossier, "r408", at=late_deadline)
    piece = deposit(dossier, "r408", at=dossier.session.pieces_deadline + dt.timedelta(days=30))
    assert piece.state == PieceState.DEPOSITED
    with pytest.raises(DomainError, match="verrouillées"):
        deposit(dossier, "r408")  # once deposited, the late piece is locked too


def test_an_invalidated_piece_alone_is_replaced_and_the_dossier_resubmitted():
    dossier = locked_dossier()
    transition(dossier, DossierState.IN_REVIEW)
    piece = Piece.objects.get(dossier=dossier, code="identity")
    piece.state, piece.invalidation_reason = PieceState.INVALIDATED, "Pièce illisible"
    piece.save()
    transition(dossier, DossierState.INCOMPLETE, reason="Pièce d'identité illisible")
    with pytest.raises(DomainError, match="Pièce d'identité en cours de validité"):
        services.piece_lock_all(dossier=dossier, by=dossier.candidate)
    with pytest.raises(DomainError, match="verrouillées"):
        deposit(dossier, "recap_signed")
    deposit(dossier, "identity", upload("nette.png", png_bytes()))
    piece.refresh_from_db()
    assert piece.state == PieceState.DEPOSITED and piece.invalidation_reason == ""
    assert list(piece.files.values_list("original_name", flat=True)) == ["nette.png"]
    services.piece_lock_all(dossier=dossier, by=dossier.candidate)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_an_accepted_piece_cannot_be_changed():
    dossier = registered_dossier()
    piece = deposit(dossier, "identity")
    piece.state = PieceState.ACCEPTED
    piece.save()
    with pytest.raises(DomainError, match="acceptée"):
        deposit(dossier, "identity")


def test_the_generated_recap_is_deposited_as_the_recap_signed_piece():
    dossier = registered_dossier()
    piece = services.piece_deposit_generated(
        dossier=dossier,
        code="recap_signed",
        content=pdf_bytes(),
        original_name="recapitulatif-v2.pdf",
        by=None,
    )
    assert piece.code == "recap_signed"
    assert piece.files.get().original_name == "recapitulatif-v2.pdf"


def test_the_deadline_job_cancels_incomplete_dossiers_and_submits_complete_ones(
    django_capture_on_commit_callbacks,
):
    missing = registered_dossier()
    complete = registered_dossier(session=missing.session, candidate=UserFactory())
    deposit(complete, "identity")
    deposit(complete, "recap_signed")
    before = missing.session.pieces_deadline - dt.timedelta(minutes=1)
    assert services.dossiers_cancel_missing_pieces(at=before) == {"cancelled": [], "submitted": []}

    after = missing.session.pieces_deadline
    with django_capture_on_commit_callbacks(execute=True):
        done = services.dossiers_cancel_missing_pieces(at=after)
    assert done == {"cancelled": [missing.pk], "submitted": [complete.pk]}
    missing.refresh_from_db()
    complete.refresh_from_db()
    assert missing.state == DossierState.CANCELLED
    assert complete.state == DossierState.SUBMITTED and complete.pieces_locked_at == after
    cancelled_mail = [m for m in mail.outbox if "Inscription annulée" in m.subject]
    assert len(cancelled_mail) == 1 and cancelled_mail[0].to == [missing.candidate.email]
    assert "Pièce d'identité en cours de validité" in cancelled_mail[0].body
    # Idempotent: a second run finds nothing.
    assert services.dossiers_cancel_missing_pieces(at=after) == {"cancelled": [], "submitted": []}


def test_the_task_runs_the_job():
    from documents.tasks import cancel_dossiers_missing_pieces

    assert cancel_dossiers_missing_pieces.delay().get() == {"cancelled": [], "submitted": []}


def test_seeding_the_rules_is_idempotent_and_keeps_the_managers_edits():
    toulouse = SessionFactory(
        academie=AcademieFactory(code="toulouse", name="Toulouse"), code="toulouse-bts-2025"
    )
    nancy = SessionFactory(academie=AcademieFactory(code="nancy-metz", name="Nancy-Metz"))
    ms = SpecialtyFactory(code="maintenance-des-systemes", name="Maintenance des systèmes")
    for session in (toulouse, nancy):
        open_specialty(session, ms, r408_annex5=False)
    created = services.seed_piece_rules()
    assert created == PieceRule.objects.count() > 0
    nm = PieceRule.objects.filter(session=nancy)
    assert nm.filter(code="ms_height").get().options == ["C", "D"]
    assert list(nm.get(code="ms_height").specialties.values_list("code", flat=True)) == [
        "maintenance-des-systemes"
    ]
    nm.filter(code="identity").update(reason="Modifié par le responsable")
    assert services.seed_piece_rules() == 0
    assert nm.get(code="identity").reason == "Modifié par le responsable"


def test_the_database_rules_replace_the_notices_once_an_academie_has_some():
    dossier = registered_dossier()
    services.seed_piece_rules()
    PieceRule.objects.filter(session=dossier.session, code="recap_signed").update(is_active=False)
    PieceRule.objects.filter(session=dossier.session, code="identity").update(
        reason="Carte d'identité recto verso"
    )
    pieces = {p.code: p for p in selectors.required_pieces_for_dossier(dossier)}
    assert "recap_signed" not in pieces
    assert pieces["identity"].reason == "Carte d'identité recto verso"
