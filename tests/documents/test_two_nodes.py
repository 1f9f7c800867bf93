"""Two stateless web nodes behind one address: what one node writes, the other serves (issue 16).

Two gunicorn processes on two ports share PostgreSQL, Redis, the S3 bucket and a Celery worker,
each with a private data folder of its own that nothing may depend on: a candidate logs in on A,
uploads on A, downloads and locks on B, the worker renders the recap that B serves, and the rate
limits count across both nodes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.db import connection

from candidates.models import DossierState
from documents.models import DocumentKind, DocumentStatus, GeneratedDocument, PieceFile, PieceState
from documents.pieces.selectors import required_pieces_for_dossier
from documents.recap import services as recap
from portal.celery import app as celery_app
from tests.documents.files import pdf_bytes
from tests.documents.helpers import registered_dossier
from tests.factories import UserFactory

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Un-mot-de-passe-solide-1"  # tests/factories.UserFactory's


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WebNode:
    def __init__(self, name: str, env: dict[str, str], folder: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        folder.mkdir(parents=True, exist_ok=True)
        self.log = folder / f"gunicorn-{name}.log"
        node_env = {**env, "DATA_DIR": str(folder / "data"), "PRIVATE_MEDIA_ROOT": str(folder / "private")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "portal.wsgi", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "1", "--threads", "4", "--access-logfile", "-"],
            cwd=ROOT, env=node_env, stdout=self.log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.folder = folder

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                requests.get(f"{self.url}/connexion/", timeout=10)
                return
            except requests.RequestException:  # not listening yet, or still loading Django
                time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def local_files(self) -> list[Path]:
        private = self.folder / "private"
        return [p for p in private.rglob("*") if p.is_file()] if private.exists() else []


@pytest.fixture(autouse=True)
def _real_password_hashers(settings):
    """The web nodes check passwords with the portal's own hashers, not the tests' fast one."""
    from portal import settings as portal_settings

    settings.PASSWORD_HASHERS = portal_settings.PASSWORD_HASHERS


@pytest.fixture
def nodes(s3_storage, celery_worker_factory, tmp_path, signing_certificate):
    celery_worker_factory()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_QUEUE": celery_app.conf.task_default_queue,
        "SECRET_KEY": "two-nodes-share-one-secret-" + "k7Qp2xZ9vL4mN8rT1wY6" * 2,
        "DEBUG": "true",
        "SIGNING_CERT_PATH": str(signing_certificate),
        "SIGNING_CERT_PASSWORD": "test-pass",
    }  # fmt: skip
    a, b = WebNode("a", env, tmp_path / "node-a"), WebNode("b", env, tmp_path / "node-b")
    a.wait_ready()
    b.wait_ready()
    yield a, b
    a.stop()
    b.stop()


def _csrf(session: requests.Session, url: str) -> str:
    session.get(url, timeout=10)
    return session.cookies["csrftoken"]


def _login(
    session: requests.Session, node: WebNode, email: str, password: str = PASSWORD
) -> requests.Response:
    token = _csrf(session, f"{node.url}/connexion/")
    return session.post(
        f"{node.url}/connexion/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=20,
    )


def _upload(session: requests.Session, node: WebNode, dossier_id: int, code: str, content: bytes):
    token = session.cookies["csrftoken"]
    return session.post(
        f"{node.url}/mes-justificatifs/{dossier_id}/deposer/{code}/",
        data={"csrfmiddlewaretoken": token},
        files={f"{code}-files": (f"{code}.pdf", content, "application/pdf")},
        allow_redirects=False,
        timeout=60,
    )


def _wait(predicate, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.3)
    return False


def test_what_node_a_stores_node_b_serves_and_the_worker_renders_into_the_same_bucket(nodes, s3_storage):
    a, b = nodes
    dossier = registered_dossier()
    browser = requests.Session()
    assert _login(browser, a, dossier.candidate.email).status_code == 302
    # The session opened on A is known to B (sessions in PostgreSQL, nothing in a node's memory).
    assert browser.get(f"{b.url}/mon-espace/", allow_redirects=False, timeout=20).status_code == 200

    identity = pdf_bytes()
    assert _upload(browser, a, dossier.pk, "identity", identity).status_code == 302, a.log.read_text()[-2000:]
    stored = PieceFile.objects.get(piece__dossier=dossier, piece__code="identity")
    assert stored.file.name in s3_storage.keys(s3_storage.bucket, s3_storage.prefix)
    download = browser.get(f"{b.url}/justificatifs/fichiers/{stored.uuid}/", timeout=20)
    assert download.status_code == 200 and download.content == identity

    for required in required_pieces_for_dossier(dossier):
        if required.deadline_kind == "standard" and required.code != "identity":
            assert _upload(browser, a, dossier.pk, required.code, pdf_bytes()).status_code == 302
    token = browser.cookies["csrftoken"]
    lock = browser.post(
        f"{b.url}/mes-justificatifs/{dossier.pk}/verrouiller/",
        data={"csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=20,
    )
    assert lock.status_code == 302, b.log.read_text()[-2000:]
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert not dossier.pieces.filter(state=PieceState.INVALIDATED).exists()

    recap.dossier_request_documents(dossier=dossier)
    document = GeneratedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECAP)
    assert _wait(lambda: GeneratedDocument.objects.get(pk=document.pk).status == DocumentStatus.READY)
    pdf = browser.get(f"{b.url}/mes-documents/{document.pk}/telecharger/", timeout=20)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Nothing of it was ever written on a web node's own disk.
    assert a.local_files() == [] and b.local_files() == []


def test_rate_limits_count_across_both_nodes(nodes, settings):
    a, b = nodes
    # A fresh address: the counters live in the shared Redis for the whole window.
    user = UserFactory(is_active=False, email=f"limite-{uuid.uuid4().hex[:10]}@example.org")
    answers = []
    # ACCOUNT_EMAIL_RATE_PER_ADDRESS (3) e-mails to one address per window, whichever node is asked.
    for node in (a, b, a, b):
        browser = requests.Session()
        token = _csrf(browser, f"{node.url}/activation/nouveau-lien/")
        answer = browser.post(
            f"{node.url}/activation/nouveau-lien/",
            data={"email": user.email, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=20,
        )
        answers.append(answer)
    assert [r.status_code for r in answers[:3]] == [302, 302, 302]
    assert answers[3].status_code == 200 and "Plusieurs courriels ont déjà été envoyés" in answers[3].text


def _noise_jpeg(seed: int) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.effect_noise((1400, 1000), 40 + seed).convert("RGB").save(out, format="JPEG", quality=92)
    return out.getvalue()


def test_node_a_killed_in_a_burst_of_uploads_loses_nothing_that_was_answered(nodes, s3_storage):
    """SIGKILL of node A while uploads stream to it: B keeps answering, every deposit has its
    complete object, and what A wrote without committing is found and removed by the orphan sweep."""
    import hashlib
    import threading

    from django.core.files.storage import default_storage

    from documents.orphans import orphan_files_sweep

    a, b = nodes
    dossiers = [registered_dossier() for _ in range(3)]
    browsers = []
    for dossier in dossiers:
        browser = requests.Session()
        assert _login(browser, a, dossier.candidate.email).status_code == 302
        browsers.append(browser)
    answers: list[int | str] = []

    def burst(browser, dossier, offset):
        for i in range(4):
            token = browser.cookies["csrftoken"]
            try:
                response = browser.post(
                    f"{a.url}/mes-justificatifs/{dossier.pk}/deposer/identity/",
                    data={"csrfmiddlewaretoken": token},
                    files={"identity-files": (f"photo-{i}.jpg", _noise_jpeg(offset + i), "image/jpeg")},
                    allow_redirects=False,
                    timeout=60,
                )
                answers.append(response.status_code)
            except requests.RequestException as exc:  # A died under this request
                answers.append(type(exc).__name__)

    threads = [
        threading.Thread(target=burst, args=(br, d, 10 * n))
        for n, (br, d) in enumerate(zip(browsers, dossiers, strict=True))
    ]
    for thread in threads:
        thread.start()
    # Kill A once some uploads were answered and others are on their way.
    assert _wait(lambda: len(answers) >= 2, 120)
    a.kill()
    for thread in threads:
        thread.join(120)
    assert any(isinstance(x, str) for x in answers) or len(answers) == 12
    # B keeps answering the same candidates, with their sessions.
    for browser, dossier in zip(browsers, dossiers, strict=True):
        page = browser.get(f"{b.url}/mes-justificatifs/{dossier.pk}/", allow_redirects=False, timeout=20)
        assert page.status_code == 200
    # Every deposit answered 302 is there, and every deposit row has its whole object.
    rows = PieceFile.objects.filter(piece__dossier__in=dossiers)
    assert rows.count() >= answers.count(302)
    for row in rows:
        with default_storage.open(row.file.name, "rb") as stored:
            content = stored.read()
        assert len(content) == row.size and hashlib.sha256(content).hexdigest() == row.sha256
    # What A wrote without committing (if anything) is an orphan; the sweep removes only those.
    referenced = {row.file.name for row in rows}
    orphan_files_sweep(grace_seconds=0)
    left = {
        name for name in s3_storage.keys(s3_storage.bucket, s3_storage.prefix) if name.startswith("pieces/")
    }
    assert left == referenced
