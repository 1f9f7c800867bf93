"""Input validators of the corrections workflow."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.corrections.services import CORRECTABLE_FIELDS
from candidates.models import Dossier


class ContactUpdateForm(forms.Form):
    dossiers = forms.TypedMultipleChoiceField(
        label=_("Dossiers à mettre à jour"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, stale: list[Dossier], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossiers"].choices = [(d.pk, str(d)) for d in stale]
        self.fields["dossiers"].initial = [d.pk for d in stale]


class StaffCorrectionForm(forms.Form):
    """One field to rectify, its new value and the mandatory reason (the notices' "rectifier")."""

    field = forms.ChoiceField(
        label=_("Champ à rectifier"),
        choices=[(n, Dossier._meta.get_field(n).verbose_name) for n in CORRECTABLE_FIELDS],
    )
    value = forms.CharField(label=_("Nouvelle valeur"), max_length=200, required=False)
    reason = forms.CharField(label=_("Motif (obligatoire)"), max_length=500)

    def to_changes(self) -> dict:
        name = self.cleaned_data["field"]
        value = self.cleaned_data["value"].strip()
        model_field = Dossier._meta.get_field(name)
        if model_field.get_internal_type() == "DateField":
            value = forms.DateField(input_formats=["%d/%m/%Y", "%Y-%m-%d"]).clean(value)
        return {name: value}
