"""Account pages of the candidate: thin views over candidates.accounts.services (issue 3)."""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_http_methods

from candidates.accounts import rules, services
from candidates.accounts.forms import (
    EmailChangeForm,
    EmailOnlyForm,
    LoginForm,
    PortalPasswordChangeForm,
    PortalSetPasswordForm,
    ProfileForm,
    SignupForm,
)
from candidates.models import Profile, UserManager
from exams.models import Departement
from portal.exceptions import DomainError


def axes_username(request: HttpRequest, credentials: dict | None) -> str:
    """AXES_USERNAME_CALLABLE: one failure counter per account, whatever the case typed."""
    raw = (credentials or {}).get("username") or request.POST.get("username", "")
    return UserManager.normalize_email(raw)


def _ip(request: HttpRequest) -> str | None:
    # The same resolution as django-axes, so a proxy is handled identically by both.
    return get_client_ip_address(request)


# --- Sign-up and activation ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("candidates:space")
    if request.method == "POST" and request.POST.get("use_suggestion"):
        # The one-click correction without JavaScript: the form comes back with the fixed address.
        fixed = request.POST["use_suggestion"][:254]
        form = SignupForm(initial={"email": fixed, "email_confirm": fixed})
        return render(request, "candidates/signup.html", {"form": form, "suggestion": None})
    form = SignupForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_signup(
                email=form.cleaned_data["email"], password=form.cleaned_data["password1"], ip=_ip(request)
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            # Same page whether the address was known or not (no enumeration).
            request.session["signup_email"] = form.cleaned_data["email"]
            return redirect("candidates:signup_done")
    return render(request, "candidates/signup.html", {"form": form, "suggestion": form.suggestion})


@require_GET
def signup_done(request: HttpRequest) -> HttpResponse:
    email = request.session.get("signup_email", "")
    return render(
        request,
        "candidates/signup_done.html",
        {"email": email, "suggestion": rules.suggest_email(email) if email else None},
    )


@require_GET
def email_suggestion(request: HttpRequest) -> JsonResponse:
    """The typo suggestion for the sign-up page's script (the rule stays in Python)."""
    return JsonResponse({"suggestion": rules.suggest_email(request.GET.get("email", "")[:254])})


@require_http_methods(["GET", "POST"])
def activate(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET only shows a button: mail scanners that open links must not consume the single-use
    link; the POST activates."""
    if request.method == "POST":
        try:
            services.account_activate(uidb64=uidb64, token=token)
        except DomainError as exc:
            return render(request, "candidates/activation_invalid.html", {"error": exc.message}, status=400)
        messages.success(request, "Votre compte est activé. Vous pouvez maintenant vous connecter.")
        return redirect("candidates:login")
    user = services.activation_link_user(uidb64=uidb64, token=token)
    if user is None:
        return render(
            request,
            "candidates/activation_invalid.html",
            {
                "error": "Ce lien d'activation n'est plus valable : il a déjà été utilisé ou date de plus de 48 heures."
            },
            status=400,
        )
    return render(request, "candidates/activate.html", {"email": user.email})


@require_http_methods(["GET", "POST"])
def resend_activation(request: HttpRequest) -> HttpResponse:
    form = EmailOnlyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_resend_activation(email=form.cleaned_data["email"], ip=_ip(request))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.info(
                request,
                "Si un compte non activé correspond à cette adresse, un nouveau lien d'activation "
                "vient d'y être envoyé. Il est valable 48 heures.",
            )
            return redirect("candidates:login")
    return render(request, "candidates/resend_activation.html", {"form": form})


# --- Login, password ----------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "candidates/login.html"
    redirect_authenticated_user = True


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    form = EmailOnlyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_request_password_reset(email=form.cleaned_data["email"], ip=_ip(request))
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("candidates:password_reset_done")
    return render(request, "candidates/password_reset.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = PortalSetPasswordForm
    template_name = "candidates/password_reset_confirm.html"
    success_url = reverse_lazy("candidates:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # A new password ends a lockout earned by whoever was guessing the old one.
        axes_reset(username=form.user.email)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = PortalPasswordChangeForm
    template_name = "candidates/password_change.html"
    success_url = reverse_lazy("candidates:profile")

    def form_valid(self, form):
        messages.success(self.request, "Votre mot de passe a été modifié.")
        return super().form_valid(form)


# --- Profile, e-mail change --------------------------------------------------------------------


def _profile(request: HttpRequest) -> Profile:
    # Always the logged-in candidate's own profile: no id in any URL, nothing to guess.
    profile, _ = Profile.objects.select_related("departement").get_or_create(user=request.user)
    return profile


@login_required
@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    p = _profile(request)
    return render(
        request,
        "candidates/profile.html",
        {
            "profile": p,
            "completeness": services.profile_completeness(p),
            "missing": services.profile_missing_fields(p),
            "phone": rules.format_phone_for_display(p.mobile_phone) if p.mobile_phone else "",
            "birth_country_name": rules.country_name(p.birth_country),
            "nationality_name": rules.country_name(p.nationality),
            "country_name": rules.country_name(p.country),
            "departement_code": rules.departement_from_postcode(p.postcode) if p.country == "FR" else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    p = _profile(request)
    form = ProfileForm(request.POST or None, initial=ProfileForm.initial_from(p))
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=request.user, data=form.cleaned_data)
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.success(request, "Votre profil est enregistré.")
            # An address change never silently skips the open dossiers: the candidate is asked.
            from candidates.corrections.selectors import dossiers_with_stale_contact

            if dossiers_with_stale_contact(request.user):
                return redirect("candidates:contact_update")
            return redirect("candidates:profile")
    postcode = form["postcode"].value() or ""
    country = form["country"].value() or "FR"
    code = rules.departement_from_postcode(postcode.replace(" ", "")) if country == "FR" else None
    departement = Departement.objects.filter(code=code).first() if code else None
    return render(
        request,
        "candidates/profile_form.html",
        {"form": form, "profile": p, "departement": departement or code or ""},
    )


@login_required
@require_GET
def departement_lookup(request: HttpRequest) -> JsonResponse:
    """The département the profile page shows as the postcode is typed (same rule as the save)."""
    return JsonResponse(
        {"departement": rules.departement_from_postcode(request.GET.get("postcode", "")[:10])}
    )


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_change_email_request(
                user=request.user,
                new_email=form.cleaned_data["new_email"],
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            messages.info(
                request,
                f"Un lien de confirmation a été envoyé à {form.cleaned_data['new_email']}. Votre adresse "
                "actuelle reste celle du compte tant que ce lien n'a pas été suivi (48 heures).",
            )
            return redirect("candidates:profile")
    return render(request, "candidates/email_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            services.account_change_email_confirm(user=request.user, token=token)
        except DomainError as exc:
            return render(request, "candidates/email_change_invalid.html", {"error": exc.message}, status=400)
        messages.success(request, f"Votre adresse électronique est désormais {request.user.email}.")
        return redirect("candidates:profile")
    data = services.email_change_token_data(token)
    if data is None or data.get("uid") != request.user.pk:
        # A forged link, or another candidate's: nothing to show, as if it did not exist.
        raise Http404
    return render(request, "candidates/email_change_confirm.html", {"new_email": data.get("new")})
