"""Staff accounts seen from the accounts side: the invitation e-mail (notifications are above
exams, so exams.staff takes the sender from here), the admin page "Inviter un gestionnaire" and the
page where the invited person chooses a password (issue 13 item 6)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from candidates.accounts.forms import PortalSetPasswordForm
from exams import staff
from exams.models import Academie, Specialty, StaffAssignment
from exams.selectors import managed_academies
from notifications.services import notify
from portal.exceptions import DomainError
from portal.forms import PortalForm


def send_invitation(assignment: StaffAssignment, *, by) -> None:
    notify(assignment.user, "staff_invitation", staff.invitation_context(assignment, by), inbox=False)


def staff_invite(**kwargs) -> StaffAssignment:
    """exams.staff.staff_invite with the invitation e-mailed."""
    by = kwargs["by"]
    return staff.staff_invite(**kwargs, send_invitation=lambda assignment: send_invitation(assignment, by=by))


@transaction.atomic
def staff_resend_invitation(*, assignment: StaffAssignment, by) -> None:
    staff.staff_may_resend_invitation(assignment=assignment, by=by)
    send_invitation(assignment, by=by)


class StaffInviteForm(PortalForm, forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse électronique professionnelle"))
    academie = forms.ModelChoiceField(label=gettext_lazy("Académie"), queryset=Academie.objects.none())
    specialties = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Spécialités"),
        queryset=Specialty.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Les spécialités ouvertes par une session de l'académie."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        academies = managed_academies(user)
        self.fields["academie"].queryset = academies
        if academies.count() == 1:
            self.fields["academie"].initial = academies.first()
        self.fields["specialties"].queryset = (
            Specialty.objects.filter(openings__session__academie__in=academies).distinct().order_by("name")
        )


@staff_member_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """ "Inviter un gestionnaire": the académie's manager, never the superuser only."""
    if not request.user.has_perm("exams.add_staffassignment"):
        raise PermissionDenied
    form = StaffInviteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = staff_invite(
                academie=form.cleaned_data["academie"],
                email=form.cleaned_data["email"],
                specialties=form.cleaned_data["specialties"],
                by=request.user,
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s (lien valable 48 heures).")
                % {"email": assignment.user.email},
            )
            return redirect("admin:exams_staffassignment_changelist")
    context = {
        **admin.site.each_context(request),
        "title": _("Inviter un gestionnaire"),
        "form": form,
        "opts": StaffAssignment._meta,
    }
    return TemplateResponse(request, "admin/exams/staffassignment/invite.html", context)


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invited gestionnaire chooses a password; the GET only shows the form, so a mail scanner
    opening the link consumes nothing."""
    user = staff.invitation_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "exams/staff_activation_invalid.html", status=400)
    form = PortalSetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff.staff_activate(uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"])
        except DomainError as exc:
            return render(request, "exams/staff_activation_invalid.html", {"error": exc.message}, status=400)
        messages.success(request, _("Votre compte est activé : connectez-vous à l'administration."))
        return redirect("admin:login")
    return render(request, "exams/staff_activate.html", {"form": form, "email": user.email})
