"""Celery tasks of candidates: thin, idempotent, calling services."""

from celery import shared_task

from . import account_services, services


@shared_task(acks_late=True)
def purge_inactive_accounts() -> int:
    """Periodic (beat): delete accounts never activated within 48 h (AM, NT). Idempotent: a
    second run finds nothing left to delete."""
    return account_services.purge_inactive_accounts()


@shared_task(acks_late=True)
def expire_closed_drafts() -> int:
    """Periodic (beat): drafts of sessions whose registration has closed become expired (§7).
    Running it twice expires nothing more."""
    return services.dossier_expire_closed()
