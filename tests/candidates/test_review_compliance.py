"""A decision states what it covers (issue 14): conforme is refused while a required piece, late
ones included, is missing or not accepted, unless "conforme sous réserve des pièces tardives"."""

import datetime as dt

import pytest

from candidates.models import DossierState
from candidates.review import rules
from candidates.review import services as review
from documents.models import PieceState
from documents.pieces import services as pieces
from notifications.models import Message
from portal.exceptions import DomainError
from tests.documents.files import pdf_bytes, upload
from tests.documents.helpers import registered_dossier
from tests.factories import AcademieFactory, SpecialtyFactory, StaffAssignmentFactory, UserFactory

pytestmark = pytest.mark.django_db
S = DossierState
P = rules.RequiredPieceState


@pytest.mark.parametrize(
    "required, under_reservation, refused",
    [
        ([P("identity", "Identité", "standard", "accepted")], False, False),
        ([P("identity", "Identité", "standard", "deposited")], False, True),
        ([P("identity", "Identité", "standard", "accepted"), P("r408", "R408", "late", "")], False, True),
        ([P("identity", "Identité", "standard", "accepted"), P("r408", "R408", "late", "")], True, False),
        (
            [P("identity", "Identité", "standard", "accepted"), P("r408", "R408", "late", "deposited")],
            True,
            False,
        ),
        # The reservation never covers a standard piece.
        ([P("identity", "Identité", "standard", ""), P("r408", "R408", "late", "")], True, True),
        # Nothing left to reserve: a plain conforme is the decision to take.
        ([P("identity", "Identité", "standard", "accepted")], True, True),
    ],
)
def test_compliance_refusal_table(required, under_reservation, refused):
    assert (rules.compliance_refusal(required, under_reservation=under_reservation) is not None) is refused


def _deposit(dossier, code, **kwargs):
    return pieces.piece_deposit(
        dossier=dossier, code=code, files=[upload("p.pdf", pdf_bytes())], by=dossier.candidate, **kwargs
    )


@pytest.fixture
def in_review():
    """NM: recap and identity (standard), R408 for Bâtiment (late, never uploaded)."""
    dossier = registered_dossier()
    _deposit(dossier, "identity")
    _deposit(dossier, "recap_signed")
    pieces.piece_lock_all(dossier=dossier, by=dossier.candidate)
    gest = StaffAssignmentFactory(
        user=UserFactory(email="gest@ac-nancy-metz.fr"),
        academie=AcademieFactory(),
        specialties=[SpecialtyFactory()],
    ).user
    review.dossier_start_review(dossier=dossier.pk, actor=gest, lock_version=None)
    for piece in dossier.pieces.all():
        review.piece_accept(dossier=dossier.pk, piece=piece.pk, actor=gest, lock_version=None)
    dossier.refresh_from_db()
    return dossier, gest


def test_conforme_is_refused_while_a_late_piece_was_never_uploaded(in_review):
    dossier, gest = in_review
    with pytest.raises(DomainError, match="R408") as exc:
        review.dossier_decide(dossier=dossier.pk, actor=gest, decision=S.COMPLIANT, lock_version=None)
    assert exc.value.code == "pieces_not_accepted"
    result = review.bulk_mark_compliant(dossier_ids=[dossier.pk], actor=gest)  # the bulk action too
    assert not result.done and "R408" in result.skipped[0][1]
    dossier.refresh_from_db()
    assert dossier.state == S.IN_REVIEW


def test_conforme_under_reservation_keeps_the_late_upload_open_until_its_deadline(
    in_review, django_capture_on_commit_callbacks
):
    dossier, gest = in_review
    with django_capture_on_commit_callbacks(execute=True):
        review.dossier_decide(
            dossier=dossier.pk, actor=gest, decision=S.COMPLIANT, lock_version=None, under_reservation=True
        )
    dossier.refresh_from_db()
    assert dossier.state == S.COMPLIANT and dossier.compliant_under_reservation
    assert (
        dossier.history.first().history_change_reason == "Déclaré conforme sous réserve des pièces tardives"
    )
    body = Message.objects.get(kind="decision_compliant", dossier=dossier).body
    assert "sous réserve des pièces tardives" in body and "R408" in body
    # The candidate can still deposit the late piece (and only that one), the gestionnaire examine it.
    with pytest.raises(DomainError, match="pièces tardives"):
        _deposit(dossier, "identity")
    piece = _deposit(dossier, "r408", at=dossier.session.pieces_deadline + dt.timedelta(days=10))
    review.piece_accept(dossier=dossier.pk, piece=piece.pk, actor=gest, lock_version=None)
    piece.refresh_from_db()
    assert piece.state == PieceState.ACCEPTED


def test_a_plain_conforme_closes_the_deposits(in_review):
    dossier, gest = in_review
    piece = _deposit(dossier, "r408", at=dossier.session.pieces_deadline + dt.timedelta(days=10))
    review.piece_accept(dossier=dossier.pk, piece=piece.pk, actor=gest, lock_version=None)
    review.dossier_decide(dossier=dossier.pk, actor=gest, decision=S.COMPLIANT, lock_version=None)
    dossier.refresh_from_db()
    assert dossier.state == S.COMPLIANT and not dossier.compliant_under_reservation
    with pytest.raises(DomainError, match="n'accepte plus"):
        _deposit(dossier, "r408")
