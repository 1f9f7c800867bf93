"""Forms of the documents app: input validators for the upload and the public simulator."""

from __future__ import annotations

import datetime as dt

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from candidates.accounts import identity
from candidates.models import Category, ContinuingSituation
from documents.pieces.uploads import ACCEPT_ATTRIBUTE, human_size
from exams.catalogue import opening_for, session_by_code, specialty_by_code
from exams.models import Language, Session, Specialty
from portal.forms import PortalForm, PortalFormHelper


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files for one piece (recto and verso of an identity card...)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            if not data and self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return list(data)
        return [data] if data else []


class PieceUploadForm(PortalForm, forms.Form):
    """One piece's upload; the page holds one per piece (prefixed by its code)."""

    files = MultipleFileField(
        label=_("Fichier(s)"),
        error_messages={"required": _("Choisissez au moins un fichier.")},
    )
    replace = forms.BooleanField(
        label=_("Remplacer les fichiers déjà déposés (sinon ils sont ajoutés)"), required=False
    )

    def __init__(self, *args, code: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.error_summary_intro = _("Le dépôt a été refusé :")
        self.fields["files"].widget.attrs.update(
            {
                "accept": ACCEPT_ATTRIBUTE,
                "data-max-bytes": str(settings.UPLOAD_MAX_BYTES),
                "data-max-label": human_size(settings.UPLOAD_MAX_BYTES),
            }
        )
        self.fields["files"].help_text = _("PDF, JPEG ou PNG ; %(limit)s au plus par fichier.") % {
            "limit": human_size(settings.UPLOAD_MAX_BYTES)
        }

    def for_piece(self, label: str, *, invalidated: bool) -> PieceUploadForm:
        """Name the piece in the label (and in the error summary at the top of the page)."""
        self.fields["files"].label = (
            _("Remplacer par") if invalidated else _("Fichier(s) pour « %(piece)s »") % {"piece": label}
        )
        self.error_summary_intro = _("Le dépôt de « %(piece)s » a été refusé :") % {"piece": label}
        # A bound form made its bound fields while validating: they carry the old label.
        self._bound_fields_cache.pop("files", None)
        return self


class ZeroOneCheckbox(forms.CheckboxInput):
    """A checkbox sending "1", whose raw value reaches the field (CheckboxInput would turn any
    string into True, and the JSON API must refuse "oui")."""

    def __init__(self):
        super().__init__(attrs={"value": "1"}, check_test=lambda v: v in (True, "1", 1))

    def value_from_datadict(self, data, files, name):
        return data.get(name)


class ZeroOneField(forms.Field):
    """A yes/no parameter of the simulator: "0" or "1" (a checkbox in the page). With
    ``allow_count``, any non-negative whole number is accepted (a number of bénéfices)."""

    def __init__(self, *args, allow_count: bool = False, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)
        self.allow_count = allow_count
        self.widget = ZeroOneCheckbox()

    def to_python(self, value):
        if value in (None, "", False, "0", 0):
            return False
        if value in (True, "1", 1):
            return True
        if self.allow_count and isinstance(value, str) and value.isdigit():
            return int(value) > 0
        raise forms.ValidationError(_("Valeur attendue : 0 ou 1."), code="invalid")


iso_language = RegexValidator(r"^[a-z]{2}$", _("Code de langue ISO 639-1 attendu (ex. : en)."))


OPTION_VALUE_MAX = 84  # a specialty code (80), ":", a letter


def qualified_option(specialty_code: str, letter: str) -> str:
    """The value of an option in the simulator's list: unique across specialties."""
    return f"{specialty_code}:{letter}"


class CatalogueCodeField(forms.ModelChoiceField):
    """A ModelChoiceField over a whole catalogue table by code, whose lookup is answered by the
    catalogue cache (issue 15: the simulator's JSON read the session and the specialty on every
    request); the page's list of choices still comes from ``queryset``."""

    def __init__(self, *args, lookup, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookup = lookup

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, self.queryset.model):
            return value
        found = self.lookup(str(value))
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return found


class SimulatorForm(PortalForm, forms.Form):
    """ "Quelles pièces dois-je fournir ?": the same parameters in the page and the JSON API."""

    session = CatalogueCodeField(
        label=_("Session"),
        queryset=Session.objects.select_related("academie").order_by("academie__name", "-year"),
        to_field_name="code",
        lookup=session_by_code,
        error_messages={"invalid_choice": _("Session inconnue.")},
    )
    category = forms.ChoiceField(label=_("Catégorie de candidat"), choices=Category.choices)
    specialty = CatalogueCodeField(
        label=_("Spécialité"),
        queryset=Specialty.objects.prefetch_related("options").order_by("name"),
        to_field_name="code",
        lookup=specialty_by_code,
        error_messages={"invalid_choice": _("Spécialité inconnue.")},
    )
    option = forms.CharField(
        label=_("Option"),
        required=False,
        # The API takes the letter ("B"); the page's list sends "<specialty code>:<letter>", since
        # the letters repeat across specialties (issue 18 item 4).
        max_length=OPTION_VALUE_MAX,
        help_text=_("Seulement pour une spécialité à options (ex. : B)."),
    )
    continuing_situation = forms.ChoiceField(
        label=_("Situation en formation continue"),
        required=False,
        choices=[("", _("Sans objet")), *ContinuingSituation.choices],
    )
    nationality = identity.CountryField(label=_("Nationalité"))
    birth_date = forms.DateField(
        label=_("Date de naissance"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Date attendue au format AAAA-MM-JJ.")},
    )
    mandatory_language = forms.CharField(
        label=_("Langue vivante obligatoire"), required=False, max_length=2, validators=[iso_language]
    )
    benefices = ZeroOneField(label=_("Je demande à conserver des bénéfices de notes"), allow_count=True)
    dispenses = ZeroOneField(label=_("Je demande des dispenses d'épreuves"), allow_count=True)
    engagement = ZeroOneField(label=_("Je choisis l'épreuve facultative « engagement étudiant »"))
    handicap = ZeroOneField(label=_("Je suis en situation de handicap"))

    PARAMETERS = frozenset(
        {
            "session",
            "category",
            "specialty",
            "option",
            "continuing_situation",
            "nationality",
            "birth_date",
            "mandatory_language",
            "benefices",
            "dispenses",
            "engagement",
            "handicap",
        }
    )

    def __init__(self, *args, for_json: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_json = for_json
        if for_json:
            # issue 15: a JSON answer shows no widget: no language or option lists to query and
            # build, no classes to decorate (validation does not read the widgets).
            return
        languages = [(lang.code, lang.name) for lang in Language.objects.order_by("name")]
        if not any(code == "en" for code, _name in languages):
            languages.insert(0, ("en", "Anglais"))
        self.fields["mandatory_language"].widget = forms.Select(choices=languages)
        self.fields["mandatory_language"].initial = "en"
        # Options grouped by specialty, each value qualified by its specialty: "A" of Systèmes
        # numériques is not "A" of Génie climatique, and the list shows back the one chosen.
        groups = [("", _("Sans option"))]
        for specialty in Specialty.objects.prefetch_related("options").order_by("name"):
            options = [
                (qualified_option(specialty.code, o.code), f"{o.code} – {o.name}")
                for o in specialty.options.all()
            ]
            if options:
                groups.append((specialty.name, options))
        self.fields["option"].widget = forms.Select(choices=groups)
        self.fields["nationality"].initial = "FR"

    error_summary_intro = _("La liste des pièces n'a pas pu être établie : corrigez les champs signalés.")

    def build_helper(self) -> PortalFormHelper:
        choices = ("benefices", "dispenses", "engagement", "handicap")
        return PortalFormHelper(
            self,
            Layout(
                *(name for name in self.fields if name not in choices),
                Fieldset(_("Mes choix"), *choices),
            ),
        )

    def clean_option(self):
        value = (self.cleaned_data.get("option") or "").strip()
        specialty_code, _sep, letter = value.rpartition(":")
        self.option_specialty = specialty_code
        return letter.upper()

    def clean_nationality(self):
        return self.cleaned_data["nationality"].upper()

    def clean_mandatory_language(self):
        return self.cleaned_data.get("mandatory_language") or "en"

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > dt.date.today():
            raise forms.ValidationError(_("La date de naissance ne peut être dans le futur."))
        return value

    def clean(self):
        cleaned = super().clean()
        specialty = cleaned.get("specialty")
        option = (cleaned.get("option") or "").upper()
        session = cleaned.get("session")
        # Kept for the view (R408 is the session's): one query, not two.
        self.opening = (
            opening_for(session, specialty.pk) if specialty is not None and session is not None else None
        )
        if specialty is not None and session is not None and self.opening is None:
            self.add_error(
                "specialty",
                _("La session « %(session)s » n'ouvre pas cette spécialité.") % {"session": session},
            )
        elif specialty is not None:
            codes = {o.code for o in specialty.options.all()}
            if option and getattr(self, "option_specialty", "") not in ("", specialty.code):
                self.add_error("option", _("Cette option est celle d'une autre spécialité."))
            elif codes and not option:
                self.add_error("option", _("Choisissez l'option de cette spécialité."))
            elif option and option not in codes:
                self.add_error(
                    "option",
                    _("Option inconnue pour cette spécialité.")
                    if codes
                    else _("Cette spécialité n'a pas d'option."),
                )
        cleaned["option"] = option
        return cleaned
