"""Writes of the documents app: depositing pieces, the "J'ai fourni toutes mes pièces" lock, the
cancellation of dossiers missing pieces at the deadline, and seeding the requirement rules."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.models import Dossier, DossierState
from candidates.states import transition
from documents.models import Piece, PieceCode, PieceFile, PieceRule, PieceState
from documents.pieces import catalogue as piece_rules_catalogue
from documents.pieces import selectors
from documents.pieces.rules import CONDITIONS, SET_KINDS, RequiredPiece
from documents.pieces.uploads import CleanUpload, check_upload
from documents.storage_safety import storage_delete, storage_save
from exams.models import PieceDeadlineKind, Session, Specialty
from notifications.services import notify
from portal.exceptions import DomainError

logger = logging.getLogger(__name__)

# A dossier accepts pieces once registered (it has its number) and until a decision is final.
DEPOSIT_STATES = {
    DossierState.REGISTERED,
    DossierState.SUBMITTED,
    DossierState.IN_REVIEW,
    DossierState.INCOMPLETE,
}
MAX_FILES_PER_PIECE = 10


def _local(session, instant: dt.datetime) -> str:
    return date_format(session.academie.localtime(instant), "l j F Y à H:i")


def _deposit_policy(
    *,
    dossier: Dossier,
    code: str,
    at: dt.datetime,
    required_pieces: list[RequiredPiece] | None = None,
    pieces: dict[str, Piece] | None = None,
) -> tuple[RequiredPiece, Piece | None, bool]:
    """Whether the candidate may deposit this piece now; returns (required piece, existing piece,
    is a replacement of an invalidated piece) or raises a French DomainError."""
    if dossier.state == DossierState.DRAFT:
        raise DomainError(
            _(
                "Enregistrez d'abord votre inscription : les pièces se déposent une fois le numéro de dossier attribué."
            ),
            code="draft",
        )
    reserved_late = dossier.state == DossierState.COMPLIANT and dossier.compliant_under_reservation
    if dossier.state not in DEPOSIT_STATES and not reserved_late:
        raise DomainError(
            _("Ce dossier (%(state)s) n'accepte plus de pièces.") % {"state": dossier.get_state_display()},
            code="closed",
        )
    if required_pieces is None:
        required_pieces = selectors.required_pieces_for_dossier(dossier)
    required = next((r for r in required_pieces if r.code == code), None)
    if required is None:
        raise DomainError(_("Cette pièce n'est pas demandée pour votre dossier."), code="not_required")
    if reserved_late and required.deadline_kind != PieceDeadlineKind.LATE:
        raise DomainError(
            _("Votre dossier est conforme : seules les pièces tardives restent à déposer."), code="closed"
        )
    existing = pieces.get(code) if pieces is not None else dossier.pieces.filter(code=code).first()
    if existing and existing.state == PieceState.ACCEPTED:
        raise DomainError(
            _("Cette pièce a été acceptée par le gestionnaire : elle ne peut plus être modifiée."),
            code="accepted",
        )
    replacement = bool(existing and existing.state == PieceState.INVALIDATED)
    if dossier.pieces_locked_at and not replacement:
        # TLS: after "J'ai fourni toutes mes pièces" nothing changes, except the pieces of the
        # "late" kind not yet deposited and the pieces a gestionnaire invalidated.
        if not (required.deadline_kind == PieceDeadlineKind.LATE and existing is None):
            raise DomainError(
                _(
                    "Vos pièces sont verrouillées depuis que vous avez indiqué les avoir toutes fournies : "
                    "seule une pièce invalidée par le gestionnaire peut être remplacée."
                ),
                code="locked",
            )
    # An invalidated piece is replaced until the late deadline (the standard one when the session
    # has none): the review happens after the standard deadline (TLS: notices by mid-December).
    kind = PieceDeadlineKind.LATE if replacement else required.deadline_kind
    if not dossier.session.may_deposit_piece(kind, at):
        deadline = dossier.session.piece_deadline(kind)
        if at < deadline:
            raise DomainError(_("Le dépôt des pièces n'est pas encore ouvert."), code="not_open")
        raise DomainError(
            _(
                "La date limite de dépôt de cette pièce (%(deadline)s, heure de l'académie) est passée : "
                "aucune pièce n'est acceptée hors délai."
            )
            % {"deadline": _local(dossier.session, deadline)},
            code="deadline_passed",
        )
    return required, existing, replacement


def piece_deposit_check(*, dossier: Dossier, code: str, at: dt.datetime | None = None) -> None:
    """Raise the DomainError a deposit of ``code`` would meet now (quarantine.py asks before it
    takes the files, the worker's deposit asks again at the time the files were received)."""
    _deposit_policy(dossier=dossier, code=code, at=at or timezone.now())


def deposit_refusals(
    *,
    dossier: Dossier,
    required_pieces: list[RequiredPiece],
    pieces: dict[str, Piece],
    at: dt.datetime | None = None,
) -> dict[str, str]:
    """For each required piece, why a deposit would be refused now ("" when it is accepted): the
    page offers the upload only where the service would take it. No query per piece."""
    at = at or timezone.now()
    refusals = {}
    for required in required_pieces:
        try:
            _deposit_policy(
                dossier=dossier, code=required.code, at=at, required_pieces=required_pieces, pieces=pieces
            )
            refusals[required.code] = ""
        except DomainError as exc:
            refusals[required.code] = exc.message
    return refusals


def _store(*, piece: Piece, clean: CleanUpload, by, stored: list[str]) -> PieceFile:
    piece_file = PieceFile(
        piece=piece,
        original_name=clean.original_name,
        content_type=clean.content_type,
        size=clean.size,
        sha256=clean.sha256,
        uploaded_by=by,
    )
    try:
        # A failed write removes its partial file at once (storage_safety).
        stored.append(storage_save(piece_file.file, clean.original_name, clean.file))
    except OSError as exc:
        logger.exception("Storing a piece of dossier %s failed", piece.dossier_id)
        raise storage_refusal() from exc
    piece_file.save()
    return piece_file


def storage_refusal() -> DomainError:
    """What the candidate reads when the storage could not take their file (quarantine too)."""
    return DomainError(
        _(
            "Votre fichier n'a pas pu être enregistré à cause d'un incident technique de notre côté : "
            "rien n'a été déposé. Réessayez dans quelques minutes."
        ),
        field="files",
        code="storage",
    )


def _already_deposited(existing: Piece | None, cleaned: Sequence[CleanUpload], *, replace: bool) -> bool:
    """The same files posted again (a double click on "Déposer", the browser retrying after a lost
    answer): the piece already holds every one of them (exactly them, for a replacement), by
    content hash (issue 17)."""
    if existing is None or existing.state != PieceState.DEPOSITED:
        return False
    hashes = set(existing.files.values_list("sha256", flat=True))
    new = {clean.sha256 for clean in cleaned}
    return bool(hashes) and (new == hashes if replace else new <= hashes)


def _deposit_cleaned(
    *, dossier: Dossier, code: str, cleaned: Sequence[CleanUpload], by, at: dt.datetime, replace: bool
) -> Piece:
    stored: list[str] = []
    try:
        with transaction.atomic():
            dossier = (
                Dossier.objects.select_for_update().select_related("session__academie").get(pk=dossier.pk)
            )
            # Under the dossier lock, so of two concurrent posts the second sees the first's files:
            # it stores nothing and sends no second e-mail, and answers like the first.
            same = dossier.pieces.filter(code=code).first()
            if _already_deposited(same, cleaned, replace=replace):
                return same
            required, existing, replacement = _deposit_policy(dossier=dossier, code=code, at=at)
            piece = existing or Piece(dossier=dossier, code=code)
            if existing is not None and (replacement or replace):
                for old in existing.files.all():
                    # Removed after the commit: a rollback must not lose the candidate's file.
                    name = old.file.name
                    storage = old.file.storage
                    transaction.on_commit(lambda s=storage, n=name: s.delete(n))
                    old.delete()
            if existing is not None and existing.files.count() + len(cleaned) > MAX_FILES_PER_PIECE:
                raise DomainError(
                    _("Une pièce compte au plus %(n)d fichiers.") % {"n": MAX_FILES_PER_PIECE}, field="files"
                )
            piece.state = PieceState.DEPOSITED
            piece.invalidation_reason = ""
            piece.deposited_at = at
            piece.reviewed_at = None
            piece.reviewed_by = None
            piece.save()
            known = set() if (replacement or replace) else set(piece.files.values_list("sha256", flat=True))
            added = 0
            for clean in cleaned:
                if clean.sha256 in known:
                    continue  # one copy of a file per piece
                known.add(clean.sha256)
                _store(piece=piece, clean=clean, by=by, stored=stored)
                added += 1
            if not added:
                # The same file posted again (a double click, a retry after a lost answer): the
                # deposit is already there and the candidate was already told (issue 17).
                return piece
            if code == PieceCode.RECAP_SIGNED and dossier.signed_at is None:
                # The paper route: the confirmation printed, signed and deposited freezes the
                # choices exactly as the e-signature does (NM: «Il n'est jamais possible de
                # modifier son inscription après le retour de la confirmation»).
                dossier.signed_at = at
                dossier._history_user = by
                dossier._change_reason = "Confirmation signée déposée"
                dossier.save(update_fields=["signed_at", "updated_at"])
            notify(
                dossier.candidate,
                "piece_deposited",
                {
                    "piece_label": required.label,
                    "file_names": [c.original_name for c in cleaned],
                    "replacement": replacement,
                    "deposited_at": dossier.session.academie.localtime(at),
                    "session": dossier.session,
                },
                dossier=dossier,
                link=reverse("documents:dossier_pieces", args=[dossier.pk]),
            )
            return piece
    except BaseException:
        # The rows rolled back; the files they referenced go at once (no orphan).
        for name in stored:
            storage_delete(PieceFile._meta.get_field("file").storage, name)
        raise


def piece_deposit(
    *,
    dossier: Dossier,
    code: str,
    files: Sequence,
    by,
    replace: bool = False,
    at: dt.datetime | None = None,
    rebuild: bool = True,
) -> Piece:
    """Deposit one piece (one or several files: recto/verso). Each file is checked (uploads.py)
    before anything is stored: a refused file leaves the pieces already deposited untouched.
    Before the lock, new files are added to the piece (or replace its files with ``replace``);
    an invalidated piece always has its files replaced. The candidate gets an e-mail (TLS)."""
    at = at or timezone.now()
    if not files:
        raise DomainError(_("Choisissez au moins un fichier."), field="files", code="no_file")
    if len(files) > MAX_FILES_PER_PIECE:
        raise DomainError(
            _("Une pièce compte au plus %(n)d fichiers.") % {"n": MAX_FILES_PER_PIECE}, field="files"
        )
    # Fail fast, before the slow checks, when the deposit is refused anyway.
    _deposit_policy(dossier=dossier, code=code, at=at)
    cleaned: list[CleanUpload] = []
    try:
        # Slow work (parsing, re-encoding) happens outside the transaction.
        for uploaded in files:
            cleaned.append(check_upload(uploaded, rebuild=rebuild))
        return _deposit_cleaned(dossier=dossier, code=code, cleaned=cleaned, by=by, at=at, replace=replace)
    finally:
        for clean in cleaned:
            clean.close()


def piece_deposit_generated(*, dossier: Dossier, code: str, content: bytes, original_name: str, by) -> Piece:
    """Deposit a document the portal produced (the signed recap as ``recap_signed``): the same
    checks, deadlines and e-mail as a candidate's upload; it replaces the piece's files."""
    with tempfile.NamedTemporaryFile(prefix="generated-") as fh:
        fh.write(content)
        fh.flush()
        fh.seek(0)
        uploaded = UploadedFile(
            file=fh, name=original_name, content_type="application/pdf", size=len(content)
        )
        return piece_deposit(dossier=dossier, code=code, files=[uploaded], by=by, replace=True, rebuild=False)


# The states from which the pieces can be locked and the dossier sent to review (domain.md §7).
LOCKABLE_STATES = frozenset({DossierState.REGISTERED, DossierState.INCOMPLETE})


def piece_lock_refusal(
    *, dossier: Dossier, blocking: list[RequiredPiece] | None = None
) -> DomainError | None:
    """The one answer to "may the candidate lock the pieces now?" (None: yes). "Mes justificatifs"
    offers the button on it (disabled, with the list, while pieces are missing); piece_lock_all
    refuses with the same message. ``blocking`` is selectors.pieces_blocking_submission when the
    caller has it."""
    if dossier.state not in LOCKABLE_STATES:
        if dossier.pieces_locked_at:
            return DomainError(_("Vos pièces sont déjà verrouillées."), code="already_locked")
        return DomainError(
            _("Ce dossier (%(state)s) ne peut pas être envoyé à l'examen.")
            % {"state": dossier.get_state_display()},
            code="bad_state",
        )
    if blocking is None:
        blocking = selectors.pieces_blocking_submission(dossier)
    if blocking:
        return DomainError(
            _("Il manque encore : %(pieces)s. Déposez ces pièces avant de confirmer.")
            % {"pieces": " ; ".join(b.label for b in blocking)},
            code="missing_pieces",
        )
    return None


def piece_lock_all(*, dossier: Dossier, by, at: dt.datetime | None = None) -> Dossier:
    """ "J'ai fourni toutes mes pièces" (TLS): refused while a required standard piece is missing
    or an invalidated piece is not replaced; then locks the pieces and sends the dossier to review
    (registered → submitted, or incomplete → submitted). Late pieces may still follow."""
    at = at or timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().select_related("session__academie").get(pk=dossier.pk)
        refusal = piece_lock_refusal(dossier=dossier)
        if refusal is not None:
            raise refusal
        dossier.pieces_locked_at = at
        selectors.freeze_requirements(dossier, at=at)
        transition(dossier, DossierState.SUBMITTED, by=by)
        late = selectors.missing_pieces(dossier, kind=PieceDeadlineKind.LATE)
        notify(
            dossier.candidate,
            "pieces_locked",
            {
                "late_pieces": late,
                "session": dossier.session,
                "locked_at": dossier.session.academie.localtime(at),
            },
            dossier=dossier,
            link=reverse("documents:dossier_pieces", args=[dossier.pk]),
        )
    return dossier


def dossiers_cancel_missing_pieces(*, at: dt.datetime | None = None) -> dict[str, list[int]]:
    """At the pieces deadline (NT: "votre candidature sera annulée si toutes les pièces demandées
    ne sont pas téléversées"): a registered dossier still missing a standard piece is cancelled; one
    whose pieces are all there is sent to review as if the candidate had locked it. An incomplete
    dossier gets the same treatment once the replacement (late) deadline has passed. Idempotent:
    each dossier is re-read under a row lock."""
    at = at or timezone.now()
    done: dict[str, list[int]] = {"cancelled": [], "submitted": []}
    rules_by_session: dict[int, list] = {}  # the rules are read once per session, not per dossier
    candidates = Dossier.objects.filter(
        state__in=[DossierState.REGISTERED, DossierState.INCOMPLETE], session__pieces_deadline__lte=at
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            dossier = (
                Dossier.objects.select_for_update()
                .select_related("session__academie", "candidate")
                .filter(pk=pk, state__in=[DossierState.REGISTERED, DossierState.INCOMPLETE])
                .first()
            )
            if dossier is None:
                continue
            kind = (
                PieceDeadlineKind.LATE
                if dossier.state == DossierState.INCOMPLETE
                else PieceDeadlineKind.STANDARD
            )
            if at < dossier.session.piece_deadline(kind):
                continue
            if dossier.session_id not in rules_by_session:
                rules_by_session[dossier.session_id] = selectors.rules_for_session(dossier.session)
            required = selectors.required_pieces_for_dossier(
                dossier, rules=rules_by_session[dossier.session_id]
            )
            pieces = {p.code: p for p in dossier.pieces.all()}
            missing = selectors.pieces_blocking_submission(dossier, required=required, pieces=pieces)
            if missing:
                transition(dossier, DossierState.CANCELLED, reason=_("Pièces manquantes à la date limite."))
                notify(
                    dossier.candidate,
                    "dossier_cancelled",
                    {
                        "missing": missing,
                        "session": dossier.session,
                        "deadline": dossier.session.piece_deadline(kind),
                    },
                    dossier=dossier,
                    link=reverse("documents:dossier_pieces", args=[dossier.pk]),
                )
                done["cancelled"].append(pk)
            else:
                dossier.pieces_locked_at = dossier.pieces_locked_at or at
                selectors.freeze_requirements(dossier, at=at, required=required)
                transition(dossier, DossierState.SUBMITTED)
                notify(
                    dossier.candidate,
                    "pieces_locked",
                    {
                        "late_pieces": [
                            r
                            for r in required
                            if r.deadline_kind == PieceDeadlineKind.LATE
                            and not selectors.is_present(pieces.get(r.code))
                        ],
                        "session": dossier.session,
                        "locked_at": dossier.session.academie.localtime(at),
                        "automatic": True,
                    },
                    dossier=dossier,
                    link=reverse("documents:dossier_pieces", args=[dossier.pk]),
                )
                done["submitted"].append(pk)
    if done["cancelled"] or done["submitted"]:
        logger.info("pieces deadline: %s", done)
    return done


def piece_rules_seed_session(*, session: Session) -> int:
    """Create the notice's rules of the session's académie unless the session already has rules
    (the managers' edits are never overwritten). A rule naming specialties the session does not
    open is skipped: with no specialty left it would apply to everyone."""
    if PieceRule.objects.filter(session=session).exists():
        return 0
    opened = {s.code: s for s in Specialty.objects.filter(openings__session=session)}
    created = 0
    for order, rule in enumerate(piece_rules_catalogue.rules_for_academie(session.academie.code)):
        specialties = [opened[code] for code in rule.get("specialties", []) if code in opened]
        if rule.get("specialties") and not specialties:
            continue
        conditions = {}
        for condition in CONDITIONS:
            if PieceRule._meta.get_field(condition.name).many_to_many:
                continue  # set below, from the codes
            if condition.kind in SET_KINDS:
                # Stored as the catalogue lists them (a list keeps the notice's order).
                conditions[condition.name] = list(rule.get(condition.name) or [])
            elif condition.name in rule:
                conditions[condition.name] = rule[condition.name]
        obj = PieceRule.objects.create(
            session=session,
            code=rule["code"],
            label=rule.get("label", ""),
            reason=rule["reason"],
            deadline_kind=rule.get("deadline_kind", PieceDeadlineKind.STANDARD),
            order=order * 10,
            source=rule.get("source", "")[:120],
            **conditions,
        )
        obj.specialties.set(specialties)
        created += 1
    return created


def piece_rules_copy(*, source: Session, target: Session) -> int:
    """Copy every rule of ``source`` to ``target`` (the roll-over), specialties included."""
    copied = 0
    for rule in PieceRule.objects.filter(session=source).prefetch_related("specialties").order_by("pk"):
        specialties = list(rule.specialties.all())
        rule.pk = rule.id = None
        rule._state.adding = True
        rule.session = target
        rule.save()
        rule.specialties.set(specialties)
        copied += 1
    return copied


@transaction.atomic
def seed_piece_rules() -> int:
    """Seed the rules of every session of the catalogue (idempotent); seed_demo calls it."""
    return sum(
        piece_rules_seed_session(session=s)
        for s in Session.objects.select_related("academie").order_by("code")
    )
