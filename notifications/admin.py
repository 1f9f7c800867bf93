"""Delivery state and attempts of every e-mail, visible to the operator."""

from django.contrib import admin

from .models import Message, OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "kind", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "subject"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "dossier"]
