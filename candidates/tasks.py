"""Celery tasks of candidates: thin, idempotent, calling a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def expire_closed_drafts() -> int:
    """Periodic (beat): drafts of sessions whose registration has closed become expired (§7).
    Running it twice expires nothing more."""
    return services.dossier_expire_closed()
