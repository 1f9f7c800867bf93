"""The academy managers' screen of épreuve dates, times and centres: typed one by one or imported
from a CSV (django-import-export, checked row by row), on the académie's clocks, limited to the
sessions of the académies they manage."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from exams.admin_scoping import ManagedAcademieMixin
from exams.models import Epreuve, Session
from exams.selectors import managed_academies
from exams.sittings.models import EpreuveSitting
from exams.sittings.resources import EpreuveSittingResource, SpreadsheetCSV

LOCAL_FIELDS = ("starts_at", "ends_at")


class EpreuveSittingForm(forms.ModelForm):
    """Start and end are typed on the session's académie's clocks, as the session's dates are."""

    class Meta:
        model = EpreuveSitting
        fields = [
            "session",
            "epreuve",
            "starts_at",
            "ends_at",
            "centre_name",
            "centre_address",
            "instructions",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in LOCAL_FIELDS:
            self.fields[name].help_text = _("Heure locale de l'académie de la session.")

    def clean(self):
        cleaned = super().clean()
        session = cleaned.get("session")
        if session is not None:
            active = timezone.get_current_timezone()
            for name in LOCAL_FIELDS:
                value = cleaned.get(name)
                if isinstance(value, dt.datetime):
                    cleaned[name] = session.academie.make_aware(timezone.make_naive(value, active))
                    setattr(self.instance, name, cleaned[name])
        return cleaned


@admin.register(EpreuveSitting)
class EpreuveSittingAdmin(ManagedAcademieMixin, ImportExportModelAdmin):
    academie_path = "session__academie"
    form = EpreuveSittingForm
    resource_classes = [EpreuveSittingResource]
    formats = [SpreadsheetCSV]
    list_display = ["epreuve_code", "epreuve_title", "session", "local_start", "local_end", "centre_name"]
    list_filter = ["session__academie", "session"]
    list_select_related = ["session__academie", "epreuve__specialty"]
    search_fields = ["epreuve__code", "epreuve__title", "centre_name", "session__code"]
    ordering = ["session", "starts_at"]
    # Ours extend import-export's, adding the underlined breadcrumbs (axe, RGAA 10.6).
    change_list_template = "admin/exams/epreuvesitting/change_list.html"
    import_template_name = "admin/exams/epreuvesitting/import.html"
    export_template_name = "admin/exams/epreuvesitting/export.html"

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def process_dataset(self, dataset, form, request, **kwargs):
        # One bad row refuses the whole file (a row changed between the preview and the
        # confirmation): never half a timetable.
        kwargs.setdefault("rollback_on_validation_errors", True)
        return super().process_dataset(dataset, form, request, **kwargs)

    def has_import_permission(self, request):
        # Importing writes sittings: the same permissions as typing them.
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            sessions = Session.objects.select_related("academie", "exam")
            if not request.user.is_superuser:
                sessions = sessions.filter(academie__in=managed_academies(request.user))
            kwargs["queryset"] = sessions
        if db_field.name == "epreuve":
            kwargs["queryset"] = Epreuve.objects.select_related("specialty").order_by(
                "specialty__name", "order", "code"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        obj = self.get_object(request, object_id) if object_id else None
        if obj is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(obj.session.academie.tzinfo):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            if hasattr(response, "render"):
                response.render()
            return response

    @admin.display(description=_("épreuve"), ordering="epreuve__code")
    def epreuve_code(self, obj: EpreuveSitting) -> str:
        return f"{obj.epreuve.specialty.abbreviation or obj.epreuve.specialty.code} {obj.epreuve.code}"

    @admin.display(description=_("intitulé"))
    def epreuve_title(self, obj: EpreuveSitting) -> str:
        return obj.epreuve.title

    @admin.display(description=_("début (heure locale)"), ordering="starts_at")
    def local_start(self, obj: EpreuveSitting) -> str:
        return obj.session.local(obj.starts_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("fin"), ordering="ends_at")
    def local_end(self, obj: EpreuveSitting) -> str:
        return obj.session.local(obj.ends_at).strftime("%H:%M")
