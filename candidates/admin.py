"""Admin of accounts and profiles, and the staff review of dossiers (issue 7)."""

import datetime as dt
import re
import uuid

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.files.storage import default_storage
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from candidates.corrections.forms import StaffCorrectionForm
from candidates.messaging.selectors import unread_by_dossier
from candidates.review import exports
from candidates.review import services as review
from candidates.review.selectors import (
    WAITING_STATES,
    duplicate_candidates,
    duplicates_of,
    with_review_columns,
)
from documents.models import DocumentKind, GeneratedDocument, Piece, PieceFile
from exams.models import Session
from portal.exceptions import DomainError

from .models import Dossier, DossierEpreuve, DossierState, Profile, User
from .permissions import dossiers_visible_to, user_can_review
from .states import allowed_transitions


class ProfileInline(admin.StackedInline):
    model = Profile
    extra = 0
    can_delete = False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups"]
    search_fields = ["email", "profile__birth_name", "profile__usage_name", "profile__first_name_1"]
    readonly_fields = ["date_joined", "last_login", "email_verified_at"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Statut"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["date_joined", "email_verified_at", "last_login"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


# --- Staff review of dossiers (issue 7) ---------------------------------------------------------
# The admin is an interface: the scope comes from candidates.permissions, every write from
# candidates.review, the list's columns from candidates.review_selectors.


class PiecesCompleteFilter(admin.SimpleListFilter):
    title = _("pièces complètes")
    parameter_name = "pieces"

    def lookups(self, request, model_admin):
        return [("oui", _("Toutes acceptées")), ("non", _("Pas toutes acceptées"))]

    def queryset(self, request, queryset):
        complete = Q(pieces_total__gt=0, pieces_accepted=F("pieces_total"))
        if self.value() == "oui":
            return queryset.filter(complete)
        if self.value() == "non":
            return queryset.exclude(complete)
        return queryset


class DuplicateFilter(admin.SimpleListFilter):
    title = _("doublons")
    parameter_name = "doublon"

    def lookups(self, request, model_admin):
        return [("1", _("Identité en double dans la session"))]

    def queryset(self, request, queryset):
        return duplicate_candidates(queryset) if self.value() == "1" else queryset


class UnreadMessagesFilter(admin.SimpleListFilter):
    title = _("messages")
    parameter_name = "messages_non_lus"

    def lookups(self, request, model_admin):
        return [("1", _("Message du candidat non lu"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(thread__from_staff=False, thread__read_at__isnull=True).distinct()
        return queryset


class WaitingSinceFilter(admin.SimpleListFilter):
    title = _("en attente depuis")
    parameter_name = "attente"

    def lookups(self, request, model_admin):
        return [(str(days), _("plus de %(n)s jours") % {"n": days}) for days in (3, 7, 15, 30)]

    def queryset(self, request, queryset):
        if not (self.value() or "").isdigit():
            return queryset
        limit = timezone.now() - dt.timedelta(days=int(self.value()))
        return queryset.filter(state__in=WAITING_STATES, waiting_since__lte=limit)


class _ScopedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """Offers only the sessions / specialties found in the user's own scope (the admin queryset
    is already filtered by candidates.permissions), with a French title."""

    titles = {"session": _("session"), "specialty": _("spécialité")}

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = self.titles.get(field_path, self.title)

    def field_choices(self, field, request, model_admin):
        # A session's name reads its académie and exam: one query for all, not one per session.
        in_scope = (
            model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        )
        related = field.related_model._default_manager.filter(pk__in=in_scope)
        if field.related_model is Session:
            related = related.select_related("academie", "exam")
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            related = related.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in related]


# Short labels keep the list readable next to the filters (the full label is on the dossier page).
CATEGORY_SHORT = {
    "distance_school": _("Distance – scolaire"),
    "distance_apprentice": _("Distance – apprenti"),
    "distance_continuing": _("Distance – continue"),
    "former_school": _("Ex-scolaire"),
    "former_apprentice": _("Ex-apprenti"),
    "former_continuing": _("Ex-formation continue"),
    "work_experience": _("Expérience pro."),
}


class DossierEpreuveInline(admin.TabularInline):
    model = DossierEpreuve
    extra = 0
    can_delete = False
    fields = ["epreuve", "choice", "grade", "obtained_on", "obtained_session_year", "benefice_renounced"]
    readonly_fields = fields
    verbose_name_plural = _("épreuves choisies")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("epreuve")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


_DATE_RE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$|^\s*(\d{4})-(\d{2})-(\d{2})\s*$")


def _parse_search_date(term: str) -> dt.date | None:
    match = _DATE_RE.match(term)
    if not match:
        return None
    d, m, y, iy, im, id_ = match.groups()
    try:
        return dt.date(int(y), int(m), int(d)) if y else dt.date(int(iy), int(im), int(id_))
    except ValueError:
        return None


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    """The bureau's review screen. Dossiers are read-only here: every change is a review action
    (pieces, transitions) posted to the views below, which call candidates.review."""

    list_display = [
        "number_display",
        "candidate_display",
        "specialty_display",
        "category_display",
        "state_display",
        "pieces_display",
        "updated_display",
    ]
    list_display_links = ["number_display"]
    list_filter = [
        ("session", _ScopedRelatedFilter),
        ("specialty", _ScopedRelatedFilter),
        "state",
        "category",
        PiecesCompleteFilter,
        WaitingSinceFilter,
        UnreadMessagesFilter,
        DuplicateFilter,
    ]
    search_fields = ["=number", "birth_name", "usage_name", "first_name_1", "candidate__email"]
    search_help_text = _("Numéro, nom, prénom, courriel ou date de naissance (jj/mm/aaaa).")
    list_select_related = ["candidate", "specialty", "option", "session__academie"]
    readonly_fields = ["decided_by_display", "updated_display"]
    # Counting the whole table on every page is a second COUNT(*) over 100,000 rows for nothing.
    show_full_result_count = False
    list_per_page = 50
    # Newest first through the primary key's index (the model orders by created_at, unindexed).
    ordering = ["-pk"]
    actions = ["mark_compliant", "export_csv", "export_xlsx"]
    inlines = [DossierEpreuveInline]
    change_form_template = "admin/candidates/dossier/change_form.html"
    change_list_template = "admin/candidates/dossier/change_list.html"
    fieldsets = [
        (
            _("Dossier"),
            {"fields": ["number", "session", "state", "candidate", "registered_at", "updated_at"]},
        ),
        (
            _("Identité"),
            {
                "fields": [
                    ("birth_name", "usage_name"),
                    ("first_name_1", "first_name_2", "first_name_3"),
                    ("sex", "birth_date"),
                    ("birth_commune", "birth_country", "nationality"),
                ]
            },
        ),
        (
            _("Coordonnées"),
            {
                "fields": [
                    "address_line1",
                    "address_line2",
                    ("postcode", "city", "country"),
                    "departement",
                    "mobile_phone",
                ]
            },
        ),
        (
            _("Situation"),
            {
                "fields": [
                    "category",
                    "continuing_situation",
                    ("previous_session_year", "previous_candidate_number"),
                    "first_registration_year",
                    "access_diploma",
                    "dispense_diploma",
                    "positioning_decision",
                ]
            },
        ),
        (_("Spécialité"), {"fields": ["specialty", "option", "forme"]}),
        (_("Langues"), {"fields": ["mandatory_language", "optional_language"]}),
        (_("Handicap"), {"fields": ["handicap", "accommodation_requested", "r408_rqth_alternative"]}),
        (
            _("Engagements et décision"),
            {
                "fields": [
                    "certified_at",
                    "choices_version",
                    "signed_at",
                    "pieces_locked_at",
                    "decided_at",
                    "decided_by_display",
                    "decision_reason",
                ]
            },
        ),
    ]

    # --- scope and permissions ------------------------------------------------------------------
    def get_queryset(self, request):
        return with_review_columns(dossiers_visible_to(request.user, super().get_queryset(request)))

    def has_add_permission(self, request):
        return False  # dossiers are created by candidates

    def has_change_permission(self, request, obj=None):
        return False  # read-only page; reviewing is done through the review actions

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request):
        return user_can_review(request.user)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        day = _parse_search_date(search_term)
        if day is not None:
            results = results | queryset.filter(birth_date=day)
        return results, may_have_duplicates

    # --- columns --------------------------------------------------------------------------------
    @admin.display(description=_("numéro"), ordering="number")
    def number_display(self, obj: Dossier) -> str:
        return obj.number or _("Brouillon #%(pk)s") % {"pk": obj.pk}

    @admin.display(description=_("candidat"), ordering="birth_name")
    def candidate_display(self, obj: Dossier):
        name = " ".join(filter(None, [(obj.usage_name or obj.birth_name).upper(), obj.first_name_1]))
        birth = obj.birth_date.strftime("%d/%m/%Y") if obj.birth_date else ""
        return format_html(
            "{}<br><small>{} · né(e) le {}</small>", name or "—", obj.candidate.email, birth or "?"
        )

    @admin.display(description=_("spécialité / option"), ordering="specialty__name")
    def specialty_display(self, obj: Dossier) -> str:
        if not obj.specialty_id:
            return "—"
        label = obj.specialty.abbreviation or obj.specialty.name
        return f"{label} – option {obj.option.code}" if obj.option_id else label

    @admin.display(description=_("catégorie"), ordering="category")
    def category_display(self, obj: Dossier) -> str:
        return CATEGORY_SHORT.get(obj.category, obj.get_category_display() or "—")

    @admin.display(description=_("dernière modification"), ordering="updated_at")
    def updated_display(self, obj: Dossier) -> str:
        return obj.session.local(obj.updated_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("décidé par"))
    def decided_by_display(self, obj: Dossier) -> str:
        return str(obj.decided_by) if obj.decided_by_id else "—"

    @admin.display(description=_("état"), ordering="state")
    def state_display(self, obj: Dossier):
        return format_html(
            '<span class="dossier-state state-{}">{}</span>', obj.state, obj.get_state_display()
        )

    @admin.display(description=_("pièces acceptées"), ordering="pieces_accepted")
    def pieces_display(self, obj: Dossier) -> str:
        return f"{obj.pieces_accepted}/{obj.pieces_total}"

    # --- bulk actions ---------------------------------------------------------------------------
    @admin.action(description=_("Déclarer conformes (pièces toutes acceptées)"), permissions=["review"])
    def mark_compliant(self, request, queryset):
        result = review.bulk_mark_compliant(
            dossier_ids=queryset.values_list("pk", flat=True), actor=request.user
        )
        if result.done:
            self.message_user(
                request,
                _("%(n)d dossier(s) déclaré(s) conforme(s).") % {"n": len(result.done)},
                messages.SUCCESS,
            )
        for dossier, reason in result.skipped[:20]:
            self.message_user(request, f"{dossier} : {reason}", messages.WARNING)
        if len(result.skipped) > 20:
            self.message_user(
                request,
                _("… et %(n)d autre(s) non traité(s).") % {"n": len(result.skipped) - 20},
                messages.WARNING,
            )

    @admin.action(description=_("Exporter la sélection (CSV)"))
    def export_csv(self, request, queryset):
        return self._export(request, queryset, "csv")

    @admin.action(description=_("Exporter la sélection (XLSX)"))
    def export_xlsx(self, request, queryset):
        return self._export(request, queryset, "xlsx")

    def _export(self, request, queryset, fmt: str):
        queryset = exports.export_queryset(queryset, request.user)
        count = queryset.count()
        if count > exports.async_threshold():
            from .tasks import export_dossiers

            token = uuid.uuid4().hex
            ids = list(queryset.values_list("pk", flat=True))
            export_dossiers.delay_on_commit(request.user.pk, ids, fmt, token)
            self.message_user(
                request,
                _(
                    "L'export de %(n)d dossiers est en préparation : il apparaîtra dans « Mes exports » "
                    "sur la page d'accueil de l'administration dès qu'il sera prêt."
                )
                % {"n": count},
                messages.INFO,
            )
            return None
        response = HttpResponse(exports.render_export(queryset, fmt), content_type=exports.FORMATS[fmt])
        response["Content-Disposition"] = f'attachment; filename="{exports.export_filename(fmt)}"'
        return response

    # --- review views ---------------------------------------------------------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        info = "candidates_dossier"
        return [
            path("export/<str:fmt>/", wrap(self.export_list_view), name=f"{info}_export"),
            path("exports/<str:name>/", wrap(self.export_file_view), name=f"{info}_export_file"),
            path("fichiers/<uuid:file_uuid>/", wrap(self.piece_file_view), name=f"{info}_piece_file"),
            path("documents/<int:document_id>/", wrap(self.document_view), name=f"{info}_document"),
            path("<path:object_id>/revue/<str:action>/", wrap(self.review_view), name=f"{info}_review"),
            path(
                "<path:object_id>/pieces/<int:piece_id>/<str:action>/",
                wrap(self.piece_review_view),
                name=f"{info}_piece_review",
            ),
            *super().get_urls(),
        ]

    def _change_url(self, object_id) -> str:
        return reverse("admin:candidates_dossier_change", args=[object_id])

    def _lock_version(self, request) -> int | None:
        value = request.POST.get("lock_version", "")
        return int(value) if value.isdigit() else -1  # a missing version is stale, never "anything"

    def _reason(self, request, field: str = "reason") -> str:
        typed = request.POST.get(f"{field}_text", "").strip()
        return typed or request.POST.get(field, "").strip()

    def _guard(self, request, object_id) -> Dossier:
        if not (self.has_view_permission(request) and self.has_review_permission(request)):
            raise PermissionDeniedError
        dossier = self.get_object(request, object_id)
        if dossier is None:
            raise Http404
        return dossier

    def review_view(self, request, object_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            dossier = self._guard(request, object_id)
        except PermissionDeniedError:
            return HttpResponse(status=403)
        version = self._lock_version(request)
        try:
            if action == "start_review":
                review.dossier_start_review(dossier=dossier, actor=request.user, lock_version=version)
                done = _("Examen du dossier commencé.")
            elif action == "request_correction":
                review.dossier_request_correction(
                    dossier=dossier,
                    actor=request.user,
                    message=self._reason(request, "message"),
                    lock_version=version,
                )
                done = _("Correction demandée : le candidat est prévenu.")
            elif action in (DossierState.COMPLIANT, DossierState.NON_COMPLIANT):
                review.dossier_decide(
                    dossier=dossier,
                    actor=request.user,
                    decision=action,
                    reason=self._reason(request),
                    lock_version=version,
                    under_reservation=request.POST.get("under_reservation") == "1",
                )
                done = _("Décision enregistrée : le candidat est prévenu.")
            else:
                raise Http404
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect(self._change_url(dossier.pk))

    def piece_review_view(self, request, object_id, piece_id, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            dossier = self._guard(request, object_id)
        except PermissionDeniedError:
            return HttpResponse(status=403)
        version = self._lock_version(request)
        try:
            if action == "accept":
                piece = review.piece_accept(
                    dossier=dossier, piece=piece_id, actor=request.user, lock_version=version
                )
                done = _("Pièce « %(piece)s » acceptée.") % {"piece": piece}
            elif action == "invalidate":
                piece = review.piece_invalidate(
                    dossier=dossier,
                    piece=piece_id,
                    actor=request.user,
                    reason=self._reason(request),
                    lock_version=version,
                )
                done = _("Pièce « %(piece)s » invalidée : le candidat peut la remplacer.") % {"piece": piece}
            else:
                raise Http404
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return redirect(f"{self._change_url(dossier.pk)}#piece-{piece_id}")

    def _visible_dossiers(self, request):
        if not self.has_view_permission(request):
            raise Http404
        return dossiers_visible_to(request.user)

    def piece_file_view(self, request, file_uuid):
        """A deposited file, only for staff who may see its dossier (files are private)."""
        stored = (
            PieceFile.objects.select_related("piece")
            .filter(uuid=file_uuid, piece__dossier__in=self._visible_dossiers(request))
            .first()
        )
        if stored is None or not stored.file:
            raise Http404
        return _file_response(stored.file, stored.content_type, stored.original_name)

    def document_view(self, request, document_id):
        document = (
            GeneratedDocument.objects.filter(pk=document_id, dossier__in=self._visible_dossiers(request))
            .select_related("dossier")
            .first()
        )
        if document is None:
            raise Http404
        signed = request.GET.get("signe") == "1" and document.signed_file
        file = document.signed_file if signed else document.file
        if not file:
            raise Http404
        name = f"{document.kind}-{document.dossier.number or document.dossier_id}-v{document.version}.pdf"
        return _file_response(file, "application/pdf", name)

    def export_list_view(self, request, fmt):
        """Export the list as filtered and searched on screen (the changelist's own query)."""
        if fmt not in exports.FORMATS or not self.has_view_permission(request):
            raise Http404
        changelist = self.get_changelist_instance(request)
        response = self._export(request, changelist.get_queryset(request), fmt)
        return response or redirect(
            f"{reverse('admin:candidates_dossier_changelist')}?{request.GET.urlencode()}"
        )

    def export_file_view(self, request, name):
        """A finished asynchronous export, for the user who asked for it and nobody else."""
        if not exports.EXPORT_NAME_RE.match(name) or not request.user.is_staff:
            raise Http404
        stored = exports.export_storage_path(request.user.pk, name)
        if not default_storage.exists(stored):
            raise Http404
        fmt = name.rsplit(".", 1)[1]
        response = FileResponse(
            default_storage.open(stored, "rb"), content_type=exports.FORMATS[fmt], as_attachment=True
        )
        response["Content-Disposition"] = f'attachment; filename="dossiers-{name[:8]}.{fmt}"'
        return response

    # --- the review page ------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        dossier = self.get_object(request, object_id)
        if dossier is not None:
            extra_context = {**(extra_context or {}), **self._review_context(request, dossier)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _review_context(self, request, dossier: Dossier) -> dict:
        pieces = list(
            Piece.objects.filter(dossier=dossier)
            .select_related("reviewed_by")
            .prefetch_related("files")
            .order_by("code")
        )
        for piece in pieces:
            piece.file_list = [
                {
                    "file": f,
                    "url": reverse("admin:candidates_dossier_piece_file", args=[f.uuid]),
                    "is_image": f.content_type in INLINE_CONTENT_TYPES
                    and f.content_type.startswith("image/"),
                    "is_pdf": f.content_type == "application/pdf",
                }
                for f in piece.files.all()
            ]
        recaps = list(
            GeneratedDocument.objects.filter(dossier=dossier, kind=DocumentKind.RECAP)
            .select_related("signed_by")
            .order_by("-version")
        )
        for recap in recaps:
            recap.url = reverse("admin:candidates_dossier_document", args=[recap.pk])
            recap.is_current = recap.choices_version == dossier.choices_version
        can_review = self.has_review_permission(request)
        transitions = {t.name: t for t in allowed_transitions(dossier, actor="staff")} if can_review else {}
        return {
            "dossier": dossier,
            "pieces": pieces,
            "recaps": recaps,
            "can_review": can_review,
            "transitions": transitions,
            "pieces_reviewable": can_review and dossier.state == DossierState.IN_REVIEW,
            "compliance_refusal": review.compliance_refusal(dossier) if can_review else "",
            "reservation_possible": can_review
            and review.compliance_refusal(dossier, under_reservation=True) is None,
            "invalidation_reasons": review.INVALIDATION_REASONS,
            "non_compliance_reasons": review.NON_COMPLIANCE_REASONS,
            "history": _history(dossier),
            "correction_form": StaffCorrectionForm(),
            "duplicates": [
                d
                for d in duplicates_of(dossier)
                if dossiers_visible_to(request.user).filter(pk=d.pk).exists()
            ],
            "thread_unread": unread_by_dossier([dossier.pk], from_staff=False).get(dossier.pk, 0),
            "academie_tz": dossier.session.academie.time_zone,
        }


class PermissionDeniedError(Exception):
    pass


INLINE_CONTENT_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf"}


def _file_response(file, content_type: str, download_name: str) -> FileResponse:
    # Only raster images and PDFs are shown inline (the previews); anything else, SVG included
    # (it may carry scripts), is downloaded.
    inline = content_type in INLINE_CONTENT_TYPES
    response = FileResponse(
        file.open("rb"), content_type=content_type, as_attachment=not inline, filename=download_name
    )
    response["Cache-Control"] = "private, no-store"
    return response


_HIDDEN_HISTORY_FIELDS = {"lock_version", "completed_tabs"}


def _history(dossier: Dossier, limit: int = 100) -> list[dict]:
    """Who changed what and when, with before → after, for the dossier and its pieces
    (simple-history rows written by the services with the acting user and a reason)."""
    rows = []
    streams = [
        list(dossier.history.select_related("history_user").order_by("history_date")[:limit]),
    ]
    piece_history = (
        Piece.history.filter(dossier_id=dossier.pk).select_related("history_user").order_by("history_date")
    )
    by_piece: dict[int, list] = {}
    for record in piece_history[: limit * 2]:
        by_piece.setdefault(record.id, []).append(record)
    streams.extend(by_piece.values())
    for records in streams:
        previous = None
        for record in records:
            changes = []
            if previous is not None:
                delta = record.diff_against(previous)
                for change in delta.changes:
                    if change.field in _HIDDEN_HISTORY_FIELDS:
                        continue
                    model_field = record.instance_type._meta.get_field(change.field)
                    changes.append(
                        {
                            "field": model_field.verbose_name,
                            "old": _display(model_field, change.old),
                            "new": _display(model_field, change.new),
                        }
                    )
            rows.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "type": record.get_history_type_display(),
                    "object": (
                        _("Dossier")
                        if record.instance_type is Dossier
                        else record.instance.get_code_display()
                    ),
                    "reason": record.history_change_reason or "",
                    "changes": changes,
                }
            )
            previous = record
    rows.sort(key=lambda row: row["date"], reverse=True)
    return rows[:limit]


def _display(model_field, value) -> str:
    if value in (None, ""):
        return "—"
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)
