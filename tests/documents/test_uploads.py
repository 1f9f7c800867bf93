"""Upload safety (domain.md §6): types by content, size limit, images verified and re-encoded,
PDFs parsed. Each refusal is a clear French message."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from documents.pieces.uploads import check_upload
from portal.exceptions import DomainError

from .files import encrypted_pdf_bytes, exe_bytes, jpeg_bytes, pdf_bytes, png_bomb_bytes, png_bytes, upload


def refusal(name: str, content: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        check_upload(upload(name, content))
    return caught.value


def test_it_accepts_a_pdf_as_is():
    content = pdf_bytes(2)
    clean = check_upload(upload("diplome.pdf", content))
    assert clean.content_type == "application/pdf"
    assert clean.file.read() == content
    assert clean.original_name == "diplome.pdf"
    assert len(clean.sha256) == 64


def test_it_accepts_a_jpeg_and_strips_its_metadata():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "Camille Dupont"  # Artist
    clean = check_upload(upload("carte.jpg", jpeg_bytes(exif=exif.tobytes())))
    assert clean.content_type == "image/jpeg"
    data = clean.file.read()
    assert b"Camille Dupont" not in data and b"PhoneMaker" not in data
    assert Image.open(io.BytesIO(data)).size == (120, 80)


def test_it_recognises_a_file_without_extension_by_its_content():
    assert check_upload(upload("scan", png_bytes())).content_type == "image/png"


def test_it_refuses_a_png_renamed_pdf_and_says_what_it_really_is():
    error = refusal("releve.pdf", png_bytes())
    assert error.code == "type_mismatch"
    assert (
        "« releve.pdf » porte l'extension .pdf mais contient en réalité une image ou un document PNG"
        in error.message
    )
    assert ".png" in error.message


def test_it_refuses_an_exe_renamed_pdf():
    error = refusal("diplome.pdf", exe_bytes())
    assert error.code == "bad_type"
    assert error.message.startswith("« diplome.pdf » n'est ni un PDF, ni une image JPEG ou PNG")


def test_it_refuses_a_12_mb_file(settings):
    settings.UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    error = refusal("gros.pdf", b"%PDF-1.4\n" + b"0" * (12 * 1024 * 1024))
    assert error.code == "too_large"
    assert "dépasse la taille maximale de 10\xa0Mo par fichier" in error.message


def test_the_size_limit_is_configurable(settings):
    settings.UPLOAD_MAX_BYTES = 300
    assert refusal("a.pdf", pdf_bytes()).code == "too_large"


def test_it_refuses_a_decompression_bomb():
    error = refusal("photo.png", png_bomb_bytes())
    assert error.code == "image_too_large"
    assert "image trop grande" in error.message


def test_it_refuses_an_image_over_the_configured_pixel_limit(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 1000
    assert refusal("photo.png", png_bytes(size=(100, 100))).code == "image_too_large"


def test_it_refuses_an_encrypted_pdf():
    error = refusal("protege.pdf", encrypted_pdf_bytes())
    assert error.code == "encrypted_pdf"
    assert "protégé par un mot de passe" in error.message


def test_it_refuses_a_truncated_jpeg():
    content = jpeg_bytes(size=(400, 300))
    error = refusal("coupe.jpg", content[: len(content) // 2])
    assert error.code == "broken_image"
    assert "illisible ou incomplète" in error.message


def test_it_refuses_a_truncated_jpeg_even_after_weasyprint_relaxed_pillow():
    import weasyprint  # noqa: F401  (its import sets ImageFile.LOAD_TRUNCATED_IMAGES = True)
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True
    content = jpeg_bytes(size=(400, 300))
    assert refusal("coupe.jpg", content[: len(content) // 2]).code == "broken_image"


def test_it_refuses_a_truncated_pdf():
    content = pdf_bytes(3)
    assert refusal("coupe.pdf", content[: len(content) // 2]).code == "broken_pdf"


def test_it_refuses_an_empty_file():
    assert refusal("vide.pdf", b"").code == "empty"


def test_it_keeps_only_the_base_name_of_the_original_name():
    clean = check_upload(upload("C:\\Users\\camille\\Documents\\carte.png", png_bytes()))
    assert clean.original_name == "carte.png"
