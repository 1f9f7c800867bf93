"""Every private file on a real S3 server (SeaweedFS): upload, render by a worker, sign, export,
download behind the permission check, delete (issue 16)."""

from __future__ import annotations

import time
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse

from candidates.review.exports import export_storage_path
from candidates.tasks import export_dossiers
from documents.models import DocumentKind, DocumentStatus, GeneratedDocument, PieceFile
from documents.pieces import services as pieces
from documents.recap import services as recap
from tests.candidates.review_fixtures import dossier as review_dossier
from tests.candidates.review_fixtures import world

from .conftest import make_dossier
from .files import pdf_bytes, upload
from .helpers import registered_dossier

pytestmark = pytest.mark.integration

PASSWORD = "Un-mot-de-passe-solide-1"  # tests/factories.UserFactory's


def _wait(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_the_storage_is_the_bucket_and_asks_for_encryption(s3_storage, transactional_db):
    from storages.backends.s3 import S3Storage

    assert isinstance(storages["default"], S3Storage)
    name = default_storage.save("essai/bonjour.txt", ContentFile(b"bonjour"))
    head = s3_storage.client().head_object(Bucket=s3_storage.bucket, Key=f"{s3_storage.prefix}/{name}")
    assert head["ServerSideEncryption"] == "AES256"
    assert default_storage.open(name).read() == b"bonjour"
    # Never a public address: any URL the storage gives is signed and expires within a minute.
    url = default_storage.url(name)
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url


def test_an_uploaded_piece_lands_in_the_bucket_and_is_streamed_to_its_owner_only(
    s3_storage, transactional_db, client
):
    dossier = registered_dossier()
    piece = pieces.piece_deposit(
        dossier=dossier,
        code="identity",
        files=[upload("carte.pdf", pdf_bytes(), "application/pdf")],
        by=dossier.candidate,
    )
    stored = PieceFile.objects.get(piece=piece)
    assert stored.file.name in s3_storage.keys(s3_storage.bucket, s3_storage.prefix)
    client.force_login(dossier.candidate)
    response = client.get(reverse("documents:piece_file", args=[stored.uuid]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    # Another candidate: the permission check answers before the bucket is asked.
    other = registered_dossier()
    client.force_login(other.candidate)
    assert client.get(reverse("documents:piece_file", args=[stored.uuid])).status_code == 404


def test_the_worker_renders_the_recap_into_the_bucket_and_the_candidate_signs_it(
    s3_storage, celery_worker_factory, signing_certificate
):
    worker = celery_worker_factory(
        SIGNING_CERT_PATH=str(signing_certificate), SIGNING_CERT_PASSWORD="test-pass"
    )
    assert worker.proc.poll() is None
    dossier = make_dossier()
    recap.dossier_request_documents(dossier=dossier)
    document = GeneratedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECAP)
    assert _wait(lambda: GeneratedDocument.objects.get(pk=document.pk).status != DocumentStatus.PENDING), (
        worker.log.read_text()[-3000:]
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.error
    assert document.file.name in s3_storage.keys(s3_storage.bucket, s3_storage.prefix)
    signed = recap.recap_sign(
        dossier=dossier,
        document=document,
        user=dossier.candidate,
        password=PASSWORD,
        certify=True,
        ip="203.0.113.7",
    )
    signed.refresh_from_db()
    assert signed.signed_file.name in s3_storage.keys(s3_storage.bucket, s3_storage.prefix)
    assert signed.signed_file.open("rb").read().startswith(b"%PDF")


def test_a_large_export_is_written_into_the_bucket_by_the_worker(s3_storage, celery_worker_factory):
    worker = celery_worker_factory()
    w = world()
    ids = [review_dossier(w["s_nantes"], w["bat"]).pk for _ in range(2)]
    token = uuid.uuid4().hex
    export_dossiers.delay(w["gest_bat"].pk, ids, "csv", token)
    assert _wait(lambda: w["gest_bat"].messages.filter(kind="export_ready").exists()), worker.log.read_text()[
        -3000:
    ]
    path = export_storage_path(w["gest_bat"].pk, f"{token}.csv")
    assert path in s3_storage.keys(s3_storage.bucket, s3_storage.prefix)
    assert default_storage.open(path).read().decode("utf-8-sig").count("\n") == 3


def test_deleting_a_stored_file_removes_the_object(s3_storage, transactional_db):
    dossier = registered_dossier()
    piece = pieces.piece_deposit(
        dossier=dossier,
        code="identity",
        files=[upload("carte.pdf", pdf_bytes(), "application/pdf")],
        by=dossier.candidate,
    )
    stored = PieceFile.objects.get(piece=piece)
    name = stored.file.name
    stored.file.delete(save=False)
    assert name not in s3_storage.keys(s3_storage.bucket, s3_storage.prefix)


def test_the_local_folder_is_copied_into_the_bucket_verified_and_a_second_run_copies_nothing(
    s3_storage, tmp_path, transactional_db
):
    from io import StringIO

    from django.core.management import call_command

    source = tmp_path / "ancien-dossier"
    (source / "pieces" / "ab").mkdir(parents=True)
    (source / "pieces" / "ab" / "f1.pdf").write_bytes(pdf_bytes())
    (source / "exports" / "7").mkdir(parents=True)
    (source / "exports" / "7" / "x.csv").write_bytes(b"a;b\n1;2\n")
    out = StringIO()
    call_command("storage_copy_local", source=str(source), stdout=out)
    assert "2 fichiers : 2 copiés, 0 déjà présents" in out.getvalue()
    assert s3_storage.keys(s3_storage.bucket, s3_storage.prefix) == ["exports/7/x.csv", "pieces/ab/f1.pdf"]
    assert default_storage.open("exports/7/x.csv").read() == b"a;b\n1;2\n"
    # An interrupted copy left a different object: the next run replaces it and skips the rest.
    default_storage.delete("exports/7/x.csv")
    default_storage.save("exports/7/x.csv", ContentFile(b"a;b\n"))
    out = StringIO()
    call_command("storage_copy_local", source=str(source), stdout=out)
    assert "2 fichiers : 1 copiés, 1 déjà présents" in out.getvalue()
    assert default_storage.open("exports/7/x.csv").read() == b"a;b\n1;2\n"


def test_copying_into_the_same_local_folder_is_refused(settings, tmp_path):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="STORAGE_URL"):
        call_command(
            "storage_copy_local",
            source=str(settings.PRIVATE_MEDIA_ROOT.mkdir(parents=True) or settings.PRIVATE_MEDIA_ROOT),
        )
