"""Generated documents of domain.md §8 (récapitulatif, demande de pièces, pre-filled forms):
their versions, rendering, and the candidate's electronic signature of the recap."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from typing import Any

import segno
from celery import shared_task
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Dossier, DossierEpreuve, DossierState, EpreuveChoice
from documents.models import DocumentKind, DocumentStatus, GeneratedDocument, PieceCode
from documents.pieces.services import piece_deposit_generated
from documents.recap import rules as recap_rules
from documents.recap.convocation_rows import convocation_rows
from documents.recap.pdf import render_pdf
from documents.recap.signing import seal_pdf
from documents.storage_safety import storage_delete, storage_save
from exams.catalogue import opening_for
from exams.models import Epreuve, PieceDeadlineKind
from notifications.services import notify
from portal.exceptions import DomainError
from portal.queueing import enqueue, enqueue_on_commit
from portal.ratelimit import exhausted, hit

logger = logging.getLogger(__name__)

# Errors worth retrying: the database went away for a moment. A template or data error is not
# retried (it would fail the same way); the document is marked failed with the error instead.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)

TEMPLATES = {
    DocumentKind.RECAP: "documents/pdf/recap.html",
    DocumentKind.PIECES_REQUEST: "documents/pdf/pieces_request.html",
    DocumentKind.ENGAGEMENT_FORM: "documents/pdf/engagement_form.html",
    DocumentKind.BENEFIT_REFUSAL_FORM: "documents/pdf/benefit_refusal_form.html",
    DocumentKind.CONVOCATION: "documents/pdf/convocation.html",
}
FILE_NAMES = {
    DocumentKind.RECAP: "recapitulatif",
    DocumentKind.PIECES_REQUEST: "demande-de-pieces",
    DocumentKind.ENGAGEMENT_FORM: "formulaire-engagement-etudiant",
    DocumentKind.BENEFIT_REFUSAL_FORM: "refus-de-benefice",
    DocumentKind.CONVOCATION: "convocation",
}
# Kinds the platform seals (PAdES) as soon as they are rendered: the recap is sealed when the
# candidate signs it, a convocation is the bureau's and sealed by the worker (issue 14).
SEALED_AT_RENDER = {DocumentKind.CONVOCATION}


# --- which documents a dossier has ---------------------------------------------------------------
def _choices(dossier: Dossier) -> list[DossierEpreuve]:
    return list(
        dossier.epreuve_choices.select_related("epreuve__parent").order_by("epreuve__order", "epreuve__code")
    )


def applicable_kinds(dossier: Dossier) -> list[str]:
    """The documents this dossier gets (domain.md §8): always the recap and the pieces request;
    the engagement-étudiant form when that optional épreuve is chosen (CF, AM); the bénéfice
    refusal form when a bénéfice is renounced (TLS annex 2, AM)."""
    kinds = [DocumentKind.RECAP, DocumentKind.PIECES_REQUEST]
    rows = _choices(dossier)
    if any(r.epreuve.is_student_engagement and r.choice == EpreuveChoice.TAKEN for r in rows):
        kinds.append(DocumentKind.ENGAGEMENT_FORM)
    if any(r.benefice_renounced for r in rows):
        kinds.append(DocumentKind.BENEFIT_REFUSAL_FORM)
    return kinds


def document_request_render(*, dossier: Dossier, kind: str) -> GeneratedDocument:
    """Create the next version of ``kind`` for the dossier's current choices, rendered by a
    worker once this transaction commits (domain.md §7: every change makes a new version).

    Asking twice for the same choices version returns the existing pending or ready document,
    so a service that announces one change twice does not make two versions.
    """
    with transaction.atomic():
        # The dossier row lock serialises version numbers between two concurrent requests.
        locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
        latest = GeneratedDocument.objects.filter(dossier=locked, kind=kind).order_by("-version").first()
        if (
            latest is not None
            and latest.choices_version == locked.choices_version
            and latest.status in (DocumentStatus.PENDING, DocumentStatus.READY)
        ):
            return latest
        document = GeneratedDocument.objects.create(
            dossier=locked,
            kind=kind,
            version=(latest.version if latest else 0) + 1,
            choices_version=locked.choices_version,
            enqueued_at=timezone.now(),
        )
        # Guarded: with the broker down the dossier is saved all the same and the sweeper renders
        # the document after the broker's return (issue 17).
        enqueue_on_commit(render_document, document.pk)
    return document


def dossier_request_documents(*, dossier: Dossier) -> list[GeneratedDocument]:
    """New versions of every document the dossier has; drafts (no number yet) get none."""
    if not dossier.number:
        return []
    return [document_request_render(dossier=dossier, kind=kind) for kind in applicable_kinds(dossier)]


# --- rendering -----------------------------------------------------------------------------------
def verification_url(document: GeneratedDocument) -> str:
    return settings.SITE_URL + reverse("recap:verify_token", args=[document.verification_token])


def _qr_data_uri(url: str) -> str:
    # A PNG, drawn unsmoothed (base.css): WeasyPrint parsed the SVG's path of some 400 segments
    # on every render (a tenth of the recap's CPU); the PNG is decoded in well under a millisecond.
    return segno.make(url, error="m").png_data_uri(scale=3, border=2)


def css_string(value: str) -> str:
    """A quoted CSS string for the page's margin boxes: every character but plain letters,
    digits and spaces becomes a CSS escape, so a name can never close the string."""
    out = []
    for ch in str(value).replace("\n", " "):
        out.append(ch if ch.isalnum() or ch in " .,-°–" else f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def _profile(dossier: Dossier):
    return getattr(dossier.candidate, "profile", None)


def document_context(document: GeneratedDocument, *, generated_at=None) -> dict[str, Any]:
    """Everything the PDF templates show (domain.md §8). Identity and contact come from the
    dossier's snapshot; the consents (CF) from the candidate's profile."""
    dossier = (
        Dossier.objects.select_related(
            "candidate__profile",
            "session__academie",
            "specialty",
            "option",
            "mandatory_language",
            "optional_language",
            "departement",
        )
        .filter(pk=document.dossier_id)
        .get()
    )
    rows = _choices(dossier)
    kept_maitresses = {
        r.epreuve_id: r for r in rows if r.choice == EpreuveChoice.BENEFICE and not r.epreuve.is_unit
    }
    language = (
        dossier.mandatory_language.name if dossier.mandatory_language else dossier.mandatory_language_other
    )
    for row in rows:
        row.covered_units = []
        row.title = row.epreuve.title
        if row.epreuve.is_language and not row.epreuve.is_optional:
            row.title = recap_rules.language_epreuve_title(row.epreuve.title, language=language)
    if kept_maitresses:
        # 2019-2021 exception (CF): the kept maîtresse covers its units, shown under it.
        for unit in Epreuve.objects.filter(parent_id__in=kept_maitresses).order_by("order", "code"):
            kept_maitresses[unit.parent_id].covered_units.append(unit)
    session = dossier.session
    url = verification_url(document)
    context: dict[str, Any] = {
        "document": document,
        "dossier": dossier,
        "candidate_email": dossier.candidate.email,
        "profile": _profile(dossier),
        "session": session,
        "academie": session.academie,
        "specialty": dossier.specialty,
        # The contact of this académie's bureau for the specialty (TLS annex 3), never another's.
        "contact": opening_for(session, dossier.specialty_id),
        "option": dossier.option,
        "mandatory_rows": [r for r in rows if not r.epreuve.is_optional],
        "optional_rows": [r for r in rows if r.epreuve.is_optional],
        "renounced_rows": [r for r in rows if r.benefice_renounced],
        "engagement_rows": [r for r in rows if r.epreuve.is_student_engagement],
        "generated_at": generated_at or document.generated_at or timezone.now(),
        "verification_url": url,
        "qr_data_uri": _qr_data_uri(url),
        "pieces_deadline": session.piece_deadline(PieceDeadlineKind.STANDARD),
        "late_pieces_deadline": session.piece_deadline(PieceDeadlineKind.LATE),
        "tz": session.academie.time_zone,
        "css_header": css_string(
            f"Académie de {session.academie.name} – {session.exam.name}, session {session.year}"
        ),
        "css_number": css_string(f"Dossier n° {dossier.number or ''}"),
        "css_footer": css_string(f"{document.get_kind_display()} – version {document.version}"),
    }
    if document.kind == DocumentKind.PIECES_REQUEST:
        # Written by issue 5 (the pieces rules); imported here so this module loads without it.
        from documents.pieces.selectors import required_pieces_for_dossier

        context["required_pieces"] = list(required_pieces_for_dossier(dossier))
    if document.kind == DocumentKind.CONVOCATION:
        context["rows"] = convocation_rows(dossier)
    return context


def _sealed(document: GeneratedDocument, pdf: bytes) -> bytes:
    """A convocation leaves the worker sealed by the platform, so /verifier/ and anyone holding
    our certificate can tell it is intact (issue 14: "sealed like the recap")."""
    if document.kind not in SEALED_AT_RENDER:
        return pdf
    dossier = document.dossier
    return seal_pdf(
        pdf,
        reason=_("%(kind)s, dossier n° %(number)s, version %(version)s")
        % {"kind": document.get_kind_display(), "number": dossier.number, "version": document.version},
        location=dossier.session.academie.name,
    )


def sweep_grace_seconds() -> int:
    return int(getattr(settings, "DOCUMENTS_SWEEP_GRACE_SECONDS", 30))


def render_lease_seconds() -> int:
    return int(getattr(settings, "DOCUMENTS_RENDER_LEASE_SECONDS", 30))


def _lost(now: dt.datetime) -> Q:
    """Pending documents whose task is presumed lost: enqueued longer than the grace ago (or never:
    the broker was down) and not being rendered by a live worker (no claim, or an expired one)."""
    enqueued_long_ago = Q(enqueued_at__isnull=True) | Q(
        enqueued_at__lt=now - dt.timedelta(seconds=sweep_grace_seconds())
    )
    unclaimed = Q(claimed_at__isnull=True) | Q(
        claimed_at__lt=now - dt.timedelta(seconds=render_lease_seconds())
    )
    return Q(status=DocumentStatus.PENDING) & enqueued_long_ago & unclaimed


def _claim_render(document_id: int) -> bool:
    """Compare-and-set: of two deliveries of the same render (a re-enqueue, a broker redelivery)
    only one renders; the other returns at once. A claim older than the lease was a dead worker's."""
    now = timezone.now()
    expired = now - dt.timedelta(seconds=render_lease_seconds())
    return bool(
        GeneratedDocument.objects.filter(pk=document_id, status=DocumentStatus.PENDING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=expired))
        .update(claimed_at=now)
    )


def _mark_failed(document_id: int, exc: BaseException) -> None:
    GeneratedDocument.objects.filter(pk=document_id).exclude(status=DocumentStatus.READY).update(
        status=DocumentStatus.FAILED, claimed_at=None, error=f"{exc.__class__.__name__}: {exc}"[:2000]
    )


def document_render(*, document_id: int) -> GeneratedDocument | None:
    """Render one pending version (the worker's job). Idempotent: a ready document is left as
    it is, and a claim lets one delivery render while a duplicate returns at once. Transient
    database errors propagate for the task to retry; a storage error or any other error marks the
    document failed with its reason (the candidate and the gestionnaire may ask again)."""
    document = (
        GeneratedDocument.objects.filter(pk=document_id).select_related("dossier__session__academie").first()
    )
    if document is None or document.status != DocumentStatus.PENDING:
        return document
    if not _claim_render(document_id):
        return document  # another worker is rendering it now
    generated_at = timezone.now()
    try:
        pdf = render_pdf(TEMPLATES[document.kind], document_context(document, generated_at=generated_at))
        pdf = _sealed(document, pdf)
    except TRANSIENT_ERRORS:
        GeneratedDocument.objects.filter(pk=document_id).update(claimed_at=None)
        raise
    except Exception as exc:
        logger.exception("Rendering %s of dossier %s failed", document, document.dossier_id)
        _mark_failed(document.pk, exc)
        document.refresh_from_db()
        return document
    # The slow part ran outside any transaction; only the bookkeeping is atomic.
    written = None
    try:
        with transaction.atomic():
            locked = GeneratedDocument.objects.select_for_update().get(pk=document.pk)
            if locked.status == DocumentStatus.READY:
                return locked  # another delivery of the same task won the race
            written = storage_save(locked.file, f"{FILE_NAMES[locked.kind]}.pdf", ContentFile(pdf))
            locked.sha256 = hashlib.sha256(pdf).hexdigest()
            locked.generated_at = generated_at
            locked.status = DocumentStatus.READY
            locked.error = ""
            locked.claimed_at = None
            locked.save()
    except TRANSIENT_ERRORS:
        # The row rolled back: remove the PDF at once rather than leave an orphan.
        storage_delete(GeneratedDocument._meta.get_field("file").storage, written)
        GeneratedDocument.objects.filter(pk=document_id).update(claimed_at=None)
        raise
    except OSError as exc:
        # Storage full or unwritable: say so on the document instead of leaving it pending.
        logger.exception("Storing %s of dossier %s failed", document, document.dossier_id)
        storage_delete(GeneratedDocument._meta.get_field("file").storage, written)
        _mark_failed(document.pk, exc)
        document.refresh_from_db()
        return document
    return locked


def documents_sweep_pending(*, batch_size: int = 500) -> int:
    """Every minute: re-enqueue the documents whose render task was lost (the broker was down when
    the change committed, it lost its queue, the worker was killed mid-render). Dedupe: a document
    enqueued within the grace or being rendered is left alone, so a re-enqueue never renders twice."""
    now = timezone.now()
    ids = list(
        GeneratedDocument.objects.filter(_lost(now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch_size]
    )
    enqueued = 0
    for pk in ids:
        if not enqueue(render_document, pk):
            break  # broker still down: the next sweep tries again
        GeneratedDocument.objects.filter(pk=pk).update(enqueued_at=now)
        enqueued += 1
    if enqueued:
        logger.info("Sweeper re-enqueued %s document(s).", enqueued)
    return enqueued


def documents_requeue(*, dossier: Dossier) -> int:
    """ "Relancer la génération" for the candidate (issue 17): the documents of the dossier still
    pending longer than the grace (their task looks lost) are sent to the workers again; one being
    rendered, or just enqueued, is left alone. Returns how many were re-enqueued."""
    now = timezone.now()
    ids = list(
        GeneratedDocument.objects.filter(dossier=dossier).filter(_lost(now)).values_list("pk", flat=True)
    )
    GeneratedDocument.objects.filter(pk__in=ids).update(enqueued_at=now)
    for pk in ids:
        enqueue_on_commit(render_document, pk)
    return len(ids)


def document_may_be_requeued(document: GeneratedDocument, *, now: dt.datetime | None = None) -> bool:
    """One answer for the page and the write: a pending document whose task looks lost."""
    now = now or timezone.now()
    if document.status != DocumentStatus.PENDING:
        return False
    grace = now - dt.timedelta(seconds=sweep_grace_seconds())
    lease = now - dt.timedelta(seconds=render_lease_seconds())
    return (document.enqueued_at is None or document.enqueued_at < grace) and (
        document.claimed_at is None or document.claimed_at < lease
    )


def documents_requeue_selected(*, queryset) -> int:
    """The gestionnaire's "Relancer la génération" in the admin: failed documents and pending
    ones (whatever their age: staff ask knowingly; the claim keeps a live render from doubling)."""
    now = timezone.now()
    ids = list(queryset.exclude(status=DocumentStatus.READY).values_list("pk", flat=True))
    GeneratedDocument.objects.filter(pk__in=ids, status=DocumentStatus.FAILED).update(
        status=DocumentStatus.PENDING, error="", claimed_at=None
    )
    GeneratedDocument.objects.filter(pk__in=ids).update(enqueued_at=now)
    for pk in ids:
        enqueue_on_commit(render_document, pk)
    return len(ids)


# --- reads used by the pages ---------------------------------------------------------------------
def latest_ready_recap(dossier: Dossier) -> GeneratedDocument | None:
    return (
        GeneratedDocument.objects.filter(
            dossier=dossier, kind=DocumentKind.RECAP, status=DocumentStatus.READY
        )
        .order_by("-version")
        .first()
    )


def download_name(document: GeneratedDocument, *, signed: bool = False) -> str:
    suffix = "-signe" if signed else ""
    return f"{FILE_NAMES[document.kind]}-{document.dossier.number or document.dossier_id}-v{document.version}{suffix}.pdf"


# --- signature -----------------------------------------------------------------------------------
def recap_sign_refusal(
    dossier: Dossier,
    document: GeneratedDocument | None,
    *,
    recaps: Iterable[GeneratedDocument] | None = None,
    at: dt.datetime | None = None,
) -> DomainError | None:
    """The one answer to "may the candidate sign this recap now?" (None: yes): "Mes documents"
    offers the button, the signing page its form, and recap_sign signs, on the same answer.

    Signed already, not a registered inscription, past the pieces deadline (the signed recap is a
    piece), or not the newest recap, ready and made from the current choices: refused. ``recaps``
    are the dossier's recaps when the caller has them (a page listing dossiers prefetches them).
    """
    at = at or timezone.now()
    if dossier.signed_at is not None:
        return DomainError(
            _("Votre récapitulatif est déjà signé : vos choix sont définitifs."), code="signed"
        )
    if dossier.state != DossierState.REGISTERED:
        return DomainError(
            _("Le récapitulatif ne peut être signé que pour une inscription enregistrée."), code="state"
        )
    if not dossier.session.may_deposit_piece(PieceDeadlineKind.STANDARD, at):
        return DomainError(
            _("La date limite de dépôt des pièces est passée : la signature n'est plus possible."),
            code="deadline",
        )
    if recaps is None:
        recaps = GeneratedDocument.objects.filter(dossier=dossier, kind=DocumentKind.RECAP)
    newest = max((r for r in recaps if r.kind == DocumentKind.RECAP), key=lambda r: r.version, default=None)
    if (
        document is None
        or newest is None
        or newest.pk != document.pk
        or document.status != DocumentStatus.READY
        or document.choices_version != dossier.choices_version
    ):
        return DomainError(
            _(
                "Cette version du récapitulatif n'est plus à jour : relisez la dernière version avant de la signer."
            ),
            code="stale",
        )
    return None


def recap_sign(
    *,
    dossier: Dossier,
    document: GeneratedDocument,
    user,
    password: str,
    certify: bool,
    ip: str | None,
) -> GeneratedDocument:
    """The candidate signs the latest version of their recap (CF, NM: "la signature ... rend vos
    choix définitifs").

    Consent is the re-entered password and the ticked certification; the portal then seals the
    PDF (PAdES, platform certificate), records who, when, from which IP and the hash, marks the
    choices final (dossier.signed_at) and deposits the signed file as the `recap_signed` piece.
    Any refusal leaves everything unchanged.
    """
    if dossier.candidate_id != user.pk:
        raise DomainError(_("Ce dossier n'est pas le vôtre."), code="not_owner")
    # The password hash (Argon2, tens of ms) is checked before the row lock is taken. Wrong
    # passwords are counted per account, as at login, so a left-open session cannot be used to
    # guess the password here.
    failures_key = f"recap-sign-failures:{user.pk}"
    limit, window = settings.AXES_FAILURE_LIMIT, int(settings.AXES_COOLOFF_TIME * 3600)
    if exhausted(failures_key, limit):
        raise DomainError(
            _("Trop de mots de passe incorrects : la signature est bloquée pendant %(minutes)s minutes.")
            % {"minutes": max(1, window // 60)},
            field="password",
            code="too_many_failures",
        )
    if not password or not user.check_password(password):
        hit(failures_key, limit, window)
        raise DomainError(_("Mot de passe incorrect."), field="password", code="wrong_password")
    if not certify:
        raise DomainError(
            _("Cochez la case pour certifier l'exactitude des informations."),
            field="certify",
            code="not_certified",
        )
    with transaction.atomic():
        locked = Dossier.objects.select_for_update().select_related("session__academie").get(pk=dossier.pk)
        if locked.candidate_id != user.pk:
            raise DomainError(_("Ce dossier n'est pas le vôtre."), code="not_owner")
        doc = (
            GeneratedDocument.objects.select_for_update()
            .filter(pk=document.pk, dossier=locked, kind=DocumentKind.RECAP)
            .first()
        )
        now = timezone.now()
        refusal = recap_sign_refusal(locked, doc, at=now)
        if refusal is not None:
            raise refusal
        with doc.file.open("rb") as fh:
            original = fh.read()
        if hashlib.sha256(original).hexdigest() != doc.sha256:
            # The stored file is not the one we generated: never seal something we did not render.
            logger.error("Stored recap %s does not match its hash", doc.pk)
            raise DomainError(
                _("Le fichier du récapitulatif est altéré sur le serveur : contactez le bureau des examens."),
                code="corrupt",
            )
        signed = seal_pdf(
            original,
            reason=_("Récapitulatif d'inscription n° %(number)s, version %(version)s, signé par le candidat")
            % {"number": locked.number, "version": doc.version},
            location=locked.session.academie.name,
        )
        written: list = []
        try:
            doc.signed_file.save(f"{FILE_NAMES[doc.kind]}-signe.pdf", ContentFile(signed), save=False)
            written.append(doc.signed_file)
            doc.signed_sha256 = hashlib.sha256(signed).hexdigest()
            doc.signed_at = now
            doc.signed_by = user
            doc.signed_ip = ip or None
            doc.save()
            locked.signed_at = now
            locked.save(update_fields=["signed_at", "updated_at"])
            # The signed recap counts as the `recap_signed` piece (domain.md §6), deposited with
            # the same checks, deadlines and confirmation e-mail as an upload (TLS).
            piece = piece_deposit_generated(
                dossier=locked,
                code=PieceCode.RECAP_SIGNED,
                content=signed,
                original_name=download_name(doc, signed=True),
                by=user,
            )
            written.extend(f.file for f in piece.files.all())
            notify(
                locked.candidate,
                "recap_signed",
                {"document": doc, "verification_url": verification_url(doc)},
                dossier=locked,
                link=reverse("recap:documents"),
            )
        except BaseException:
            # The rows roll back with the transaction; the files on disk do not.
            for field in written:
                field.storage.delete(field.name)
            raise
    return doc


# --- the rendering task (enqueued on commit by document_request_render and the sweepers) -------------
# Defined here, beside the rendering it runs, under its historical name: this module enqueues it
# without importing documents.tasks, which imports this module.
@shared_task(
    name="documents.tasks.render_document",
    bind=True,
    # Idempotent (a claim, then "ready" under a row lock): a render whose worker died is delivered
    # again rather than lost (issue 17).
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def render_document(self, document_id: int) -> str | None:
    document = document_render(document_id=document_id)
    return document.status if document else None
