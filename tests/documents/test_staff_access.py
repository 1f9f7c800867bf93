"""Staff copies of pieces (issue 12, RGPD): every staff view or download writes an access row
shown in the dossier's history; identity documents carry a visible watermark; downloads keep the
extension of the type found by content everywhere."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from documents.models import PieceAccess, PieceAccessAction
from documents.pieces.watermark import watermark_text
from tests.candidates.review_fixtures import dossier, world
from tests.factories import PieceFileFactory

from .files import pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w():
    w = world()
    w["dossier"] = dossier(w["s_nantes"], w["bat"], pieces=("deposited", "deposited"))
    return w


def _file(w, code, content, content_type, name):
    piece = w["dossier"].pieces.get(code=code)
    return PieceFileFactory(
        piece=piece, file=ContentFile(content, name="x"), content_type=content_type, original_name=name
    )


def admin_url(piece_file, download=False):
    url = reverse("admin:candidates_dossier_piece_file", args=[piece_file.uuid])
    return f"{url}?telecharger=1" if download else url


def test_the_admin_download_never_keeps_the_candidates_exe_extension(client, w):
    piece_file = _file(w, "jdc", pdf_bytes(), "application/pdf", "carte.exe")
    client.force_login(w["gest_bat"])
    response = client.get(admin_url(piece_file, download=True))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="carte.exe.pdf"'
    response = client.get(reverse("documents:piece_file", args=[piece_file.uuid]) + "?telecharger=1")
    assert response["Content-Disposition"] == 'attachment; filename="carte.exe.pdf"'


def test_each_staff_view_and_download_is_logged_and_shown_in_the_history(client, w):
    piece_file = _file(w, "jdc", pdf_bytes(), "application/pdf", "jdc.pdf")
    client.force_login(w["gest_bat"])
    assert client.get(admin_url(piece_file)).status_code == 200
    assert client.get(admin_url(piece_file, download=True)).status_code == 200
    rows = list(PieceAccess.objects.order_by("at").values_list("user_label", "action", "file_name"))
    assert rows == [
        ("gest.bat@ac-nantes.fr", PieceAccessAction.VIEW, "jdc.pdf"),
        ("gest.bat@ac-nantes.fr", PieceAccessAction.DOWNLOAD, "jdc.pdf"),
    ]
    page = client.get(reverse("admin:candidates_dossier_change", args=[w["dossier"].pk])).content.decode()
    assert "Téléchargement de « jdc.pdf »" in page
    assert "Consultation de « jdc.pdf »" in page


def test_the_candidates_own_access_is_not_logged(client, w):
    piece_file = _file(w, "jdc", pdf_bytes(), "application/pdf", "jdc.pdf")
    client.force_login(w["dossier"].candidate)
    assert client.get(reverse("documents:piece_file", args=[piece_file.uuid])).status_code == 200
    assert not PieceAccess.objects.exists()


def test_a_staff_copy_of_an_identity_pdf_is_watermarked_on_every_page(client, w):
    piece_file = _file(w, "identity", pdf_bytes(3), "application/pdf", "carte.pdf")
    client.force_login(w["gest_bat"])
    response = client.get(admin_url(piece_file))
    data = b"".join(response.streaming_content)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 3
    year = w["dossier"].session.year
    for page in reader.pages:
        text = page.extract_text()
        assert f"Transmis au rectorat de Nantes pour l'inscription au BTS {year}" in text
    assert PieceAccess.objects.get().watermarked
    # The stored file is unchanged: the candidate gets their own copy.
    with piece_file.file.open("rb") as fh:
        assert b"Transmis" not in fh.read()
    with pikepdf.open(io.BytesIO(data)):
        pass  # a well-formed PDF


def test_a_staff_copy_of_an_identity_image_is_watermarked(client, w):
    original = png_bytes(size=(600, 400))
    piece_file = _file(w, "identity", original, "image/png", "carte.png")
    client.force_login(w["gest_bat"])
    data = b"".join(client.get(admin_url(piece_file)).streaming_content)
    marked = Image.open(io.BytesIO(data)).convert("RGB")
    plain = Image.open(io.BytesIO(original)).convert("RGB")
    assert marked.size == plain.size
    # The band at the bottom is drawn (light background, dark red text), the image is changed.
    assert marked.getpixel((5, 395)) != plain.getpixel((5, 395))
    assert marked.tobytes() != plain.tobytes()


def test_the_dossier_pages_preview_of_an_image_is_a_small_jpeg_logged_and_watermarked(client, w):
    """issue 18: the page showed the full photos (1.2 MB each in the browser test); its preview is a
    JPEG within PREVIEW_BOX, a view in the access log like the file, watermarked like it."""
    from documents.pieces.previews import PREVIEW_BOX

    original = png_bytes(size=(1600, 1200))
    identity = _file(w, "identity", original, "image/png", "carte.png")
    client.force_login(w["gest_bat"])
    response = client.get(admin_url(identity) + "?apercu=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert {"private", "no-store"} <= {p.strip() for p in response["Cache-Control"].split(",")}
    preview = Image.open(io.BytesIO(response.content))
    assert preview.format == "JPEG"
    assert preview.size[0] <= PREVIEW_BOX[0] and preview.size[1] <= PREVIEW_BOX[1]
    assert preview.size == (PREVIEW_BOX[0], PREVIEW_BOX[0] * 1200 // 1600)  # the aspect ratio kept
    access = PieceAccess.objects.get()
    assert (access.action, access.watermarked, access.file_name) == (
        PieceAccessAction.VIEW,
        True,
        "carte.png",
    )
    # The band at the bottom is there at the preview's size (the plain scaled image has none).
    plain = Image.open(io.BytesIO(original)).convert("RGB").resize(preview.size)
    bottom = (5, preview.size[1] - 3)
    assert preview.convert("RGB").getpixel(bottom) != plain.getpixel(bottom)
    # A PDF has no image preview: the file itself (the page opens it on demand).
    pdf = _file(w, "jdc", pdf_bytes(), "application/pdf", "jdc.pdf")
    assert client.get(admin_url(pdf) + "?apercu=1")["Content-Type"] == "application/pdf"


def test_the_watermark_text_names_the_academie_session_and_date():
    assert watermark_text(academie_name="Nantes", session_year=2027, on="01/12/2026") == (
        "Transmis au rectorat de Nantes pour l'inscription au BTS 2027 — 01/12/2026"
    )


def test_a_purged_file_is_not_served(client, w):
    piece_file = _file(w, "jdc", pdf_bytes(), "application/pdf", "jdc.pdf")
    piece_file.file.delete(save=False)
    piece_file.save()
    client.force_login(w["gest_bat"])
    assert client.get(admin_url(piece_file)).status_code == 404
