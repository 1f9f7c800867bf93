"""The help pages (issue 14): the candidate's académie first, any académie by its code."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from exams.helpdesk import selectors
from exams.models import Academie


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    mine = selectors.academie_of(request.user)
    if mine is not None:
        return redirect("help:page", code=mine.code)
    return render(request, "exams/help/index.html", {"academies": Academie.objects.order_by("name")})


@require_GET
def page(request: HttpRequest, code: str) -> HttpResponse:
    found = selectors.help_page(code)
    if found is None:
        raise Http404
    return render(
        request, "exams/help/page.html", {"page": found, "academies": Academie.objects.order_by("name")}
    )
