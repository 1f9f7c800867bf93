"""notify() and the delivery of the outbox: same transaction, idempotent, retried, swept."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from notifications import services, tasks
from notifications.models import EmailStatus, Message, OutgoingEmail
from tests.factories import UserFactory


def _notify(user, kind, **kwargs):
    return services.notify(user, kind, {"dossier_number": "NM-2026-00042"}, link="/mon-espace/", **kwargs)


@pytest.mark.django_db
def test_a_rolled_back_change_sends_nothing_and_leaves_no_row(test_kind, django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _notify(user, test_kind)
                raise RuntimeError("the change that caused the message failed")
    assert callbacks == []
    assert Message.objects.count() == 0
    assert OutgoingEmail.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_it_writes_the_inbox_message_and_sends_the_email_once_committed(
    test_kind, django_capture_on_commit_callbacks, settings
):
    user = UserFactory(email="camille@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        message = _notify(user, test_kind)
        # Nothing leaves before the commit.
        assert mail.outbox == []
    assert message.subject == "Votre dossier NM-2026-00042"
    assert message.body == "Votre dossier NM-2026-00042 a changé d'état."  # not HTML-escaped
    outgoing = OutgoingEmail.objects.get()
    assert (outgoing.status, outgoing.attempts, outgoing.message) == (EmailStatus.SENT, 1, message)
    [sent] = mail.outbox
    assert sent.to == ["camille@example.org"]
    assert sent.extra_headers["Message-ID"] == f"<{outgoing.uuid}@127.0.0.1>"
    assert "Vous avez un nouveau message dans votre espace" in sent.body
    assert f"{settings.SITE_URL}/mes-messages/{message.pk}/" in sent.body
    assert "Votre dossier NM-2026-00042 a changé d'état." in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{settings.SITE_URL}/mes-messages/{message.pk}/"' in html


@pytest.mark.django_db
def test_it_sends_to_the_override_address_and_can_skip_the_inbox(
    test_kind, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ancienne@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert _notify(user, test_kind, inbox=False, to="nouvelle@example.org") is None
    assert Message.objects.count() == 0
    assert [m.to for m in mail.outbox] == [["nouvelle@example.org"]]
    assert "Vous avez un nouveau message" not in mail.outbox[0].body


@pytest.mark.django_db
def test_the_request_does_not_fail_when_the_broker_is_down(
    test_kind, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.deliver_email, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        _notify(UserFactory(), test_kind)
    outgoing = OutgoingEmail.objects.get()
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.PENDING, 0)
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_sweeper_sends_a_row_whose_enqueue_failed(
    test_kind, django_capture_on_commit_callbacks, monkeypatch, settings
):
    monkeypatch.setattr(
        tasks.deliver_email, "apply_async", lambda *a, **k: (_ for _ in ()).throw(OperationalError("down"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        _notify(UserFactory(), test_kind)
    # The broker comes back.
    monkeypatch.undo()
    # A fresh row is left to its own task for the grace period...
    assert services.outbox_sweep() == 0
    # ...and swept after it.
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    assert tasks.sweep_outbox.delay().get() == 1
    assert OutgoingEmail.objects.get().status == EmailStatus.SENT
    assert len(mail.outbox) == 1
    # Sweeping again sends nothing more.
    assert services.outbox_sweep() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_task_that_fails_twice_then_succeeds_sends_one_email(
    test_kind, django_capture_on_commit_callbacks, flaky_smtp
):
    flaky_smtp.errors = [smtplib.SMTPServerDisconnected("connection lost"), TimeoutError("timed out")]
    with django_capture_on_commit_callbacks(execute=True):
        _notify(UserFactory(), test_kind)
    outgoing = OutgoingEmail.objects.get()
    # Eager (embedded default): a transient failure leaves the row pending with its backoff, for
    # the sweeper; never failed after one try (issue 17).
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.PENDING, 1)
    assert "connection lost" in outgoing.last_error
    for _ in range(2):
        OutgoingEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        services.outbox_sweep()
    outgoing.refresh_from_db()
    assert len(flaky_smtp.sent) == 1
    assert (outgoing.status, outgoing.attempts, outgoing.last_error) == (EmailStatus.SENT, 3, "")
    # The task delivered again (a broker redelivery, the sweeper) sends nothing.
    assert tasks.deliver_email.delay(outgoing.pk).get() is False
    assert len(flaky_smtp.sent) == 1


@pytest.mark.django_db
def test_a_transient_failure_leaves_the_row_pending_with_its_backoff(test_kind, flaky_smtp):
    flaky_smtp.errors = [ConnectionRefusedError(111, "Connection refused")]
    _notify(UserFactory(), test_kind)
    outgoing = OutgoingEmail.objects.get()
    with pytest.raises(services.TransientEmailError):
        services.email_deliver(email_id=outgoing.pk, retry_in=600)
    outgoing.refresh_from_db()
    assert outgoing.status == EmailStatus.PENDING
    assert outgoing.attempts == 1
    assert "Connection refused" in outgoing.last_error
    assert outgoing.next_attempt_at > timezone.now() + dt.timedelta(seconds=600)
    # The sweeper respects the backoff.
    assert services.outbox_sweep() == 0


@pytest.mark.django_db
def test_a_refused_recipient_is_marked_failed_without_retry(test_kind, flaky_smtp):
    flaky_smtp.errors = [smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"5.1.1 User unknown")})]
    _notify(UserFactory(), test_kind)
    outgoing = OutgoingEmail.objects.get()
    assert tasks.deliver_email.delay(outgoing.pk).get() is False
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.FAILED, 1)
    assert "User unknown" in outgoing.last_error
    assert flaky_smtp.sent == []


@pytest.mark.django_db
def test_a_greylisting_4xx_refusal_is_retried(test_kind, flaky_smtp):
    flaky_smtp.errors = [smtplib.SMTPRecipientsRefused({"x@example.org": (451, b"4.7.1 Greylisted")})]
    _notify(UserFactory(), test_kind)
    outgoing = OutgoingEmail.objects.get()
    assert tasks.deliver_email.delay(outgoing.pk).get() is False  # greylisted: pending, backoff
    outgoing.refresh_from_db()
    assert outgoing.status == EmailStatus.PENDING
    assert tasks.deliver_email.delay(outgoing.pk).get() is True
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.SENT, 2)


@pytest.mark.django_db
def test_a_long_outage_keeps_emails_pending_and_gives_up_only_when_old_and_often_tried(
    test_kind, flaky_smtp, settings
):
    settings.NOTIFICATIONS_EMAIL_MAX_ATTEMPTS = 3
    flaky_smtp.errors = [OSError("network unreachable") for _ in range(5)]
    _notify(UserFactory(), test_kind)
    outgoing = OutgoingEmail.objects.get()
    for _ in range(4):  # more attempts than the maximum, within the give-up age: still pending
        assert tasks.deliver_email.delay(outgoing.pk).get() is False
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.PENDING, 4)
    # Two days later (NOTIFICATIONS_EMAIL_GIVE_UP_SECONDS), still failing: failed for good.
    OutgoingEmail.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
    assert tasks.deliver_email.delay(outgoing.pk).get() is False
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.FAILED, 4)  # abandoned at the claim
    assert flaky_smtp.sent == []


@pytest.mark.django_db
def test_a_row_being_sent_by_a_live_worker_is_not_sent_again(test_kind):
    _notify(UserFactory(), test_kind)
    OutgoingEmail.objects.update(status=EmailStatus.SENDING, claimed_at=timezone.now(), attempts=1)
    outgoing = OutgoingEmail.objects.get()
    assert services.email_deliver(email_id=outgoing.pk) is False
    assert services.outbox_sweep() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_sweeper_takes_over_a_row_whose_worker_died(test_kind, settings):
    settings.NOTIFICATIONS_EMAIL_LEASE_SECONDS = 60
    _notify(UserFactory(), test_kind)
    OutgoingEmail.objects.update(
        status=EmailStatus.SENDING, claimed_at=timezone.now() - dt.timedelta(seconds=61), attempts=1
    )
    assert services.outbox_sweep() == 1
    outgoing = OutgoingEmail.objects.get()
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.SENT, 2)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_resending_a_sent_email_makes_a_new_row_with_a_new_message_id(
    test_kind, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _notify(UserFactory(), test_kind)
    first = OutgoingEmail.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        copy = services.email_resend(outgoing=first)
    assert copy.pk != first.pk
    assert [m.extra_headers["Message-ID"] for m in mail.outbox] == [
        first.message_id_header,
        copy.message_id_header,
    ]


@pytest.mark.django_db
def test_resending_a_failed_email_tries_it_again_from_scratch(
    test_kind, flaky_smtp, django_capture_on_commit_callbacks
):
    _notify(UserFactory(), test_kind)
    OutgoingEmail.objects.update(status=EmailStatus.FAILED, attempts=10, last_error="550")
    failed = OutgoingEmail.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.email_resend(outgoing=failed) == failed
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (EmailStatus.SENT, 1)
    assert len(flaky_smtp.sent) == 1


@pytest.mark.django_db
def test_dates_in_a_message_about_a_dossier_are_the_academie_s(django_capture_on_commit_callbacks):
    # domain.md §2: a deadline in Martinique is its local 17:00, not Paris's 22:00.
    import datetime as dt

    from django.core import mail

    from tests.factories import AcademieFactory, DossierFactory, SessionFactory

    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    session = SessionFactory(
        academie=martinique,
        code="martinique-bts-2025",
        registration_closes_at=martinique.make_aware(dt.datetime(2024, 11, 13, 17, 0)),
    )
    dossier = DossierFactory(session=session, number="2025-MARTINIQUE-000001", state="registered")
    with django_capture_on_commit_callbacks(execute=True):
        message = services.notify(
            dossier.candidate,
            "registration_expired",
            {"session": session, "closes_at": session.registration_closes_at},
            dossier=dossier,
        )
    assert "13/11/2024 à 17:00" in message.body
    assert "13/11/2024 à 17:00" in mail.outbox[0].body
