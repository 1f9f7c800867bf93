"""The candidate's space ("Mon espace"): it composes the account and the registration workflows,
so it lives above both packages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from candidates.accounts import services as account_services
from candidates.corrections.selectors import dossiers_with_stale_contact
from candidates.models import Profile
from candidates.registration.selectors import dossiers_for_space


@login_required
@require_GET
def space(request: HttpRequest) -> HttpResponse:
    # Always the logged-in candidate's own profile: no id in any URL, nothing to guess.
    # The page shows no département (issue 15: its join was compiled and read for nothing).
    p, _ = Profile.objects.get_or_create(user=request.user)
    # issue 15: read once for the cards, the stale-contact notice and the invalidated pieces' alert.
    dossiers = list(dossiers_for_space(request.user))
    return render(
        request,
        "candidates/space.html",
        {
            "dossiers": dossiers,
            "profile": p,
            "completeness": account_services.profile_completeness(p),
            "stale_contact": dossiers_with_stale_contact(request.user, profile=p, dossiers=dossiers),
        },
    )
