"""The render task through a real Celery worker, PostgreSQL and Redis (integration suite)."""

import time

import pytest

from documents.models import DocumentKind, DocumentStatus, GeneratedDocument
from documents.recap.services import dossier_request_documents

from .conftest import make_dossier


@pytest.mark.integration
def test_a_real_worker_renders_the_recap_after_the_commit(
    transactional_db, celery_worker, signing_certificate
):
    dossier = make_dossier()
    # Outside any test transaction: the service's on_commit fires at once and the worker sees the row.
    dossier_request_documents(dossier=dossier)
    document = GeneratedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECAP)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status != DocumentStatus.PENDING:
            break
        time.sleep(0.3)
    assert document.status == DocumentStatus.READY, document.error
    # The worker wrote into the private media folder this test reads (the fixture shares it).
    data = document.file.read()
    assert data.startswith(b"%PDF") and len(document.sha256) == 64
