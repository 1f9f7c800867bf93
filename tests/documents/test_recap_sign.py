import hashlib
import io

import pytest
from django.core import mail
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from candidates.models import Dossier
from documents.models import DocumentKind, DocumentStatus, GeneratedDocument, Piece, PieceCode
from documents.recap import services as recap
from documents.recap.signing import platform_certificate
from documents.recap.verification import Verdict, verify_pdf
from notifications.models import Message
from portal.exceptions import DomainError

PASSWORD = "Un-mot-de-passe-solide-1"  # tests/factories.UserFactory's


@pytest.fixture
def ready_recap(dossier, django_capture_on_commit_callbacks) -> GeneratedDocument:
    with django_capture_on_commit_callbacks(execute=True):
        document = recap.document_request_render(dossier=dossier, kind=DocumentKind.RECAP)
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY
    return document


def _sign(dossier, document, *, password=PASSWORD, certify=True, user=None, capture=None):
    kwargs = dict(
        dossier=dossier,
        document=document,
        user=user or dossier.candidate,
        password=password,
        certify=certify,
        ip="203.0.113.7",
    )
    if capture is None:
        return recap.recap_sign(**kwargs)
    with capture(execute=True):
        return recap.recap_sign(**kwargs)


def _flip_one_byte_in_the_content(data: bytes) -> bytes:
    # A byte inside the first content stream: the file still parses, its digest no longer matches.
    at = data.index(b"stream\n") + 40
    tampered = bytearray(data)
    tampered[at] ^= 0x01
    return bytes(tampered)


def _pyhanko_status(data: bytes):
    sig = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[0]
    return validate_pdf_signature(sig, ValidationContext(trust_roots=[platform_certificate()]))


@pytest.mark.django_db
def test_signing_seals_the_pdf_records_who_when_where_and_makes_the_choices_final(
    dossier, ready_recap, django_capture_on_commit_callbacks
):
    document = _sign(dossier, ready_recap, capture=django_capture_on_commit_callbacks)
    document.refresh_from_db()
    dossier.refresh_from_db()
    signed = document.signed_file.read()
    assert document.signed_sha256 == hashlib.sha256(signed).hexdigest()
    assert document.signed_by == dossier.candidate
    assert document.signed_ip == "203.0.113.7"
    assert document.signed_at is not None and dossier.signed_at == document.signed_at
    # The original is kept untouched beside the sealed copy (an incremental update of it).
    assert signed.startswith(document.file.read())
    status = _pyhanko_status(signed)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    # It counts as the recap_signed piece, deposited automatically, and the candidate is told.
    piece = Piece.objects.get(dossier=dossier, code=PieceCode.RECAP_SIGNED)
    piece_file = piece.files.get()
    assert piece_file.sha256 == document.signed_sha256 and piece_file.file.read() == signed
    assert piece_file.content_type == "application/pdf" and piece.deposited_at
    message = Message.objects.get(recipient=dossier.candidate, kind="recap_signed")
    assert "NM25-BTS-000042" in message.subject and "définitifs" in message.body
    assert mail.outbox and mail.outbox[-1].to == [dossier.candidate.email]


@pytest.mark.django_db
def test_the_seal_fails_after_one_byte_is_changed(dossier, ready_recap):
    document = _sign(dossier, ready_recap)
    tampered = _flip_one_byte_in_the_content(document.signed_file.read())
    status = _pyhanko_status(tampered)
    assert not status.intact and not status.bottom_line


@pytest.mark.django_db
def test_a_wrong_password_is_refused_and_nothing_changes(dossier, ready_recap):
    with pytest.raises(DomainError) as exc:
        _sign(dossier, ready_recap, password="pas-le-bon-mot-de-passe")
    assert exc.value.field == "password"
    ready_recap.refresh_from_db()
    dossier.refresh_from_db()
    assert dossier.signed_at is None
    assert not ready_recap.signed_file and not ready_recap.signed_sha256 and ready_recap.signed_at is None
    assert not Piece.objects.filter(dossier=dossier).exists()
    assert not Message.objects.filter(kind="recap_signed").exists()


@pytest.mark.django_db
def test_signing_requires_the_certification(dossier, ready_recap):
    with pytest.raises(DomainError) as exc:
        _sign(dossier, ready_recap, certify=False)
    assert exc.value.field == "certify"
    dossier.refresh_from_db()
    assert dossier.signed_at is None


@pytest.mark.django_db
def test_a_stale_version_cannot_be_signed(dossier, ready_recap, django_capture_on_commit_callbacks):
    # The choices changed after this version was rendered.
    Dossier.objects.filter(pk=dossier.pk).update(choices_version=dossier.choices_version + 1)
    dossier.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        _sign(dossier, ready_recap)
    assert exc.value.code == "stale"
    # Once the new version is ready, the old one still cannot be signed; the new one can.
    with django_capture_on_commit_callbacks(execute=True):
        newer = recap.document_request_render(dossier=dossier, kind=DocumentKind.RECAP)
    with pytest.raises(DomainError):
        _sign(dossier, ready_recap)
    newer.refresh_from_db()
    assert _sign(dossier, newer).version == 2


@pytest.mark.django_db
def test_a_dossier_is_signed_once(dossier, ready_recap):
    _sign(dossier, ready_recap)
    with pytest.raises(DomainError) as exc:
        _sign(dossier, ready_recap)
    assert exc.value.code == "signed"
    assert Piece.objects.get(dossier=dossier).files.count() == 1


@pytest.mark.django_db
def test_someone_else_cannot_sign_my_recap(dossier, ready_recap):
    from tests.factories import UserFactory

    other = UserFactory()
    with pytest.raises(DomainError):
        _sign(dossier, ready_recap, user=other)


@pytest.mark.django_db
def test_signing_is_refused_after_the_pieces_deadline(ready_recap, dossier):
    import datetime as dt

    from django.utils import timezone

    session = dossier.session
    session.registration_closes_at = timezone.now() - dt.timedelta(days=2)
    session.pieces_deadline = timezone.now() - dt.timedelta(minutes=1)
    session.save()
    with pytest.raises(DomainError) as exc:
        _sign(dossier, ready_recap)
    assert exc.value.code == "deadline"


# --- verification -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_verification_recognises_an_authentic_signed_recap(dossier, ready_recap):
    document = _sign(dossier, ready_recap)
    result = verify_pdf(document.signed_file.read())
    assert result.verdict == Verdict.AUTHENTIC_SIGNED
    assert result.document.pk == document.pk and result.document.version == 1
    assert result.is_latest and result.seal.valid


@pytest.mark.django_db
def test_verification_recognises_the_unsigned_original(ready_recap):
    result = verify_pdf(ready_recap.file.read())
    assert result.verdict == Verdict.AUTHENTIC_UNSIGNED and result.document.pk == ready_recap.pk


@pytest.mark.django_db
def test_verification_rejects_a_tampered_recap(dossier, ready_recap):
    document = _sign(dossier, ready_recap)
    result = verify_pdf(_flip_one_byte_in_the_content(document.signed_file.read()))
    assert result.verdict == Verdict.TAMPERED and result.document is None and not result.is_authentic


@pytest.mark.django_db
def test_verification_rejects_a_recap_with_an_appended_revision(dossier, ready_recap):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    document = _sign(dossier, ready_recap)
    writer = IncrementalPdfFileWriter(io.BytesIO(document.signed_file.read()))
    writer.root["/Lang"] = generic.TextStringObject("en")  # any change after signing
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    assert verify_pdf(out.getvalue()).verdict == Verdict.TAMPERED


@pytest.mark.django_db
def test_verification_says_unknown_for_a_foreign_pdf(dossier, ready_recap):
    from weasyprint import HTML

    foreign = HTML(string="<p>Récapitulatif d'inscription n° NM25-BTS-000042</p>").write_pdf()
    result = verify_pdf(foreign)
    assert result.verdict == Verdict.UNKNOWN and result.document is None
    assert verify_pdf(b"not even a pdf").verdict == Verdict.UNKNOWN


@pytest.mark.django_db
def test_a_pdf_sealed_by_another_certificate_is_not_valid(tmp_path, settings, dossier, ready_recap):
    from documents.recap.signing import create_self_signed_certificate, seal_pdf

    original = ready_recap.file.read()
    ours = settings.SIGNING_CERT_PATH
    settings.SIGNING_CERT_PATH = str(
        create_self_signed_certificate(tmp_path / "forger.p12", common_name="Portail")
    )
    settings.SIGNING_CERT_PASSWORD = ""
    forged = seal_pdf(original, reason="forged")
    settings.SIGNING_CERT_PATH = ours
    settings.SIGNING_CERT_PASSWORD = "test-pass"
    assert verify_pdf(forged).verdict == Verdict.TAMPERED


@pytest.mark.django_db
def test_a_failure_after_sealing_leaves_no_file_behind(dossier, ready_recap, monkeypatch, settings):
    from pathlib import Path

    def broken_notify(*args, **kwargs):
        raise RuntimeError("inbox down")

    monkeypatch.setattr(recap, "notify", broken_notify)
    before = {p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError):
        _sign(dossier, ready_recap)
    after = {p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file()}
    assert after == before
    dossier.refresh_from_db()
    assert dossier.signed_at is None and not Piece.objects.filter(dossier=dossier).exists()


@pytest.mark.django_db
def test_repeated_wrong_passwords_block_signing_for_a_while(dossier, ready_recap, settings):
    from django.core.cache import cache

    cache.clear()
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        with pytest.raises(DomainError) as exc:
            _sign(dossier, ready_recap, password="pas-le-bon-mot-de-passe")
        assert exc.value.code == "wrong_password"
    with pytest.raises(DomainError) as exc:
        _sign(dossier, ready_recap)  # even the right password, until the cool-off ends
    assert exc.value.code == "too_many_failures"
    assert "bloquée pendant 30 minutes" in exc.value.message
    dossier.refresh_from_db()
    assert dossier.signed_at is None
    cache.clear()
