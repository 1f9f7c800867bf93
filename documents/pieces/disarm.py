"""Disarming one uploaded file, in a child process with a memory and CPU cap (issue 12).

Run as ``python -m documents.pieces.disarm SOURCE DEST --type T --max-pixels N --max-pages N``:
reads SOURCE (a local temporary copy), writes the cleaned file to DEST and prints one JSON line
(``{"ok": true, "pages": n}`` or ``{"ok": false, "code": "...", ...}``). It imports neither
Django nor the portal, so the child starts fast and a crafted file that blows up Pillow or qpdf
only kills the child (``sandbox.py`` sets the limits and turns a crash into a French refusal).

- PDFs are rebuilt with pikepdf (qpdf): only the pages are copied into a new document, so the
  catalogue's OpenAction, AA, JavaScript and embedded-file name trees, and the XFA form, are left
  behind; then every object reachable from the new document is walked and additional actions
  (/AA), JavaScript (/JS), dangerous actions (JavaScript, Launch, SubmitForm, ImportData, GoToE,
  GoToR, Rendition, RichMediaExecute, Sound, Movie), file attachments and embedded files are
  removed. Links (/URI, /GoTo) and the form's visible appearances stay. Page count capped.
- Images (JPEG, PNG) are verified, refused above the pixel limit before any decoding, fully
  decoded (a truncated file fails) and re-encoded without metadata, EXIF orientation applied.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import warnings

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"

DANGEROUS_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/GoToE",
        "/GoToR",
        "/Rendition",
        "/RichMediaExecute",
        "/Sound",
        "/Movie",
        "/Hide",
    }
)
DANGEROUS_ANNOTATIONS = frozenset({"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"})
# Keys whose value is an action (or a list of actions for /Next).
ACTION_KEYS = ("/A", "/OpenAction", "/Next", "/PA")
# Keys removed wherever they appear: additional actions, JavaScript, embedded files.
FORBIDDEN_KEYS = (
    "/AA",
    "/JS",
    "/JavaScript",
    "/EmbeddedFiles",
    "/EmbeddedFile",
    "/EF",
    "/XFA",
    "/RichMediaContent",
)


class Refusal(Exception):
    def __init__(self, code: str, **detail):
        super().__init__(code)
        self.code = code
        self.detail = detail


def sniff(head: bytes) -> str | None:
    """The type of a file from its first bytes (magic numbers), never from its name."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


# --- PDF ----------------------------------------------------------------------------------------


def _is_dangerous_action(value) -> bool:
    import pikepdf

    if isinstance(value, pikepdf.Array):
        return any(_is_dangerous_action(item) for item in value)
    if isinstance(value, pikepdf.Dictionary):
        return str(value.get("/S", "")) in DANGEROUS_ACTIONS
    return False


def _strip(obj) -> int:
    """Remove active content from one dictionary (or stream dictionary); the count of removals."""
    import pikepdf

    removed = 0
    for key in FORBIDDEN_KEYS:
        if key in obj:
            del obj[key]
            removed += 1
    for key in ACTION_KEYS:
        if key in obj and _is_dangerous_action(obj[key]):
            del obj[key]
            removed += 1
    annots = obj.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        kept = [a for a in annots if str(a.get("/Subtype", "")) not in DANGEROUS_ANNOTATIONS]
        if len(kept) != len(annots):
            removed += len(annots) - len(kept)
            obj["/Annots"] = pikepdf.Array(kept)
    return removed


def _clean_tree(obj, depth: int = 0) -> int:
    """Strip one indirect object and the direct objects nested in it (an annotation may be
    written inline in a page's /Annots, its action inline in the annotation); the indirect ones
    are reached by the caller's walk over every object of the document."""
    import pikepdf

    if depth > 64:  # a crafted nesting; the object walk still visits every indirect object
        return 0
    removed = 0
    if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
        removed += _strip(obj)
        children = [obj[key] for key in list(obj.keys())]
    elif isinstance(obj, pikepdf.Array):
        children = list(obj)
    else:
        return 0
    for child in children:
        if isinstance(child, pikepdf.Dictionary | pikepdf.Array) and not child.is_indirect:
            removed += _clean_tree(child, depth + 1)
    return removed


def _check_end_of_file(path: str) -> None:
    # A file cut short in transfer has lost its end-of-file marker; qpdf would "repair" it.
    with open(path, "rb") as fh:
        fh.seek(max(0, os.fstat(fh.fileno()).st_size - 2048))
        if b"%%EOF" not in fh.read():
            raise Refusal("broken_pdf")


def disarm_pdf(source: str, dest: str, *, max_pages: int, rebuild: bool = True) -> dict:
    import pikepdf

    _check_end_of_file(source)
    try:
        src = pikepdf.open(source)
    except pikepdf.PasswordError as exc:
        raise Refusal("encrypted_pdf") from exc
    except Exception as exc:
        raise Refusal("broken_pdf") from exc
    with src:
        try:
            declared = int(src.Root.Pages.get("/Count", 0))
        except Exception as exc:
            raise Refusal("broken_pdf") from exc
        # The declared count first: an honest 20,000-page file is refused before the page tree
        # is flattened; a lying one is caught just below, under the child's CPU limit.
        if declared > max_pages:
            raise Refusal("too_many_pages", pages=declared)
        try:
            pages = len(src.pages)
            for page in src.pages:
                page.mediabox  # noqa: B018 (parses each page object)
        except Exception as exc:
            raise Refusal("broken_pdf") from exc
        if pages == 0:
            raise Refusal("broken_pdf")
        if pages > max_pages:
            raise Refusal("too_many_pages", pages=pages)
        if not rebuild:
            # A PDF the portal produced and sealed (the signed recap): rebuilding would break
            # its signature, so it is only checked.
            with open(source, "rb") as fh, open(dest, "wb") as out:
                while chunk := fh.read(64 * 1024):
                    out.write(chunk)
            return {"pages": pages, "removed": 0}
        out = pikepdf.new()
        out.pages.extend(src.pages)
        if "/AcroForm" in src.Root:
            # The filled-in fields of a CERFA stay visible (their appearances); XFA and scripts go.
            acroform = src.Root.AcroForm
            if not acroform.is_indirect:  # copy_foreign takes indirect objects only
                acroform = src.make_indirect(acroform)
            out.Root.AcroForm = out.copy_foreign(acroform)
        removed = sum(_clean_tree(obj) for obj in out.objects) + _clean_tree(out.Root)
        # Streams are copied as they are (never decompressed): a flate bomb costs nothing here.
        out.save(dest, stream_decode_level=pikepdf.StreamDecodeLevel.none, linearize=False)
    return {"pages": pages, "removed": removed}


# --- Images -------------------------------------------------------------------------------------

# A JPEG larger than this on its long side is decoded at a reduced scale (issue 15): 2000 px is an A4
# page at 170 dpi, legible for an identity card or a certificate photographed by a phone.
DECODED_LONG_SIDE = 2000


def reencode_image(source: str, dest: str, *, content_type: str, max_pixels: int) -> dict:
    from PIL import Image, ImageFile, ImageOps

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    Image.MAX_IMAGE_PIXELS = max_pixels
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(source) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise Refusal("image_too_large", pixels=width * height)
                probe.verify()
            with Image.open(source) as image:
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
                ImageOps.exif_transpose(image, in_place=True)  # no copy of a 100 MB bitmap
                if content_type == JPEG:
                    if image.mode not in ("RGB", "L"):
                        image = image.convert("RGB")
                    # No ``optimize``: it doubled the encoding time for a few per cent of size.
                    image.save(dest, format="JPEG", quality=85)
                else:
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P", "1"):
                        image = image.convert("RGBA")
                    image.save(dest, format="PNG", compress_level=6)
        except Refusal:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise Refusal("image_too_large") from exc
        except MemoryError:
            raise
        except Exception as exc:
            raise Refusal("broken_image") from exc
    return {"pixels": width * height}


def run(source: str, dest: str, *, content_type: str, max_pixels: int, max_pages: int, rebuild: bool) -> dict:
    if content_type == PDF:
        return disarm_pdf(source, dest, max_pages=max_pages, rebuild=rebuild)
    return reencode_image(source, dest, content_type=content_type, max_pixels=max_pixels)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("dest")
    parser.add_argument("--type", required=True, choices=[PDF, JPEG, PNG])
    parser.add_argument("--max-pixels", type=int, required=True)
    parser.add_argument("--max-pages", type=int, required=True)
    parser.add_argument("--keep-pdf", action="store_true", help="check a PDF without rebuilding it")
    args = parser.parse_args(argv)
    try:
        result = run(
            args.source,
            args.dest,
            content_type=args.type,
            max_pixels=args.max_pixels,
            max_pages=args.max_pages,
            rebuild=not args.keep_pdf,
        )
    except Refusal as refusal:
        print(json.dumps({"ok": False, "code": refusal.code, **refusal.detail}))
        return 0
    print(json.dumps({"ok": True, **result}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
