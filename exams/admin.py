"""Admin screens where academy managers configure the catalogue."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.exceptions import DomainError
from portal.scoped_admin import ScopedHistoryAdmin

from .admin_scoping import ManagedAcademieMixin
from .catalogue import session_prepare_next
from .deadlines import deadline_wording
from .models import (
    Academie,
    Departement,
    Epreuve,
    Exam,
    Language,
    Route,
    Session,
    SessionSpecialty,
    Specialty,
    SpecialtyOption,
    StaffAssignment,
    StaffRole,
)
from .selectors import assignable_users, managed_academies
from .sittings.publication import convocations_request_publication
from .staff import specialties_of_academie, staff_deactivate, staff_sync_roles, staff_unassign

SESSION_DATETIME_FIELDS = [
    f.name for f in Session._meta.get_fields() if f.get_internal_type() == "DateTimeField"
]


class SessionAdminFormBase(forms.ModelForm):
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


class NationalReferentialMixin:
    """The national referential (codes, titles, épreuve tree, which units are professional,
    languages) is the superuser's: academy managers read it, and so never change what another
    académie sees."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


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
class LanguageAdmin(NationalReferentialMixin, admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


ROUTE_CHOICES = Route.choices


class SessionAdminForm(SessionAdminFormBase):
    accepted_categories = forms.MultipleChoiceField(
        label=_("catégories acceptées"),
        choices=ROUTE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les voies de préparation admises à cette session."),
    )
    progressive_categories = forms.MultipleChoiceField(
        label=_("peuvent choisir la forme progressive"),
        choices=ROUTE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Les autres catégories se présentent en forme globale ; le choix est définitif."),
    )


class SessionSpecialtyInlineForm(forms.ModelForm):
    class Meta:
        model = SessionSpecialty
        fields = "__all__"  # noqa: DJ007 (the inline's fields choose what is shown)

    def clean(self):
        cleaned = super().clean()
        specialty, options = cleaned.get("specialty"), cleaned.get("options")
        if specialty is not None and options is not None:
            foreign = [o for o in options if o.specialty_id != specialty.pk]
            if foreign:
                self.add_error(
                    "options",
                    _("Ces options ne sont pas de la spécialité « %(specialty)s » : %(options)s.")
                    % {"specialty": specialty, "options": ", ".join(o.code for o in foreign)},
                )
            elif specialty.options.exists() and not options:
                self.add_error(
                    "options", _("Cette spécialité comporte des options : ouvrez-en au moins une.")
                )
        return cleaned


class SessionSpecialtyInline(admin.TabularInline):
    model = SessionSpecialty
    form = SessionSpecialtyInlineForm
    extra = 0
    fields = [
        "specialty", "options", "gestionnaire_name", "gestionnaire_email", "gestionnaire_phone",
        "r408_annex4", "r408_annex5",
    ]  # fmt: skip
    autocomplete_fields = ["specialty"]
    verbose_name = _("spécialité ouverte")
    verbose_name_plural = _("spécialités ouvertes (options, gestionnaire de l'académie, R408)")

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "options":
            kwargs["queryset"] = SpecialtyOption.objects.select_related("specialty")
            kwargs["widget"] = forms.SelectMultiple(attrs={"size": 4})
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Session)
class SessionAdmin(ManagedAcademieMixin, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = [
        "__str__", "code", "academie", "year", "is_published", "local_opens", "local_closes", "state",
    ]  # fmt: skip
    list_filter = ["academie", "year", "exam", "is_published"]
    list_select_related = ["academie", "exam"]
    search_fields = ["code", "name"]
    filter_horizontal = ["optional_languages", "mandatory_languages"]
    inlines = [SessionSpecialtyInline]
    actions = ["prepare_next_session", "publish_convocations"]
    readonly_fields = ["previous_session"]
    fieldsets = [
        (None, {"fields": ["code", "academie", "exam", "year", "name", "is_published", "previous_session"]}),
        (
            _("Calendrier (heure locale de l'académie ; « à minuit » = 00:00 le lendemain)"),
            {
                "fields": [
                    "registration_opens_at",
                    "registration_closes_at",
                    "pieces_deadline",
                    "late_pieces_deadline",
                    "incompleteness_notice_by",
                    "review_deadline",
                    "convocations_published_at",
                    "first_written_exam_at",
                ]
            },
        ),
        (
            _("Catégories de candidats et forme de passage"),
            {"fields": ["accepted_categories", "progressive_categories"]},
        ),
        (
            _("Demandes d'aménagement d'épreuves"),
            {
                "fields": [
                    "handicap_request_deadline",
                    "handicap_request_channel",
                    "handicap_request_url",
                    "handicap_request_address",
                ]
            },
        ),
        (_("Langues"), {"fields": ["mandatory_languages", "optional_languages"]}),
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
        return deadline_wording(obj.registration_closes_at, obj.academie.tzinfo)

    @admin.display(description=_("inscriptions"))
    def state(self, obj: Session) -> str:
        return obj.registration_state().label

    @admin.action(description=_("Préparer la session suivante"), permissions=["add"])
    def prepare_next_session(self, request, queryset):
        for session in queryset.select_related("academie"):
            try:
                new = session_prepare_next(session=session, by=request.user)
            except (DomainError, ValidationError) as exc:
                text = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
                self.message_user(request, f"{session} : {text}", messages.ERROR)
                continue
            url = reverse("admin:exams_session_change", args=[new.pk])
            self.message_user(
                request,
                format_html(
                    '{} : <a href="{}">{}</a> est préparée (non publiée). Relisez ses dates avant de la publier.',
                    session,
                    url,
                    new,
                ),
                messages.SUCCESS,
            )

    @admin.action(
        description=_("Publier les convocations maintenant (dossiers conformes)"), permissions=["change"]
    )
    def publish_convocations(self, request, queryset):
        # Issue 14: the periodic job publishes on the calendar's date; this runs it at once. Never
        # before the date (checked by the service, on the server's clock).
        for session in queryset.select_related("academie"):
            try:
                convocations_request_publication(session=session)
            except DomainError as exc:
                self.message_user(request, f"{session} : {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _(
                        "%(session)s : la publication des convocations est lancée ; chaque candidat conforme est prévenu."
                    )
                    % {"session": session},
                    messages.SUCCESS,
                )


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
class SpecialtyAdmin(NationalReferentialMixin, admin.ModelAdmin):
    list_display = ["name", "abbreviation", "code", "exam"]
    list_filter = ["exam"]
    search_fields = ["name", "code", "abbreviation"]
    list_select_related = ["exam"]
    inlines = [SpecialtyOptionInline, EpreuveInline]
    # issue 12 and 13: readable by every académie, written by the superuser only
    # (NationalReferentialMixin); what an académie decides about a specialty (contact, R408,
    # options opened) is its sessions' SessionSpecialty.


class StaffAssignmentForm(forms.ModelForm):
    class Meta:
        model = StaffAssignment
        fields = ["user", "academie", "role", "specialties"]

    def clean(self):
        cleaned = super().clean()
        academie, specialties = cleaned.get("academie"), cleaned.get("specialties")
        if academie is not None and specialties is not None:
            allowed = set(specialties_of_academie(academie).values_list("pk", flat=True))
            foreign = [s.name for s in specialties if s.pk not in allowed]
            if foreign:
                self.add_error(
                    "specialties",
                    _("Aucune session de %(academie)s n'ouvre : %(names)s.")
                    % {"academie": academie, "names": ", ".join(foreign)},
                )
        return cleaned


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(ManagedAcademieMixin, ScopedHistoryAdmin):
    form = StaffAssignmentForm
    list_display = ["user", "role", "academie", "account_state", "deactivated_at"]
    list_filter = ["role", "academie", ("deactivated_at", admin.EmptyFieldListFilter)]
    filter_horizontal = ["specialties"]
    autocomplete_fields = ["user"]
    list_select_related = ["user", "academie"]
    search_fields = ["user__email"]
    actions = ["deactivate"]
    history_list_display = ["role", "deactivated_at"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # issue 12: what the picker offers is also all a POST may name (a manager: staff
            # accounts only); issue 13: never a candidate's account (a profile or dossiers), not
            # even for the superuser (domain.md §1).
            kwargs["queryset"] = assignable_users(request.user).filter(
                profile__isnull=True, dossiers__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(StaffRole.GESTIONNAIRE.value, StaffRole.GESTIONNAIRE.label)]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "specialties" and not request.user.is_superuser:
            kwargs["queryset"] = Specialty.objects.filter(
                openings__session__academie__in=managed_academies(request.user)
            ).distinct()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description=_("compte"))
    def account_state(self, obj: StaffAssignment) -> str:
        if obj.deactivated_at:
            return _("désactivé")
        return _("actif") if obj.user.is_active else _("invitation envoyée")

    def save_model(self, request, obj, form, change):
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Désactiver les comptes sélectionnés"), permissions=["change"])
    def deactivate(self, request, queryset):
        for assignment in queryset.select_related("user", "academie"):
            try:
                staff_deactivate(assignment=assignment, by=request.user)
            except DomainError as exc:
                self.message_user(request, f"{assignment.user} : {exc.message}", messages.ERROR)
            else:
                self.message_user(request, _("%(user)s est désactivé.") % {"user": assignment.user})

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


# The help pages' admin lives with them (issue 14).
from exams.helpdesk import admin as _helpdesk_admin  # noqa: E402, F401

# The épreuves' dates and centres (convocations, issue 14).
from exams.sittings import admin as _sittings_admin  # noqa: E402, F401
