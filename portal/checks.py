"""System checks of `manage.py check --deploy`: the same questions as the start-up guard of
settings.py (portal.production), asked even when DEBUG is on so an operator sees them before going live."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from . import production


@register(Tags.security, deploy=True)
def check_secret_key(app_configs=None, **kwargs) -> list[Error]:
    problem = production.secret_key_problem(settings.SECRET_KEY, base_dir=settings.BASE_DIR)
    return [Error(problem, id="portal.E001")] if problem else []


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[Error]:
    problem = production.shared_cache_problem(settings.CACHES)
    return [Error(problem, id="portal.E002")] if problem else []


@register(Tags.staticfiles, deploy=True)
def check_static_manifest(app_configs=None, **kwargs) -> list[Error]:
    backend = settings.STORAGES.get("staticfiles", {}).get("BACKEND", "")
    if "Manifest" in backend:
        return []
    return [
        Error(
            "The static files are not served from a manifest (hashed names): run collectstatic with "
            "DEBUG off, as the Dockerfile does.",
            id="portal.E003",
        )
    ]
