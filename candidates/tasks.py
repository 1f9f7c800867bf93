"""Celery tasks of candidates: thin, idempotent, calling services."""

from celery import shared_task

from . import account_services


@shared_task(acks_late=True)
def purge_inactive_accounts() -> int:
    """Periodic (beat, registered by the scheduling issue): delete accounts never activated within
    48 h (AM, NT). Idempotent: a second run finds nothing left to delete."""
    return account_services.purge_inactive_accounts()
