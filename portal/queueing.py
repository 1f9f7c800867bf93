"""The one way the portal enqueues a Celery task: after the commit, and never failing the caller.

A change is committed before its task is enqueued (a worker must not load a row "before our
database transaction was committed", pretix). If the broker is down at that moment, the change
is still saved: raising would turn a saved action into an error page that says the opposite
(issue 17: "Enregistrer" with Redis down answered a 500 although the dossier was registered). The
row the task works on (an outgoing e-mail, a pending document) stays pending and the sweeper
enqueues it again within a minute of the broker's return.

Also the queues: e-mails, PDFs and exports each have their own, so a burst of renders never
delays an activation e-mail (issue 17). Queue names derive from CELERY_QUEUE at routing time, so
a test can give its worker queues of its own.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)

# The kind of work of each task that does not go to the default queue.
EMAILS, PDF, EXPORTS, UPLOADS = "emails", "pdf", "exports", "uploads"
TASK_QUEUES = {
    "notifications.tasks.deliver_email": EMAILS,
    "documents.tasks.render_document": PDF,
    "candidates.tasks.export_dossiers": EXPORTS,
    "candidates.tasks.build_privacy_export": EXPORTS,  # issue 12
    # issue 12: scanning and disarming uploads, on workers of their own (memory-capped).
    "documents.tasks.check_piece_upload": UPLOADS,
    "candidates.tasks.check_message_attachment": UPLOADS,
}


def queue_names(base: str | None = None) -> list[str]:
    """Every queue the portal uses: the default one (periodic jobs, sweepers) first."""
    if base is None:
        from portal.celery import app

        base = app.conf.task_default_queue
    return [base, *(f"{base}.{kind}" for kind in (EMAILS, PDF, EXPORTS, UPLOADS))]


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router (CELERY_TASK_ROUTES): the queue of a task, read at enqueue time."""
    kind = TASK_QUEUES.get(name)
    if kind is None:
        return None
    from portal.celery import app

    return {"queue": f"{app.conf.task_default_queue}.{kind}"}


def enqueue(task, *args, **options) -> bool:
    """Send ``task(*args)`` to the broker now; False (logged) when the broker is unreachable. The
    caller's row must be one a sweeper finds again (pending, with its enqueue time)."""
    try:
        task.apply_async(args, **options)
    except Exception:
        logger.warning(
            "Task %s%r not enqueued (broker unavailable?); its sweeper will enqueue it again.",
            task.name,
            args,
            exc_info=True,
        )
        return False
    return True


def enqueue_on_commit(task, *args, **options) -> None:
    """Enqueue once the current transaction commits (at once outside one); never raises."""
    transaction.on_commit(partial(enqueue, task, *args, **options))
