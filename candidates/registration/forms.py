"""Input validators of the wizard's tabs: they type the input; the rules are in services/rules."""

from __future__ import annotations

import json

from crispy_forms.layout import Layout, LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from candidates.accounts import identity
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
from portal.forms import PortalForm, PortalFormHelper, choice_parts, input_parts


class WizardForm(PortalForm, forms.Form):
    """A tab of the wizard: rendered by portal.forms like every form; ``to_service`` hands the
    typed values to services.dossier_save_tab."""

    error_summary_intro = _(
        "L'onglet n'a pas été enregistré : corrigez les champs signalés ci-dessous. Ce qui avait été "
        "enregistré auparavant est conservé."
    )
    #: issue 18 item 7: on a tab never saved, "what was saved is kept" would promise what is not.
    first_save_intro = _("Corrigez les champs signalés ci-dessous pour enregistrer cet onglet.")
    inline_radios = ("sex", "forme", *identity.CONSENT_FIELDS)

    def never_saved(self) -> None:
        self.error_summary_intro = self.first_save_intro

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


class IdentityForm(identity.IdentityContactFormMixin, WizardForm):
    """Tab 2: typed and checked by candidates.accounts.identity, as the profile is."""

    birth_name = identity.NameField(label=_("Nom de naissance"))
    usage_name = identity.NameField(label=_("Nom d'usage"), required=False)
    first_name_1 = identity.FirstNameField(label=_("Premier prénom"))
    first_name_2 = identity.FirstNameField(label=_("Deuxième prénom"), required=False)
    first_name_3 = identity.FirstNameField(label=_("Troisième prénom"), required=False)
    sex = forms.ChoiceField(label=_("Sexe"), choices=Sex.choices, widget=forms.RadioSelect)
    birth_date = forms.DateField(
        label=_("Date de naissance"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    birth_commune = identity.PlainTextField(
        label=_("Commune de naissance (en toutes lettres)"), max_length=100
    )
    birth_country = identity.CountryField(label=_("Pays de naissance"))
    nationality = identity.CountryField(label=_("Nationalité"))


class ContactForm(identity.IdentityContactFormMixin, WizardForm):
    """Tab 3: the address (the département, hence the académie, derives from the postcode), the
    mobile phone and the three data-transfer answers, typed as in the profile."""

    address_line1 = identity.PlainTextField(label=_("Adresse"), max_length=200)
    address_line2 = identity.PlainTextField(label=_("Complément d'adresse"), max_length=200, required=False)
    postcode = identity.PostcodeField(
        label=_("Code postal"),
        help_text=_("Le département de résidence, et donc l'académie, en sont déduits."),
    )
    city = identity.PlainTextField(label=_("Commune (en toutes lettres)"), max_length=100)
    country = identity.CountryField(label=_("Pays"), initial="FR")
    mobile_phone = identity.PhoneField(
        label=_("Téléphone mobile"), help_text=_("Ex. : 06 12 34 56 78 ou +33 6 12 34 56 78")
    )
    consent_press = identity.ConsentField(label=_("J'accepte la transmission de mes résultats à la presse"))
    consent_commercial = identity.ConsentField(
        label=_("J'accepte la transmission de mes coordonnées à des organismes commerciaux")
    )
    consent_local_authorities = identity.ConsentField(
        label=_("J'accepte la transmission de mes coordonnées aux collectivités territoriales")
    )


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
        help_text=_("Obligatoire si vous avez déjà été candidat(e) ou si vous conservez une note (bénéfice)."),
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
    forme = forms.ChoiceField(
        label=_("Forme de passage"),
        choices=Forme.choices,
        widget=forms.RadioSelect,
        # issue 18 item 4: the page explains both forms above the field (domain.md §3).
        help_text=_("Ce choix est définitif pour cette spécialité : lisez l'explication ci-dessus."),
    )

    def __init__(self, *args, dossier: Dossier, locked_forme: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        # Only what the session opens (issue 13); the service refuses anything else too.
        specialties = Specialty.objects.filter(openings__session=dossier.session)
        self.fields["specialty"].queryset = specialties
        options = SpecialtyOption.objects.filter(openings__session=dossier.session).select_related(
            "specialty"
        )
        # issue 18 item 4: only the options of the specialty chosen (posted, else saved); before
        # any choice, grouped under their specialty (static/js/specialty-options.js then keeps
        # the chosen specialty's group).
        chosen = self.data.get(self.add_prefix("specialty")) if self.is_bound else dossier.specialty_id
        if chosen and str(chosen).isdigit() and specialties.filter(pk=chosen).exists():
            self.fields["option"].queryset = options.filter(specialty_id=chosen)
        else:
            self.fields["option"].queryset = options
            groups: dict[str, list] = {}
            for option in options.order_by("specialty__name", "code"):
                groups.setdefault(str(option.specialty), []).append(
                    (option.pk, f"{option.code} – {option.name}")
                )
            self.fields["option"].choices = [("", "---------"), *groups.items()]
        by_specialty: dict[str, list] = {}
        for option in options.order_by("code"):
            by_specialty.setdefault(str(option.specialty_id), []).append(
                [option.pk, f"{option.code} – {option.name}"]
            )
        self.fields["option"].widget.attrs["data-options-by-specialty"] = json.dumps(by_specialty)
        self.locked_forme = locked_forme
        if locked_forme:
            self.fields["forme"].disabled = True
            self.fields["forme"].initial = locked_forme
            self.fields["forme"].help_text = _(
                "Choisie lors d'une session précédente pour cette spécialité : définitive."
            )
        elif dossier.category and rules.allowed_formes(
            dossier.category, dossier.session.progressive_categories
        ) == (rules.GLOBAL,):
            self.fields["forme"].help_text = _("Dans cette session, votre catégorie passe en forme globale.")


BENEFICE_CHOICES = [
    (EpreuveChoice.TAKEN, _("Je la présente")),
    (EpreuveChoice.BENEFICE, _("Je conserve une note (bénéfice)")),
    (EpreuveChoice.DISPENSE, _("Je demande une dispense")),
    (EpreuveChoice.NOT_TAKEN, _("Pas à cette session (forme progressive)")),
]


class EpreuveRows(LayoutObject):
    """The rows of tab 6 for crispy: one template loop (bootstrap5/layout/epreuve_rows.html) over
    the épreuves, each field given as values computed once (portal.forms.choice_parts,
    input_parts). issue 15: three fields per épreuve through field.html and a widget template per
    radio were half of the page's CPU."""

    template = "%s/layout/epreuve_rows.html"

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        rows = []
        for row in form.rows():
            rows.append(
                {
                    **row,
                    "choice": choice_parts(row["choice"]),
                    "inputs": [
                        (input_parts(row["grade"]), "col-sm-4"),
                        (input_parts(row["obtained_on"]), "col-sm-5"),
                    ],
                }
            )
            form.rendered_fields.update((row["choice"].name, row["grade"].name, row["obtained_on"].name))
        return render_to_string(
            self.get_template_name(template_pack),
            {"rows": rows, "show_errors": context.get("form_show_errors", True)},
        )


class EpreuvesForm(WizardForm):
    """One row per épreuve: choice, and for a bénéfice the grade and the date obtained."""

    def __init__(
        self, *args, dossier: Dossier, epreuves, offered: dict, existing: dict, keepable=(), **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.epreuves = epreuves
        self.offered = offered
        # The labels translated once for every row (issue 15: each lazy label was translated
        # again for each épreuve).
        choices = [
            (value, str(label))
            for value, label in BENEFICE_CHOICES
            if dossier.forme == rules.PROGRESSIVE or value != EpreuveChoice.NOT_TAKEN
        ]
        shown = {e.pk for e in epreuves}
        self.has_maitresse = any(e.parent_id in shown for e in epreuves)
        kept = {pk for pk, row in existing.items() if row.choice == EpreuveChoice.BENEFICE}
        self.covered = rules.units_covered_by_kept_maitresse([(e.pk, e.parent_id) for e in epreuves], kept)
        for e in epreuves:
            row = existing.get(e.pk)
            prev = offered.get(e.pk)
            if row:
                initial_choice = row.choice
            elif e.pk in self.covered:
                initial_choice = None
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
                # A unit of an épreuve maîtresse may stay empty: the maîtresse's bénéfice covers it
                # (CF); the service says what is missing otherwise.
                required=e.parent_id not in shown,
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

    def clean(self):
        """An épreuve not offered on this page (a maîtresse outside the 2019-2021 exception, another
        specialty's) posted by hand is refused with its reason, never silently dropped."""
        cleaned = super().clean()
        shown = {str(e.pk) for e in self.epreuves}
        posted = {k.removeprefix("choice_") for k in self.data if k.startswith("choice_")}
        hidden = sorted(posted - shown)
        if hidden:
            from exams.models import Epreuve

            found = list(Epreuve.objects.filter(pk__in=[p for p in hidden if p.isdigit()]))
            codes = ", ".join(e.code for e in found) or ", ".join(hidden)
            maitresse = any(not e.is_unit for e in found)
            self.add_error(
                None,
                _(
                    "L'épreuve %(codes)s ne vous est pas proposée : une épreuve maîtresse se choisit par "
                    "ses unités (depuis la session 2022, une note ne se conserve que sur une unité, sauf "
                    "pour un candidat inscrit pour la première fois en 2019, 2020 ou 2021)."
                )
                % {"codes": codes}
                if maitresse
                else _("L'épreuve %(codes)s n'appartient pas à votre spécialité ou à votre option.")
                % {"codes": codes},
            )
        return cleaned

    def build_helper(self) -> PortalFormHelper:
        return PortalFormHelper(self, Layout(EpreuveRows()))

    def rows(self):
        for e in self.epreuves:
            yield {
                "covered": e.pk in self.covered,
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
    mandatory_language_other = forms.CharField(
        label=_("Autre langue (si elle n'est pas dans la liste)"), required=False, max_length=60,
        help_text=_("Le rectorat organise l'épreuve d'une langue non enseignée dans l'académie (CF)."),
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
        if dossier.session.mandatory_languages.exists():
            self.fields["mandatory_language"].queryset = dossier.session.mandatory_languages.all()
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
    error_summary_intro = first_save_intro = _(
        "Votre inscription n'est pas encore enregistrée : corrigez ce qui est signalé ci-dessous."
    )
    certify = forms.BooleanField(
        label=_(
            "Je certifie sur l'honneur l'exactitude des renseignements fournis et avoir pris connaissance "
            "des conditions d'inscription rappelées ci-dessus."
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
