"""Files in private storage that no row references (issue 17): a crash between writing a file
and committing its row, a write that failed half-way on a storage that could not be cleaned at
once. Only the folders this app writes (pieces/, generated/, quarantine/) are swept, through the storage API
(a disk or a bucket), and only files older than ORPHAN_FILES_GRACE_SECONDS, so a deposit being
written right now is never taken for an orphan."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.conf import settings
from django.utils import timezone

from candidates.messaging.models import DossierMessage

from .models import GeneratedDocument, PieceFile, QuarantinedFile, StaffDocument

logger = logging.getLogger(__name__)

FOLDERS = ("pieces", "generated", "quarantine", "staff-documents")


def _walk(storage, folder: str) -> Iterator[str]:
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for sub in dirs:
        yield from _walk(storage, f"{folder}/{sub}")


def referenced_names() -> set[str]:
    names = set(PieceFile.objects.exclude(file="").values_list("file", flat=True))
    names.update(QuarantinedFile.objects.exclude(file="").values_list("file", flat=True))  # issue 12
    # Message attachments waiting in the same quarantine (issue 12), the bureau's documents (14).
    names.update(DossierMessage.objects.exclude(quarantined="").values_list("quarantined", flat=True))
    names.update(StaffDocument.objects.exclude(file="").values_list("file", flat=True))
    for field in ("file", "signed_file"):
        names.update(GeneratedDocument.objects.exclude(**{field: ""}).values_list(field, flat=True))
    return names


def orphan_files(*, now: dt.datetime | None = None, grace_seconds: int | None = None) -> list[str]:
    """Names of the unreferenced files older than the grace."""
    storage = PieceFile._meta.get_field("file").storage
    now = now or timezone.now()
    grace = settings.ORPHAN_FILES_GRACE_SECONDS if grace_seconds is None else grace_seconds
    cutoff = now - dt.timedelta(seconds=grace)
    referenced = referenced_names()
    orphans = []
    for folder in FOLDERS:
        for name in _walk(storage, folder):
            if name in referenced:
                continue
            try:
                modified = storage.get_modified_time(name)
            except (FileNotFoundError, NotImplementedError):
                continue
            if modified < cutoff:
                orphans.append(name)
    return orphans


def orphan_files_sweep(*, grace_seconds: int | None = None, dry_run: bool = False) -> list[str]:
    storage = PieceFile._meta.get_field("file").storage
    orphans = orphan_files(grace_seconds=grace_seconds)
    if not dry_run:
        for name in orphans:
            storage.delete(name)
    if orphans:
        logger.info("%s orphan file(s) %s.", len(orphans), "found" if dry_run else "removed")
    return orphans
