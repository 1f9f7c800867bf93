"""Admin of the documents app: piece rules for academy managers, pieces for the reviewers."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from candidates.models import Category, ContinuingSituation
from candidates.permissions import dossiers_visible_to
from documents.pieces.rules import CONDITION_NAMES, CONDITIONS, MAX_AGE, MIN_AGE
from exams.catalogue import unopened_specialties
from exams.models import Session
from exams.selectors import managed_academies
from portal.scoped_admin import ScopedHistoryAdmin

from .models import GeneratedDocument, Piece, PieceFile, PieceRule, PieceUpload

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

    def clean(self):
        cleaned = super().clean()
        session, specialties = cleaned.get("session"), cleaned.get("specialties")
        if session is not None and specialties:
            unopened = unopened_specialties(session, specialties)
            if unopened:
                self.add_error(
                    "specialties",
                    _(
                        "La session « %(session)s » n'ouvre pas : %(names)s. Ouvrez-la d'abord dans la session."
                    )
                    % {"session": session, "names": ", ".join(s.name for s in unopened)},
                )
        return cleaned


def _condition_rows() -> list:
    """The conditions in the order documents.pieces.rules declares them, the two ages on one row."""
    ages = tuple(c.name for c in CONDITIONS if c.kind in (MIN_AGE, MAX_AGE))
    rows: list = []
    for name in CONDITION_NAMES:
        if name in ages:
            if name == ages[0]:
                rows.append(ages)
            continue
        rows.append(name)
    return rows


@admin.register(PieceRule)
class PieceRuleAdmin(ScopedHistoryAdmin):
    form = PieceRuleForm
    list_display = ["code", "session", "reason", "deadline_kind", "is_active", "order", "source"]
    list_filter = ["session__academie", "session", "code", "deadline_kind", "is_active"]
    list_select_related = ["session__academie", "session__exam"]
    list_editable = ["is_active", "order"]
    search_fields = ["reason", "label", "source"]
    filter_horizontal = ["specialties"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "session",
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
            {"fields": _condition_rows()},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(session__academie__in=managed_academies(request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            kwargs["queryset"] = Session.objects.filter(
                academie__in=managed_academies(request.user)
            ).select_related("academie", "exam")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- end of issue 5 --------------------------------------------------------------------------------


# --- Pieces, seen by the staff who review them (issue 7) ----------------------------------------
# Scoped by candidates.permissions like the dossiers; read-only: pieces are accepted or invalidated
# from the dossier's review page, which calls candidates.review.


class PieceFileInline(admin.TabularInline):
    model = PieceFile
    extra = 0
    can_delete = False
    fields = ["download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description="fichier")
    def download(self, obj):
        url = reverse("admin:candidates_dossier_piece_file", args=[obj.uuid])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, obj.original_name)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Piece)
class PieceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "dossier_link", "state", "deposited_at", "reviewed_at", "reviewed_by"]
    list_filter = ["state", "code", "dossier__session"]
    search_fields = ["=dossier__number", "dossier__birth_name"]
    list_select_related = ["dossier", "reviewed_by"]
    show_full_result_count = False
    inlines = [PieceFileInline]
    readonly_fields = [
        "dossier_link",
        "code",
        "state",
        "invalidation_reason",
        "deposited_at",
        "reviewed_at",
        "reviewed_by",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(dossier__in=dossiers_visible_to(request.user))

    @admin.display(description="dossier", ordering="dossier__number")
    def dossier_link(self, obj):
        url = reverse("admin:candidates_dossier_change", args=[obj.dossier_id])
        return format_html('<a href="{}#piece-{}">{}</a>', url, obj.pk, obj.dossier)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Generated PDFs (issue 6): the operator sees failed or stuck renders and can re-run them ------


@admin.register(GeneratedDocument)
class GeneratedDocumentAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "dossier",
        "status",
        "choices_version",
        "generated_at",
        "signed_at",
        "error_short",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["dossier"]
    search_fields = ["dossier__number", "verification_token"]
    actions = ["rerender"]
    fields = [
        "dossier", "kind", "version", "choices_version", "status", "sha256", "error", "created_at",
        "generated_at", "signed_at", "signed_by", "signed_ip", "signed_sha256",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(dossier__in=dossiers_visible_to(request.user))

    @admin.display(description=_("erreur"))
    def error_short(self, obj):
        return (obj.error or "")[:80]

    @admin.action(description=_("Relancer la génération des documents sélectionnés"))
    def rerender(self, request, queryset):
        from documents.recap.services import documents_requeue_selected

        count = documents_requeue_selected(queryset=queryset)
        self.message_user(request, _("%(n)s document(s) remis en génération.") % {"n": count})

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Quarantine (issue 12): the operator sees uploads waiting for the antivirus, and why ----------


@admin.register(PieceUpload)
class PieceUploadAdmin(admin.ModelAdmin):
    list_display = ["__str__", "dossier", "status", "received_at", "checked_at", "attempts", "last_error"]
    list_filter = ["status"]
    list_select_related = ["dossier"]
    search_fields = ["=dossier__number"]
    fields = ["dossier", "code", "status", "message", "received_at", "checked_at", "attempts", "last_error"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(dossier__in=dossiers_visible_to(request.user))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
