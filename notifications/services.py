"""notify(): the one entry point every app uses to tell a candidate something; the outbox and
its delivery (claim, send, record), and the sweeper that finds lost e-mails again.

Delivery guarantee (docs/notifications.md, docs/operations.md): every e-mail row committed by
notify() is sent at least once unless the SMTP server refuses it for good (5xx) or it still fails
NOTIFICATIONS_EMAIL_GIVE_UP_SECONDS after it was written (transient failures stay pending, with a
backoff capped at 90 seconds). It is sent exactly once except in one window: the worker killed
between the SMTP server's "250 accepted" and the "sent" commit (that update is retried while the
database is away). That copy carries the same Message-ID (`<outgoing.uuid@host>`, committed with
the "sending" claim before the conversation), so a receiver can drop it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import smtplib
import time
from functools import partial
from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template import Context, TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone

from portal.queueing import enqueue

from .models import EmailStatus, Message, OutgoingEmail
from .unread import forget as unread_count_forget

logger = logging.getLogger(__name__)


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def lease_seconds() -> int:
    """How long a claim holds: longer than the slowest SMTP conversation (EMAIL_TIMEOUT applies
    to each socket operation, a conversation has a handful of them)."""
    return _setting("NOTIFICATIONS_EMAIL_LEASE_SECONDS", 300)


def max_attempts() -> int:
    return _setting("NOTIFICATIONS_EMAIL_MAX_ATTEMPTS", 10)


def sweep_grace_seconds() -> int:
    """The sweeper leaves a fresh row to the task enqueued on commit for this long."""
    return _setting("NOTIFICATIONS_SWEEP_GRACE_SECONDS", 120)


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """Plain-text templates (subject, body, text e-mail) must not be HTML-escaped: "d'état" stays
    "d'état", not "d&#x27;état" (the HTML templates escape the body when they show it)."""
    template = get_template(template_name).template
    return template.render(Context(context, autoescape=False)).strip()


def _render(kind: str, name: str, context: dict[str, Any]) -> str:
    if name.endswith(".html"):
        return render_to_string(f"notifications/{kind}/{name}", context).strip()
    return _render_text(f"notifications/{kind}/{name}", context)


def _enqueue_delivery(email_id: int) -> None:
    """Run on commit. The broker being down must never fail the candidate's request, whose change
    is already committed: the row stays pending and the sweeper sends it later."""
    enqueue(deliver_email, email_id)


def give_up_seconds() -> int:
    """A transient failure is final only for an e-mail this old (and tried max_attempts times)."""
    return _setting("NOTIFICATIONS_EMAIL_GIVE_UP_SECONDS", 48 * 3600)


def _worth_abandoning(outgoing_attempts: int, created_at: dt.datetime, now: dt.datetime) -> bool:
    return outgoing_attempts >= max_attempts() and created_at < now - dt.timedelta(seconds=give_up_seconds())


@transaction.atomic
def notify(
    candidate,
    kind: str,
    context: dict[str, Any] | None = None,
    *,
    dossier=None,
    link: str = "",
    inbox: bool = True,
    email: bool = True,
    to: str | None = None,
) -> Message | None:
    """Store the inbox message and the outgoing e-mail in the caller's transaction, and enqueue
    the delivery once it commits (a rolled-back change sends nothing and leaves no row).

    Templates: notifications/<kind>/subject.txt, body.txt (inbox and e-mail text), optionally
    email.txt (a shorter e-mail pointing to the space) and email.html. `to` overrides the
    recipient address (e.g. confirming a new address before it becomes the account's).
    """
    context = {
        "candidate": candidate,
        "dossier": dossier,
        "link": link,
        "SITE_URL": settings.SITE_URL,
        **(context or {}),
    }
    # Every date in a message about a dossier is shown on the académie's clocks (domain.md §2:
    # a deadline in Martinique is its local 17:00), whatever the template's |date filters do.
    zone = dossier.session.academie.tzinfo if dossier is not None else None
    with timezone.override(zone) if zone else contextlib.nullcontext():
        subject = " ".join(_render(kind, "subject.txt", context).split())
        body = _render(kind, "body.txt", context)
        message = None
        if inbox:
            message = Message.objects.create(
                recipient=candidate, kind=kind, subject=subject, body=body, link=link, dossier=dossier
            )
        if email:
            email_context = {
                **context,
                "body": body,
                "subject": subject,
                "message_url": (
                    settings.SITE_URL + reverse("notifications:detail", args=[message.pk]) if message else ""
                ),
                "inbox_url": settings.SITE_URL + reverse("notifications:inbox"),
                "link_url": (settings.SITE_URL + link) if link.startswith("/") else link,
            }
            try:
                text = _render(kind, "email.txt", email_context)
            except TemplateDoesNotExist:
                text = _render_text("notifications/email_base.txt", email_context)
            try:
                html = _render(kind, "email.html", email_context)
            except TemplateDoesNotExist:
                html = render_to_string("notifications/email_base.html", email_context)
            outgoing = OutgoingEmail.objects.create(
                message=message,
                kind=kind,
                to=to or candidate.email,
                subject=subject,
                text_body=text,
                html_body=html,
                next_attempt_at=timezone.now() + dt.timedelta(seconds=sweep_grace_seconds()),
            )
            transaction.on_commit(partial(_enqueue_delivery, outgoing.pk))
    return message


# --- delivery ------------------------------------------------------------------------------------


class TransientEmailError(Exception):
    """The SMTP server or the network failed in a way worth retrying; the row is pending again."""


def _is_permanent(exc: Exception) -> bool:
    """5xx answers are final (mailbox unknown, message refused); 4xx and network errors pass."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(code >= 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def _claim(email_id: int) -> OutgoingEmail | None:
    """Take the row for this worker, in a transaction committed BEFORE the SMTP conversation, so no
    database lock is held while talking to a slow server. A compare-and-set UPDATE: of two workers
    holding the same task (a retry, the sweeper, a broker redelivery) only one wins; a claim older
    than the lease belonged to a dead worker and may be taken over."""
    now = timezone.now()
    expired = now - dt.timedelta(seconds=lease_seconds())
    claimable = Q(status=EmailStatus.PENDING) | Q(status=EmailStatus.SENDING, claimed_at__lt=expired)
    with transaction.atomic():
        # Abandoned only when old AND tried often: a long SMTP outage is waited out (issue 17).
        too_many = OutgoingEmail.objects.filter(
            claimable,
            pk=email_id,
            attempts__gte=max_attempts(),
            created_at__lt=now - dt.timedelta(seconds=give_up_seconds()),
        ).update(
            status=EmailStatus.FAILED,
            claimed_at=None,
            next_attempt_at=None,
        )
        if too_many:
            logger.error("E-mail %s abandoned after %s attempts.", email_id, max_attempts())
            return None
        won = OutgoingEmail.objects.filter(claimable, pk=email_id).update(
            status=EmailStatus.SENDING,
            claimed_at=now,
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    if not won:
        return None
    return OutgoingEmail.objects.get(pk=email_id)


def _build(outgoing: OutgoingEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=outgoing.subject,
        body=outgoing.text_body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[outgoing.to],
        headers={"Message-ID": outgoing.message_id_header, "Auto-Submitted": "auto-generated"},
    )
    if outgoing.html_body:
        message.attach_alternative(outgoing.html_body, "text/html")
    return message


def email_deliver(*, email_id: int, retry_in: float = 60) -> bool:
    """Send one outgoing e-mail if no one else has or is sending it. Returns True when it was sent
    now, False when there was nothing to do (already sent, taken by another worker, failed).

    Raises TransientEmailError after recording a retryable failure (the row is pending again, and
    the sweeper leaves it alone for `retry_in` seconds, the caller's backoff). A permanent failure
    (5xx) marks the row failed and returns False.
    """
    outgoing = _claim(email_id)
    if outgoing is None:
        return False
    try:
        # No transaction is open here: the SMTP conversation holds no database lock.
        _build(outgoing).send(fail_silently=False)
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"[:2000]
        if _is_permanent(exc):
            OutgoingEmail.objects.filter(pk=email_id, claimed_at=outgoing.claimed_at).update(
                status=EmailStatus.FAILED, claimed_at=None, next_attempt_at=None, last_error=error
            )
            logger.warning("E-mail %s refused for good: %s", email_id, error)
            return False
        final = _worth_abandoning(outgoing.attempts, outgoing.created_at, timezone.now())
        OutgoingEmail.objects.filter(pk=email_id, claimed_at=outgoing.claimed_at).update(
            status=EmailStatus.FAILED if final else EmailStatus.PENDING,
            claimed_at=None,
            next_attempt_at=None
            if final
            else timezone.now() + dt.timedelta(seconds=retry_in + sweep_grace_seconds()),
            last_error=error,
        )
        if final:
            logger.error("E-mail %s failed after %s attempts: %s", email_id, outgoing.attempts, error)
            return False
        if isinstance(exc, (smtplib.SMTPException, OSError)):
            raise TransientEmailError(error) from exc
        raise  # a bug, not the network: let it be seen; the sweeper tries again later
    # The SMTP server said "250": from here the message must never be sent again. The "sent"
    # update is retried until it lands (a PostgreSQL restart lasts seconds), so the only window
    # for a duplicate is this process dying between the "250" and the commit (docs/operations.md).
    sent_at = timezone.now()
    updated = _record_sent(email_id, sent_at)
    if not updated:
        logger.warning("E-mail %s was also sent by another worker (lease expired mid-send).", email_id)
    return True


def _record_sent(email_id: int, sent_at: dt.datetime, *, attempts: int = 20, pause: float = 1.0) -> int:
    # 20 s: well inside the task's time limit, well above a PostgreSQL restart (0.3 s measured).
    from django.db import InterfaceError, OperationalError, close_old_connections

    for attempt in range(attempts):
        try:
            return (
                OutgoingEmail.objects.filter(pk=email_id)
                .exclude(status=EmailStatus.SENT)
                .update(
                    status=EmailStatus.SENT,
                    sent_at=sent_at,
                    claimed_at=None,
                    next_attempt_at=None,
                    last_error="",
                )
            )
        except (OperationalError, InterfaceError):
            if attempt == attempts - 1:
                raise
            logger.warning("E-mail %s sent but not yet recorded; retrying the update.", email_id)
            close_old_connections()
            from django.db import connection

            connection.close()
            time.sleep(pause)
    return 0


def outbox_sweep(*, batch_size: int = 500) -> int:
    """Re-enqueue the e-mails whose task was lost: pending rows past their grace or backoff (the
    broker was down at commit time, a retry was lost with its worker) and rows whose sending lease
    expired (the worker was killed mid-send). Returns how many were enqueued."""
    now = timezone.now()
    due = OutgoingEmail.objects.filter(
        Q(status=EmailStatus.PENDING, next_attempt_at__lte=now)
        | Q(status=EmailStatus.PENDING, next_attempt_at__isnull=True)
        | Q(status=EmailStatus.SENDING, claimed_at__lt=now - dt.timedelta(seconds=lease_seconds()))
    )
    ids = list(due.order_by("created_at").values_list("pk", flat=True)[:batch_size])
    if not ids:
        return 0
    # Push the next sweep of these rows back, so a slow queue is not flooded with copies of the
    # same task every minute (copies would be harmless: the claim lets only one send).
    OutgoingEmail.objects.filter(pk__in=ids, status=EmailStatus.PENDING).update(
        next_attempt_at=now + dt.timedelta(seconds=sweep_grace_seconds())
    )
    enqueued = 0
    for email_id in ids:
        if not enqueue(deliver_email, email_id):
            break  # broker still down: the next sweep tries again
        enqueued += 1
    if enqueued:
        logger.info("Sweeper re-enqueued %s e-mail(s).", enqueued)
    return enqueued


@transaction.atomic
def email_resend(*, outgoing: OutgoingEmail) -> OutgoingEmail:
    """The operator's "renvoyer": a pending or failed e-mail is tried again from scratch; a sent one
    is copied into a new row with a new Message-ID (the same one would be dropped as a duplicate)."""
    if outgoing.status == EmailStatus.SENT:
        target = OutgoingEmail.objects.create(
            message=outgoing.message,
            kind=outgoing.kind,
            to=outgoing.to,
            subject=outgoing.subject,
            text_body=outgoing.text_body,
            html_body=outgoing.html_body,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=sweep_grace_seconds()),
        )
    else:
        OutgoingEmail.objects.filter(pk=outgoing.pk).exclude(status=EmailStatus.SENT).update(
            status=EmailStatus.PENDING,
            attempts=0,
            claimed_at=None,
            next_attempt_at=timezone.now() + dt.timedelta(seconds=sweep_grace_seconds()),
        )
        target = outgoing
    transaction.on_commit(partial(_enqueue_delivery, target.pk))
    return target


def message_mark_read(*, message: Message) -> None:
    if message.read_at is None:
        now = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=now)
        message.read_at = now
        unread_count_forget(message.recipient_id)  # a queryset update sends no post_save


# --- the delivery task (enqueued on commit by notify and by the sweeper) ---------------------------
# Defined here, beside the delivery it runs, under its historical name: this module enqueues it
# without importing notifications.tasks, which imports this module.

# Up to 30 s, 1 min, then 90 s at most, with full jitter so a recovering SMTP server is not hit by
# every queued e-mail at the same second. The cap is the longest an e-mail waits once the SMTP
# server is back (issue 17: an hour's cap meant an hour's delay after a long outage), so that
# everything is sent within two minutes of its return.
BACKOFF_FACTOR = 30
BACKOFF_MAX = 90


def _time_limit() -> int:
    # A hung SMTP server (accepts, never answers) must not hold a worker slot past the claim's
    # lease: the process is stopped and the sweeper hands the e-mail to another attempt.
    return max(10, lease_seconds() - 10)


@shared_task(
    name="notifications.tasks.deliver_email",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=None,
    soft_time_limit=_time_limit() - 5,
    time_limit=_time_limit(),
)
def deliver_email(self, email_id: int) -> bool:
    """Idempotent: the service claims the row, so a duplicate task sends nothing. How long a
    transient failure is retried is decided by the row (NOTIFICATIONS_EMAIL_GIVE_UP_SECONDS), not
    by Celery, because the sweeper may also start attempts."""
    countdown = get_exponential_backoff_interval(
        BACKOFF_FACTOR, self.request.retries, BACKOFF_MAX, full_jitter=True
    )
    if self.request.is_eager:
        # No broker to schedule a retry on (embedded default): the row stays pending with its
        # backoff and the in-process sweeper (portal/embedded.py) tries it again; never failed
        # after one try (issue 17).
        try:
            return email_deliver(email_id=email_id, retry_in=countdown)
        except TransientEmailError:
            return False
    try:
        return email_deliver(email_id=email_id, retry_in=countdown)
    except TransientEmailError as exc:
        raise self.retry(exc=exc, countdown=countdown) from exc
