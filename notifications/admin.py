"""Delivery state and attempts of every e-mail, visible to the operator, and a "renvoyer" action."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Message, OutgoingEmail, ReminderSent


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "to", "kind", "status", "attempts", "created_at", "last_attempt_at", "sent_at"]
    list_filter = ["status", "kind", "created_at"]
    search_fields = ["to", "subject", "uuid"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in OutgoingEmail._meta.fields] + ["message_id_header"]
    fieldsets = [
        (
            _("Remise"),
            {
                "fields": [
                    "status",
                    "attempts",
                    "last_error",
                    "created_at",
                    "claimed_at",
                    "last_attempt_at",
                    "next_attempt_at",
                    "sent_at",
                    "message_id_header",
                ]
            },
        ),
        (_("Courriel"), {"fields": ["kind", "to", "subject", "text_body", "html_body", "message", "uuid"]}),
    ]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("Message-ID"))
    def message_id_header(self, obj):
        return obj.message_id_header

    @admin.action(description=_("Renvoyer les courriels sélectionnés"), permissions=["change"])
    def resend(self, request, queryset):
        count = 0
        for outgoing in queryset:
            services.email_resend(outgoing=outgoing)
            count += 1
        self.message_user(
            request,
            ngettext("%d courriel remis en file d'envoi.", "%d courriels remis en file d'envoi.", count)
            % count,
            messages.SUCCESS,
        )


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipient", "kind", "created_at", "read_at"]
    list_filter = ["kind", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["recipient__email", "subject"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "dossier"]


@admin.register(ReminderSent)
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["dossier", "kind", "key", "created_at"]
    list_filter = ["kind"]
    search_fields = ["dossier__number", "dossier__candidate__email"]
    list_select_related = ["dossier"]
    raw_id_fields = ["dossier"]
    readonly_fields = ["dossier", "kind", "key", "created_at"]
