"""portal.files: every private file leaves with the same headers and a safe download name."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from portal.files import private_file_response, safe_download_name


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("bulletin.pdf", "application/pdf", "bulletin.pdf"),
        ("scan", "application/pdf", "scan.pdf"),
        ("photo.jpg", "application/pdf", "photo.jpg.pdf"),  # the content decides the extension
        ("photo.JPEG", "image/jpeg", "photo.JPEG"),
        ('../../etc/"passwd"', "text/csv; charset=utf-8", "passwd.csv"),
        ("C:\\Users\\moi\\relevé.png", "image/png", "relevé.png"),
        ("a\r\nSet-Cookie: x.pdf", "application/pdf", "a_Set-Cookie_ x.pdf"),
        ("", "application/pdf", "fichier.pdf"),
        ("notes.bin", "application/octet-stream", "notes.bin"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 146 + ".pdf"),
    ],
)
def test_it_makes_a_download_name_safe_with_the_right_extension(name, content_type, expected):
    assert safe_download_name(name, content_type) == expected


@pytest.mark.parametrize(
    ("content", "content_type", "inline", "disposition"),
    [
        (ContentFile(b"%PDF-1.7", name="x.pdf"), "application/pdf", None, "inline"),
        (ContentFile(b"<svg/>", name="x.svg"), "image/svg+xml", None, "attachment"),
        (ContentFile(b"%PDF-1.7", name="x.pdf"), "application/pdf", False, "attachment"),
        (b"a;b\n", "text/csv; charset=utf-8", False, "attachment"),
    ],
)
def test_every_response_is_private_and_not_sniffed(content, content_type, inline, disposition):
    response = private_file_response(content, content_type=content_type, filename="export", inline=inline)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(disposition)
    body = response.content if isinstance(content, bytes) else b"".join(response.streaming_content)
    assert body
