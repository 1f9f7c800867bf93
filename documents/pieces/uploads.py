"""Upload safety for pieces (domain.md §6): PDF, JPEG and PNG recognised by their content, a size
limit enforced while streaming to disk, images verified and re-encoded without metadata, PDFs
parsed and refused when encrypted or broken. Every refusal is a French ``DomainError``."""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import threading
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps
from pypdf import PdfReader

from portal.exceptions import DomainError

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
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


def max_image_pixels() -> int:
    return getattr(settings, "UPLOAD_MAX_IMAGE_PIXELS", 50_000_000)


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes (magic numbers), never from its name."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


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


def _check_pdf(fh, name: str) -> None:
    broken = DomainError(
        _("« %(name)s » est un PDF illisible ou endommagé : enregistrez-le à nouveau puis redéposez-le.")
        % {"name": name},
        field="files",
        code="broken_pdf",
    )
    try:
        reader = PdfReader(fh, strict=False)
        if reader.is_encrypted:
            raise DomainError(
                _(
                    "« %(name)s » est un PDF protégé par un mot de passe : "
                    "déposez une version sans protection."
                )
                % {"name": name},
                field="files",
                code="encrypted_pdf",
            )
        if len(reader.pages) == 0:
            raise broken
        for page in reader.pages:
            page.mediabox  # noqa: B018 (parses each page object)
    except DomainError:
        raise
    except Exception as exc:
        raise broken from exc
    # A file cut short in transfer has lost its end-of-file marker.
    fh.seek(max(0, os.fstat(fh.fileno()).st_size - 2048))
    if b"%%EOF" not in fh.read():
        raise broken
    fh.seek(0)


_STRICT_IMAGES_LOCK = threading.Lock()


@contextmanager
def _strict_images():
    """WeasyPrint sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES = True when it is imported
    (any process that renders a recap), which would let a truncated upload through. Validation
    always runs strict, whatever was imported before."""
    with _STRICT_IMAGES_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            yield
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


# A JPEG larger than this on its long side is decoded at a reduced scale (issue 15): 2000 px is an A4
# page at 170 dpi, legible for an identity card or a certificate photographed by a phone.
DECODED_LONG_SIDE = 2000


def _reencode_image(fh, content_type: str, name: str) -> tempfile._TemporaryFileWrapper:
    """Verify the image, refuse a decompression bomb or a truncated file, and re-encode it so no
    metadata (EXIF position, camera, author) reaches the rectorat."""
    unreadable = DomainError(
        _("« %(name)s » est une image illisible ou incomplète : reprenez la photo ou le scan.")
        % {"name": name},
        field="files",
        code="broken_image",
    )
    bomb = DomainError(
        _(
            "« %(name)s » est une image trop grande (plus de %(mpx)s millions de pixels) : réduisez sa définition."
        )
        % {"name": name, "mpx": max_image_pixels() // 1_000_000},
        field="files",
        code="image_too_large",
    )
    with warnings.catch_warnings(), _strict_images():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(fh) as probe:
                width, height = probe.size
                if width * height > max_image_pixels():
                    raise bomb
                probe.verify()
            fh.seek(0)
            with Image.open(fh) as image:
                if content_type == JPEG:
                    # issue 15: decode a big phone photo at 1/2, 1/4 or 1/8 scale in the JPEG
                    # decoder itself (``draft``), never below DECODED_LONG_SIDE pixels on the long
                    # side: a scan stays legible and decoding, rotating and re-encoding cost a
                    # quarter. The decoder still reads every byte, so truncation is still caught.
                    long_side = max(width, height)
                    if long_side > DECODED_LONG_SIDE:
                        factor = DECODED_LONG_SIDE / long_side
                        image.draft("RGB", (math.ceil(width * factor), math.ceil(height * factor)))
                image.load()
                image = ImageOps.exif_transpose(image)
                out = tempfile.NamedTemporaryFile(prefix="piece-", suffix=EXTENSIONS[content_type])
                # No ``optimize``: it doubled the encoding time for a few per cent of size.
                if content_type == JPEG:
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    image.save(out, format="JPEG", quality=85)
                else:
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
                        image = image.convert("RGBA")
                    image.save(out, format="PNG", compress_level=6)
        except DomainError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise bomb from exc
        except Exception as exc:
            raise unreadable from exc
    out.flush()
    out.seek(0)
    return out


def check_upload(uploaded) -> CleanUpload:
    """Check one uploaded file and return it cleaned, or raise a French DomainError."""
    name = clean_original_name(getattr(uploaded, "name", ""))
    if getattr(uploaded, "oversized", False) or (uploaded.size or 0) > max_bytes():
        raise _size_error(name)
    if not uploaded.size:
        raise DomainError(_("« %(name)s » est vide.") % {"name": name}, field="files", code="empty")
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
        if content_type == PDF:
            _check_pdf(spooled, name)
            result = spooled
        else:
            result = _reencode_image(spooled, content_type, name)
            spooled.close()
    except BaseException:
        spooled.close()
        raise
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
