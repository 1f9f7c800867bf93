"""Celery tasks of documents: thin, take ids, idempotent, they call a service."""

from celery import shared_task

from documents.pieces import services
from documents.recap import services as recap


@shared_task(
    bind=True,
    # Idempotent (a claim, then "ready" under a row lock): a render whose worker died is delivered
    # again rather than lost (issue 17).
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=5,
    autoretry_for=recap.TRANSIENT_ERRORS,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
)
def render_document(self, document_id: int) -> str | None:
    document = recap.document_render(document_id=document_id)
    return document.status if document else None


@shared_task(acks_late=True)
def sweep_pending_documents() -> int:
    """Periodic (celery beat, every minute): re-enqueue documents whose render task was lost."""
    return recap.documents_sweep_pending()


@shared_task(acks_late=True)
def cancel_dossiers_missing_pieces() -> dict[str, list[int]]:
    """Periodic (every few minutes, django-celery-beat): dossiers still missing standard pieces
    once their pieces deadline has passed are cancelled (NT)."""
    return services.dossiers_cancel_missing_pieces()


@shared_task(acks_late=True)
def sweep_orphan_files() -> int:
    """Daily (beat): remove files of private storage no row references, once past their grace."""
    from documents.orphans import orphan_files_sweep

    return len(orphan_files_sweep())
