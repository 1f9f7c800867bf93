"""Admin of accounts and profiles, and the staff review of dossiers (issue 7)."""

import datetime as dt
import re

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from candidates.review import views
from candidates.review.selectors import (
    WAITING_STATES,
    dossier_search,
    duplicate_candidates,
    with_review_columns,
)
from exams.models import Session
from exams.selectors import assignable_users
from portal.admin_paging import CappedCountPaginator

from .models import Category, Dossier, DossierEpreuve, DossierState, Profile, User
from .permissions import catalogue_in_scope, dossiers_visible_to, user_can_review, users_visible_to


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

    def get_queryset(self, request):
        # issue 12: scoped like the dossiers; the staff-assignment picker (the admin's autocomplete
        # asks this admin) offers staff only, never the candidates of any académie.
        queryset = super().get_queryset(request)
        if _is_assignment_picker(request):
            return assignable_users(request.user, queryset)
        return users_visible_to(request.user, queryset)


def _is_assignment_picker(request) -> bool:
    return (
        request.resolver_match is not None
        and request.resolver_match.url_name == "autocomplete"
        and request.GET.get("app_label") == "exams"
        and request.GET.get("model_name") == "staffassignment"
        and request.GET.get("field_name") == "user"
    )


# --- Staff review of dossiers (issue 7) ---------------------------------------------------------
# The admin is an interface: the scope comes from candidates.permissions, every write from
# candidates.review.services (through candidates.review.views), the list's columns from
# candidates.review.selectors.


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
        # issue 15: from the catalogue of the user's scope, not a DISTINCT over 100,000 dossiers.
        related = catalogue_in_scope(request.user, field.related_model)
        # A session's name reads its académie and exam: one query for all, not one per session.
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
    template = "admin/candidates/dossier/epreuves_inline.html"  # no empty table headers (issue 18)

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
    """The bureau's review screen, a shell: list, filters, search and links. Dossiers are read-only
    here; every change is a review action (candidates.review.views) calling candidates.review."""

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
    # Counting the whole table on every page is a second COUNT(*) over 100,000 rows for nothing,
    # and the filtered list's own count stops at 10,000 (portal.admin_paging, issue 15).
    show_full_result_count = False
    paginator = CappedCountPaginator
    list_per_page = 50
    # Newest first through the primary key's index (the model orders by created_at, unindexed).
    ordering = ["-pk"]
    actions = [views.mark_compliant, views.write_to_selection, views.export_csv, views.export_xlsx]
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
        # Subqueries, no join: no duplicates to remove (issue 15: candidates.review.selectors).
        day = _parse_search_date(search_term)
        return dossier_search(queryset, search_term, day=day), False

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

    # Ordered by the dossier's copy of the name (migration 0015): the same order, from an index.
    @admin.display(description=_("spécialité / option"), ordering="specialty_name")
    def specialty_display(self, obj: Dossier) -> str:
        if not obj.specialty_id:
            return "—"
        label = obj.specialty.abbreviation or obj.specialty.name
        return f"{label} – option {obj.option.code}" if obj.option_id else label

    # The rows' columns are rendered 50 times per page (issue 15: at 100,000 dossiers the list's own
    # rendering became most of its time once the queries were fast). get_FOO_display() rebuilds
    # and translates every choice of the field for each row; the labels are looked up directly.
    def action_checkbox(self, obj):
        """Django's checkbox column without a form widget and its templates per row (the same
        markup: name, value, class, aria-label)."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            obj.pk,
            format_html(gettext("Select this object for an action - {}"), str(obj)),
        )

    @admin.display(description=_("catégorie"), ordering="category")
    def category_display(self, obj: Dossier) -> str:
        if obj.category in CATEGORY_SHORT:
            return CATEGORY_SHORT[obj.category]
        return str(Category(obj.category).label) if obj.category in Category.values else (obj.category or "—")

    @admin.display(description=_("dernière modification"), ordering="updated_at")
    def updated_display(self, obj: Dossier) -> str:
        return obj.session.local(obj.updated_at).strftime("%d/%m/%Y %H:%M")

    @admin.display(description=_("décidé par"))
    def decided_by_display(self, obj: Dossier) -> str:
        return str(obj.decided_by) if obj.decided_by_id else "—"

    @admin.display(description=_("état"), ordering="state")
    def state_display(self, obj: Dossier):
        label = DossierState(obj.state).label if obj.state in DossierState.values else obj.state
        return format_html('<span class="dossier-state state-{}">{}</span>', obj.state, label)

    @admin.display(description=_("pièces acceptées"), ordering="pieces_accepted")
    def pieces_display(self, obj: Dossier) -> str:
        return f"{obj.pieces_accepted}/{obj.pieces_total}"

    # --- review views (candidates.review.views): the admin links to them --------------------------
    def get_urls(self):
        wrap = self.admin_site.admin_view
        info = "candidates_dossier"
        kwargs = {"model_admin": self}
        return [
            path("export/<str:fmt>/", wrap(views.ExportList.as_view(**kwargs)), name=f"{info}_export"),
            path("exports/<str:name>/", wrap(views.ExportFile.as_view(**kwargs)), name=f"{info}_export_file"),
            # Issue 14: a message to a selection, the statistics, the bureau's documents.
            path("ecrire/", wrap(views.BulkMessage.as_view(**kwargs)), name=f"{info}_write"),
            path("statistiques/", wrap(views.Statistics.as_view(**kwargs)), name=f"{info}_statistics"),
            path(
                "documents-du-bureau/<uuid:document_uuid>/",
                wrap(views.StaffDocumentFile.as_view(**kwargs)),
                name=f"{info}_staff_document",
            ),
            path(
                "<path:object_id>/documents-du-bureau/deposer/",
                wrap(views.staff_document_upload(self)),
                name=f"{info}_staff_document_post",
            ),
            path(
                "<path:object_id>/documents-du-bureau/<int:document_id>/retirer/",
                wrap(views.StaffDocumentRemove.as_view(**kwargs)),
                name=f"{info}_staff_document_remove",
            ),
            path(
                "fichiers/<uuid:file_uuid>/",
                wrap(views.PieceFileView.as_view(**kwargs)),
                name=f"{info}_piece_file",
            ),
            path(
                "documents/<int:document_id>/",
                wrap(views.DocumentView.as_view(**kwargs)),
                name=f"{info}_document",
            ),
            path(
                "<path:object_id>/revue/<str:action>/",
                wrap(views.action_dispatcher(self, views.REVIEW_ACTIONS)),
                name=f"{info}_review",
            ),
            path(
                "<path:object_id>/pieces/<int:piece_id>/<str:action>/",
                wrap(views.action_dispatcher(self, views.PIECE_ACTIONS)),
                name=f"{info}_piece_review",
            ),
            *super().get_urls(),
        ]

    # --- the review page ------------------------------------------------------------------------
    def get_object(self, request, object_id, from_field=None):
        """The dossier of the review page, with what the page reads of it (issue 18: the page read
        it twice — here and in Django's changeform_view — and its session, exam, académie,
        specialty and candidate once more each, for the template)."""
        key = (object_id, from_field)
        known = getattr(request, "_dossier_objects", {})
        if key not in known:
            queryset = self.get_queryset(request).select_related(
                "candidate", "session__academie", "session__exam", "specialty", "option", "decided_by"
            )
            model = queryset.model
            field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
            try:
                object_id = field.to_python(object_id)
                known[key] = queryset.get(**{field.name: object_id})
            except (model.DoesNotExist, ValidationError, ValueError):
                known[key] = None
            request._dossier_objects = known
        return known[key]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        dossier = self.get_object(request, object_id)
        if dossier is not None:
            extra_context = {**(extra_context or {}), **views.review_context(request, dossier)}
            # issue 18: the review page has no navigation sidebar (its script re-laid the page
            # out, CLS 0.185): without it, neither its stylesheet nor its script are fetched.
            extra_context["is_nav_sidebar_enabled"] = False
        return super().change_view(request, object_id, form_url, extra_context)


from candidates.privacy import admin as privacy_admin  # noqa: E402, F401 (registers the RGPD purge log)
