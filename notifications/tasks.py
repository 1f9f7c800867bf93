"""Celery tasks of notifications: thin, take ids, call a service."""

from __future__ import annotations

from celery import shared_task

from . import jobs, services

# The delivery task lives beside the work it does (services.deliver_email, named
# "notifications.tasks.deliver_email" as before): services enqueue it without importing this
# module, which imports services.
deliver_email = services.deliver_email


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
