"""The candidate's "carry my new address into my dossiers?" page, and the gestionnaire's
rectification of a dossier (a small view the admin links to)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from candidates.corrections import selectors, services
from candidates.corrections.forms import ContactUpdateForm, StaffCorrectionForm
from portal.exceptions import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def contact_update(request: HttpRequest) -> HttpResponse:
    stale = selectors.dossiers_with_stale_contact(request.user)
    if not stale:
        return redirect("candidates:profile")
    form = ContactUpdateForm(request.POST or None, stale=stale)
    if request.method == "POST" and form.is_valid():
        if "skip" in request.POST:
            messages.warning(
                request,
                _(
                    "Vos dossiers gardent leur ancienne adresse : le bureau des examens vous écrira à "
                    "celle-ci. Vous pouvez les mettre à jour plus tard depuis « Mon espace »."
                ),
            )
            return redirect("candidates:space")
        result = services.dossier_apply_profile_contact(
            candidate=request.user, dossier_ids=form.cleaned_data["dossiers"]
        )
        for dossier in result.updated:
            messages.success(
                request,
                _("Dossier %(n)s mis à jour : une nouvelle version du récapitulatif est préparée.")
                % {"n": dossier},
            )
        for dossier, why in result.refused:
            messages.error(request, _("Dossier %(n)s : %(why)s") % {"n": dossier, "why": why})
        return redirect("candidates:space")
    return render(request, "candidates/corrections/contact_update.html", {"form": form, "stale": stale})


@staff_member_required
@require_POST
def staff_correct(request: HttpRequest, pk: int) -> HttpResponse:
    form = StaffCorrectionForm(request.POST)
    back = reverse("admin:candidates_dossier_change", args=[pk]) + "#correction-title"
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    try:
        services.dossier_staff_correct(
            dossier_id=pk, actor=request.user, changes=form.to_changes(), reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, _("Valeur invalide : %(why)s") % {"why": " ".join(exc.messages)})
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Dossier rectifié : le candidat est prévenu, un nouveau récapitulatif est préparé.")
        )
    return redirect(back)
