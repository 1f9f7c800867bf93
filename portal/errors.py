"""What a person sees when a component is down (issue 17): a French page that says what may
already be saved, rendered without the database, the cache or the session.

- The database (OperationalError, InterfaceError) or the cache (Redis connection errors) failing
  in a view: the middleware answers 503 with `503.html` and a Retry-After.
- The same errors raised by a middleware below, and any other crash: Django calls handler500
  inside its `except` block, so handler500 still sees the exception and picks 503 or 500.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


def infrastructure_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OperationalError, InterfaceError]
    try:
        import redis.exceptions

        errors += [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError]
    except ImportError:  # pragma: no cover - redis is a dependency
        pass
    try:
        import kombu.exceptions

        errors.append(kombu.exceptions.OperationalError)
    except ImportError:  # pragma: no cover
        pass
    return tuple(errors)


INFRASTRUCTURE_ERRORS = infrastructure_errors()


def _page(template: str, status: int, request=None) -> HttpResponse:
    was_post = request is not None and request.method == "POST"
    retry_path = "/"
    if request is not None and request.method == "GET":
        retry_path = request.get_full_path()
    try:
        # No request passed on purpose: context processors read the session and the database.
        body = loader.get_template(template).render({"was_post": was_post, "retry_path": retry_path})
    except Exception:  # even the template engine failing must not yield a blank page
        logger.exception("Rendering %s failed", template)
        body = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Service indisponible</title>'
            "</head><body><h1>Le portail est momentanément indisponible</h1><p>Réessayez dans une minute. "
            "Ce que vous avez déjà enregistré est conservé.</p></body></html>"
        )
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def unavailable(request=None) -> HttpResponse:
    return _page("503.html", 503, request)


def handler500(request) -> HttpResponse:
    exc = sys.exc_info()[1]
    if isinstance(exc, INFRASTRUCTURE_ERRORS):
        return unavailable(request)
    return _page("500.html", 500, request)


class InfrastructureErrorMiddleware:
    """Turns the database or the cache being away during a view into the French 503 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, INFRASTRUCTURE_ERRORS):
            logger.error(
                "Infrastructure error on %s %s: %r",
                request.method,
                request.path,
                exception,
                exc_info=exception,
            )
            return unavailable(request)
        return None
