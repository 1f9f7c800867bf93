"""The candidate's "Me désister" (two confirmations) and "Supprimer ce brouillon" pages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from candidates.models import Dossier
from candidates.registration import selectors, withdrawal
from portal.exceptions import DomainError
from portal.forms import PortalForm


class WithdrawalForm(PortalForm, forms.Form):
    # issue 18 item 2: the portal's one form system, hence its error summary that takes the focus.
    error_summary_intro = gettext_lazy(
        "Votre désistement n'est pas enregistré : cochez la case pour confirmer."
    )

    confirm = forms.BooleanField(
        label=gettext_lazy(
            "Je veux me désister de cette inscription : je ne passerai pas les épreuves de cette session."
        ),
        error_messages={"required": gettext_lazy("Cochez la case pour confirmer votre désistement.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif (facultatif)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea({"rows": 3}),
    )


def _own(request: HttpRequest, pk: int) -> Dossier:
    try:
        return selectors.dossier_for_candidate(request.user, pk)
    except Dossier.DoesNotExist:
        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1 ticks the box (and gives a reason); step 2 asks once more before anything changes."""
    dossier = _own(request, pk)
    refusal = withdrawal.withdrawal_refusal(dossier, timezone.now())
    form = WithdrawalForm(request.POST if request.method == "POST" else None)
    step = 1
    if request.method == "POST" and not refusal and form.is_valid():
        step = 2
        if request.POST.get("confirm_again") == "1":
            try:
                withdrawal.dossier_withdraw(
                    dossier_id=dossier.pk,
                    candidate=request.user,
                    confirmed=True,
                    confirmed_again=True,
                    reason=form.cleaned_data["reason"],
                )
            except DomainError as exc:
                refusal = exc.message
                step = 1
            else:
                messages.success(
                    request, _("Votre désistement est enregistré : le bureau des examens en est informé.")
                )
                return redirect("registration:detail", pk=dossier.pk)
    return render(
        request,
        "candidates/wizard/withdraw.html",
        {
            "dossier": dossier,
            "form": form,
            "refusal": refusal,
            "step": step,
            "posted": request.method == "POST",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def delete_draft(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _own(request, pk)
    error = ""
    if request.method == "POST":
        try:
            withdrawal.dossier_delete_draft(dossier_id=dossier.pk, candidate=request.user)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Brouillon supprimé."))
            return redirect("candidates:space")
    return render(
        request,
        "candidates/wizard/delete_draft.html",
        {"dossier": dossier, "error": error, "posted": request.method == "POST"},
    )
