"""Upload safety (domain.md §6): types by content, size limit, images verified and re-encoded,
PDFs parsed. Each refusal is a clear French message."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from documents.pieces.uploads import check_upload
from portal.exceptions import DomainError

from .files import (
    active_pdf_bytes,
    encrypted_pdf_bytes,
    exe_bytes,
    jpeg_bytes,
    pdf_bytes,
    png_bomb_bytes,
    png_bytes,
    upload,
)


def refusal(name: str, content: bytes) -> DomainError:
    with pytest.raises(DomainError) as caught:
        check_upload(upload(name, content))
    return caught.value


def test_it_accepts_a_pdf_rebuilt_with_its_pages():
    clean = check_upload(upload("diplome.pdf", pdf_bytes(2)))
    assert clean.content_type == "application/pdf"
    assert len(PdfReader(clean.file).pages) == 2
    assert clean.original_name == "diplome.pdf"
    assert len(clean.sha256) == 64


FORBIDDEN = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/EmbeddedFiles", "/EmbeddedFile", "/EF", "/XFA"}


def test_it_removes_every_active_content_from_a_pdf():
    content = active_pdf_bytes()
    assert b"app.alert" in content and b"This program cannot be run" in content
    clean = check_upload(upload("carte.pdf", content))
    data = clean.file.read()
    assert b"app.alert" not in data and b"This program cannot be run" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 2
        for obj in [*pdf.objects, pdf.Root]:
            if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
                assert not FORBIDDEN & set(obj.keys())
                action = obj.get("/A")
                if action is not None:
                    assert str(action.S) == "/URI"  # the Launch action is gone, the web link stays
                assert str(obj.get("/Subtype", "")) != "/FileAttachment"
        links = [a for a in pdf.pages[0].Annots if "/A" in a]
        assert [str(a.A.URI) for a in links] == ["https://www.education.gouv.fr/"]


def test_it_refuses_a_pdf_of_more_pages_than_the_cap(settings):
    settings.UPLOAD_MAX_PDF_PAGES = 3
    assert check_upload(upload("trois.pdf", pdf_bytes(3))).content_type == "application/pdf"
    error = refusal("quatre.pdf", pdf_bytes(4))
    assert error.code == "too_many_pages"
    assert error.message == (
        "« quatre.pdf » compte trop de pages (4) : 3 pages au plus par fichier. "
        "Déposez seulement les pages demandées."
    )


def test_the_default_pixel_limit_refuses_the_49_mpx_png_of_the_report_before_decoding():
    # issue 12: a 143 kB PNG of 49 Mpx cost +370 MB in the web worker; now 25 Mpx at most.
    out = io.BytesIO()
    Image.new("1", (7000, 7000)).save(out, format="PNG")
    error = refusal("photo.png", out.getvalue())
    assert error.code == "image_too_large"
    assert "plus de 25 millions de pixels" in error.message


def test_the_check_runs_in_a_child_capped_in_memory(settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 100_000_000
    out = io.BytesIO()
    Image.new("L", (6000, 6000), 128).save(out, format="PNG")  # 36 MB once decoded
    settings.UPLOAD_SANDBOX_MEMORY_MB = 60  # the child starts, the bitmap does not fit
    error = refusal("photo.png", out.getvalue())
    assert error.code == "too_complex"
    assert "demande trop de ressources" in error.message
    settings.UPLOAD_SANDBOX_MEMORY_MB = 100
    assert check_upload(upload("photo.png", out.getvalue())).content_type == "image/png"


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
