"""Small real files for the upload tests (built in memory, a few kilobytes each)."""

from __future__ import annotations

import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter


def pdf_bytes(pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes(size=(40, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format="PNG", **save)
    return out.getvalue()


def jpeg_bytes(size=(120, 80), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    image = Image.effect_noise(size, 60).convert("RGB")
    kwargs = {"exif": exif} if exif else {}
    image.save(out, format="JPEG", quality=85, **kwargs)
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb_bytes(width: int = 30000, height: int = 30000) -> bytes:
    """A valid PNG header announcing 900 million pixels of a few bytes: a decompression bomb."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def exe_bytes() -> bytes:
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 2000
        + b"This program cannot be run in DOS mode"
    )


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def active_pdf_bytes() -> bytes:
    """A 2-page PDF carrying every kind of active content the disarm removes: OpenAction and
    document-level JavaScript, catalogue and page additional actions, a Launch link, an embedded
    .exe (name tree and attachment annotation), an XFA form; and a plain web link that stays."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    pdf = pikepdf.new()
    for _ in range(2):
        pdf.add_blank_page(page_size=(595, 842))
    script = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert('pwned')")))
    pdf.Root.OpenAction = script
    pdf.Root.AA = Dictionary(WC=Dictionary(S=Name.JavaScript, JS=String("app.alert('close')")))
    exe = pdf.make_stream(exe_bytes())
    exe.Type = Name.EmbeddedFile
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("carte.exe"), EF=Dictionary(F=exe)))
    pdf.Root.Names = Dictionary(
        JavaScript=Dictionary(Names=Array([String("x"), script])),
        EmbeddedFiles=Dictionary(Names=Array([String("carte.exe"), spec])),
    )
    page = pdf.pages[0].obj
    page.AA = Dictionary(O=Dictionary(S=Name.JavaScript, JS=String("app.alert('open')")))
    launch = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=[0, 0, 100, 100],
        A=Dictionary(S=Name.Launch, F=String("cmd.exe")),
    )
    web = Dictionary(
        Type=Name.Annot,
        Subtype=Name.Link,
        Rect=[0, 100, 100, 200],
        A=Dictionary(S=Name.URI, URI=String("https://www.education.gouv.fr/")),
    )
    attachment = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[0, 200, 10, 210], FS=spec)
    page.Annots = Array([launch, pdf.make_indirect(web), pdf.make_indirect(attachment)])
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=pdf.make_stream(b"<xdp:xdp>script</xdp:xdp>"))
    out = io.BytesIO()
    pdf.save(out, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return out.getvalue()
