"""Small previews of image pieces for the gestionnaire's dossier page (issue 18: six full-size
photos made the page take seconds in the browser). Stored images were re-encoded by the uploads
worker (documents.pieces.disarm), so they decode; a preview never replaces the file, which the
page links to."""

from __future__ import annotations

import io

from PIL import Image

# One and a half times the page's preview box (320 × 420 CSS pixels, static/css/admin-review.css):
# sharp enough on a dense screen to judge legibility (the full file is one click away), and a
# photo of 1200 × 1600 or more decodes at half its size or less (JPEG draft mode).
PREVIEW_BOX = (480, 630)


def thumbnail_jpeg(data: bytes, box: tuple[int, int] = PREVIEW_BOX, *, quality: int = 82) -> bytes:
    """``data`` (JPEG or PNG) scaled down to fit ``box``, as a JPEG on a white background."""
    with Image.open(io.BytesIO(data)) as image:
        # JPEG: decode directly at 1/2, 1/4 or 1/8 of the size when that still covers the box.
        image.draft("RGB", box)
        image.thumbnail(box)
        if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
            rgba = image.convert("RGBA")
            flat = Image.new("RGB", rgba.size, (255, 255, 255))
            flat.paste(rgba, mask=rgba.getchannel("A"))
        else:
            flat = image.convert("RGB")
    out = io.BytesIO()
    flat.save(out, format="JPEG", quality=quality)
    return out.getvalue()
