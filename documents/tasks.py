"""Celery tasks of documents: thin, take ids, idempotent, they call a service."""

from celery import shared_task

from documents.pieces import quarantine, services
from documents.recap import convocations
from documents.recap import services as recap

# Defined beside the rendering it runs (documents.recap.services), named "documents.tasks.render_document"
# as before: the recap service enqueues it without importing this module, which imports it.
render_document = recap.render_document
# Likewise beside the quarantine it empties (documents.pieces.quarantine).
check_piece_upload = quarantine.check_piece_upload
# And beside the publication of the convocations (the admin's "publier maintenant").
publish_convocations = convocations.publish_convocations


@shared_task(acks_late=True)
def publish_due_convocations() -> dict[str, int]:
    """Periodic (beat, every 15 minutes): the convocations of the sessions whose publication
    instant has come, to the dossiers declared conforme since the last run too (idempotent)."""
    return convocations.convocations_publish_due()


@shared_task(acks_late=True)
def sweep_pending_documents() -> int:
    """Periodic (celery beat, every minute): re-enqueue documents whose render task was lost."""
    return recap.documents_sweep_pending()


@shared_task(acks_late=True)
def cancel_dossiers_missing_pieces() -> dict[str, list[int]]:
    """Periodic (every few minutes, django-celery-beat): dossiers still missing standard pieces
    once their pieces deadline has passed are cancelled (NT)."""
    return services.dossiers_cancel_missing_pieces()


@shared_task
def sweep_piece_uploads() -> int:
    """Periodic (celery beat, every 5 minutes): re-enqueue uploads still in quarantine."""
    return quarantine.uploads_pending_sweep()


@shared_task(acks_late=True)
def sweep_orphan_files() -> int:
    """Daily (beat): remove files of private storage no row references, once past their grace."""
    from documents.orphans import orphan_files_sweep

    return len(orphan_files_sweep())
