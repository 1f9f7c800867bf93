"""Celery tasks of candidates: thin, idempotent, calling services."""

from celery import shared_task

from candidates.accounts import services as account_services
from candidates.registration import services
from candidates.review import exports

# Defined beside the export it writes (candidates.review.exports), named
# "candidates.tasks.export_dossiers" as before: the review views enqueue it from there.
export_dossiers = exports.export_dossiers
# Likewise beside the e-mail it writes (candidates.accounts.services), under its historical name.
send_password_reset = account_services.send_password_reset


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
