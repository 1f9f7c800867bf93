"""A visible watermark on the staff's copies of identity documents (issue 12, RGPD): a copy that
leaks says where it came from. Images get it with Pillow (diagonal, translucent, plus a band at
the bottom), PDFs get it stamped on each page with pikepdf (a base-14 Helvetica in WinAnsi, so
nothing has to be embedded). The stored file is never changed."""

from __future__ import annotations

import io
import math
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw, ImageFont

from documents.pieces.disarm import JPEG, PDF, PNG


def watermark_text(*, academie_name: str, session_year: int, on: str) -> str:
    return f"Transmis au rectorat de {academie_name} pour l'inscription au BTS {session_year} — {on}"


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = Path(settings.PDF_FONT_DIR) / "DejaVuSans-Bold.ttf"
    try:
        return ImageFont.truetype(str(path), size)
    except OSError:  # fonts missing: Pillow's own scalable default
        return ImageFont.load_default(size)


def watermark_image(data: bytes, content_type: str, text: str) -> bytes:
    with Image.open(io.BytesIO(data)) as source:
        image = source.convert("RGBA")
    width, height = image.size
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    # The diagonal: the text stretched over about 90 % of the diagonal's length.
    diagonal = math.hypot(width, height)
    size = max(8, int(diagonal * 0.9 / max(len(text), 1) * 1.7))
    font = _font(size)
    layer = Image.new("RGBA", (int(diagonal), size * 2), (0, 0, 0, 0))
    ImageDraw.Draw(layer).text(
        (layer.width / 2, layer.height / 2), text, font=font, fill=(200, 0, 0, 90), anchor="mm"
    )
    layer = layer.rotate(math.degrees(math.atan2(height, width)), expand=True)
    overlay.alpha_composite(layer, ((width - layer.width) // 2, (height - layer.height) // 2))
    # The band at the bottom, legible on any background.
    band = max(10, height // 30)
    small = _font(max(6, min(band - 4, int(width * 0.95 / max(len(text), 1) * 1.8))))
    draw.rectangle([0, height - band, width, height], fill=(255, 255, 255, 200))
    draw.text((width / 2, height - band / 2), text, font=small, fill=(160, 0, 0, 255), anchor="mm")
    marked = Image.alpha_composite(image, overlay)
    out = io.BytesIO()
    if content_type == JPEG:
        marked.convert("RGB").save(out, format="JPEG", quality=88)
    else:
        marked.save(out, format="PNG")
    return out.getvalue()


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def watermark_pdf(data: bytes, text: str) -> bytes:
    import pikepdf
    from pikepdf import Dictionary, Name

    with pikepdf.open(io.BytesIO(data)) as pdf:
        font = pdf.make_indirect(
            Dictionary(
                Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica, Encoding=Name.WinAnsiEncoding
            )
        )
        translucent = pdf.make_indirect(Dictionary(Type=Name.ExtGState, ca=0.35, CA=0.35))
        literal = _pdf_string(text)
        for page in pdf.pages:
            x0, y0, x1, y1 = (float(v) for v in page.mediabox)
            width, height = x1 - x0, y1 - y0
            font_name = page.add_resource(font, Name.Font, prefix="FWm")
            gs_name = page.add_resource(translucent, Name.ExtGState, prefix="GWm")
            # Helvetica's average advance is about half an em.
            band_size = max(5.0, min(10.0, (width - 20) / (len(text) * 0.5)))
            diagonal = math.hypot(width, height)
            big = max(8.0, diagonal * 0.85 / (len(text) * 0.5))
            angle = math.atan2(height, width)
            cos, sin = math.cos(angle), math.sin(angle)
            start = (diagonal - len(text) * 0.5 * big) / 2
            stamp = (
                (
                    f"q {gs_name} gs 0.8 0 0 rg BT {font_name} {big:.2f} Tf "
                    f"{cos:.4f} {sin:.4f} {-sin:.4f} {cos:.4f} {x0 + start * cos:.2f} {y0 + start * sin:.2f} Tm "
                ).encode()
                + literal
                + b" Tj ET Q "
            )
            stamp += (
                (
                    f"q 1 1 1 rg {x0:.2f} {y0:.2f} {width:.2f} {band_size * 2:.2f} re f "
                    f"0.6 0 0 rg BT {font_name} {band_size:.2f} Tf 1 0 0 1 {x0 + 10:.2f} {y0 + band_size * 0.6:.2f} Tm "
                ).encode()
                + literal
                + b" Tj ET Q"
            )
            # The page's own content is wrapped in q/Q so its graphics state cannot hide the stamp.
            page.contents_add(pdf.make_stream(b"q\n"), prepend=True)
            page.contents_add(pdf.make_stream(b"\nQ\n" + stamp))
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


def watermark(data: bytes, content_type: str, text: str) -> bytes:
    if content_type == PDF:
        return watermark_pdf(data, text)
    if content_type in (JPEG, PNG):
        return watermark_image(data, content_type, text)
    return data
