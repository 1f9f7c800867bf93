"""Public pages of the catalogue."""

from django.shortcuts import render
from django.utils import timezone

from .selectors import public_calendar


def home(request):
    now = timezone.now()
    return render(request, "home.html", {"calendar": public_calendar(at=now), "now": now})
