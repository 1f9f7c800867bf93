"""Celery tasks of documents: thin, take ids, idempotent, they call a service."""

from celery import shared_task

from documents.pieces import services
from documents.recap import services as recap

# Defined beside the rendering it runs (documents.recap.services), named "documents.tasks.render_document"
# as before: the recap service enqueues it without importing this module, which imports it.
render_document = recap.render_document


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
