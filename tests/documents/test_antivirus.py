"""The quarantine's antivirus (issue 12): a real clamd started by the test with its own config,
socket and signature database (an EICAR body signature written here; no database can be downloaded
on the development machines), real INSTREAM scans through the portal's client and the upload
flow. Without clamd installed these tests skip, except in CI where they fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.urls import reverse

from documents.models import Piece, PieceUpload, QuarantinedFile, UploadStatus
from documents.pieces import antivirus, quarantine

from .files import pdf_bytes, upload
from .helpers import registered_dossier

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
# The EICAR test file: harmless, recognised by every antivirus as a test virus.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!H+H*"


@pytest.fixture(scope="module")
def clamd_url(tmp_path_factory):
    if not os.path.exists(CLAMD):
        if os.environ.get("CI") == "true":
            pytest.fail("clamd is missing: .ci/run installs Debian's clamav-daemon")
        pytest.skip("clamd is not installed (apt-get install clamav-daemon)")
    root = tmp_path_factory.mktemp("clamd")
    database = root / "db"
    database.mkdir()
    # A body signature (.ndb: name:target:offset:hex), so EICAR is found anywhere in a file.
    (database / "portal-test.ndb").write_text(f"Portal-Test-EICAR:0:*:{EICAR.hex()}\n")
    socket_path = root / "clamd.sock"
    config = root / "clamd.conf"
    config.write_text(
        f"LocalSocket {socket_path}\nDatabaseDirectory {database}\nForeground yes\n"
        f"LogFile {root / 'clamd.log'}\nStreamMaxLength 20M\nPidFile {root / 'clamd.pid'}\n"
    )
    process = subprocess.Popen([CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"unix://{socket_path}"
    deadline = time.monotonic() + 60
    while not antivirus.ping(url):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"clamd did not start: {process.stderr.read().decode()[-500:]}")
        time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=20)


def test_the_client_tells_a_clean_file_from_an_infected_one(clamd_url, settings):
    settings.CLAMD_URL = clamd_url
    import io

    assert antivirus.scan(io.BytesIO(pdf_bytes())) == antivirus.ScanResult(infected=False)
    result = antivirus.scan(io.BytesIO(EICAR))
    assert result.infected and result.signature.startswith("Portal-Test-EICAR")


@pytest.mark.django_db
def test_an_infected_upload_is_refused_in_french_and_kept_nowhere(
    clamd_url, settings, client, django_capture_on_commit_callbacks
):
    settings.CLAMD_URL = clamd_url
    dossier = registered_dossier()
    client.force_login(dossier.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("documents:piece_upload", args=[dossier.pk, "identity"]),
            {"identity-files": upload("carte.pdf", b"%PDF-1.4\n" + EICAR)},
        )
    assert response.status_code == 302
    stored = PieceUpload.objects.get()
    assert stored.status == UploadStatus.REFUSED
    assert stored.message.startswith(
        "« carte.pdf » contient un virus ou un programme malveillant (Portal-Test-EICAR"
    )
    assert "il a été supprimé sans être transmis" in stored.message
    assert not Piece.objects.exists()
    assert QuarantinedFile.objects.get().file.name == ""
    quarantine_dir = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "quarantine"
    assert not quarantine_dir.exists() or not any(quarantine_dir.iterdir())
    html = client.get(reverse("documents:dossier_pieces", args=[dossier.pk])).content.decode()
    assert "Dépôt refusé" in html and "contient un virus" in html


@pytest.mark.django_db
def test_a_clean_upload_is_scanned_then_deposited(clamd_url, settings, django_capture_on_commit_callbacks):
    settings.CLAMD_URL = clamd_url
    dossier = registered_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        received = quarantine.piece_upload_receive(
            dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
        )
    received.refresh_from_db()
    assert received.status == UploadStatus.ACCEPTED
    piece = Piece.objects.get(dossier=dossier, code="identity")
    assert piece.files.get().original_name == "carte.pdf"


@pytest.mark.django_db
def test_a_clamd_that_is_down_delays_acceptance_and_never_accepts_unscanned(
    clamd_url, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.CLAMD_URL = f"unix://{tmp_path / 'absent.sock'}"
    dossier = registered_dossier()
    with django_capture_on_commit_callbacks(execute=True):
        received = quarantine.piece_upload_receive(
            dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
        )
    received.refresh_from_db()
    assert received.status == UploadStatus.CHECKING
    assert "clamd unreachable" in received.last_error
    assert not Piece.objects.exists()
    kept = received.files.get()
    assert kept.file.storage.exists(kept.file.name)  # still in quarantine, waiting
    # clamd is back: the sweeper hands the upload over again and it is accepted.
    settings.CLAMD_URL = clamd_url
    import datetime as dt

    from django.utils import timezone

    assert quarantine.uploads_pending_sweep(at=timezone.now() + dt.timedelta(minutes=5)) == 1
    received.refresh_from_db()
    assert received.status == UploadStatus.ACCEPTED
    assert Piece.objects.get(dossier=dossier).files.count() == 1
    assert not kept.file.storage.exists(kept.file.name)


def _wait(predicate, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.integration
def test_a_real_worker_scans_the_quarantine_in_the_bucket(clamd_url, s3_storage, celery_worker_factory):
    """The request's side only stores into the bucket's quarantine prefix; a real worker (its
    own process, CLAMD_URL of the test's clamd) scans, refuses the infected file and deletes it,
    disarms and deposits the clean one."""
    celery_worker_factory(CLAMD_URL=clamd_url)
    dossier = registered_dossier()
    infected = quarantine.piece_upload_receive(
        dossier=dossier, code="r408", files=[upload("r408.pdf", b"%PDF-1.4\n" + EICAR)], by=dossier.candidate
    )
    clean = quarantine.piece_upload_receive(
        dossier=dossier, code="identity", files=[upload("carte.pdf", pdf_bytes())], by=dossier.candidate
    )
    quarantined = infected.files.get().file.name
    assert quarantined.startswith("quarantine/")
    assert _wait(lambda: not PieceUpload.objects.filter(status=UploadStatus.CHECKING).exists())
    infected.refresh_from_db()
    clean.refresh_from_db()
    assert infected.status == UploadStatus.REFUSED and "contient un virus" in infected.message
    assert clean.status == UploadStatus.ACCEPTED
    keys = set(s3_storage.keys(s3_storage.bucket, s3_storage.prefix))
    assert not any(key.startswith("quarantine/") for key in keys)
    stored = Piece.objects.get(dossier=dossier, code="identity").files.get()
    assert stored.file.name in keys


# --- issue 12: the attachments of dossier messages take the same path --------------------------
def _message_dossier():
    from candidates.models import DossierState
    from tests.candidates.review_fixtures import dossier as review_dossier
    from tests.candidates.review_fixtures import world as review_world

    w = review_world()
    return w, review_dossier(w["s_nantes"], w["bat"], state=DossierState.REGISTERED)


@pytest.mark.django_db
def test_an_infected_message_attachment_is_refused_in_french_and_the_text_is_kept(
    clamd_url, settings, client, django_capture_on_commit_callbacks
):
    from candidates.messaging.models import DossierMessage

    settings.CLAMD_URL = clamd_url
    w, d = _message_dossier()
    client.force_login(d.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("candidates:thread", args=[d.pk]),
            {
                "body": "Voici mon attestation.",
                "attachment": upload("attestation.pdf", b"%PDF-1.4\n" + EICAR),
            },
        )
    assert response.status_code == 302
    m = DossierMessage.objects.get()
    assert m.body == "Voici mon attestation." and m.attachment_status == "refused"
    assert m.attachment_refusal.startswith("« attestation.pdf » contient un virus")
    assert not m.attachment and not m.quarantined  # kept nowhere
    quarantine_dir = Path(settings.STORAGES["default"]["OPTIONS"]["location"]) / "quarantine"
    assert not quarantine_dir.exists() or not any(quarantine_dir.iterdir())
    page = client.get(reverse("candidates:thread", args=[d.pk])).content.decode()
    assert "Voici mon attestation." in page and "refusée" in page and "contient un virus" in page
    # The staff never get the file.
    client.force_login(w["gest_bat"])
    assert client.get(reverse("candidates:thread_attachment", args=[m.uuid])).status_code == 404


@pytest.mark.django_db
def test_a_message_attachment_is_in_analysis_until_clamd_answers_then_served(
    clamd_url, settings, client, tmp_path, django_capture_on_commit_callbacks
):
    import datetime as dt

    from django.utils import timezone

    from candidates.messaging import attachments
    from candidates.messaging.models import DossierMessage

    settings.CLAMD_URL = f"unix://{tmp_path / 'absent.sock'}"  # clamd down
    w, d = _message_dossier()
    client.force_login(d.candidate)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("candidates:thread", args=[d.pk]),
            {"body": "Bonjour", "attachment": upload("carte.pdf", pdf_bytes())},
        )
    m = DossierMessage.objects.get()
    assert m.attachment_status == "checking" and "clamd unreachable" in m.attachment_last_error
    assert m.quarantined.storage.exists(m.quarantined.name)  # waiting in quarantine, not lost
    page = client.get(reverse("candidates:thread", args=[d.pk])).content.decode()
    assert "en cours d&#x27;analyse" in page or "en cours d'analyse" in page
    client.force_login(w["gest_bat"])
    assert client.get(reverse("candidates:thread_attachment", args=[m.uuid])).status_code == 404
    # clamd is back: the sweeper hands it over, it is scanned, disarmed and served.
    settings.CLAMD_URL = clamd_url
    quarantined = m.quarantined.name
    assert attachments.attachments_pending_sweep(at=timezone.now() + dt.timedelta(minutes=5)) == 1
    m.refresh_from_db()
    assert m.attachment_status == "accepted" and m.attachment_type == "application/pdf"
    assert not m.quarantined and not m.attachment.storage.exists(quarantined)
    response = client.get(reverse("candidates:thread_attachment", args=[m.uuid]))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
