"""Input validators of the account pages: they check shapes and show every error at once; the
services in account_services.py hold the rules."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.accounts import rules
from candidates.models import Profile, Sex, UserManager
from portal.exceptions import DomainError


class AccessibleFormMixin:
    """Bootstrap classes on every widget, and errors tied to their field (RGAA 11.10):
    aria-invalid and aria-describedby pointing to the error text rendered by _field.html."""

    def _style_widgets(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        self._mark_errors()

    def _mark_errors(self) -> None:
        for name in self.errors:
            if name in self.fields:
                bound = self[name]
                described = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    described.append(f"{bound.auto_id}_helptext")
                attrs = self.fields[name].widget.attrs
                attrs.update({"aria-invalid": "true", "aria-describedby": " ".join(described)})
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    def add_domain_error(self, exc: DomainError) -> None:
        """Show a service's refusal on its field (or above the form when it names none)."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        self._mark_errors()


class EmailField(forms.EmailField):
    def to_python(self, value):
        return UserManager.normalize_email(super().to_python(value))


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    """Login by e-mail. An inactive account gets the same generic error as a wrong password
    (no enumeration); the page offers the new activation link to everyone."""

    username = EmailField(
        label=_("Adresse électronique"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse électronique ou mot de passe incorrect, ou compte pas encore activé. "
            "Vérifiez votre saisie ; les majuscules comptent dans le mot de passe."
        ),
        "inactive": _(
            "Adresse électronique ou mot de passe incorrect, ou compte pas encore activé. "
            "Vérifiez votre saisie ; les majuscules comptent dans le mot de passe."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["password"].label = _("Mot de passe")
        self._style_widgets()


class SignupForm(AccessibleFormMixin, forms.Form):
    """Issue 3 items 1 and 7: the address twice (a typo loses the activation mail), the password
    twice, checked by Django's validators."""

    email = EmailField(
        label=_("Adresse électronique personnelle"),
        help_text=_("Le lien d'activation y sera envoyé ; il est valable 48 heures."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    email_confirm = EmailField(
        label=_("Confirmez l'adresse électronique"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 10 caractères, pas uniquement des chiffres, ni un mot de passe courant."),
    )
    password2 = forms.CharField(
        label=_("Confirmez le mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        email, email_confirm = data.get("email"), data.get("email_confirm")
        if email and email_confirm and email != email_confirm:
            self.add_error("email_confirm", _("Les deux adresses ne sont pas identiques."))
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif p1:
            from candidates.models import User

            try:
                password_validation.validate_password(p1, User(email=email or ""))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    @property
    def suggestion(self) -> str | None:
        email = self.data.get("email", "")
        return rules.suggest_email(email) if email else None


class EmailOnlyForm(AccessibleFormMixin, forms.Form):
    email = EmailField(
        label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()


class EmailChangeForm(AccessibleFormMixin, forms.Form):
    new_email = EmailField(
        label=_("Nouvelle adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    new_email_confirm = EmailField(
        label=_("Confirmez la nouvelle adresse"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style_widgets()

    def clean(self):
        data = super().clean()
        a, b = data.get("new_email"), data.get("new_email_confirm")
        if a and b and a != b:
            self.add_error("new_email_confirm", _("Les deux adresses ne sont pas identiques."))
        return data


YES_NO = [("true", _("Oui")), ("false", _("Non"))]


class ConsentField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            choices=YES_NO,
            coerce=lambda v: v == "true",
            widget=forms.RadioSelect,
            error_messages={"required": _("Répondez par Oui ou par Non : cette réponse est obligatoire.")},
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "true"
        if value is False:
            return "false"
        return value


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class ProfileForm(AccessibleFormMixin, forms.Form):
    """Identity and contact (domain.md §5: CF, NT). Normalisation and the rules that need more
    than one field run in account_services.clean_profile_data."""

    birth_name = forms.CharField(
        label=_("Nom de naissance"),
        max_length=100,
        help_text=_("Tel qu'il figure sur votre pièce d'identité."),
        error_messages=_required(_("Indiquez votre nom de naissance.")),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    usage_name = forms.CharField(
        label=_("Nom d'usage (facultatif)"),
        max_length=100,
        required=False,
        help_text=_("Par exemple le nom d'époux ou d'épouse."),
    )
    first_name_1 = forms.CharField(
        label=_("Premier prénom"),
        max_length=60,
        error_messages=_required(_("Indiquez votre premier prénom.")),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    first_name_2 = forms.CharField(label=_("Deuxième prénom (facultatif)"), max_length=60, required=False)
    first_name_3 = forms.CharField(label=_("Troisième prénom (facultatif)"), max_length=60, required=False)
    sex = forms.ChoiceField(
        label=_("Sexe"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages=_required(_("Indiquez votre sexe.")),
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": _("Indiquez votre date de naissance."),
            "invalid": _("Date invalide : utilisez le format jj/mm/aaaa."),
        },
    )
    birth_commune = forms.CharField(
        label=_("Commune de naissance"),
        max_length=100,
        help_text=_("En toutes lettres ; pour une naissance à l'étranger, la ville."),
        error_messages=_required(_("Indiquez votre commune de naissance.")),
    )
    birth_country = forms.ChoiceField(
        label=_("Pays de naissance"), error_messages=_required(_("Indiquez votre pays de naissance."))
    )
    nationality = forms.ChoiceField(
        label=_("Nationalité"), error_messages=_required(_("Indiquez votre nationalité."))
    )
    address_line1 = forms.CharField(
        label=_("Adresse"),
        max_length=200,
        help_text=_("Numéro et voie, en toutes lettres."),
        error_messages=_required(_("Indiquez votre adresse.")),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = forms.CharField(
        label=_("Complément d'adresse (facultatif)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postcode = forms.CharField(
        label=_("Code postal"),
        max_length=10,
        error_messages=_required(_("Indiquez votre code postal.")),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = forms.CharField(
        label=_("Commune de résidence"),
        max_length=100,
        error_messages=_required(_("Indiquez votre commune de résidence.")),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = forms.ChoiceField(
        label=_("Pays de résidence"), error_messages=_required(_("Indiquez votre pays de résidence."))
    )
    mobile_phone = forms.CharField(
        label=_("Téléphone mobile"),
        max_length=30,
        help_text=_("Exemple : 06 12 34 56 78, ou +32 470 12 34 56 pour un numéro étranger."),
        error_messages=_required(_("Indiquez un numéro de téléphone mobile.")),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    consent_press = ConsentField(
        label=_("Acceptez-vous la transmission de vos résultats et de votre identité à la presse ?")
    )
    consent_commercial = ConsentField(
        label=_("Acceptez-vous la transmission de vos coordonnées à des organismes commerciaux ?")
    )
    consent_local_authorities = ConsentField(
        label=_("Acceptez-vous la transmission de vos coordonnées aux collectivités territoriales ?")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        countries = [("", _("— Choisir —")), *rules.country_choices()]
        for name in ("birth_country", "nationality", "country"):
            self.fields[name].choices = countries
        self._style_widgets()

    @classmethod
    def initial_from(cls, profile: Profile) -> dict:
        from candidates.accounts.services import PROFILE_FIELDS

        initial = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        if profile.mobile_phone:
            initial["mobile_phone"] = rules.format_phone_for_display(profile.mobile_phone)
        return initial

    def clean_postcode(self):
        return self.cleaned_data["postcode"].replace(" ", "")

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        error = rules.birth_date_error(value, timezone.localdate())
        if error:
            raise forms.ValidationError(error)
        return value

    def clean(self):
        data = super().clean()
        country = data.get("country")
        postcode = data.get("postcode")
        if country == "FR" and postcode and rules.departement_from_postcode(postcode) is None:
            self.add_error(
                "postcode", _("Code postal français invalide : 5 chiffres, par exemple 54000 ou 97200.")
            )
        phone = data.get("mobile_phone")
        if phone:
            try:
                data["mobile_phone"] = rules.normalise_mobile_phone(phone, country or "FR")
            except ValueError as exc:
                self.add_error("mobile_phone", str(exc))
        if data.get("first_name_3") and not data.get("first_name_2"):
            self.add_error(
                "first_name_2", _("Indiquez le deuxième prénom avant le troisième (ordre de l'état civil).")
            )
        return data
