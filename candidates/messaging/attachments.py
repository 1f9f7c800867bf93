"""A message's attachment goes through the pieces' quarantine (issue 12): the request only checks
its size and streams it to the quarantine prefix; a worker on the uploads queue scans it with
clamd, disarms it (``documents.pieces.uploads.check_upload`` in its capped child) and stores the
clean copy, or refuses it with a French message. The message's text is kept either way; nobody is
served the file before it is accepted, and nothing refused is kept. A clamd that is down leaves
the attachment "en cours d'analyse" and the task retries (then ``attachments_pending_sweep``)."""

from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from candidates.messaging.models import AttachmentStatus, DossierMessage
from documents.pieces import antivirus
from documents.pieces.quarantine import CLAIM_LEASE, infection_refusal, local_copy
from documents.pieces.uploads import check_size, check_upload
from documents.storage_safety import storage_delete, storage_save
from portal.exceptions import DomainError
from portal.queueing import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)


class AttachmentDelayed(Exception):
    """The storage could not be read or written: the attachment stays in quarantine, retried."""


def attachment_receive(message: DossierMessage, uploaded) -> None:
    """Inside the caller's transaction, on a saved message: refuse an empty or oversized file at
    once (a French DomainError on ``files``), else put it in quarantine and enqueue its check on
    commit. A rollback after the write removes the file (else the orphan sweep would)."""
    name = check_size(uploaded)
    uploaded.seek(0)
    stored = storage_save(message.quarantined, "quarantine", uploaded)
    try:
        message.attachment_name = name
        message.attachment_size = uploaded.size
        message.attachment_status = AttachmentStatus.CHECKING
        message.save(update_fields=["quarantined", "attachment_name", "attachment_size", "attachment_status"])
    except BaseException:
        storage_delete(message.quarantined.storage, stored)
        raise
    enqueue_on_commit(check_message_attachment, message.pk)


def _claim(message_id: int, at: dt.datetime) -> DossierMessage | None:
    updated = (
        DossierMessage.objects.filter(pk=message_id, attachment_status=AttachmentStatus.CHECKING)
        .filter(Q(attachment_claimed_at__isnull=True) | Q(attachment_claimed_at__lt=at - CLAIM_LEASE))
        .update(attachment_attempts=F("attachment_attempts") + 1, attachment_claimed_at=at)
    )
    if not updated:
        return None
    return DossierMessage.objects.get(pk=message_id)


def _release(message: DossierMessage, error: str) -> None:
    DossierMessage.objects.filter(pk=message.pk, attachment_status=AttachmentStatus.CHECKING).update(
        attachment_last_error=error[:200], attachment_claimed_at=None
    )


def _decide(message: DossierMessage, status: str, refusal: str = "") -> None:
    quarantined = message.quarantined.name
    message.attachment_status = status
    message.attachment_refusal = refusal
    message.attachment_claimed_at = None
    message.attachment_last_error = ""
    message.quarantined = ""
    fields = ["attachment_status", "attachment_refusal", "attachment_claimed_at", "attachment_last_error"]
    message.save(
        update_fields=[
            *fields,
            "quarantined",
            "attachment",
            "attachment_type",
            "attachment_sha256",
            "attachment_size",
        ]
    )
    storage_delete(DossierMessage._meta.get_field("quarantined").storage, quarantined)


def attachment_process(*, message_id: int) -> str | None:
    """Scan, disarm and store one quarantined attachment; its final status, or None when another
    worker holds it or it was already decided. Raises ScannerUnavailable / AttachmentDelayed."""
    message = _claim(message_id, timezone.now())
    if message is None:
        return None
    what = f"message {message.pk} attachment"
    try:
        refusal = infection_refusal(message.quarantined, message.attachment_name, what=what)
    except antivirus.ScannerUnavailable as exc:
        logger.warning("%s waits for the antivirus: %s", what, exc)
        _release(message, str(exc))
        raise
    except OSError as exc:
        _release(message, f"storage: {exc.__class__.__name__}")
        raise AttachmentDelayed(str(exc)) from exc
    if refusal:
        _decide(message, AttachmentStatus.REFUSED, refusal)
        return message.attachment_status
    try:
        copy = local_copy(message.quarantined, message.attachment_name, message.attachment_size or 0)
    except OSError as exc:
        _release(message, f"storage: {exc.__class__.__name__}")
        raise AttachmentDelayed(str(exc)) from exc
    try:
        clean = check_upload(copy)
    except DomainError as exc:
        _decide(message, AttachmentStatus.REFUSED, exc.message)
        return message.attachment_status
    finally:
        copy.close()
    try:
        try:
            storage_save(message.attachment, clean.original_name, clean.file)
        except OSError as exc:
            _release(message, f"storage: {exc.__class__.__name__}")
            raise AttachmentDelayed(str(exc)) from exc
        message.attachment_type = clean.content_type
        message.attachment_size = clean.size
        message.attachment_sha256 = clean.sha256
        _decide(message, AttachmentStatus.ACCEPTED)
    finally:
        clean.close()
    return message.attachment_status


def attachments_pending_sweep(
    *, at: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=2)
) -> int:
    """Periodic: re-enqueue the attachments still being checked (clamd was down, a worker died)."""
    at = at or timezone.now()
    ids = list(
        DossierMessage.objects.filter(
            attachment_status=AttachmentStatus.CHECKING, created_at__lt=at - grace
        ).values_list("pk", flat=True)[:500]
    )
    for pk in ids:
        enqueue(check_message_attachment, pk)
    return len(ids)


# Beside the work it runs, under the name candidates.tasks re-exports (portal.queueing routes it
# to the uploads queue, the memory-capped workers).
@shared_task(name="candidates.tasks.check_message_attachment", bind=True, acks_late=True, max_retries=12)
def check_message_attachment(self, message_id: int) -> str | None:
    try:
        return attachment_process(message_id=message_id)
    except (antivirus.ScannerUnavailable, AttachmentDelayed) as exc:
        if self.request.is_eager:
            return None  # the embedded default: left to the sweeper, never blocking the request
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from exc
