"""Celery tasks of candidates: thin, idempotent, calling services."""

from celery import shared_task

from candidates.accounts import services as account_services
from candidates.registration import services


@shared_task(acks_late=True)
def purge_inactive_accounts() -> int:
    """Periodic (beat): delete accounts never activated within 48 h (AM, NT). Idempotent: a
    second run finds nothing left to delete."""
    return account_services.purge_inactive_accounts()


@shared_task(acks_late=True)
def send_password_reset(email: str) -> None:
    """issue 12: the reset e-mail (or a new activation link), looked up away from the request
    so that known and unknown addresses take the same time to answer."""
    account_services.account_send_password_reset(email=email)


@shared_task(acks_late=True)
def expire_closed_drafts() -> int:
    """Periodic (beat): drafts of sessions whose registration has closed become expired (§7).
    Running it twice expires nothing more."""
    return services.dossier_expire_closed()


@shared_task(bind=True, acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=30)
def export_dossiers(self, user_id: int, dossier_ids: list[int], fmt: str, token: str) -> str:
    """issue 7: a large export of the staff's dossier list, written in private storage."""
    from candidates.review.exports import export_write_for_user

    from .models import User

    user = User.objects.get(pk=user_id)
    return export_write_for_user(user=user, dossier_ids=dossier_ids, fmt=fmt, token=token).path
