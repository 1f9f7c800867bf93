"""Staff review of dossiers: accept or invalidate pieces, start the review, ask for a correction,
decide (domain.md §6, §7; TLS: decisions by the review deadline).

Every service is atomic, locks the dossier row (select_for_update) and checks the ``lock_version``
the gestionnaire's page was built from: two people working on the same dossier never silently
overwrite each other; the second one is told to reload. Each write leaves a simple-history row
with the acting user and a change reason, and the candidate is notified in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Dossier, DossierState
from candidates.permissions import dossiers_visible_to, user_can_review
from candidates.review import rules as review_rules
from candidates.states import transition
from documents.models import Piece, PieceState, StaffDocument, StaffDocumentKind
from documents.pieces.uploads import check_upload
from documents.storage_safety import storage_delete, storage_save
from notifications.services import notify
from portal.exceptions import DomainError
from portal.forms import text_hygiene_error

S = DossierState

STALE_MESSAGE = (
    "Ce dossier a été modifié par quelqu'un d'autre depuis l'ouverture de votre page : "
    "rechargez-la pour voir ses changements, puis recommencez. Rien n'a été enregistré."
)

# Reasons offered in the invalidation form; the gestionnaire may also type one (TLS).
INVALIDATION_REASONS = [
    "Document illisible ou incomplet",
    "Document expiré ou hors de validité",
    "Document qui ne correspond pas à la pièce demandée",
    "Nom ou identité ne correspondant pas au dossier",
    "Signature ou date manquante",
    "Toutes les pages ne sont pas fournies",
]
NON_COMPLIANCE_REASONS = [
    "Catégorie de candidat non recevable (inscription par l'établissement ou VAE)",
    "Conditions d'accès au diplôme non remplies",
    "Pièces justificatives non conformes après demande de correction",
    "Inscription en dehors de l'académie de résidence",
]


def _candidate_link(dossier: Dossier) -> str:
    try:
        return reverse("candidates:space")
    except Exception:  # pragma: no cover - the candidate space is always routed
        return ""


def _lock(dossier: Dossier | int, lock_version: int | None) -> Dossier:
    """Lock the row and refuse to act on a version the actor has not seen."""
    pk = dossier if isinstance(dossier, int) else dossier.pk
    locked = Dossier.objects.select_for_update().select_related("candidate", "session__academie").get(pk=pk)
    if lock_version is not None and locked.lock_version != lock_version:
        raise DomainError(_(STALE_MESSAGE), code="stale")
    return locked


def _check_scope(locked: Dossier, actor) -> None:
    # Services are the last gate: a forged POST on a dossier outside the actor's scope, or by
    # staff without the review permission, fails here.
    if not user_can_review(actor) or not dossiers_visible_to(actor).filter(pk=locked.pk).exists():
        raise DomainError(_("Vous n'avez pas accès à ce dossier."), code="forbidden")


def _save_dossier(dossier: Dossier, actor, reason: str) -> None:
    dossier.lock_version += 1
    dossier._history_user = actor
    dossier._change_reason = reason[:100]
    dossier.save()


def _save_piece(piece: Piece, actor, reason: str) -> None:
    piece._history_user = actor
    piece._change_reason = reason[:100]
    piece.save()


def _piece_in(locked: Dossier, piece: Piece | int) -> Piece:
    pk = piece if isinstance(piece, int) else piece.pk
    found = Piece.objects.select_for_update().filter(pk=pk, dossier=locked).first()
    if found is None:
        raise DomainError(_("Cette pièce n'appartient pas à ce dossier."), code="not_found")
    # "Conforme sous réserve des pièces tardives": those late pieces are still examined.
    reserved = (
        locked.state == S.COMPLIANT
        and locked.compliant_under_reservation
        and found.state != PieceState.ACCEPTED
    )
    if locked.state != S.IN_REVIEW and not reserved:
        raise DomainError(
            _("Les pièces s'examinent quand le dossier est « En cours d'examen » : commencez l'examen."),
            code="not_in_review",
        )
    return found


@transaction.atomic
def piece_accept(*, dossier: Dossier | int, piece: Piece | int, actor, lock_version: int | None) -> Piece:
    locked = _lock(dossier, lock_version)
    _check_scope(locked, actor)
    found = _piece_in(locked, piece)
    found.state = PieceState.ACCEPTED
    found.invalidation_reason = ""
    found.reviewed_at = timezone.now()
    found.reviewed_by = actor
    _save_piece(found, actor, f"Pièce acceptée : {found.get_code_display()}")
    _save_dossier(locked, actor, f"Pièce acceptée : {found.code}")
    return found


@transaction.atomic
def piece_invalidate(
    *, dossier: Dossier | int, piece: Piece | int, actor, reason: str, lock_version: int | None
) -> Piece:
    """Invalidate one piece: that piece alone is reopened for the candidate to replace (TLS:
    "seul un gestionnaire peut invalider une pièce, ce qui rouvre cette pièce seule")."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif de l'invalidation."), field="reason", code="reason_required")
    locked = _lock(dossier, lock_version)
    _check_scope(locked, actor)
    found = _piece_in(locked, piece)
    found.state = PieceState.INVALIDATED
    found.invalidation_reason = reason
    found.reviewed_at = timezone.now()
    found.reviewed_by = actor
    _save_piece(found, actor, f"Pièce invalidée : {reason}")
    _save_dossier(locked, actor, f"Pièce invalidée : {found.code}")
    notify(
        locked.candidate,
        "piece_invalidated",
        {"piece": found, "reason": reason},
        dossier=locked,
        link=_candidate_link(locked),
    )
    return found


@transaction.atomic
def dossier_start_review(*, dossier: Dossier | int, actor, lock_version: int | None) -> Dossier:
    locked = _lock(dossier, lock_version)
    _check_scope(locked, actor)
    transition(locked, S.IN_REVIEW, by=actor, save=False)
    _save_dossier(locked, actor, "Examen commencé")
    return locked


@transaction.atomic
def dossier_request_correction(
    *, dossier: Dossier | int, actor, message: str, lock_version: int | None
) -> Dossier:
    """in_review → incomplete with a message; the candidate replaces the invalidated pieces and
    the dossier comes back as submitted (domain.md §7; TLS: incompleteness notices by mid-December)."""
    message = (message or "").strip()
    if not message:
        raise DomainError(
            _("Écrivez au candidat ce qu'il doit corriger."), field="message", code="message_required"
        )
    locked = _lock(dossier, lock_version)
    _check_scope(locked, actor)
    transition(locked, S.INCOMPLETE, reason=message, by=actor, save=False)
    _save_dossier(locked, actor, "Correction demandée")
    invalidated = list(locked.pieces.filter(state=PieceState.INVALIDATED))
    notify(
        locked.candidate,
        "correction_requested",
        {"message": message, "invalidated_pieces": invalidated},
        dossier=locked,
        link=_candidate_link(locked),
    )
    return locked


def compliance_refusal(dossier: Dossier, *, under_reservation: bool = False) -> str | None:
    """The one answer to "may this dossier be declared conforme?" (the page greys the button with
    it, the decision refuses with it): every required piece, late ones included, deposited and
    accepted, unless the gestionnaire says "sous réserve des pièces tardives" (review.rules)."""
    return review_rules.compliance_refusal(_compliance_pieces(dossier), under_reservation=under_reservation)


def compliance_refusals(dossier: Dossier) -> tuple[str | None, str | None]:
    """``compliance_refusal`` without and with "sous réserve des pièces tardives", from one read of
    the requirements (the dossier page shows both buttons; issue 18: it read them twice)."""
    pieces = _compliance_pieces(dossier)
    return (
        review_rules.compliance_refusal(pieces, under_reservation=False),
        review_rules.compliance_refusal(pieces, under_reservation=True),
    )


def _compliance_pieces(dossier: Dossier) -> list[review_rules.RequiredPieceState]:
    from documents.pieces.selectors import required_pieces_for_dossier

    states = dict(dossier.pieces.values_list("code", "state"))
    required = review_rules.pieces_states(required_pieces_for_dossier(dossier), states)
    codes = {r.code for r in required}
    # A piece deposited and no longer required still needs a look if it is not accepted.
    extra = [
        review_rules.RequiredPieceState(code, code, "standard", state)
        for code, state in states.items()
        if code not in codes
    ]
    return required + extra


@transaction.atomic
def dossier_decide(
    *,
    dossier: Dossier | int,
    actor,
    decision: str,
    reason: str = "",
    lock_version: int | None,
    under_reservation: bool = False,
) -> Dossier:
    """in_review → compliant (every required piece accepted, or "sous réserve des pièces
    tardives", which keeps their upload open) or non_compliant (a reason is mandatory)."""
    reason = (reason or "").strip()
    if decision not in (S.COMPLIANT, S.NON_COMPLIANT):
        raise DomainError(_("Décision inconnue."), field="decision", code="bad_decision")
    if decision == S.NON_COMPLIANT and not reason:
        raise DomainError(
            _("Un dossier non conforme doit être motivé."), field="reason", code="reason_required"
        )
    locked = _lock(dossier, lock_version)
    _check_scope(locked, actor)
    under_reservation = decision == S.COMPLIANT and under_reservation
    if decision == S.COMPLIANT:
        refusal = compliance_refusal(locked, under_reservation=under_reservation)
        if refusal:
            raise DomainError(refusal, code="pieces_not_accepted")
    transition(locked, decision, reason=reason, by=actor, save=False)
    locked.compliant_under_reservation = under_reservation
    if decision == S.COMPLIANT:
        label = (
            "Déclaré conforme sous réserve des pièces tardives" if under_reservation else "Déclaré conforme"
        )
    else:
        label = "Déclaré non conforme"
    _save_dossier(locked, actor, label)
    late = []
    if under_reservation:
        from documents.pieces.selectors import missing_pieces

        late = [p for p in missing_pieces(locked) if p.deadline_kind == "late"]
    notify(
        locked.candidate,
        "decision_compliant" if decision == S.COMPLIANT else "decision_non_compliant",
        {"reason": reason, "under_reservation": under_reservation, "late_pieces": late},
        dossier=locked,
        link=_candidate_link(locked),
    )
    return locked


@dataclass
class BulkResult:
    done: list[Dossier] = field(default_factory=list)
    skipped: list[tuple[Dossier, str]] = field(default_factory=list)


def bulk_mark_compliant(*, dossier_ids: Iterable[int], actor) -> BulkResult:
    """Declare compliant, one by one, those of the chosen dossiers that are in review with every
    piece accepted; the others are left alone and reported. Each dossier is its own transaction:
    a refusal never undoes the others."""
    result = BulkResult()
    ids = list(dossiers_visible_to(actor).filter(pk__in=list(dossier_ids)).values_list("pk", flat=True))
    for pk in ids:
        try:
            # No lock_version here: the guard is re-checked on the locked row, which is the version
            # that gets decided.
            result.done.append(
                dossier_decide(dossier=pk, actor=actor, decision=S.COMPLIANT, lock_version=None)
            )
        except DomainError as exc:
            result.skipped.append((Dossier.objects.get(pk=pk), exc.message))
    return result


# --- documents posted by the staff (issue 14 item 5) ---------------------------------------------
def _staff_document_in(locked: Dossier, document_id: int) -> StaffDocument:
    found = (
        StaffDocument.objects.select_for_update()
        .filter(pk=document_id, dossier=locked, removed_at__isnull=True)
        .first()
    )
    if found is None:
        raise DomainError(_("Ce document n'est plus dans le dossier."), code="not_found")
    return found


def _retire(document: StaffDocument, actor, reason: str) -> None:
    """Keep the row (who posted what, when, why it was withdrawn), drop the file after the commit."""
    stored = document.file.name
    storage = document.file.storage
    document.removed_at = timezone.now()
    document.removal_reason = reason[:200]
    document.file = ""
    document._history_user = actor
    document._change_reason = f"Document retiré : {reason}"[:100]
    document.save()
    transaction.on_commit(lambda: storage_delete(storage, stored))


def staff_document_post(
    *, dossier: Dossier | int, actor, kind: str, file, replaces: int | None = None
) -> StaffDocument:
    """The gestionnaire attaches a decision (aménagement, positionnement, relevé de notes) to a
    registered dossier of their scope: the file is checked and disarmed like a piece (PDF, JPEG or
    PNG by content, 10 Mo, active content removed), stored privately, audited, and the candidate
    is notified; it appears in "Mes documents". ``replaces`` withdraws an earlier one."""
    if kind not in StaffDocumentKind.values:
        raise DomainError(_("Choisissez le type de document."), field="kind", code="bad_kind")
    if not file:
        raise DomainError(_("Choisissez le fichier à déposer."), field="file", code="no_file")
    # The slow checks (parsing, re-encoding in a capped child) before the dossier is locked.
    clean = check_upload(file)
    stored = None
    try:
        with transaction.atomic():
            locked = _lock(dossier, None)
            _check_scope(locked, actor)
            if locked.state == S.DRAFT:
                raise DomainError(
                    _("Ce dossier n'est pas encore enregistré : il n'a pas d'espace « Mes documents »."),
                    code="draft",
                )
            label = StaffDocumentKind(kind).label
            if replaces is not None:
                _retire(
                    _staff_document_in(locked, replaces), actor, f"remplacé par « {clean.original_name} »"
                )
            document = StaffDocument(
                dossier=locked,
                kind=kind,
                original_name=clean.original_name,
                content_type=clean.content_type,
                size=clean.size,
                sha256=clean.sha256,
                posted_by=actor,
            )
            try:
                stored = storage_save(document.file, clean.original_name, clean.file)
            except OSError as exc:
                raise DomainError(
                    _("Le document n'a pas pu être enregistré (incident de stockage) : réessayez."),
                    code="storage",
                ) from exc
            document._history_user = actor
            document._change_reason = f"Document déposé : {label} ({clean.original_name})"[:100]
            document.save()
            notify(
                locked.candidate,
                "staff_document_posted",
                {"document": document, "kind_label": label},
                dossier=locked,
                link=reverse("recap:documents"),
            )
            return document
    except BaseException:
        if stored:
            storage_delete(StaffDocument._meta.get_field("file").storage, stored)
        raise
    finally:
        clean.close()


@transaction.atomic
def staff_document_remove(*, dossier: Dossier | int, actor, document_id: int, reason: str) -> StaffDocument:
    """Withdraw a document posted by mistake: the candidate no longer sees it, the history keeps
    the trace (a reason is mandatory)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif du retrait."), field="reason", code="reason_required")
    error = text_hygiene_error(reason)
    if error:
        raise DomainError(error, field="reason")
    locked = _lock(dossier, None)
    _check_scope(locked, actor)
    document = _staff_document_in(locked, document_id)
    _retire(document, actor, reason)
    return document
