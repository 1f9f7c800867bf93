"""Candidate pages: thin views that call services and selectors."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def space(request):
    dossiers = request.user.dossiers.select_related("session__academie", "specialty").order_by("-created_at")
    return render(request, "candidates/space.html", {"dossiers": dossiers})
