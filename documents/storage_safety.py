"""Writing to private storage without leaving orphans: through Django's storage API only (the
storage may be a disk or a bucket), a failed write removes what it left at once (issue 17: a full
disk left 53 zero-byte files) and a crash leaves at worst a file the orphan sweep removes."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def storage_save(field_file, name: str, content) -> str:
    """``field_file.save(name, content, save=False)`` that deletes a partial file when the write
    fails. Returns the stored name (the row is saved by the caller, in its transaction)."""
    target = field_file.field.generate_filename(field_file.instance, name)
    try:
        stored = field_file.storage.save(target, content, max_length=field_file.field.max_length)
    except BaseException:
        storage_delete(field_file.storage, target)
        raise
    field_file.name = stored
    setattr(field_file.instance, field_file.field.attname, stored)
    field_file._committed = True
    return stored


def storage_delete(storage, name: str | None) -> None:
    """Best effort: a file we could not write or whose row rolled back. Never raises (the caller
    is already handling an error); what stays is found by `sweep_orphan_files`."""
    if not name:
        return
    try:
        storage.delete(name)
    except Exception:
        logger.warning("Could not remove %s from storage; the orphan sweep will.", name, exc_info=True)
