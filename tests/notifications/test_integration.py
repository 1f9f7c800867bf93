"""Delivery through a real Celery worker, Redis and an SMTP server started by the test: a worker
killed mid-send, a broker down at commit time, reminders run twice.

What is guaranteed (docs/notifications.md): each e-mail is accepted by the SMTP server once; the
only window for a second copy is a worker killed after the server's 250 and before the "sent"
commit, and that copy carries the same Message-ID. These tests kill the worker before the 250,
so they assert exactly one accepted copy.
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from candidates.models import Dossier, DossierState
from notifications import services, tasks
from notifications.models import EmailStatus, OutgoingEmail, ReminderSent
from portal.celery import app as celery_app
from tests.factories import DossierFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.integration

LEASE = 3  # seconds: short, so the test does not wait five minutes for a dead worker's claim


def _wait_for(predicate, timeout=40.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _status(pk):
    return OutgoingEmail.objects.values_list("status", "attempts").get(pk=pk)


def _worker_env(email_url):
    return {
        "EMAIL_URL": email_url,
        "NOTIFICATIONS_EMAIL_LEASE_SECONDS": str(LEASE),
        "NOTIFICATIONS_SWEEP_GRACE_SECONDS": "0",
    }


def test_a_worker_killed_mid_send_and_restarted_delivers_exactly_once(
    celery_worker_factory, smtp_server, test_kind, settings
):
    handler, email_url = smtp_server
    settings.NOTIFICATIONS_EMAIL_LEASE_SECONDS = LEASE
    first = celery_worker_factory(**_worker_env(email_url))
    handler.hang_next = True

    services.notify(UserFactory(), test_kind, {"dossier_number": "NM-2026-00042"})  # commits, enqueues
    outgoing = OutgoingEmail.objects.get()
    assert handler.hanging.wait(40), "the worker never reached the SMTP server"
    # The claim was committed before the SMTP conversation: visible from here, no lock held.
    assert _status(outgoing.pk) == (EmailStatus.SENDING, 1)

    first.kill()  # SIGKILL, mid-DATA: the server never answered 250
    handler.release.set()
    assert handler.accepted == []

    celery_worker_factory(**_worker_env(email_url))
    time.sleep(LEASE + 0.5)  # the dead worker's lease expires
    tasks.sweep_outbox.delay()  # what beat does every minute
    _wait_for(lambda: _status(outgoing.pk)[0] == EmailStatus.SENT, what="the e-mail to be sent")

    assert _status(outgoing.pk) == (EmailStatus.SENT, 2)
    assert handler.message_ids() == [outgoing.message_id_header]
    # Neither another sweep nor the dead worker's task, were the broker to deliver it again, sends a copy.
    tasks.sweep_outbox.delay()
    tasks.deliver_email.delay(outgoing.pk)
    time.sleep(2)
    assert handler.message_ids() == [outgoing.message_id_header]


def _use_broker(url):
    celery_app.conf.broker_url = url
    # Drop the cached connection pools so the next publish uses the new URL.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def test_an_email_whose_enqueue_failed_is_sent_by_the_sweeper(
    celery_worker_factory, smtp_server, test_kind, settings
):
    handler, email_url = smtp_server
    settings.NOTIFICATIONS_SWEEP_GRACE_SECONDS = 0
    celery_worker_factory(**_worker_env(email_url))
    real_broker = celery_app.conf.broker_url
    _use_broker("redis://127.0.0.1:1/0")  # nothing listens there: connection refused
    try:
        message = services.notify(UserFactory(), test_kind, {"dossier_number": "NM-2026-00043"})
    finally:
        _use_broker(real_broker)
    # The caller's change is committed and did not fail; the e-mail waits in the outbox.
    assert message.pk
    outgoing = OutgoingEmail.objects.get()
    time.sleep(1)
    assert _status(outgoing.pk) == (EmailStatus.PENDING, 0)
    assert handler.accepted == []

    tasks.sweep_outbox.delay()
    _wait_for(lambda: _status(outgoing.pk)[0] == EmailStatus.SENT, what="the swept e-mail to be sent")
    assert handler.message_ids() == [outgoing.message_id_header]


def test_reminders_run_twice_through_the_worker_send_one_email_each(celery_worker_factory, smtp_server):
    handler, email_url = smtp_server
    celery_worker_factory(**_worker_env(email_url))
    now = timezone.now()
    session = SessionFactory(
        year=now.year + 1,
        registration_opens_at=now - dt.timedelta(days=30),
        registration_closes_at=now + dt.timedelta(days=6),
        pieces_deadline=now + dt.timedelta(days=13),
    )
    drafts = [DossierFactory(session=session, candidate=UserFactory()) for _ in range(3)]
    Dossier.objects.update(created_at=now - dt.timedelta(days=8))
    assert {d.state for d in drafts} == {DossierState.DRAFT}

    tasks.send_reminders.delay()
    tasks.send_reminders.delay()  # beat firing twice, or two beats
    _wait_for(lambda: len(handler.accepted) >= 3, what="three reminders")
    _wait_for(lambda: OutgoingEmail.objects.filter(status=EmailStatus.SENT).count() == 3, what="sent rows")
    time.sleep(2)
    assert ReminderSent.objects.count() == 3
    assert OutgoingEmail.objects.count() == 3
    assert sorted(m["To"] for m in handler.accepted) == sorted(d.candidate.email for d in drafts)
