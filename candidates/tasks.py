"""Celery tasks of candidates: thin, take ids, call a service."""

from celery import shared_task


@shared_task(bind=True, acks_late=True, max_retries=3, autoretry_for=(OSError,), retry_backoff=30)
def export_dossiers(self, user_id: int, dossier_ids: list[int], fmt: str, token: str) -> str:
    """issue 7: a large export of the staff's dossier list, written in private storage."""
    from .exports import export_write_for_user
    from .models import User

    user = User.objects.get(pk=user_id)
    return export_write_for_user(user=user, dossier_ids=dossier_ids, fmt=fmt, token=token).path
