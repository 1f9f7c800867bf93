"""Identity, contact and consent input, owned once (issue 11 item 3): how each value is normalised
and checked, for the profile (accounts) and the wizard's "Identité" and "Coordonnées" tabs
(registration), their forms and their services. The same typed input is stored the same way on
both paths (tests/candidates/test_identity.py proves it, one row per case).

The pure part (``normalise``, ``problems``) takes and returns plain dicts; the form fields at the
end type the browser's input with the same functions, so a form shows every error at once and a
service called without a form refuses the same things."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.accounts import rules
from candidates.models import CONSENT_FIELD_NAMES, ContactFields, IdentityFields, Sex
from portal.forms import NormalisedCharField, text_hygiene_error

NAME_FIELDS = ("birth_name", "usage_name")
FIRST_NAME_FIELDS = ("first_name_1", "first_name_2", "first_name_3")
COUNTRY_FIELDS = ("birth_country", "nationality", "country")
PLAIN_TEXT_FIELDS = ("birth_commune", "address_line1", "address_line2", "city")
CONSENT_FIELDS = CONSENT_FIELD_NAMES

#: The stored length of every text field, checked after normalisation (issue 12).
MAX_LENGTHS = {
    f.name: f.max_length
    for model in (IdentityFields, ContactFields)
    for f in model._meta.fields
    if getattr(f, "max_length", None) and f.name != "departement"
}

REQUIRED_MESSAGES = {
    "birth_name": "Indiquez votre nom de naissance.",
    "first_name_1": "Indiquez votre premier prénom.",
    "sex": "Indiquez votre sexe.",
    "birth_date": "Indiquez votre date de naissance.",
    "birth_commune": "Indiquez votre commune de naissance.",
    "birth_country": "Indiquez votre pays de naissance.",
    "nationality": "Indiquez votre nationalité.",
    "address_line1": "Indiquez votre adresse.",
    "postcode": "Indiquez votre code postal.",
    "city": "Indiquez votre commune de résidence.",
    "country": "Indiquez votre pays de résidence.",
    "mobile_phone": "Indiquez un numéro de téléphone mobile.",
}
IDENTITY_REQUIRED = (
    "birth_name", "first_name_1", "sex", "birth_date", "birth_commune", "birth_country", "nationality",
)  # fmt: skip
CONTACT_REQUIRED = ("address_line1", "postcode", "city", "country", "mobile_phone")
CONSENT_REQUIRED_MESSAGE = "Répondez par Oui ou par Non : cette réponse est obligatoire."
POSTCODE_FR_MESSAGE = "Code postal français invalide : 5 chiffres, par exemple 54000 ou 97200."
FIRST_NAMES_ORDER_MESSAGE = "Indiquez le deuxième prénom avant le troisième (ordre de l'état civil)."


# --- normalisation (pure) ------------------------------------------------------------------------


def normalise_name(value: str) -> str:
    """Birth and usage names: capitals as on the identity document (NT), spaces collapsed."""
    return rules.normalise_birth_name(value)


def normalise_postcode(value: str) -> str:
    """ "54 000" → "54000"; a foreign postcode keeps its letters, without spaces."""
    return "".join((value or "").split()).upper()


def normalise_country(value: str) -> str:
    return (value or "").strip().upper()


def to_consent(value: Any) -> bool | None:
    """One stored answer whatever the page posted: True, False, or None for "not answered"."""
    if isinstance(value, bool) or value is None:
        return value
    return {"true": True, "false": False, "1": True, "0": False}.get(str(value).strip().lower())


def normalise(data: Mapping[str, Any]) -> dict[str, Any]:
    """Every identity/contact/consent value of ``data`` normalised as it is stored; other keys
    pass through. The mobile phone is normalised by ``problems`` (it needs the country)."""
    out = dict(data)
    for name, value in data.items():
        if name in CONSENT_FIELDS:
            out[name] = to_consent(value)
        elif not isinstance(value, str) or text_hygiene_error(value):
            continue  # refused by problems(), never silently cleaned
        elif name in NAME_FIELDS:
            out[name] = normalise_name(value)
        elif name in FIRST_NAME_FIELDS:
            out[name] = rules.normalise_first_name(value)
        elif name in COUNTRY_FIELDS:
            out[name] = normalise_country(value)
        elif name == "postcode":
            out[name] = normalise_postcode(value)
        elif name in PLAIN_TEXT_FIELDS or name in ("sex", "mobile_phone"):
            out[name] = rules.collapse_spaces(value)
    return out


# --- checks (pure) -------------------------------------------------------------------------------


def problems(
    values: dict[str, Any], *, required: Iterable[str], today: dt.date | None = None
) -> list[tuple[str, str]]:
    """(field, French message) for each faulty value of a normalised entry, in page order; empty
    when it may be stored. ``values["mobile_phone"]`` is replaced by its E.164 form when valid.
    ``required`` names the fields this entry must answer (consents included)."""
    required = set(required)
    found: list[tuple[str, str]] = []
    seen: set[str] = set()

    def refuse(field: str, message: str) -> None:
        if field not in seen:
            seen.add(field)
            found.append((field, message))

    for name, value in values.items():
        if isinstance(value, str):
            error = text_hygiene_error(value)
            if error:
                refuse(name, error)
            elif name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
                refuse(name, f"{MAX_LENGTHS[name]} caractères au plus ({len(value)} saisis).")
    for name in required:
        if name in CONSENT_FIELDS:
            if values.get(name) is None:
                refuse(name, CONSENT_REQUIRED_MESSAGE)
        elif values.get(name) in (None, ""):
            refuse(name, REQUIRED_MESSAGES.get(name, "Ce champ est obligatoire."))
    if values.get("first_name_3") and not values.get("first_name_2"):
        refuse("first_name_2", FIRST_NAMES_ORDER_MESSAGE)
    if values.get("sex") not in (None, "", *Sex.values):
        refuse("sex", "Choisissez Féminin ou Masculin.")
    countries = dict(rules.country_choices())
    for name in COUNTRY_FIELDS:
        if values.get(name) and values[name] not in countries:
            refuse(name, "Choisissez un pays dans la liste.")
    birth_date = values.get("birth_date")
    if birth_date not in (None, "") and not isinstance(birth_date, dt.date):
        refuse("birth_date", "Date invalide : utilisez le format jj/mm/aaaa.")
    elif isinstance(birth_date, dt.date) and today is not None:
        error = rules.birth_date_error(birth_date, today)
        if error:
            refuse("birth_date", error)
    country = values.get("country") or "FR"
    postcode = values.get("postcode")
    if postcode and country == "FR" and rules.departement_from_postcode(postcode) is None:
        refuse("postcode", POSTCODE_FR_MESSAGE)
    phone = values.get("mobile_phone")
    if phone and "mobile_phone" not in seen:
        try:
            values["mobile_phone"] = rules.normalise_mobile_phone(phone, country)
        except ValueError as exc:
            refuse("mobile_phone", str(exc))
    order = list(values)
    return sorted(found, key=lambda item: order.index(item[0]) if item[0] in order else len(order))


def departement_code(values: Mapping[str, Any]) -> str | None:
    """The département derived from a French postcode (CF, NT), never typed."""
    if (values.get("country") or "FR") != "FR":
        return None
    return rules.departement_from_postcode(values.get("postcode") or "")


# --- form fields: the browser's input typed by the same functions -------------------------------


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class NameField(NormalisedCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 100)
        super().__init__(normalise=normalise_name, **kwargs)


class FirstNameField(NormalisedCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(normalise=rules.normalise_first_name, **kwargs)


class PlainTextField(NormalisedCharField):
    def __init__(self, **kwargs):
        super().__init__(normalise=rules.collapse_spaces, **kwargs)


class PostcodeField(NormalisedCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"})
        )
        super().__init__(normalise=normalise_postcode, **kwargs)


class CountryField(forms.ChoiceField):
    """A country chosen from one list (ISO code, French name), the same in the profile and the
    wizard; "fr" typed by a script is read as "FR"."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {}).setdefault(
            "invalid_choice", _("Choisissez un pays dans la liste.")
        )
        super().__init__(choices=self._choices_with_blank, **kwargs)

    @staticmethod
    def _choices_with_blank():
        return [("", _("— Choisir —")), *rules.country_choices()]

    def to_python(self, value):
        return normalise_country(super().to_python(value))


class ConsentField(forms.TypedChoiceField):
    """A mandatory yes/no (CF: the three data-transfer answers), stored True or False."""

    YES_NO = [("true", _("Oui")), ("false", _("Non"))]

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", _required(_(CONSENT_REQUIRED_MESSAGE)))
        super().__init__(choices=self.YES_NO, coerce=to_consent, widget=forms.RadioSelect, **kwargs)

    def to_python(self, value):
        # "True" posted by an older page means the same as "true".
        return super().to_python(value).strip().lower()

    def prepare_value(self, value):
        answer = to_consent(value)
        return value if answer is None else ("true" if answer else "false")


class PhoneField(NormalisedCharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
        super().__init__(normalise=rules.collapse_spaces, **kwargs)


class IdentityContactFormMixin:
    """The checks that need more than one field (first names' order, postcode against country,
    the phone against the country), shown on their field; mixed into the profile and the wizard's
    tabs before PortalForm."""

    def clean(self):
        data = super().clean()
        present = {name: value for name, value in data.items() if name in self.fields}
        for field, message in problems(present, required=(), today=self._today()):
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        if "mobile_phone" in present and "mobile_phone" not in self.errors:
            data["mobile_phone"] = present["mobile_phone"]
        return data

    def _today(self) -> dt.date | None:
        from django.utils import timezone

        return timezone.localdate()
