"""The deadline job through a real Celery worker, PostgreSQL and Redis (marker ``integration``)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from candidates.models import DossierState
from documents.tasks import cancel_dossiers_missing_pieces
from notifications.models import Message

from .helpers import registered_dossier


@pytest.mark.integration
def test_the_worker_cancels_a_dossier_missing_pieces_after_the_deadline(celery_worker):
    from tests.factories import open_session

    now = timezone.now()
    session = open_session(
        registration_opens_at=now - dt.timedelta(days=40),
        registration_closes_at=now - dt.timedelta(days=10),
        pieces_deadline=now - dt.timedelta(minutes=1),
        late_pieces_deadline=None,
    )
    dossier = registered_dossier(session=session)
    cancel_dossiers_missing_pieces.delay()
    cancel_dossiers_missing_pieces.delay()  # twice, as a retried beat tick would: idempotent
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        dossier.refresh_from_db()
        if dossier.state == DossierState.CANCELLED:
            break
        time.sleep(0.3)
    assert dossier.state == DossierState.CANCELLED
    time.sleep(1)
    assert Message.objects.filter(dossier=dossier, kind="dossier_cancelled").count() == 1
