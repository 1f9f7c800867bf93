"""Celery tasks of notifications: thin, take ids, call a service."""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import jobs, services

# Up to 30 s, 1 min, then 90 s at most, with full jitter so a recovering SMTP server is not hit by
# every queued e-mail at the same second. The cap is the longest an e-mail waits once the SMTP
# server is back (issue 17: an hour's cap meant an hour's delay after a long outage), so that
# everything is sent within two minutes of its return.
BACKOFF_FACTOR = 30
BACKOFF_MAX = 90


def _time_limit() -> int:
    # A hung SMTP server (accepts, never answers) must not hold a worker slot past the claim's
    # lease: the process is stopped and the sweeper hands the e-mail to another attempt.
    return max(10, services.lease_seconds() - 10)


@shared_task(
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
            return services.email_deliver(email_id=email_id, retry_in=countdown)
        except services.TransientEmailError:
            return False
    try:
        return services.email_deliver(email_id=email_id, retry_in=countdown)
    except services.TransientEmailError as exc:
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True)
def sweep_outbox() -> int:
    """Every minute (beat): re-enqueue e-mails whose delivery task was lost."""
    return services.outbox_sweep()


@shared_task(acks_late=True)
def send_reminders() -> dict[str, int]:
    """Hourly (beat): draft reminders J-7/J-1 before closing, piece reminders J-3 before the
    pieces deadline. Idempotent (ReminderSent)."""
    return {
        "reminder_draft": jobs.remind_drafts(),
        "reminder_pieces": jobs.remind_missing_pieces(),
    }
