"""Input validators of the account pages: they check shapes and show every error at once; the
services in accounts/services.py hold the rules. They render through portal.forms (crispy)."""

from __future__ import annotations

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from candidates.accounts import identity, rules
from candidates.models import Profile, Sex, UserManager
from portal.forms import PortalForm, PortalFormHelper


class EmailField(forms.EmailField):
    def to_python(self, value):
        return UserManager.normalize_email(super().to_python(value))


class LoginForm(PortalForm, AuthenticationForm):
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


class SignupForm(PortalForm, forms.Form):
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


class EmailOnlyForm(PortalForm, forms.Form):
    email = EmailField(
        label=_("Adresse électronique"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )


class EmailChangeForm(PortalForm, forms.Form):
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

    def clean(self):
        data = super().clean()
        a, b = data.get("new_email"), data.get("new_email_confirm")
        if a and b and a != b:
            self.add_error("new_email_confirm", _("Les deux adresses ne sont pas identiques."))
        return data


class PortalSetPasswordForm(PortalForm, SetPasswordForm):
    """Django's new-password form (reset link), rendered like every other form."""


class PortalPasswordChangeForm(PortalForm, PasswordChangeForm):
    """Django's password change (old password, then the new one twice)."""


def _required(message: str) -> dict[str, str]:
    return {"required": message}


def _msg(name: str) -> dict[str, str]:
    return _required(identity.REQUIRED_MESSAGES[name])


class ProfileForm(identity.IdentityContactFormMixin, PortalForm, forms.Form):
    """Identity and contact (domain.md §5: CF, NT), typed and checked by candidates.accounts.identity, the
    module the wizard's tabs and profile_update use too."""

    birth_name = identity.NameField(
        label=_("Nom de naissance"),
        help_text=_("Tel qu'il figure sur votre pièce d'identité."),
        error_messages=_msg("birth_name"),
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    usage_name = identity.NameField(
        label=_("Nom d'usage (facultatif)"),
        required=False,
        help_text=_("Par exemple le nom d'époux ou d'épouse."),
    )
    first_name_1 = identity.FirstNameField(
        label=_("Premier prénom"),
        error_messages=_msg("first_name_1"),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    first_name_2 = identity.FirstNameField(label=_("Deuxième prénom (facultatif)"), required=False)
    first_name_3 = identity.FirstNameField(label=_("Troisième prénom (facultatif)"), required=False)
    sex = forms.ChoiceField(
        label=_("Sexe"), choices=Sex.choices, widget=forms.RadioSelect, error_messages=_msg("sex")
    )
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        error_messages={
            "required": identity.REQUIRED_MESSAGES["birth_date"],
            "invalid": _("Date invalide : utilisez le format jj/mm/aaaa."),
        },
    )
    birth_commune = identity.PlainTextField(
        label=_("Commune de naissance"),
        max_length=100,
        help_text=_("En toutes lettres ; pour une naissance à l'étranger, la ville."),
        error_messages=_msg("birth_commune"),
    )
    birth_country = identity.CountryField(label=_("Pays de naissance"), error_messages=_msg("birth_country"))
    nationality = identity.CountryField(label=_("Nationalité"), error_messages=_msg("nationality"))
    address_line1 = identity.PlainTextField(
        label=_("Adresse"),
        max_length=200,
        help_text=_("Numéro et voie, en toutes lettres."),
        error_messages=_msg("address_line1"),
        widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
    )
    address_line2 = identity.PlainTextField(
        label=_("Complément d'adresse (facultatif)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postcode = identity.PostcodeField(label=_("Code postal"), error_messages=_msg("postcode"))
    city = identity.PlainTextField(
        label=_("Commune de résidence"),
        max_length=100,
        error_messages=_msg("city"),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    country = identity.CountryField(label=_("Pays de résidence"), error_messages=_msg("country"))
    mobile_phone = identity.PhoneField(
        label=_("Téléphone mobile"),
        help_text=_("Exemple : 06 12 34 56 78, ou +32 470 12 34 56 pour un numéro étranger."),
        error_messages=_msg("mobile_phone"),
    )
    consent_press = identity.ConsentField(
        label=_("Acceptez-vous la transmission de vos résultats et de votre identité à la presse ?")
    )
    consent_commercial = identity.ConsentField(
        label=_("Acceptez-vous la transmission de vos coordonnées à des organismes commerciaux ?")
    )
    consent_local_authorities = identity.ConsentField(
        label=_("Acceptez-vous la transmission de vos coordonnées aux collectivités territoriales ?")
    )

    def build_helper(self) -> PortalFormHelper:
        return PortalFormHelper(
            self,
            Layout(
                Fieldset(
                    _("Identité"),
                    Row(
                        Column("birth_name", css_class="col-md-6"), Column("usage_name", css_class="col-md-6")
                    ),
                    Row(*(Column(f"first_name_{i}", css_class="col-md-4") for i in (1, 2, 3))),
                    Row(
                        Column(InlineRadios("sex"), css_class="col-md-6"),
                        Column("birth_date", css_class="col-md-6"),
                    ),
                    Row(
                        Column("birth_commune", css_class="col-md-6"),
                        Column("birth_country", css_class="col-md-6"),
                    ),
                    Row(Column("nationality", css_class="col-md-6")),
                    css_class="card card-body mb-3",
                ),
                Fieldset(
                    _("Coordonnées"),
                    "address_line1",
                    "address_line2",
                    Row(
                        Column(
                            "postcode",
                            HTML(
                                '<p class="form-text mt-n2" id="departement-display" aria-live="polite" '
                                "data-url=\"{% url 'candidates:departement_lookup' %}\">"
                                "{% if departement %}Département : {{ departement }}{% endif %}</p>"
                            ),
                            css_class="col-md-4",
                        ),
                        Column("city", css_class="col-md-8"),
                    ),
                    Row(
                        Column("country", css_class="col-md-6"), Column("mobile_phone", css_class="col-md-6")
                    ),
                    css_class="card card-body mb-3",
                ),
                Fieldset(
                    _("Transmission de vos données"),
                    HTML(
                        '<p class="form-text mt-0">Ces trois réponses sont obligatoires. Répondre « Non » '
                        "n'a aucune conséquence sur votre inscription.</p>"
                    ),
                    InlineRadios("consent_press"),
                    InlineRadios("consent_commercial"),
                    InlineRadios("consent_local_authorities"),
                    css_class="card card-body mb-3",
                ),
            ),
        )

    @classmethod
    def initial_from(cls, profile: Profile) -> dict:
        from candidates.accounts.services import PROFILE_FIELDS

        initial = {name: getattr(profile, name) for name in PROFILE_FIELDS}
        if profile.mobile_phone:
            initial["mobile_phone"] = rules.format_phone_for_display(profile.mobile_phone)
        return initial
