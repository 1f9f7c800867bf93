"""Public pages of the catalogue."""

from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from portal.exceptions import DomainError

from . import staff
from .selectors import public_calendar


def home(request):
    now = timezone.now()
    return render(request, "home.html", {"calendar": public_calendar(at=now), "now": now})


@require_http_methods(["GET", "POST"])
def staff_activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The invited gestionnaire chooses a password; the GET only shows the form, so a mail scanner
    opening the link consumes nothing."""
    user = staff.invitation_user(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "exams/staff_activation_invalid.html", status=400)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            staff.staff_activate(uidb64=uidb64, token=token, password=form.cleaned_data["new_password1"])
        except DomainError as exc:
            return render(request, "exams/staff_activation_invalid.html", {"error": exc.message}, status=400)
        messages.success(request, "Votre compte est activé : connectez-vous à l'administration.")
        return redirect("admin:login")
    return render(request, "exams/staff_activate.html", {"form": form, "email": user.email})
