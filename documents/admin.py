"""Admin of the documents app."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from candidates.models import Category, ContinuingSituation
from exams.models import Academie, StaffRole

from .models import PieceRule

# --- Piece requirement rules (issue 5): academy managers edit their académie's rules ----------------


class PieceRuleForm(forms.ModelForm):
    categories = forms.MultipleChoiceField(
        label=_("catégories"),
        choices=Category.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune cochée : toutes les catégories."),
    )
    continuing_situations = forms.MultipleChoiceField(
        label=_("situations de formation continue"),
        choices=ContinuingSituation.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucune cochée : toutes."),
    )

    class Meta:
        model = PieceRule
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)


def _managed_academies(user):
    if user.is_superuser:
        return Academie.objects.all()
    return Academie.objects.filter(staff_assignments__user=user, staff_assignments__role=StaffRole.MANAGER)


@admin.register(PieceRule)
class PieceRuleAdmin(SimpleHistoryAdmin):
    form = PieceRuleForm
    list_display = ["code", "academie", "reason", "deadline_kind", "is_active", "order", "source"]
    list_filter = ["academie", "code", "deadline_kind", "is_active"]
    list_editable = ["is_active", "order"]
    search_fields = ["reason", "label", "source"]
    filter_horizontal = ["specialties"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "academie",
                    "code",
                    "label",
                    "reason",
                    "deadline_kind",
                    "is_active",
                    "order",
                    "source",
                ]
            },
        ),
        (
            _("Conditions (toutes doivent être remplies ; vide = sans condition)"),
            {
                "fields": [
                    "categories",
                    "specialties",
                    "options",
                    "nationality",
                    ("min_age", "max_age"),
                    "continuing_situations",
                    "mandatory_language_not_in",
                    "when_benefices",
                    "when_dispenses",
                    "when_engagement",
                    "when_handicap",
                    "when_r408",
                    "when_positioning_decision",
                    "when_benefice_renounced",
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(academie__in=_managed_academies(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "academie":
            kwargs["queryset"] = _managed_academies(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- end of issue 5 --------------------------------------------------------------------------------
