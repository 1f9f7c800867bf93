"""Response headers every page gets (issue 12): what the browser may do (Permissions-Policy) and
that a page shown to a logged-in person is never kept by a cache (shared computers: CDI, libraries)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.cache import patch_cache_control

# Nothing the portal uses: a phone photo of a piece goes through the file input, not the camera API.
DEFAULT_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), publickey-credentials-get=(), usb=(), "
    "interest-cohort=()"
)


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; ``Cache-Control: private, no-store`` on every response
    to an authenticated request, so the back button of the next person at the computer, a proxy or
    the browser's disk cache do not hold a candidate's identity, dossier or messages."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", DEFAULT_PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if "Cache-Control" in response.headers:
                # max-age / public would contradict no-store; keep only what does not.
                del response.headers["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response


class RejectNulMiddleware:
    """A NUL character in the path or the query string is never a real request: PostgreSQL
    refuses it in any text parameter, so the admin's search and autocomplete, or a token in a path,
    turned it into a 500. Answered 400 before any view runs. (Bodies are the forms' business:
    reading request.POST here would parse uploads before their views choose the upload handlers.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return HttpResponseBadRequest(
                "Requête invalide : l'adresse contient un caractère nul.".encode(),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
