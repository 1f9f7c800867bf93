"""The health endpoint for a load balancer and the operator: database, Redis, Celery worker, and
whether a page renders at all (the static files' manifest, the templates)."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Embedded default: tasks run in the web process, there is no worker to ask.
        return {"ok": True, "mode": "eager"}
    from portal.celery import app

    try:
        replies = app.control.ping(timeout=1.0)
    except Exception as exc:
        return {"ok": False, "mode": "workers", "error": exc.__class__.__name__}
    return {"ok": bool(replies), "mode": "workers", "workers": len(replies)}


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


@never_cache
@require_GET
def health(request):
    checks = {
        "database": _check_database(),
        "redis": _check_redis(),
        "worker": _check_worker(),
        "pages": _check_pages(request),
    }
    ok = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if ok else "degraded", "checks": checks}, status=200 if ok else 503)
