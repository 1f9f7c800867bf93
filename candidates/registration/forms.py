"""Input validators of the wizard's tabs: they type the input; the rules are in services/rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import (
    Category,
    ContinuingSituation,
    DispenseDiploma,
    Dossier,
    EpreuveChoice,
    Forme,
    Sex,
)
from candidates.registration import rules
from exams.models import Language, Session, Specialty, SpecialtyOption

YES_NO = [("True", _("Oui")), ("False", _("Non"))]


def _to_bool(value):
    return {"True": True, "False": False}.get(value)


class WizardForm(forms.Form):
    """Bootstrap classes, and errors tied to their field for screen readers (RGAA)."""

    def decorate(self) -> WizardForm:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple, forms.CheckboxInput)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}-help")
            if self.errors.get(name):
                widget.attrs["aria-invalid"] = "true"
                described.append(f"{bound.auto_id}-error")
                widget.attrs["class"] = css + " is-invalid"
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)
        return self

    def _post_clean(self) -> None:
        # issue 12: lengths are checked again once the values are normalised ("ß" x 100 becomes
        # "SS" x 100 in capitals), or the database refuses the row after the form said yes.
        super()._post_clean()
        for name, value in list(self.cleaned_data.items()):
            limit = getattr(self.fields.get(name), "max_length", None)
            if isinstance(value, str) and limit and len(value) > limit:
                self.add_error(
                    name,
                    _(
                        "Ce champ compte %(n)d caractères une fois mis en forme (majuscules) : %(max)d au plus."
                    )
                    % {"n": len(value), "max": limit},
                )

    def to_service(self) -> dict:
        return dict(self.cleaned_data)


class SessionForm(WizardForm):
    session = forms.ModelChoiceField(
        label=_("Session"), queryset=Session.objects.none(), widget=forms.RadioSelect, empty_label=None
    )

    def __init__(self, *args, sessions=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any session is accepted here: the service answers a session of another académie or a
        # closed one with its own explanation.
        self.fields["session"].queryset = Session.objects.select_related("academie")
        self.sessions = sessions


class IdentityForm(WizardForm):
    birth_name = forms.CharField(label=_("Nom de naissance"), max_length=100)
    usage_name = forms.CharField(label=_("Nom d'usage"), max_length=100, required=False)
    first_name_1 = forms.CharField(label=_("Premier prénom"), max_length=60)
    first_name_2 = forms.CharField(label=_("Deuxième prénom"), max_length=60, required=False)
    first_name_3 = forms.CharField(label=_("Troisième prénom"), max_length=60, required=False)
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("Date de naissance"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    birth_commune = forms.CharField(label=_("Commune de naissance (en toutes lettres)"), max_length=100)
    birth_country = forms.CharField(
        label=_("Pays de naissance (code ISO, ex. : FR)"), max_length=2, min_length=2
    )
    nationality = forms.CharField(label=_("Nationalité (code ISO, ex. : FR)"), max_length=2, min_length=2)

    def clean_birth_country(self):
        return self.cleaned_data["birth_country"].upper()

    def clean_nationality(self):
        return self.cleaned_data["nationality"].upper()

    def clean_birth_name(self):
        return self.cleaned_data["birth_name"].strip().upper()


class ContactForm(WizardForm):
    address_line1 = forms.CharField(label=_("Adresse"), max_length=200)
    address_line2 = forms.CharField(label=_("Complément d'adresse"), max_length=200, required=False)
    postcode = forms.CharField(
        label=_("Code postal"),
        max_length=10,
        help_text=_("Le département de résidence, et donc l'académie, en sont déduits."),
    )
    city = forms.CharField(label=_("Commune (en toutes lettres)"), max_length=100)
    country = forms.CharField(label=_("Pays (code ISO)"), max_length=2, min_length=2, initial="FR")
    mobile_phone = forms.CharField(
        label=_("Téléphone mobile"), max_length=20, help_text=_("Ex. : 06 12 34 56 78 ou +33 6 12 34 56 78")
    )
    consent_press = forms.TypedChoiceField(
        label=_("J'accepte la transmission de mes résultats à la presse"),
        choices=YES_NO,
        coerce=_to_bool,
        widget=forms.RadioSelect,
    )
    consent_commercial = forms.TypedChoiceField(
        label=_("J'accepte la transmission de mes coordonnées à des organismes commerciaux"),
        choices=YES_NO,
        coerce=_to_bool,
        widget=forms.RadioSelect,
    )
    consent_local_authorities = forms.TypedChoiceField(
        label=_("J'accepte la transmission de mes coordonnées aux collectivités territoriales"),
        choices=YES_NO,
        coerce=_to_bool,
        widget=forms.RadioSelect,
    )

    def clean_country(self):
        return self.cleaned_data["country"].upper()


CATEGORY_CHOICES = [
    ("", "—"),
    *Category.choices,
    (rules.ESTABLISHMENT, _("Je suis inscrit(e) dans un établissement (lycée, CFA...)")),
    (rules.VAE, _("Je demande une validation des acquis de l'expérience (VAE)")),
]


class SituationForm(WizardForm):
    category = forms.ChoiceField(label=_("Votre situation"), choices=CATEGORY_CHOICES)
    continuing_situation = forms.ChoiceField(
        label=_("Situation en formation continue"),
        choices=[("", "—"), *ContinuingSituation.choices],
        required=False,
        help_text=_("Seulement si vous êtes en formation professionnelle continue."),
    )
    previous_session_year = forms.IntegerField(
        label=_("Année de votre dernière session"), required=False, min_value=1990, max_value=2100,
        help_text=_("Obligatoire si vous avez déjà été candidat(e)."),
    )  # fmt: skip
    previous_candidate_number = forms.CharField(
        label=_("Numéro de candidat à cette session"), max_length=30, required=False,
        help_text=_("Figure sur votre relevé de notes ou votre convocation."),
    )  # fmt: skip
    first_registration_year = forms.IntegerField(
        label=_("Année de votre première inscription à ce BTS"),
        required=False,
        min_value=1990,
        max_value=2100,
    )
    access_diploma = forms.CharField(
        label=_("Diplôme donnant accès au BTS"),
        max_length=120,
        help_text=_("Ex. : baccalauréat STI2D, 2022."),
    )
    dispense_diploma = forms.ChoiceField(
        label=_("Diplôme ouvrant droit à dispense"), choices=DispenseDiploma.choices, required=False
    )
    positioning_decision = forms.BooleanField(
        label=_("J'ai une décision de positionnement ou de dérogation de durée de stage"), required=False
    )


class SpecialtyForm(WizardForm):
    specialty = forms.ModelChoiceField(label=_("Spécialité"), queryset=Specialty.objects.none())
    option = forms.ModelChoiceField(
        label=_("Option"), queryset=SpecialtyOption.objects.none(), required=False,
        help_text=_("Seulement si la spécialité comporte des options."),
    )  # fmt: skip
    forme = forms.ChoiceField(label=_("Forme de passage"), choices=Forme.choices, widget=forms.RadioSelect)

    def __init__(self, *args, dossier: Dossier, locked_forme: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        specialties = Specialty.objects.filter(exam=dossier.session.exam)
        self.fields["specialty"].queryset = specialties
        self.fields["option"].queryset = SpecialtyOption.objects.filter(
            specialty__in=specialties
        ).select_related("specialty")
        self.locked_forme = locked_forme
        if locked_forme:
            self.fields["forme"].disabled = True
            self.fields["forme"].initial = locked_forme
            self.fields["forme"].help_text = _(
                "Choisie lors d'une session précédente pour cette spécialité : définitive."
            )
        elif dossier.category and rules.allowed_formes(dossier.category) == (rules.GLOBAL,):
            self.fields["forme"].help_text = _("Ex-scolaires et ex-apprentis : forme globale obligatoire.")


BENEFICE_CHOICES = [
    (EpreuveChoice.TAKEN, _("Je la présente")),
    (EpreuveChoice.BENEFICE, _("Je conserve une note (bénéfice)")),
    (EpreuveChoice.DISPENSE, _("Je demande une dispense")),
    (EpreuveChoice.NOT_TAKEN, _("Pas à cette session (forme progressive)")),
]


class EpreuvesForm(WizardForm):
    """One row per épreuve: choice, and for a bénéfice the grade and the date obtained."""

    def __init__(
        self, *args, dossier: Dossier, epreuves, offered: dict, existing: dict, keepable=(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.epreuves = epreuves
        self.offered = offered
        choices = [
            c
            for c in BENEFICE_CHOICES
            if dossier.forme == rules.PROGRESSIVE or c[0] != EpreuveChoice.NOT_TAKEN
        ]
        for e in epreuves:
            row = existing.get(e.pk)
            prev = offered.get(e.pk)
            if row:
                initial_choice = row.choice
            else:
                initial_choice = EpreuveChoice.BENEFICE if e.pk in keepable else EpreuveChoice.TAKEN
            grade = row.grade if row and row.grade is not None else (prev.grade if prev else None)
            obtained = row.obtained_on if row and row.obtained_on else (prev.obtained_on if prev else None)
            # A professional épreuve is never dispensed (NM): not even offered (the service refuses it too).
            own = [c for c in choices if not (e.is_professional and c[0] == EpreuveChoice.DISPENSE)]
            self.fields[f"choice_{e.pk}"] = forms.ChoiceField(
                label=_("Choix pour %(code)s") % {"code": e.code},
                choices=own,
                widget=forms.RadioSelect,
                initial=initial_choice,
                error_messages={"invalid_choice": rules.dispense_refusal(
                    is_professional=True, is_general_culture=False, dispensable=False, dispense_diploma=""
                )} if e.is_professional else {},
            )  # fmt: skip
            self.fields[f"grade_{e.pk}"] = forms.DecimalField(
                label=_("Note sur 20 (%(code)s)") % {"code": e.code},
                required=False,
                min_value=0,
                max_value=20,
                decimal_places=2,
                initial=grade,
            )
            self.fields[f"obtained_on_{e.pk}"] = forms.DateField(
                label=_("Date d'obtention (%(code)s)") % {"code": e.code}, required=False, initial=obtained,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )  # fmt: skip

    def rows(self):
        for e in self.epreuves:
            yield {
                "epreuve": e,
                "offered": self.offered.get(e.pk),
                "choice": self[f"choice_{e.pk}"],
                "grade": self[f"grade_{e.pk}"],
                "obtained_on": self[f"obtained_on_{e.pk}"],
            }

    def to_service(self) -> dict:
        data = self.cleaned_data
        return {
            "rows": {
                e.pk: {
                    "choice": data.get(f"choice_{e.pk}"),
                    "grade": data.get(f"grade_{e.pk}"),
                    "obtained_on": data.get(f"obtained_on_{e.pk}"),
                }
                for e in self.epreuves
            }
        }


class LanguagesForm(WizardForm):
    mandatory_language = forms.ModelChoiceField(
        label=_("Langue vivante obligatoire"), queryset=Language.objects.all(), required=False,
        help_text=_("Toute langue peut être choisie ; une langue non enseignée dans l'académie peut être évaluée à distance."),
    )  # fmt: skip
    optional_language = forms.ModelChoiceField(
        label=_("Langue vivante facultative"), queryset=Language.objects.none(), required=False,
        help_text=_("Uniquement parmi les langues ouvertes pour cette session."),
    )  # fmt: skip
    optional_epreuves = forms.ModelMultipleChoiceField(
        label=_("Épreuves facultatives"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, dossier: Dossier, optional_epreuves, **kwargs):
        super().__init__(*args, **kwargs)
        # All languages are listed for the optional LV; the service says why one outside the
        # session's list is refused rather than hiding the reason.
        self.fields["optional_language"].queryset = Language.objects.all()
        self.open_languages = list(dossier.session.optional_languages.all())
        from exams.models import Epreuve

        self.fields["optional_epreuves"].queryset = Epreuve.objects.filter(
            pk__in=[e.pk for e in optional_epreuves]
        )
        if not optional_epreuves:
            del self.fields["optional_epreuves"]


class HandicapForm(WizardForm):
    handicap = forms.BooleanField(label=_("Je suis en situation de handicap"), required=False)
    accommodation_requested = forms.BooleanField(
        label=_("Je demande un aménagement d'épreuves"), required=False
    )
    r408_rqth_alternative = forms.BooleanField(
        label=_("Je fournirai une RQTH et un certificat médical au lieu de l'attestation R408"),
        required=False,
        help_text=_("Seulement pour les spécialités soumises à la formation R408 (travail en hauteur)."),
    )


class ConditionsForm(WizardForm):
    certify = forms.BooleanField(
        label=_(
            "Je certifie sur l'honneur l'exactitude des renseignements fournis et avoir pris connaissance "
            "des conditions d'inscription."
        ),
        required=False,
    )


TAB_FORMS = {
    "identite": IdentityForm,
    "contact": ContactForm,
    "situation": SituationForm,
    "specialite": SpecialtyForm,
    "epreuves": EpreuvesForm,
    "langues": LanguagesForm,
    "handicap": HandicapForm,
}
