"""The quarantine of uploaded pieces (issue 12): the request only streams the files to the
``quarantine/`` prefix of the default storage and answers "en cours de vérification"; a Celery
worker scans each file with clamd, disarms it (``uploads.check_upload`` in a capped child) and
deposits the piece (``services.piece_deposit``, as of the time the files were received), or
refuses it with a French message. Quarantined files are deleted once the upload is decided,
an infected one at once: nothing refused is kept. A clamd that is down delays the decision."""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Sequence

from celery import shared_task
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Dossier
from documents.models import PieceUpload, QuarantinedFile, UploadStatus
from documents.pieces import antivirus, services
from documents.pieces.uploads import CHUNK, check_size
from documents.storage_safety import storage_delete, storage_save
from portal.exceptions import DomainError
from portal.queueing import enqueue, enqueue_on_commit

logger = logging.getLogger(__name__)

# A claim older than this belonged to a worker that died; the sweeper hands the upload over.
CLAIM_LEASE = dt.timedelta(minutes=10)


def _rate_check(by, at: dt.datetime) -> None:
    """Per candidate, counted in the database (so it holds across processes and hosts): each
    accepted deposit sends an e-mail and costs a scan and a disarm."""
    limit, window = settings.UPLOAD_RATE_PER_CANDIDATE, settings.UPLOAD_RATE_WINDOW
    since = at - dt.timedelta(seconds=window)
    recent = PieceUpload.objects.filter(uploaded_by=by, received_at__gt=since)
    if recent.count() >= limit:
        oldest = recent.order_by("received_at").values_list("received_at", flat=True).first()
        wait = max(1, int(((oldest + dt.timedelta(seconds=window)) - at).total_seconds() // 60) + 1)
        raise DomainError(
            _(
                "Vous avez déposé %(n)d fichiers en peu de temps : par sécurité, les dépôts sont "
                "suspendus pendant %(minutes)d minute(s). Vos dépôts précédents sont bien enregistrés."
            )
            % {"n": limit, "minutes": wait},
            field="files",
            code="rate_limited",
        )


def piece_upload_receive(
    *, dossier: Dossier, code: str, files: Sequence, by, replace: bool = False, at: dt.datetime | None = None
) -> PieceUpload:
    """Take the files of one deposit into quarantine and enqueue their check. The fast refusals
    (deadline, lock, size, too many files, rate) happen here; the rest in the worker."""
    at = at or timezone.now()
    if not files:
        raise DomainError(_("Choisissez au moins un fichier."), field="files", code="no_file")
    if len(files) > services.MAX_FILES_PER_PIECE:
        raise DomainError(
            _("Une pièce compte au plus %(n)d fichiers.") % {"n": services.MAX_FILES_PER_PIECE}, field="files"
        )
    services.piece_deposit_check(dossier=dossier, code=code, at=at)
    names = [check_size(uploaded) for uploaded in files]
    _rate_check(by, at)
    stored: list[str] = []
    try:
        with transaction.atomic():
            upload = PieceUpload.objects.create(
                dossier=dossier, code=code, replace=replace, uploaded_by=by, received_at=at
            )
            for uploaded, name in zip(files, names, strict=True):
                quarantined = QuarantinedFile(upload=upload, original_name=name, size=uploaded.size)
                uploaded.seek(0)
                try:
                    stored.append(storage_save(quarantined.file, "quarantine", uploaded))
                except OSError as exc:
                    logger.exception("Storing an upload of dossier %s in quarantine failed", dossier.pk)
                    raise services.storage_refusal() from exc
                quarantined.save()
            # Never fails the request: with the broker down the sweeper enqueues it later.
            enqueue_on_commit(check_piece_upload, upload.pk)
    except BaseException:
        storage = QuarantinedFile._meta.get_field("file").storage
        for name in stored:
            storage_delete(storage, name)
        raise
    return upload


class UploadDelayed(Exception):
    """A transient failure (storage unreachable): the upload stays in quarantine and is retried."""


def _claim(upload_id: int, at: dt.datetime) -> PieceUpload | None:
    """Take the upload for this worker unless another one holds a live claim (idempotence)."""
    updated = (
        PieceUpload.objects.filter(pk=upload_id, status=UploadStatus.CHECKING)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=at - CLAIM_LEASE))
        .update(attempts=F("attempts") + 1, claimed_at=at)
    )
    if not updated:
        return None
    return PieceUpload.objects.select_related("dossier", "uploaded_by").get(pk=upload_id)


def _discard_files(upload: PieceUpload) -> None:
    for quarantined in upload.files.all():
        if quarantined.file:
            storage_delete(quarantined.file.storage, quarantined.file.name)  # else the orphan sweep
    upload.files.update(file="")


def _decide(upload: PieceUpload, status: str, message: str = "") -> None:
    upload.status = status
    upload.message = message
    upload.last_error = ""
    upload.claimed_at = None
    upload.checked_at = timezone.now()
    upload.save(update_fields=["status", "message", "last_error", "claimed_at", "checked_at"])
    _discard_files(upload)


def _release(upload: PieceUpload, error: str) -> None:
    PieceUpload.objects.filter(pk=upload.pk, status=UploadStatus.CHECKING).update(
        last_error=error[:200], claimed_at=None
    )


def infection_refusal(field_file, name: str, *, what: str) -> str:
    """Scan one quarantined file with clamd: the French refusal when it is infected, "" when it is
    clean (or, with DEBUG on only, when no clamd is configured). Raises ScannerUnavailable. Also
    used by the dossier messages' attachments (candidates.messaging.attachments)."""
    if not antivirus.scanning_enabled():
        logger.warning("%s not scanned: CLAMD_URL is empty (allowed with DEBUG on only)", what)
        return ""
    with field_file.open("rb") as fh:
        result = antivirus.scan(fh)
    if not result.infected:
        return ""
    logger.warning("%s: infected file refused (%s)", what, result.signature)
    return _(
        "« %(name)s » contient un virus ou un programme malveillant (%(signature)s) : il a été "
        "supprimé sans être transmis. Analysez votre appareil avec un antivirus, puis déposez "
        "un autre fichier."
    ) % {"name": name, "signature": result.signature}


def _scan(upload: PieceUpload, files: list[QuarantinedFile]) -> str:
    """The refusal message when a file is infected, "" when all are clean."""
    for quarantined in files:
        refusal = infection_refusal(quarantined.file, quarantined.original_name, what=f"upload {upload.pk}")
        if refusal:
            return refusal
    return ""


def local_copy(field_file, name: str, size: int) -> UploadedFile:
    """A quarantined file copied to a local temporary file, for the disarm (closed by the caller)."""
    local = tempfile.NamedTemporaryFile(prefix="quarantine-")  # noqa: SIM115 (closed by the caller)
    with field_file.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            local.write(chunk)
    local.flush()
    local.seek(0)
    return UploadedFile(file=local, name=name, size=size)


def _local_copies(files: list[QuarantinedFile]) -> list[UploadedFile]:
    return [local_copy(q.file, q.original_name, q.size) for q in files]


def upload_process(*, upload_id: int) -> str | None:
    """Scan, disarm and deposit one quarantined upload; its final status, or None when another
    worker holds it or it was already decided. Raises ScannerUnavailable when clamd cannot scan
    (the upload stays "checking", its files kept in quarantine, and is retried)."""
    upload = _claim(upload_id, timezone.now())
    if upload is None:
        return None
    files = list(upload.files.all())
    try:
        infected = _scan(upload, files)
    except antivirus.ScannerUnavailable as exc:
        logger.warning("upload %s waits for the antivirus: %s", upload.pk, exc)
        _release(upload, str(exc))
        raise
    except OSError as exc:
        _release(upload, f"storage: {exc.__class__.__name__}")
        raise UploadDelayed(str(exc)) from exc
    if infected:
        _decide(upload, UploadStatus.REFUSED, infected)
        return upload.status
    try:
        copies = _local_copies(files)
    except OSError as exc:
        _release(upload, f"storage: {exc.__class__.__name__}")
        raise UploadDelayed(str(exc)) from exc
    try:
        services.piece_deposit(
            dossier=upload.dossier,
            code=upload.code,
            files=copies,
            by=upload.uploaded_by,
            replace=upload.replace,
            # Judged as of its arrival: a file received at 16:59 is not late because the check ended at 17:01.
            at=upload.received_at,
        )
    except DomainError as exc:
        if exc.code == "storage":  # our incident, not the candidate's file: try again later
            _release(upload, "storage: the piece could not be written")
            raise UploadDelayed(exc.message) from exc
        _decide(upload, UploadStatus.REFUSED, exc.message)
    else:
        _decide(upload, UploadStatus.ACCEPTED)
    finally:
        for copy in copies:
            copy.close()
    return upload.status


def uploads_pending_sweep(
    *, at: dt.datetime | None = None, grace: dt.timedelta = dt.timedelta(minutes=2)
) -> int:
    """Periodic: re-enqueue uploads still being checked (clamd was down, a worker died, the
    broker lost the message). Their files are still in quarantine."""
    at = at or timezone.now()
    ids = list(
        PieceUpload.objects.filter(status=UploadStatus.CHECKING, received_at__lt=at - grace).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        enqueue(check_piece_upload, pk)
    return len(ids)


def checking_uploads(dossier: Dossier) -> list[PieceUpload]:
    return list(dossier.piece_uploads.filter(status=UploadStatus.CHECKING))


def uploads_to_show(
    dossier: Dossier, *, refused_since: dt.timedelta = dt.timedelta(days=2)
) -> tuple[list[PieceUpload], list[PieceUpload]]:
    """The uploads the pieces page shows: those being checked and the recent refusals, in one
    query (and one for their file names)."""
    uploads = list(
        dossier.piece_uploads.filter(
            Q(status=UploadStatus.CHECKING)
            | Q(status=UploadStatus.REFUSED, checked_at__gt=timezone.now() - refused_since)
        ).prefetch_related("files")
    )
    return (
        [u for u in uploads if u.status == UploadStatus.CHECKING],
        [u for u in uploads if u.status == UploadStatus.REFUSED],
    )


# Defined here, beside the work it runs, under its historical name: this module enqueues it
# without importing documents.tasks, which imports this module.
@shared_task(name="documents.tasks.check_piece_upload", bind=True, acks_late=True, max_retries=12)
def check_piece_upload(self, upload_id: int) -> str | None:
    """Scan, disarm and deposit one quarantined upload (issue 12). When clamd is down the upload
    stays "en cours de vérification" and is retried (then swept by ``sweep_piece_uploads``); in
    the embedded default (eager tasks) it is left to the sweeper rather than blocking the request."""
    try:
        return upload_process(upload_id=upload_id)
    except (antivirus.ScannerUnavailable, UploadDelayed) as exc:
        if self.request.is_eager:
            return None
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 900)) from exc
