"""The quarantine of uploads (issue 12): the request only stores the files in the quarantine
prefix and answers "en cours de vérification"; the worker's verdict shows on the page; deposits
are rate-limited per candidate; /verifier/ streams and caps its upload like the piece upload."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from documents.models import Piece, PieceUpload, UploadStatus
from documents.pieces import quarantine
from portal.exceptions import DomainError

from .files import pdf_bytes, upload
from .helpers import registered_dossier

pytestmark = pytest.mark.django_db


def test_the_request_only_puts_the_files_in_quarantine(settings):
    dossier = registered_dossier()
    # No on_commit execution: as with a real worker, nothing is checked in the request.
    received = quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )
    assert received.status == UploadStatus.CHECKING
    stored = received.files.get()
    assert stored.file.name.startswith(settings.UPLOAD_QUARANTINE_PREFIX)
    assert stored.file.storage.exists(stored.file.name)
    assert not Piece.objects.exists()


def test_the_page_shows_a_piece_being_checked_with_a_refresh_link_and_a_status_url(client):
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    response = client.post(
        reverse("documents:piece_upload", args=[dossier.pk, "identity"]),
        {"identity-files": upload("carte.pdf", pdf_bytes())},
        follow=True,
    )
    html = response.content.decode()
    assert "reçue (1 fichier(s)) : en cours de vérification" in html
    assert "En cours de vérification" in html and "carte.pdf" in html
    assert "Actualiser la page" in html
    status_url = reverse("documents:upload_status", args=[dossier.pk])
    assert f'data-status-url="{status_url}"' in html
    assert client.get(status_url).json() == {"checking": 1}
    quarantine.upload_process(upload_id=PieceUpload.objects.get().pk)
    assert client.get(status_url).json() == {"checking": 0}
    html = client.get(reverse("documents:dossier_pieces", args=[dossier.pk])).content.decode()
    assert "Actualiser la page" not in html and "Déposée" in html


def test_the_status_of_another_candidates_dossier_is_a_404(client):
    from tests.factories import UserFactory

    dossier = registered_dossier()
    client.force_login(UserFactory())
    assert client.get(reverse("documents:upload_status", args=[dossier.pk])).status_code == 404


def test_a_deposit_received_before_the_deadline_is_accepted_after_it(django_capture_on_commit_callbacks):
    dossier = registered_dossier()
    received = quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )
    session = dossier.session
    session.pieces_deadline = timezone.now() - dt.timedelta(minutes=1)
    session.late_pieces_deadline = None
    session.save()
    received.received_at = session.pieces_deadline - dt.timedelta(seconds=30)
    received.save()
    assert quarantine.upload_process(upload_id=received.pk) == UploadStatus.ACCEPTED
    assert Piece.objects.get(dossier=dossier).deposited_at == received.received_at


def test_a_second_worker_does_not_process_an_upload_twice():
    dossier = registered_dossier()
    received = quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )
    assert quarantine.upload_process(upload_id=received.pk) == UploadStatus.ACCEPTED
    assert quarantine.upload_process(upload_id=received.pk) is None
    assert Piece.objects.get().files.count() == 1


def test_uploads_are_rate_limited_per_candidate_in_french(settings):
    settings.UPLOAD_RATE_PER_CANDIDATE = 3
    dossier = registered_dossier()
    for _ in range(3):
        quarantine.piece_upload_receive(
            dossier=dossier, code="identity", files=[upload("a.pdf", pdf_bytes())], by=dossier.candidate
        )
    with pytest.raises(DomainError) as caught:
        quarantine.piece_upload_receive(
            dossier=dossier, code="identity", files=[upload("a.pdf", pdf_bytes())], by=dossier.candidate
        )
    assert caught.value.code == "rate_limited"
    assert caught.value.message.startswith("Vous avez déposé 3 fichiers en peu de temps")
    assert "60 minute(s)" in caught.value.message or "61 minute(s)" in caught.value.message
    assert PieceUpload.objects.count() == 3
    later = timezone.now() + dt.timedelta(seconds=settings.UPLOAD_RATE_WINDOW + 1)
    quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("a.pdf", pdf_bytes())], by=dossier.candidate, at=later
    )


def test_the_verification_page_streams_and_caps_its_upload(client, settings, monkeypatch):
    from documents.pieces.uploads import LimitedTemporaryFileUploadHandler

    settings.UPLOAD_MAX_BYTES = 100 * 1024
    written = []
    original = LimitedTemporaryFileUploadHandler.receive_data_chunk

    def spy(self, raw_data, start):
        result = original(self, raw_data, start)
        if result is not None:
            written.append(len(result))
        return result

    monkeypatch.setattr(LimitedTemporaryFileUploadHandler, "receive_data_chunk", spy)
    big = upload("recap.pdf", b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024), "application/pdf")
    response = client.post(reverse("recap:verify"), {"file": big})
    assert response.status_code == 400
    assert "Le fichier dépasse la taille maximale de 100\xa0ko" in response.content.decode()
    assert sum(written) <= settings.UPLOAD_MAX_BYTES  # nothing past the cap was written


def test_the_operator_sees_uploads_waiting_for_the_antivirus_and_the_purge_counts(client):
    from candidates.models import DataPurge, PurgeReason
    from tests.factories import UserFactory

    dossier = registered_dossier()
    received = quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )
    PieceUpload.objects.filter(pk=received.pk).update(last_error="clamd unreachable at tcp://clamav:3310")
    DataPurge.objects.create(reason=PurgeReason.RETENTION, session_code="nm-bts-2022", dossiers=12)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(reverse("admin:documents_pieceupload_changelist")).content.decode()
    assert "clamd unreachable" in html
    html = client.get(reverse("admin:candidates_datapurge_changelist")).content.decode()
    assert "nm-bts-2022" in html


def test_the_health_endpoint_says_uploads_are_not_scanned_and_how_old_the_oldest_waiting_one_is(client):
    dossier = registered_dossier()
    quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )
    body = client.get("/sante/").json()
    assert body["checks"]["antivirus"] == {
        "ok": True,
        "configured": False,
        "warning": "uploads are not scanned (CLAMD_URL empty)",
    }
    assert body["backlog"]["oldest_checking_upload_seconds"] is not None


def test_a_storage_that_fails_in_the_request_is_a_french_refusal(client, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(quarantine, "storage_save", broken)
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    response = client.post(
        reverse("documents:piece_upload", args=[dossier.pk, "identity"]),
        {"identity-files": upload("carte.pdf", pdf_bytes())},
    )
    assert response.status_code == 400
    assert "n&#x27;a pas pu être enregistré à cause d&#x27;un incident technique" in response.content.decode()
    assert not PieceUpload.objects.exists()


def test_a_storage_that_fails_in_the_worker_delays_the_upload(monkeypatch):
    from documents.pieces import services

    dossier = registered_dossier()
    received = quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )

    def storage_down(**kwargs):
        raise services.storage_refusal()

    monkeypatch.setattr(services, "piece_deposit", storage_down)
    with pytest.raises(quarantine.UploadDelayed):
        quarantine.upload_process(upload_id=received.pk)
    received.refresh_from_db()
    assert received.status == UploadStatus.CHECKING and received.claimed_at is None
    assert received.last_error.startswith("storage")
    assert received.files.get().file  # still in quarantine
