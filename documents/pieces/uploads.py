"""Upload safety for pieces (domain.md §6, issue 12): PDF, JPEG and PNG recognised by their
content, a size limit enforced while streaming, then the file disarmed in a capped child process
(``sandbox.py`` → ``disarm.py``): PDFs rebuilt without active content and page-capped, images
verified and re-encoded without metadata. Every refusal is a French ``DomainError``."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _

from documents.pieces.disarm import JPEG, PDF, PNG, sniff
from documents.pieces.sandbox import disarm_file
from portal.exceptions import DomainError

__all__ = ["JPEG", "PDF", "PNG", "sniff", "check_upload", "CleanUpload"]

EXTENSIONS = {PDF: ".pdf", JPEG: ".jpg", PNG: ".png"}
TYPE_NAMES = {PDF: "PDF", JPEG: "JPEG", PNG: "PNG"}
# The extensions a name may carry for each type; a name with one of these that contradicts the
# content is refused (the candidate probably picked the wrong file).
KNOWN_EXTENSIONS = {".pdf": PDF, ".jpg": JPEG, ".jpeg": JPEG, ".jpe": JPEG, ".jfif": JPEG, ".png": PNG}
ACCEPT_ATTRIBUTE = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"
CHUNK = 64 * 1024


def max_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


def human_size(size: int) -> str:
    """ "10 Mo", "500 ko": the units a French candidate reads (Django's filesizeformat says "Mio")."""
    if size >= 1024 * 1024:
        value, unit = size / (1024 * 1024), "Mo"
    elif size >= 1024:
        value, unit = size / 1024, "ko"
    else:
        return f"{size} octets"
    text = f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{text}\xa0{unit}"


class OversizedUpload(UploadedFile):
    """What the streaming handler hands over instead of a file larger than the limit: its bytes
    were counted and thrown away, never kept in memory nor on disk."""

    oversized = True

    def __init__(self, name: str, size: int, content_type: str | None):
        super().__init__(
            file=tempfile.SpooledTemporaryFile(max_size=1), name=name, content_type=content_type, size=size
        )


class LimitedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """Streams every uploaded file to a temporary file on disk (never in memory) and stops writing
    as soon as it exceeds UPLOAD_MAX_BYTES; the view then shows the size message."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self._received = 0
        self._oversized = False

    def receive_data_chunk(self, raw_data, start):
        self._received += len(raw_data)
        if self._oversized or self._received > max_bytes():
            if not self._oversized:
                self._oversized = True
                self.file.truncate(0)
            return None
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size):
        if self._oversized:
            self.file.close()  # a NamedTemporaryFile: closing removes it
            return OversizedUpload(self.file_name, self._received, self.content_type)
        return super().file_complete(file_size)


@dataclass
class CleanUpload:
    """A checked file, ready to be stored: ``file`` is a temporary file on disk."""

    file: File
    original_name: str
    content_type: str
    size: int
    sha256: str

    def close(self) -> None:
        self.file.close()


def clean_original_name(name: str) -> str:
    base = PurePath((name or "").replace("\\", "/")).name.strip() or "fichier"
    return "".join(ch for ch in base if ch.isprintable())[:200]


def _size_error(name: str) -> DomainError:
    return DomainError(
        _("« %(name)s » dépasse la taille maximale de %(limit)s par fichier.")
        % {"name": name, "limit": human_size(max_bytes())},
        field="files",
        code="too_large",
    )


def _spool(uploaded) -> tempfile._TemporaryFileWrapper:
    """Copy an upload to a temporary file on disk, chunk by chunk, counting its size."""
    out = tempfile.NamedTemporaryFile(prefix="piece-", suffix=".upload")
    total = 0
    uploaded.seek(0)
    for chunk in uploaded.chunks(CHUNK):
        total += len(chunk)
        if total > max_bytes():
            out.close()
            raise _size_error(clean_original_name(uploaded.name))
        out.write(chunk)
    out.flush()
    out.seek(0)
    return out


def _digest(fh) -> tuple[str, int]:
    fh.seek(0)
    sha = hashlib.sha256()
    size = 0
    while chunk := fh.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
    fh.seek(0)
    return sha.hexdigest(), size


def check_size(uploaded) -> str:
    """Refuse an empty file or one over the limit (before anything is kept); its clean name."""
    name = clean_original_name(getattr(uploaded, "name", ""))
    if getattr(uploaded, "oversized", False) or (uploaded.size or 0) > max_bytes():
        raise _size_error(name)
    if not uploaded.size:
        raise DomainError(_("« %(name)s » est vide.") % {"name": name}, field="files", code="empty")
    return name


def check_upload(uploaded, *, rebuild: bool = True) -> CleanUpload:
    """Check one uploaded file and return it cleaned (PDFs rebuilt without active content,
    images re-encoded), or raise a French DomainError. ``rebuild=False`` only checks a PDF the
    portal produced and sealed (rebuilding would break its signature)."""
    name = check_size(uploaded)
    spooled = _spool(uploaded)
    try:
        content_type = sniff(spooled.read(16))
        spooled.seek(0)
        if content_type is None:
            raise DomainError(
                _(
                    "« %(name)s » n'est ni un PDF, ni une image JPEG ou PNG : seuls ces formats sont "
                    "acceptés (le contenu du fichier est vérifié, pas seulement son nom)."
                )
                % {"name": name},
                field="files",
                code="bad_type",
            )
        claimed = KNOWN_EXTENSIONS.get(PurePath(name).suffix.lower())
        if claimed and claimed != content_type:
            raise DomainError(
                _(
                    "« %(name)s » porte l'extension %(ext)s mais contient en réalité une image ou un "
                    "document %(real)s : vérifiez que c'est le bon fichier, renommez-le en %(good)s "
                    "ou déposez le document au bon format."
                )
                % {
                    "name": name,
                    "ext": PurePath(name).suffix.lower(),
                    "real": TYPE_NAMES[content_type],
                    "good": EXTENSIONS[content_type],
                },
                field="files",
                code="type_mismatch",
            )
        # Parsing and re-encoding run in a child process capped in memory and CPU (sandbox.py).
        fd, path = tempfile.mkstemp(prefix="piece-", suffix=EXTENSIONS[content_type])
        os.close(fd)
        try:
            disarm_file(spooled.name, path, content_type=content_type, name=name, rebuild=rebuild)
            result = open(path, "rb")  # noqa: SIM115 (closed by CleanUpload.close)
        finally:
            os.unlink(path)  # the open handle keeps the data until it is closed
    finally:
        spooled.close()
    sha, size = _digest(result)
    if size > max_bytes():
        result.close()
        raise _size_error(name)
    return CleanUpload(
        # The stored name is random (PieceFile.file's upload_to); this one is never used on disk.
        file=File(result, name=f"piece{EXTENSIONS[content_type]}"),
        original_name=name,
        content_type=content_type,
        size=size,
        sha256=sha,
    )
