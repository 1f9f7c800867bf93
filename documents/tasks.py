"""Celery tasks of documents: thin, idempotent, they call a service."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def cancel_dossiers_missing_pieces() -> dict[str, list[int]]:
    """Periodic (every few minutes, django-celery-beat): dossiers still missing standard pieces
    once their pieces deadline has passed are cancelled (NT)."""
    return services.dossiers_cancel_missing_pieces()
