"""The health endpoint for a load balancer and the operator: database, Redis, a worker on each of
the portal's queues, whether a page renders at all (the static files' manifest, the templates);
and what an alert watches: queue depths, the age of the oldest pending e-mail and document."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.queueing import queue_names


def _check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is the answer, not a crash of the endpoint
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor, "ms": round((time.monotonic() - started) * 1000, 1)}


def _check_redis() -> dict:
    if not settings.REDIS_URL:
        return {"ok": True, "configured": False}
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:
        return {"ok": False, "configured": True, "error": exc.__class__.__name__}
    return {"ok": True, "configured": True}


def _check_worker() -> dict:
    """A worker must consume each of the portal's own queues (issue 17: any worker on the broker
    answering "pong" said nothing about the e-mail queue being served)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded default: tasks run in the web process, there is no worker to ask.
        return {"ok": True, "mode": "eager"}
    from portal.celery import app

    wanted = queue_names()
    try:
        replies = app.control.inspect(timeout=1.0).active_queues() or {}
    except Exception as exc:
        return {"ok": False, "mode": "workers", "error": exc.__class__.__name__, "queues": wanted}
    consumed = {queue["name"] for queues in replies.values() for queue in queues or []}
    missing = [name for name in wanted if name not in consumed]
    return {"ok": not missing, "mode": "workers", "workers": len(replies), "unconsumed_queues": missing}


def _queue_depths() -> dict:
    """Messages waiting in each queue (Redis lists named after the queues)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.REDIS_URL:
        return {}
    import redis

    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1)
        return {name: client.llen(name) for name in queue_names()}
    except Exception as exc:
        return {"error": exc.__class__.__name__}


def _backlog() -> dict:
    """The age of the oldest e-mail, document and upload still waiting: the alert an operator sets."""
    from documents.models import DocumentStatus, GeneratedDocument, PieceUpload, UploadStatus
    from notifications.models import EmailStatus, OutgoingEmail

    now = timezone.now()

    def age(value):
        return round((now - value).total_seconds(), 1) if value else None

    try:
        oldest_email = OutgoingEmail.objects.filter(
            status__in=[EmailStatus.PENDING, EmailStatus.SENDING]
        ).aggregate(oldest=Min("created_at"))["oldest"]
        oldest_document = GeneratedDocument.objects.filter(status=DocumentStatus.PENDING).aggregate(
            oldest=Min("created_at")
        )["oldest"]
        failed_emails = OutgoingEmail.objects.filter(status=EmailStatus.FAILED).count()
        oldest_upload = PieceUpload.objects.filter(status=UploadStatus.CHECKING).aggregate(
            oldest=Min("received_at")
        )["oldest"]
    except Exception as exc:
        return {"error": exc.__class__.__name__}
    return {
        "oldest_pending_email_seconds": age(oldest_email),
        "oldest_pending_document_seconds": age(oldest_document),
        "failed_emails": failed_emails,
        # issue 12: uploads waiting in quarantine (clamd or the uploads worker down).
        "oldest_checking_upload_seconds": age(oldest_upload),
    }


def _check_pages(request) -> dict:
    """Render the base template every page extends, as an anonymous visitor: a missing static
    manifest or manifest entry (collectstatic run with DEBUG on, a file not collected) makes every
    page a 500 while the database and the worker are fine, so the container must not look healthy."""
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    user, request.user = getattr(request, "user", None), AnonymousUser()
    try:
        render_to_string("base.html", request=request)
    except Exception as exc:
        return {"ok": False, "error": exc.__class__.__name__}
    finally:
        request.user = user
    return {"ok": True}


def _check_antivirus() -> dict:
    # issue 12: uploads wait in quarantine while clamd is down; "disabled" only with DEBUG on.
    from documents.pieces import antivirus

    if not antivirus.scanning_enabled():
        return {"ok": True, "configured": False, "warning": "uploads are not scanned (CLAMD_URL empty)"}
    return {"ok": antivirus.ping(), "configured": True}


@never_cache
@require_GET
def health(request):
    checks = {
        "database": _check_database(),
        "redis": _check_redis(),
        "worker": _check_worker(),
        "pages": _check_pages(request),
        "antivirus": _check_antivirus(),
    }
    ok = all(check["ok"] for check in checks.values())
    body = {"status": "ok" if ok else "degraded", "checks": checks, "queues": _queue_depths()}
    if checks["database"]["ok"]:
        body["backlog"] = _backlog()
    return JsonResponse(body, status=200 if ok else 503)
