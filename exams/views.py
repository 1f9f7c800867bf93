"""Public pages of the catalogue."""

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import catalogue_cache
from .selectors import public_calendar, public_calendar_states


def home(request):
    now = timezone.now()
    calendar = public_calendar(at=now)
    # The rendered calendar is cached under the catalogue's version and the sessions' states: a
    # session that opens or closes is shown so at the next request.
    html = catalogue_cache.cached(
        "home_calendar",
        lambda: str(render_to_string("exams/_home_calendar.html", {"calendar": calendar})),
        vary=public_calendar_states(calendar),
    )
    return render(request, "home.html", {"now": now, "calendar_html": mark_safe(html)})  # noqa: S308 (our template's output)
