"""Admin of the RGPD purges (issue 12): the anonymised counts, read-only (imported by
candidates/admin.py, the app's admin module)."""

from __future__ import annotations

from django.contrib import admin

from candidates.models import DataPurge


@admin.register(DataPurge)
class DataPurgeAdmin(admin.ModelAdmin):
    list_display = [
        "ran_at",
        "reason",
        "session_code",
        "academie_code",
        "dossiers",
        "files",
        "documents",
        "accounts",
    ]
    list_filter = ["reason", "academie_code"]
    readonly_fields = [f.name for f in DataPurge._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
