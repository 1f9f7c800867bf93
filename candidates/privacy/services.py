"""A candidate's rights over their data, and the retention that applies to them (issue 12,
RGPD, docs/rgpd.md): the export (a ZIP of the JSON of the profile, dossiers, messages and
history, with their files), the erasure of what no retention covers, the purge of sessions past
RETENTION_YEARS, the deletion of identity documents once the decision is final and the appeal
period (IDENTITY_APPEAL_DAYS) has passed. Every file goes through the storage API."""

from __future__ import annotations

import datetime as dt
import json
import logging
import tempfile
import zipfile

from celery import shared_task
from django.conf import settings
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from candidates.models import (
    DataPurge,
    Dossier,
    DossierState,
    PrivacyRequest,
    PrivacyRequestKind,
    PrivacyRequestStatus,
    PurgeReason,
    User,
)
from documents.models import GeneratedDocument, PieceCode, PieceFile, QuarantinedFile
from exams.models import Session
from notifications.models import Message, OutgoingEmail
from portal.files import safe_download_name
from portal.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

# Dossiers that never became a registration: nothing obliges the rectorat to keep them.
UNREGISTERED_STATES = frozenset({DossierState.DRAFT, DossierState.EXPIRED})
DECIDED_STATES = frozenset({DossierState.COMPLIANT, DossierState.NON_COMPLIANT})


def retained_until(session: Session) -> dt.date:
    """A registered dossier is kept until the end of the RETENTION_YEARS-th year after its
    session (the exam's administrative record; the rectorat's retention schedule)."""
    return dt.date(session.year + settings.RETENTION_YEARS, 12, 31)


def retained_dossiers(user) -> list[Dossier]:
    return list(
        Dossier.objects.filter(candidate=user)
        .exclude(state__in=UNREGISTERED_STATES)
        .select_related("session__academie", "specialty")
        .order_by("session__year")
    )


# --- Export -----------------------------------------------------------------------------------


def privacy_export_request(*, user) -> PrivacyRequest:
    """Ask for an export; a worker prepares the ZIP (at once with eager tasks)."""
    pending = user.privacy_requests.filter(
        kind=PrivacyRequestKind.EXPORT, status=PrivacyRequestStatus.PENDING
    )
    if pending.exists():
        return pending.first()
    with transaction.atomic():
        request = PrivacyRequest.objects.create(user=user, kind=PrivacyRequestKind.EXPORT)
        enqueue_on_commit(build_privacy_export, request.pk)
    return request


def _history_rows(records) -> list[dict]:
    return [
        {
            "date": r.history_date,
            "type": r.get_history_type_display(),
            "by": str(r.history_user) if r.history_user_id else None,
            "reason": r.history_change_reason or "",
            "state": getattr(r, "state", None),
        }
        for r in records
    ]


def _profile_data(user: User) -> dict:
    from django.forms.models import model_to_dict

    profile = getattr(user, "profile", None)
    data = {
        "email": user.email,
        "date_joined": user.date_joined,
        "email_verified_at": user.email_verified_at,
        "last_login": user.last_login,
    }
    if profile is not None:
        data["profile"] = {k: v for k, v in model_to_dict(profile).items() if k not in {"id", "user"}}
    return data


def _dossier_data(dossier: Dossier) -> dict:
    from django.forms.models import model_to_dict

    data = {k: v for k, v in model_to_dict(dossier).items() if k not in {"candidate"}}
    data["session"] = dossier.session.code
    data["state_label"] = dossier.get_state_display()
    data["epreuves"] = [
        {k: v for k, v in model_to_dict(c).items() if k not in {"id", "dossier"}}
        for c in dossier.epreuve_choices.all()
    ]
    data["history"] = _history_rows(dossier.history.select_related("history_user").order_by("history_date"))
    data["pieces"] = [
        {
            "code": p.code,
            "label": p.get_code_display(),
            "state": p.get_state_display(),
            "invalidation_reason": p.invalidation_reason,
            "deposited_at": p.deposited_at,
            "files": [
                {
                    "name": f.original_name,
                    "type": f.content_type,
                    "size": f.size,
                    "sha256": f.sha256,
                    "uploaded_at": f.uploaded_at,
                    "deleted_at": f.purged_at,
                }
                for f in p.files.all()
            ],
        }
        for p in dossier.pieces.prefetch_related("files")
    ]
    data["thread"] = [
        {
            "sent_at": m.created_at,
            "from_staff": m.from_staff,
            "subject": m.subject,
            "body": m.body,
            "attachment": m.attachment_name,
            "read_at": m.read_at,
        }
        for m in dossier.thread.order_by("created_at")
    ]
    data["bureau_documents"] = [  # issue 14: the decisions the bureau posted
        {
            "kind": d.get_kind_display(),
            "name": d.original_name,
            "posted_at": d.posted_at,
            "removed_at": d.removed_at,
        }
        for d in dossier.staff_documents.order_by("posted_at")
    ]
    data["documents"] = [
        {
            "kind": d.get_kind_display(),
            "version": d.version,
            "generated_at": d.generated_at,
            "signed_at": d.signed_at,
        }
        for d in dossier.documents.all()
    ]
    return data


def _write_export(user: User, out) -> None:
    dossiers = list(Dossier.objects.filter(candidate=user).select_related("session").order_by("created_at"))
    payload = {
        "generated_at": timezone.now(),
        "account": _profile_data(user),
        "dossiers": [_dossier_data(d) for d in dossiers],
        "messages": [
            {"received_at": m.created_at, "subject": m.subject, "body": m.body, "read_at": m.read_at}
            for m in Message.objects.filter(recipient=user).order_by("created_at")
        ],
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "mes-donnees.json", json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        )
        archive.writestr(
            "LISEZ-MOI.txt",
            _(
                "Vos données du portail des examens : mes-donnees.json (compte, profil, dossiers, "
                "historique, messages) et, dans dossiers/, vos pièces justificatives et vos documents PDF."
            ),
        )
        for dossier in dossiers:
            folder = f"dossiers/{dossier.number or dossier.pk}"
            for piece_file in PieceFile.objects.filter(piece__dossier=dossier).select_related("piece"):
                if not piece_file.file:
                    continue
                with (
                    piece_file.file.open("rb") as fh,
                    archive.open(
                        f"{folder}/pieces/{piece_file.piece.code}/{piece_file.pk}-{safe_download_name(piece_file.original_name, piece_file.content_type)}",
                        "w",
                    ) as target,
                ):
                    while chunk := fh.read(64 * 1024):
                        target.write(chunk)
            for document in dossier.documents.all():
                for field, suffix in ((document.file, ""), (document.signed_file, "-signe")):
                    if not field:
                        continue
                    with (
                        field.open("rb") as fh,
                        archive.open(
                            f"{folder}/documents/{document.kind}-v{document.version}{suffix}.pdf", "w"
                        ) as target,
                    ):
                        while chunk := fh.read(64 * 1024):
                            target.write(chunk)


def privacy_export_build(*, request_id: int) -> PrivacyRequest | None:
    request = (
        PrivacyRequest.objects.select_related("user")
        .filter(pk=request_id, kind=PrivacyRequestKind.EXPORT, status=PrivacyRequestStatus.PENDING)
        .first()
    )
    if request is None:
        return None
    with tempfile.TemporaryFile(prefix="privacy-") as out:
        _write_export(request.user, out)
        request.size = out.tell()
        out.seek(0)
        request.file.save("export.zip", File(out), save=False)
    request.status = PrivacyRequestStatus.READY
    request.done_at = timezone.now()
    request.save()
    return request


def privacy_exports_expire(*, at: dt.datetime | None = None) -> int:
    at = at or timezone.now()
    old = PrivacyRequest.objects.filter(
        kind=PrivacyRequestKind.EXPORT, created_at__lt=at - dt.timedelta(days=settings.PRIVACY_EXPORT_DAYS)
    )
    count = 0
    for request in old:
        if request.file:
            request.file.delete(save=False)
        request.delete()
        count += 1
    return count


# --- Erasure ----------------------------------------------------------------------------------


def _delete_dossier_files(dossiers) -> tuple[int, int]:
    """Delete every stored file of these dossiers (pieces, PDFs, quarantine) through the storage;
    the rows go with the dossiers. The counts of files and PDFs."""
    files = documents = 0
    for piece_file in PieceFile.objects.filter(piece__dossier__in=dossiers).exclude(file=""):
        piece_file.file.delete(save=False)
        files += 1
    for quarantined in QuarantinedFile.objects.filter(upload__dossier__in=dossiers).exclude(file=""):
        quarantined.file.delete(save=False)
    for document in GeneratedDocument.objects.filter(dossier__in=dossiers):
        for field in (document.file, document.signed_file):
            if field:
                field.delete(save=False)
        documents += 1
    return files, documents


def _delete_dossiers(dossier_ids: list[int]) -> tuple[int, int]:
    """Delete dossiers with their files and their history rows (which copy the personal data)."""
    from candidates.messaging.models import DossierMessage
    from candidates.models import DossierEpreuve
    from documents.models import Piece

    files, documents = _delete_dossier_files(Dossier.objects.filter(pk__in=dossier_ids))
    # The dossier's thread (PROTECT: kept for good while the dossier lives) goes with it.
    thread = DossierMessage.objects.filter(dossier_id__in=dossier_ids)
    for message in thread.exclude(attachment=""):
        message.attachment.delete(save=False)
        files += 1
    for message in thread.exclude(quarantined=""):  # issue 12: an attachment still being scanned
        message.quarantined.delete(save=False)
    thread.delete()
    # Issue 14: the decisions the bureau posted (the rows go with the dossier, CASCADE).
    from documents.models import StaffDocument

    for document in StaffDocument.objects.filter(dossier_id__in=dossier_ids).exclude(file=""):
        document.file.delete(save=False)
        files += 1
    Dossier.objects.filter(pk__in=dossier_ids).delete()
    # After the delete: simple-history writes a "deleted" row holding the last values.
    Piece.history.filter(dossier_id__in=dossier_ids).delete()
    DossierEpreuve.history.filter(dossier_id__in=dossier_ids).delete()
    Dossier.history.filter(id__in=dossier_ids).delete()
    StaffDocument.history.filter(dossier_id__in=dossier_ids).delete()
    return files, documents


def privacy_erasure(*, user: User) -> PrivacyRequest | None:
    """Erase what no retention covers: the messages and e-mails, the drafts, the exports; the
    account itself when no registered dossier remains (then None is returned: nothing is left).
    Registered dossiers are an exam's administrative record: kept until ``retained_until``,
    then purged by ``purge_retention``; the summary tells the candidate so."""
    with transaction.atomic():
        kept = retained_dossiers(user)
        unregistered = list(
            Dossier.objects.filter(candidate=user, state__in=UNREGISTERED_STATES).values_list("pk", flat=True)
        )
        _delete_dossiers(unregistered)
        messages = Message.objects.filter(recipient=user)
        OutgoingEmail.objects.filter(Q(message__in=messages) | Q(to__iexact=user.email)).delete()
        deleted_messages = messages.count()
        messages.delete()
        for export in user.privacy_requests.filter(kind=PrivacyRequestKind.EXPORT):
            if export.file:
                export.file.delete(save=False)
            export.delete()
        if not kept:
            DataPurge.objects.create(reason=PurgeReason.ERASURE, dossiers=len(unregistered), accounts=1)
            user.delete()
            return None
        lines = [
            _("Supprimés : %(n)d message(s), %(d)d brouillon(s) de dossier, vos exports de données.")
            % {"n": deleted_messages, "d": len(unregistered)},
            _(
                "Conservés, car un dossier d'inscription enregistré est une pièce administrative de "
                "l'examen que le rectorat doit garder : votre compte et"
            ),
        ]
        for dossier in kept:
            lines.append(
                _(
                    "– le dossier n° %(number)s (%(session)s), jusqu'au %(until)s, puis supprimé automatiquement ;"
                )
                % {
                    "number": dossier.number or dossier.pk,
                    "session": dossier.session,
                    "until": date_format(retained_until(dossier.session), "j F Y"),
                }
            )
        lines.append(
            _(
                "– vos pièces d'identité sont supprimées %(days)d jours après la décision définitive "
                "(délai de recours)."
            )
            % {"days": settings.IDENTITY_APPEAL_DAYS}
        )
        DataPurge.objects.create(reason=PurgeReason.ERASURE, dossiers=len(unregistered))
        return PrivacyRequest.objects.create(
            user=user,
            kind=PrivacyRequestKind.ERASURE,
            status=PrivacyRequestStatus.DONE,
            summary="\n".join(lines),
            done_at=timezone.now(),
        )


# --- Retention ----------------------------------------------------------------------------------


def purge_retention(*, today: dt.date | None = None) -> list[DataPurge]:
    """Delete the dossiers, files and PDFs of sessions whose retention has ended (their year +
    RETENTION_YEARS is before this year), one session at a time, leaving an anonymised count.
    Idempotent: a purged session has no dossier left."""
    today = today or timezone.localdate()
    last_purged_year = today.year - settings.RETENTION_YEARS - 1
    done = []
    for session in Session.objects.filter(year__lte=last_purged_year, dossiers__isnull=False).distinct():
        ids = list(Dossier.objects.filter(session=session).values_list("pk", flat=True))
        with transaction.atomic():
            files, documents = _delete_dossiers(ids)
            done.append(
                DataPurge.objects.create(
                    reason=PurgeReason.RETENTION,
                    session_code=session.code,
                    academie_code=session.academie.code,
                    session_year=session.year,
                    dossiers=len(ids),
                    files=files,
                    documents=documents,
                )
            )
        logger.info("retention purge of %s: %d dossiers, %d files", session.code, len(ids), files)
    return done


def identity_documents_purge(*, at: dt.datetime | None = None) -> int:
    """Delete the files of identity documents once the dossier's decision is final and the
    appeal period has passed; the PieceFile row stays (name, size, hash, dates) as the trace
    that the document existed, with ``purged_at``."""
    at = at or timezone.now()
    cutoff = at - dt.timedelta(days=settings.IDENTITY_APPEAL_DAYS)
    stale = PieceFile.objects.filter(
        piece__code=PieceCode.IDENTITY,
        purged_at__isnull=True,
        piece__dossier__state__in=DECIDED_STATES,
        piece__dossier__decided_at__lt=cutoff,
    ).exclude(file="")
    count = 0
    for piece_file in stale:
        piece_file.file.delete(save=False)
        piece_file.purged_at = at
        piece_file.save(update_fields=["file", "purged_at"])
        count += 1
    if count:
        DataPurge.objects.create(reason=PurgeReason.IDENTITY, files=count)
    return count


# Defined here, beside the export it builds, under its historical name (candidates.tasks
# re-exports it): this module enqueues it without importing candidates.tasks.
@shared_task(
    name="candidates.tasks.build_privacy_export", bind=True, acks_late=True, max_retries=3,
    autoretry_for=(OSError,), retry_backoff=30,
)  # fmt: skip
def build_privacy_export(self, request_id: int) -> str | None:
    """issue 12: the ZIP of a candidate's data, written in private storage."""
    request = privacy_export_build(request_id=request_id)
    return request.status if request else None
