"""The help pages in the admin: each academy manager edits their académie's (loaded by
exams/admin.py)."""

from django.contrib import admin

from exams.admin_scoping import ManagedAcademieMixin
from exams.helpdesk.models import AcademieHelp, FaqEntry


class FaqEntryInline(admin.TabularInline):
    model = FaqEntry
    fk_name = "academie"
    extra = 1
    fields = ["order", "question", "answer", "is_published"]


@admin.register(AcademieHelp)
class AcademieHelpAdmin(ManagedAcademieMixin, admin.ModelAdmin):
    list_display = ["academie", "notice_title"]
    fields = ["academie", "opening_hours", "notice_title", "notice_url"]


@admin.register(FaqEntry)
class FaqEntryAdmin(ManagedAcademieMixin, admin.ModelAdmin):
    list_display = ["question", "academie", "order", "is_published"]
    list_filter = ["academie", "is_published"]
    list_editable = ["order", "is_published"]
    search_fields = ["question", "answer"]
