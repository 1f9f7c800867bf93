"""The one way a private file leaves the portal: deposited pieces, generated PDFs, exports.

Every response says the same three things: a download name that cannot break the header and
ends with the extension of what is sent (a piece named "photo" saved as PDF downloads as
"photo.pdf"), `X-Content-Type-Options: nosniff` (the browser trusts our content type, never its
guess), and `Cache-Control: private, no-store` (no shared cache, no copy left on a shared
computer of an établissement).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import PurePath

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The extension each type we send downloads with, and the other spellings a name may carry.
EXTENSIONS = {
    PDF: (".pdf",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "image/svg+xml": (".svg",),
    "text/csv": (".csv",),
    XLSX: (".xlsx",),
}
# Only raster images and PDFs are shown inline (the previews); anything else, SVG included (it
# may carry scripts), is downloaded.
INLINE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", PDF})

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_download_name(name: str, content_type: str, *, fallback: str = "fichier") -> str:
    """A file name fit for Content-Disposition: no path, no control character, no quote, at most
    150 characters, ending with the extension of ``content_type`` when we know it."""
    name = unicodedata.normalize("NFC", PurePath((name or "").replace("\\", "/")).name)
    name = _UNSAFE.sub("_", name).strip(" ._") or fallback
    suffix = PurePath(name).suffix
    known = EXTENSIONS.get(content_type.split(";")[0].strip())
    if known and suffix.lower() not in known:
        suffix = known[0]  # appended: "photo.jpg" sent as PDF is "photo.jpg.pdf"
    else:
        name = name[: len(name) - len(suffix)]
    return f"{name[: 150 - len(suffix)]}{suffix}"


def private_file_response(
    content, *, content_type: str, filename: str, inline: bool | None = None
) -> HttpResponse:
    """Serve ``content`` (a stored FieldFile, an open file, or bytes made for this request) to the
    one person allowed: the caller has checked the permission.

    ``inline`` defaults to "a preview we trust" (INLINE_CONTENT_TYPES); pass False to force the
    download.
    """
    if inline is None:
        inline = content_type.split(";")[0].strip() in INLINE_CONTENT_TYPES
    name = safe_download_name(filename, content_type)
    if isinstance(content, bytes):
        response: HttpResponse = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(not inline, name)
    else:
        stream = content.open("rb") if isinstance(content, FieldFile) else content
        response = FileResponse(stream, content_type=content_type, as_attachment=not inline, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
