"""Review services: each action, its audit and its notification; the guards; concurrent decisions."""

import pytest
from django.core import mail

from candidates.models import Dossier, DossierState
from candidates.review import services as review
from documents.models import Piece, PieceState
from notifications.models import Message
from portal.exceptions import DomainError
from tests.candidates.review_fixtures import dossier, world

pytestmark = pytest.mark.django_db


S = DossierState


@pytest.fixture
def w():
    return world()


def _fresh(d):
    return Dossier.objects.get(pk=d.pk)


def test_start_review_moves_to_in_review_and_audits_the_actor(w):
    d = dossier(w["s_nantes"], w["bat"])
    review.dossier_start_review(dossier=d, actor=w["gest_bat"], lock_version=d.lock_version)
    d = _fresh(d)
    assert d.state == S.IN_REVIEW
    assert d.lock_version == 1
    last = d.history.first()
    assert last.history_user == w["gest_bat"]
    assert last.history_change_reason == "Examen commencé"


def test_piece_accept_records_reviewer_and_history(w):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW)
    piece = d.pieces.get()
    review.piece_accept(dossier=d, piece=piece, actor=w["gest_bat"], lock_version=0)
    piece.refresh_from_db()
    assert piece.state == PieceState.ACCEPTED
    assert piece.reviewed_by == w["gest_bat"]
    assert piece.history.first().history_user == w["gest_bat"]


def test_piece_invalidate_reopens_the_piece_and_notifies(w, django_capture_on_commit_callbacks):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("accepted", "deposited"))
    piece = d.pieces.get(code="jdc")
    with django_capture_on_commit_callbacks(execute=True):
        review.piece_invalidate(
            dossier=d, piece=piece, actor=w["gest_bat"], reason="Document illisible", lock_version=0
        )
    piece.refresh_from_db()
    assert piece.state == PieceState.INVALIDATED
    assert piece.invalidation_reason == "Document illisible"
    # Only that piece: the other one stays accepted (TLS).
    assert d.pieces.get(code="identity").state == PieceState.ACCEPTED
    message = Message.objects.get(kind="piece_invalidated")
    assert message.recipient == d.candidate
    assert "Document illisible" in message.body
    assert len(mail.outbox) == 1
    assert "&#x27;" not in mail.outbox[0].body  # plain text, never HTML-escaped


def test_piece_invalidate_needs_a_reason(w):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW)
    with pytest.raises(DomainError) as exc:
        review.piece_invalidate(
            dossier=d, piece=d.pieces.get(), actor=w["gest_bat"], reason=" ", lock_version=0
        )
    assert exc.value.field == "reason"


def test_pieces_are_reviewed_only_in_review(w):
    d = dossier(w["s_nantes"], w["bat"], state=S.SUBMITTED)
    with pytest.raises(DomainError, match="commencez l'examen"):
        review.piece_accept(dossier=d, piece=d.pieces.get(), actor=w["gest_bat"], lock_version=0)


def test_request_correction_makes_the_dossier_incomplete_and_notifies(w, django_capture_on_commit_callbacks):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("invalidated",))
    Piece.objects.filter(dossier=d).update(invalidation_reason="Expiré")
    with django_capture_on_commit_callbacks(execute=True):
        review.dossier_request_correction(
            dossier=d,
            actor=w["gest_bat"],
            message="Merci de fournir une pièce d'identité valide.",
            lock_version=0,
        )
    d = _fresh(d)
    assert d.state == S.INCOMPLETE
    assert d.decision_reason.startswith("Merci")
    message = Message.objects.get(kind="correction_requested")
    assert "Expiré" in message.body and "pièce d'identité valide" in message.body
    assert mail.outbox[0].to == [d.candidate.email]


def test_decide_compliant_needs_every_piece_accepted(w):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("accepted", "deposited"))
    with pytest.raises(DomainError, match="Toutes les pièces demandées"):
        review.dossier_decide(dossier=d, actor=w["gest_bat"], decision=S.COMPLIANT, lock_version=0)
    assert _fresh(d).state == S.IN_REVIEW


def test_decide_compliant_notifies(w, django_capture_on_commit_callbacks):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("accepted",))
    with django_capture_on_commit_callbacks(execute=True):
        review.dossier_decide(dossier=d, actor=w["gest_bat"], decision=S.COMPLIANT, lock_version=0)
    d = _fresh(d)
    assert (d.state, d.decided_by) == (S.COMPLIANT, w["gest_bat"])
    assert Message.objects.filter(kind="decision_compliant", recipient=d.candidate).exists()
    assert "conforme" in mail.outbox[0].subject


def test_decide_non_compliant_needs_a_reason_and_notifies_it(w, django_capture_on_commit_callbacks):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW)
    with pytest.raises(DomainError):
        review.dossier_decide(dossier=d, actor=w["gest_bat"], decision=S.NON_COMPLIANT, lock_version=0)
    with django_capture_on_commit_callbacks(execute=True):
        review.dossier_decide(
            dossier=d, actor=w["gest_bat"], decision=S.NON_COMPLIANT, reason="Catégorie VAE", lock_version=0
        )
    assert _fresh(d).state == S.NON_COMPLIANT
    assert "Catégorie VAE" in Message.objects.get(kind="decision_non_compliant").body


def test_illegal_transitions_are_refused(w):
    d = dossier(w["s_nantes"], w["bat"], state=S.SUBMITTED, pieces=("accepted",))
    with pytest.raises(DomainError, match="Impossible de passer"):
        review.dossier_decide(dossier=d, actor=w["gest_bat"], decision=S.COMPLIANT, lock_version=0)


def test_the_second_of_two_concurrent_decisions_is_refused_and_nothing_is_lost(w):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("accepted",))
    seen_by_both = d.lock_version  # two gestionnaires opened the page at the same time
    review.dossier_decide(
        dossier=d,
        actor=w["manager_nantes"],
        decision=S.NON_COMPLIANT,
        reason="Hors académie",
        lock_version=seen_by_both,
    )
    with pytest.raises(DomainError, match="modifié par quelqu'un d'autre"):
        review.dossier_decide(dossier=d, actor=w["gest_bat"], decision=S.COMPLIANT, lock_version=seen_by_both)
    d = _fresh(d)
    assert (d.state, d.decision_reason, d.decided_by) == (
        S.NON_COMPLIANT,
        "Hors académie",
        w["manager_nantes"],
    )


def test_a_piece_action_on_a_stale_page_is_refused(w):
    d = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("deposited", "deposited"))
    first, second = d.pieces.order_by("pk")
    review.piece_accept(dossier=d, piece=first, actor=w["gest_bat"], lock_version=0)
    with pytest.raises(DomainError, match="modifié par quelqu'un d'autre"):
        review.piece_invalidate(
            dossier=d, piece=second, actor=w["manager_nantes"], reason="x", lock_version=0
        )
    assert Piece.objects.get(pk=second.pk).state == PieceState.DEPOSITED


def test_services_refuse_a_dossier_outside_the_actor_scope(w):
    d = dossier(w["s_nantes"], w["ms"], state=S.SUBMITTED)
    with pytest.raises(DomainError, match="pas accès"):
        review.dossier_start_review(dossier=d, actor=w["gest_bat"], lock_version=0)


def test_bulk_mark_compliant_guards_on_pieces_state_and_scope(w, django_capture_on_commit_callbacks):
    ready = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("accepted", "accepted"))
    missing = dossier(w["s_nantes"], w["bat"], state=S.IN_REVIEW, pieces=("accepted", "deposited"))
    not_started = dossier(w["s_nantes"], w["bat"], state=S.SUBMITTED, pieces=("accepted",))
    other_specialty = dossier(w["s_nantes"], w["ms"], state=S.IN_REVIEW, pieces=("accepted",))
    with django_capture_on_commit_callbacks(execute=True):
        result = review.bulk_mark_compliant(
            dossier_ids=[ready.pk, missing.pk, not_started.pk, other_specialty.pk], actor=w["gest_bat"]
        )
    assert [d.pk for d in result.done] == [ready.pk]
    assert {d.pk for d, _ in result.skipped} == {missing.pk, not_started.pk}
    assert _fresh(ready).state == S.COMPLIANT
    assert _fresh(missing).state == S.IN_REVIEW
    assert _fresh(other_specialty).state == S.IN_REVIEW  # out of scope: untouched, not even reported
    assert Message.objects.filter(kind="decision_compliant").count() == 1


@pytest.mark.django_db
def test_staff_without_the_review_permission_cannot_act_even_on_a_dossier_they_see():
    from candidates.models import DossierState
    from candidates.review import services as review
    from portal.exceptions import DomainError
    from tests.factories import DossierFactory, StaffAssignmentFactory

    dossier = DossierFactory(state=DossierState.SUBMITTED)
    staff = StaffAssignmentFactory(academie=dossier.session.academie, role="manager").user
    staff.groups.clear()  # still assigned (sees the dossier), but no longer in a reviewing group
    with pytest.raises(DomainError):
        review.dossier_start_review(dossier=dossier, actor=staff, lock_version=None)
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
