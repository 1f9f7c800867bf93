"""When a component fails (issue 17): a saved action stays a success, nothing is stored twice,
nothing is left behind, and what was lost is done again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerDown

from documents import orphans, tasks
from documents.models import DocumentKind, DocumentStatus, GeneratedDocument, PieceFile
from documents.pieces import services
from documents.recap import services as recap
from notifications.models import OutgoingEmail
from portal.exceptions import DomainError

from .conftest import make_dossier
from .files import pdf_bytes, upload
from .helpers import registered_dossier

pytestmark = pytest.mark.django_db


def _broker_down(*args, **kwargs):
    raise BrokerDown("Error 111 connecting to redis: Connection refused.")


def test_a_broker_down_after_the_commit_leaves_the_document_pending_for_the_sweeper(
    monkeypatch, django_capture_on_commit_callbacks
):
    dossier = make_dossier()
    monkeypatch.setattr(tasks.render_document, "apply_async", _broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        documents = recap.dossier_request_documents(dossier=dossier)  # no exception: it is saved
    assert {d.status for d in documents} == {DocumentStatus.PENDING}
    monkeypatch.undo()
    # Within the grace, the sweeper leaves it to its own task; after it, the sweeper renders it.
    assert recap.documents_sweep_pending() == 0
    GeneratedDocument.objects.update(enqueued_at=timezone.now() - dt.timedelta(seconds=31))
    assert recap.documents_sweep_pending() == len(documents)
    assert set(GeneratedDocument.objects.values_list("status", flat=True)) == {DocumentStatus.READY}


def test_a_render_being_done_by_a_live_worker_is_neither_swept_nor_rendered_twice():
    dossier = make_dossier()
    document = GeneratedDocument.objects.create(
        dossier=dossier, kind=DocumentKind.RECAP, version=1, choices_version=1,
        enqueued_at=timezone.now() - dt.timedelta(minutes=5), claimed_at=timezone.now(),
    )  # fmt: skip
    assert recap.documents_sweep_pending() == 0
    assert recap.document_render(document_id=document.pk).status == DocumentStatus.PENDING  # a duplicate
    # The worker died: once the claim's lease expired, it is rendered again.
    GeneratedDocument.objects.update(claimed_at=timezone.now() - dt.timedelta(seconds=31))
    assert recap.documents_sweep_pending() == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY and document.claimed_at is None


def test_the_candidate_can_requeue_a_document_pending_too_long(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    dossier = make_dossier()
    monkeypatch.setattr(tasks.render_document, "apply_async", _broker_down)
    recap.dossier_request_documents(dossier=dossier)
    monkeypatch.undo()
    client.force_login(dossier.candidate)
    assert "Relancer la génération" not in client.get("/mes-documents/").content.decode()
    GeneratedDocument.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=2))
    page = client.get("/mes-documents/").content.decode()
    assert "Relancer la génération" in page and "Votre inscription est bien enregistrée" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/mes-documents/dossier/{dossier.pk}/relancer/")
    assert response.status_code == 302
    assert set(GeneratedDocument.objects.values_list("status", flat=True)) == {DocumentStatus.READY}


def test_a_storage_error_while_rendering_marks_the_document_failed_with_its_reason(monkeypatch):
    dossier = make_dossier()
    document = GeneratedDocument.objects.create(
        dossier=dossier, kind=DocumentKind.RECAP, version=1, choices_version=1
    )

    def full(self, name, content, max_length=None):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", full)
    document = recap.document_render(document_id=document.pk)
    assert document.status == DocumentStatus.FAILED
    assert "No space left on device" in document.error


def _deposit(dossier, content=None):
    return services.piece_deposit(
        dossier=dossier,
        code="identity",
        files=[upload("piece.pdf", content or pdf_bytes())],
        by=dossier.candidate,
    )


def test_the_same_upload_posted_twice_stores_one_file_and_sends_one_email(django_capture_on_commit_callbacks):
    dossier = registered_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        _deposit(dossier)
        _deposit(dossier)  # a double click, or the browser retrying after a lost answer
    assert PieceFile.objects.filter(piece__dossier=dossier).count() == 1
    assert OutgoingEmail.objects.filter(kind="piece_deposited").count() == 1
    assert len([m for m in mail.outbox if "Pièce déposée" in m.subject]) == 1


def test_an_unwritable_storage_refuses_the_upload_in_french_and_records_nothing(monkeypatch, settings):
    dossier = registered_dossier()
    storage = PieceFile._meta.get_field("file").storage
    written = []
    real_save = FileSystemStorage.save

    def half_written(self, name, content, max_length=None):
        # A full disk: the file is created, then the write fails.
        written.append(real_save(self, name, upload("vide.pdf", b""), max_length=max_length))
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "save", half_written)
    with pytest.raises(DomainError) as refused:
        _deposit(dossier)
    assert "n'a pas pu être enregistré" in refused.value.message and refused.value.field == "files"
    assert PieceFile.objects.count() == 0 and OutgoingEmail.objects.count() == 0
    assert written and not storage.exists(written[0])  # removed at once, no orphan


def test_a_second_lock_answers_like_the_first(client):
    dossier = registered_dossier()
    _deposit(dossier)
    services.piece_deposit(
        dossier=dossier, code="recap_signed", files=[upload("r.pdf", pdf_bytes())], by=dossier.candidate
    )
    client.force_login(dossier.candidate)
    first = client.post(f"/mes-justificatifs/{dossier.pk}/verrouiller/")
    second = client.post(f"/mes-justificatifs/{dossier.pk}/verrouiller/")
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]


def test_the_orphan_sweep_removes_unreferenced_files_after_their_grace(settings):
    dossier = registered_dossier()
    piece = _deposit(dossier)
    kept = piece.files.get().file.name
    storage = PieceFile._meta.get_field("file").storage
    orphan = storage.save("pieces/ab/orphan-from-a-crash", upload("x.pdf", b"%PDF-1.4"))
    assert orphans.orphan_files() == []  # younger than ORPHAN_FILES_GRACE_SECONDS
    call_command("sweep_orphan_files", "--grace-seconds", "0")
    assert not storage.exists(orphan) and storage.exists(kept)
