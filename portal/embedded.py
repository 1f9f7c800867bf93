"""The embedded default's sweeper (no worker, no beat): a daemon thread in `runserver` that does
every minute what beat does in production, so an e-mail that met a short SMTP outage is sent
later instead of being lost (issue 17)."""

from __future__ import annotations

import logging
import os
import sys
import threading

from django.conf import settings

logger = logging.getLogger(__name__)
_started = threading.Event()


def sweep_once() -> None:
    from documents.recap.services import documents_sweep_pending
    from notifications.services import outbox_sweep

    try:
        outbox_sweep()
        documents_sweep_pending()
    except Exception:  # the next minute tries again; never kill the thread
        logger.exception("Embedded sweeper failed")


def _loop(interval: float, stop: threading.Event) -> None:
    from django.db import close_old_connections

    while not stop.wait(interval):
        sweep_once()
        close_old_connections()  # the thread's own connection, as after a request


def start(*, interval: float = 60.0) -> threading.Event | None:
    """Start the thread once per process; returns the event that stops it (None if not started)."""
    if _started.is_set():
        return None
    _started.set()
    stop = threading.Event()
    threading.Thread(target=_loop, args=(interval, stop), name="embedded-sweeper", daemon=True).start()
    logger.info("Embedded sweeper started (every %s s): tasks run in this process.", interval)
    return stop


def should_start(argv: list[str] | None = None, environ=None) -> bool:
    """Only `runserver` with eager tasks, and only in the process that serves (the autoreloader's
    child, or the one process with --noreload): never in tests, migrations or a gunicorn worker."""
    argv = sys.argv if argv is None else argv
    environ = os.environ if environ is None else environ
    if not settings.CELERY_TASK_ALWAYS_EAGER or len(argv) < 2 or argv[1] != "runserver":
        return False
    return environ.get("RUN_MAIN") == "true" or "--noreload" in argv
