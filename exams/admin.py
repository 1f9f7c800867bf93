"""Admin screens where academy managers configure the catalogue."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    Academie,
    Departement,
    Epreuve,
    Exam,
    Language,
    Session,
    Specialty,
    SpecialtyOption,
    StaffAssignment,
)
from .selectors import assignable_users, managed_academies
from .staff import staff_sync_roles, staff_unassign


class ManagedAcademieMixin:
    """An academy manager sees and edits only the académies they manage (Nantes cannot change
    Toulouse's calendar); a superuser sees all."""

    academie_path = "academie"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.academie_path}__in": managed_academies(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "academie" and not request.user.is_superuser:
            kwargs["queryset"] = managed_academies(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


SESSION_DATETIME_FIELDS = [
    f.name for f in Session._meta.get_fields() if f.get_internal_type() == "DateTimeField"
]


class SessionAdminForm(forms.ModelForm):
    """Dates are typed and shown in the académie's time zone, not the server's: an academy
    manager in Martinique types 17:00 and means Martinique's 17:00."""

    class Meta:
        model = Session
        fields = "__all__"  # noqa: DJ007 (the admin's fieldsets choose what is shown)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in SESSION_DATETIME_FIELDS:
            if name in self.fields:
                self.fields[name].help_text = (
                    f"{self.fields[name].help_text} " + str(_("Heure locale de l'académie."))
                ).strip()

    def clean(self):
        cleaned = super().clean()
        academie = cleaned.get("academie")
        if academie:
            # Django read the values in the active time zone (the académie's when editing, see
            # SessionAdmin.changeform_view); re-read the wall-clock times in the chosen académie's.
            active = timezone.get_current_timezone()
            target = zoneinfo.ZoneInfo(academie.time_zone)
            for name in SESSION_DATETIME_FIELDS:
                value = cleaned.get(name)
                if isinstance(value, dt.datetime):
                    cleaned[name] = timezone.make_aware(timezone.make_naive(value, active), target)
                    setattr(self.instance, name, cleaned[name])
        return cleaned


class DepartementInline(admin.TabularInline):
    model = Departement
    extra = 0


@admin.register(Academie)
class AcademieAdmin(ManagedAcademieMixin, admin.ModelAdmin):
    academie_path = "pk"

    list_display = ["name", "code", "time_zone", "contact_email"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}
    inlines = [DepartementInline]


@admin.register(Departement)
class DepartementAdmin(ManagedAcademieMixin, admin.ModelAdmin):
    list_display = ["code", "name", "academie"]
    list_filter = ["academie"]
    search_fields = ["code", "name"]


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Session)
class SessionAdmin(ManagedAcademieMixin, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["__str__", "code", "academie", "year", "local_opens", "local_closes", "state"]
    list_filter = ["academie", "year", "exam"]
    list_select_related = ["academie", "exam"]
    search_fields = ["code", "name"]
    filter_horizontal = ["optional_languages"]
    fieldsets = [
        (None, {"fields": ["code", "academie", "exam", "year", "name"]}),
        (
            _("Calendrier (heure locale de l'académie)"),
            {
                "fields": [
                    "registration_opens_at",
                    "registration_closes_at",
                    "pieces_deadline",
                    "late_pieces_deadline",
                    "incompleteness_notice_by",
                    "review_deadline",
                    "handicap_request_deadline",
                    "handicap_request_url",
                    "convocations_published_at",
                    "first_written_exam_at",
                ]
            },
        ),
        (_("Langues"), {"fields": ["optional_languages"]}),
    ]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        if obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(obj.academie.tzinfo):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # A TemplateResponse renders lazily: render it while the académie's zone is active.
            if hasattr(response, "render"):
                response.render()
            return response

    @admin.display(description=_("ouverture (locale)"), ordering="registration_opens_at")
    def local_opens(self, obj: Session) -> str:
        return obj.local(obj.registration_opens_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("clôture (locale)"), ordering="registration_closes_at")
    def local_closes(self, obj: Session) -> str:
        return obj.local(obj.registration_closes_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("inscriptions"))
    def state(self, obj: Session) -> str:
        return obj.registration_state().label


class SpecialtyOptionInline(admin.TabularInline):
    model = SpecialtyOption
    extra = 0


class EpreuveInline(admin.TabularInline):
    model = Epreuve
    extra = 0
    fk_name = "specialty"
    fields = [
        "order", "code", "unit_code", "title", "coefficient", "parent", "option", "is_unit", "is_professional",
        "is_optional", "is_language", "is_general_culture", "is_student_engagement", "needs_dossier",
        "control_allowed", "dispensable",
    ]  # fmt: skip

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        # Only the épreuves and options of this specialty may be chosen as parent / option.
        if obj is not None:
            formset.form.base_fields["parent"].queryset = Epreuve.objects.filter(specialty=obj)
            formset.form.base_fields["option"].queryset = SpecialtyOption.objects.filter(specialty=obj)
        return formset


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "abbreviation", "code", "managing_academie", "r408_annex4", "r408_annex5"]
    list_filter = ["managing_academie", "r408_annex4", "r408_annex5"]
    search_fields = ["name", "code", "abbreviation"]
    list_select_related = ["managing_academie"]
    inlines = [SpecialtyOptionInline, EpreuveInline]

    # issue 12: readable by every académie (the referential is national), written only by the
    # managers of the académie that manages it: its contact e-mail is printed on other recaps.
    def _manages(self, request, obj) -> bool:
        if obj is None or request.user.is_superuser:
            return True
        return managed_academies(request.user).filter(pk=obj.managing_academie_id).exists()

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._manages(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "managing_academie" and not request.user.is_superuser:
            kwargs["queryset"] = managed_academies(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(ManagedAcademieMixin, admin.ModelAdmin):
    list_display = ["user", "role", "academie"]
    list_filter = ["role", "academie"]
    filter_horizontal = ["specialties"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "academie"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # issue 12: what the picker offers is also all a POST may name.
            kwargs["queryset"] = assignable_users(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # The role follows the assignment through exams.staff, never a post_save: granted to its user
    # once the specialties are saved, and recomputed for a previous user if it changed hands.
    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        staff_sync_roles(user=form.instance.user)
        previous = form.initial.get("user")
        if change and previous and previous != form.instance.user_id:
            staff_sync_roles(user=get_user_model().objects.get(pk=previous))

    def delete_model(self, request, obj):
        staff_unassign(assignment=obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user"):
            staff_unassign(assignment=assignment)
