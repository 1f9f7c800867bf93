"""Celery tasks of notifications: thin, take ids, call a service."""

from __future__ import annotations

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from . import jobs, services

# 30 s, 1 min, 2 min ... capped at one hour, with full jitter so a recovering SMTP server is not
# hit by every queued e-mail at the same second.
BACKOFF_FACTOR = 30
BACKOFF_MAX = 3600


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def deliver_email(self, email_id: int) -> bool:
    """Idempotent: the service claims the row, so a duplicate task sends nothing. The number of
    attempts is bounded by the row (NOTIFICATIONS_EMAIL_MAX_ATTEMPTS), not by Celery, because the
    sweeper may also start attempts."""
    countdown = get_exponential_backoff_interval(
        BACKOFF_FACTOR, self.request.retries, BACKOFF_MAX, full_jitter=True
    )
    if self.request.is_eager:
        # No broker to schedule a retry on (embedded default, unit tests): try again at once; the
        # row bounds the attempts, and a failed e-mail stays visible in the admin.
        while True:
            try:
                return services.email_deliver(email_id=email_id, retry_in=countdown)
            except services.TransientEmailError:
                continue
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
