"""Public pages of the catalogue."""

from django.shortcuts import render
from django.utils import timezone

from . import catalogue_cache
from .selectors import public_calendar, public_calendar_signature


def home(request):
    now = timezone.now()
    calendar = public_calendar(at=now)
    context = {
        "calendar": calendar,
        "now": now,
        # The rendered calendar is cached under the catalogue's version and the sessions' states.
        "calendar_signature": public_calendar_signature(calendar),
        "calendar_ttl": catalogue_cache.TTL,
    }
    return render(request, "home.html", context)
