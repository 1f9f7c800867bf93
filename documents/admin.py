"""Admin of documents."""

# --- Pieces, seen by the staff who review them (issue 7) ----------------------------------------
# Scoped by candidates.permissions like the dossiers; read-only: pieces are accepted or invalidated
# from the dossier's review page, which calls candidates.review.
from django.contrib import admin as _review_admin
from django.urls import reverse as _review_reverse
from django.utils.html import format_html as _review_format_html

from candidates.permissions import dossiers_visible_to as _dossiers_visible_to

from .models import Piece as _Piece
from .models import PieceFile as _PieceFile


class PieceFileInline(_review_admin.TabularInline):
    model = _PieceFile
    extra = 0
    can_delete = False
    fields = ["download", "content_type", "size", "uploaded_at"]
    readonly_fields = fields

    @_review_admin.display(description="fichier")
    def download(self, obj):
        url = _review_reverse("admin:candidates_dossier_piece_file", args=[obj.uuid])
        return _review_format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>', url, obj.original_name
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@_review_admin.register(_Piece)
class PieceAdmin(_review_admin.ModelAdmin):
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
        return super().get_queryset(request).filter(dossier__in=_dossiers_visible_to(request.user))

    @_review_admin.display(description="dossier", ordering="dossier__number")
    def dossier_link(self, obj):
        url = _review_reverse("admin:candidates_dossier_change", args=[obj.dossier_id])
        return _review_format_html('<a href="{}#piece-{}">{}</a>', url, obj.pk, obj.dossier)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
