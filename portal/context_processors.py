"""Values every page template needs."""

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

# The links of the navigation (templates/base.html), on every page: reversed once per process
# (and URL prefix) instead of ten `{% url %}` per page (issue 15: about 0.5 ms of a page's CPU,
# a sixth of the ceiling's whole request).
NAV_LINKS = {
    "home": "home",
    "simulator": "documents:simulator",
    "help": "help:index",
    "space": "candidates:space",
    "documents": "recap:documents",
    "pieces": "documents:pieces_index",
    "inbox": "notifications:inbox",
    "admin": "admin:index",
    "logout": "candidates:logout",
    "signup": "candidates:signup",
    "login": "candidates:login",
}


@lru_cache(maxsize=16)
def _nav_urls(prefix: str, urlconf: str | None) -> dict[str, str]:
    return {key: reverse(name, urlconf=urlconf) for key, name in NAV_LINKS.items()}


def nav_urls() -> dict[str, str]:
    # reverse() depends on the script prefix (a deployment under a sub-path) and the URLconf.
    return _nav_urls(get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


def portal(request):
    return {"SITE_NAME": "Portail des examens — BTS", "SITE_URL": settings.SITE_URL, "nav": nav_urls()}
