"""Reads of the staff review: the dossier list's annotations, the dashboard and a dossier's
history (issue 7).

Annotations are correlated subqueries rather than JOIN + GROUP BY: the list stays one query per
page whatever the number of dossiers and pieces, and PostgreSQL does not group 100,000 wide rows.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import CharField, Count, Exists, Func, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Dossier, DossierState, IdentityGroup
from candidates.permissions import dossiers_visible_to
from documents.models import Piece, PieceAccess, StaffDocument

S = DossierState
# States in which the dossier waits for a gestionnaire.
WAITING_STATES = [S.SUBMITTED, S.IN_REVIEW]


def with_review_columns(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """waiting_since (when the dossier started waiting for staff: the lock of the pieces, else its
    last change). The piece counts are columns of the dossier (documents.pieces.counters)."""
    return queryset.annotate(waiting_since=Coalesce("pieces_locked_at", "updated_at"))


@dataclass
class DashboardRow:
    session_id: int
    session: str
    specialty_id: int | None
    specialty: str
    counts: dict[str, int]
    total: int
    oldest_waiting: dt.datetime | None


DASHBOARD_STATES = [S.REGISTERED, S.SUBMITTED, S.IN_REVIEW, S.INCOMPLETE, S.COMPLIANT, S.NON_COMPLIANT]


def review_dashboard(user) -> list[DashboardRow]:
    """Per session and specialty, the number of dossiers in each state and the oldest one waiting
    for staff, over the dossiers this user may see (one query)."""
    aggregates = {f"n_{state}": Count("pk", filter=Q(state=state)) for state in DASHBOARD_STATES}
    rows = (
        dossiers_visible_to(user)
        .exclude(state=S.DRAFT)
        .order_by()
        .values(
            "session_id",
            "session__name",
            "session__year",
            "session__academie__name",
            "specialty_id",
            "specialty__name",
        )
        .annotate(
            **aggregates,
            total=Count("pk"),
            oldest_waiting=Min(
                Coalesce("pieces_locked_at", "updated_at"), filter=Q(state__in=WAITING_STATES)
            ),
        )
        .order_by("session__academie__name", "-session__year", "session_id", "specialty__name")
    )
    return [
        DashboardRow(
            session_id=row["session_id"],
            session=row["session__name"]
            or f"Session {row['session__year']} – {row['session__academie__name']}",
            specialty_id=row["specialty_id"],
            specialty=row["specialty__name"] or "—",
            counts={state: row[f"n_{state}"] for state in DASHBOARD_STATES},
            total=row["total"],
            oldest_waiting=row["oldest_waiting"],
        )
        for row in rows
    ]


# --- possible duplicates (issue 14) ------------------------------------------------------------
# Drafts never registered and withdrawals are not compared: a person who restarts is not two.
DUPLICATE_STATES_EXCLUDED = (DossierState.DRAFT, DossierState.EXPIRED)


def duplicate_candidates(queryset):
    """The dossiers of ``queryset`` sharing their session and identity key (same birth name,
    first name and birth date, accents and case aside) with another dossier of the session that is
    neither a draft nor expired: flagged, never blocked. The shared keys come from the groups the
    database counts (``IdentityGroup``, migration 0014): a few rows of a partial index, then the
    dossiers through the (identity key, session, state) index. Grouping the whole table on every
    page took 0.6–2 s at 100,000 dossiers (issue 15)."""
    shared = IdentityGroup.objects.filter(dossiers__gt=1)
    return (
        queryset.exclude(identity_key="")
        .exclude(state__in=DUPLICATE_STATES_EXCLUDED)
        .filter(
            Exists(shared.filter(session_id=OuterRef("session_id"), identity_key=OuterRef("identity_key")))
        )
    )


# The dossier page lists the first ones only (issue 15: the list had no bound; a generated person
# copied to 5,000 dossiers made each page take over two minutes) and says how many there are.
DUPLICATES_SHOWN = 20


def _duplicates(dossier: Dossier, user=None) -> QuerySet[Dossier]:
    others = (
        Dossier.objects.filter(session_id=dossier.session_id, identity_key=dossier.identity_key)
        .exclude(pk=dossier.pk)
        .exclude(state__in=DUPLICATE_STATES_EXCLUDED)
    )
    # Within the viewer's scope, in the same query (it was one EXISTS per duplicate).
    return others if user is None else dossiers_visible_to(user, others)


def duplicates_of(dossier: Dossier, user=None, *, limit: int = DUPLICATES_SHOWN) -> list[Dossier]:
    """The first ``limit`` other dossiers of the session that may be the same person (among those
    ``user`` may see, when given), for the dossier page: one query on the (session, identity key)
    index."""
    if not dossier.identity_key or dossier.state in DUPLICATE_STATES_EXCLUDED:
        return []
    return list(_duplicates(dossier, user).select_related("candidate", "specialty").order_by("pk")[:limit])


def duplicates_count(dossier: Dossier, user=None) -> int:
    """How many there are in all (the page asks only when the list is full)."""
    if not dossier.identity_key or dossier.state in DUPLICATE_STATES_EXCLUDED:
        return 0
    return _duplicates(dossier, user).count()


_HIDDEN_HISTORY_FIELDS = {"lock_version", "completed_tabs", "file", "sha256"}


def _history_object(record) -> str:
    if record.instance_type is Dossier:
        return _("Dossier")
    if record.instance_type is StaffDocument:
        return _("Document du bureau : %(kind)s") % {"kind": record.instance.get_kind_display()}
    return record.instance.get_code_display()


def dossier_history(dossier: Dossier, limit: int = 100) -> list[dict]:
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
    # Issue 14: the documents the bureau posted, replaced or withdrew.
    by_document: dict[int, list] = {}
    staff_documents = StaffDocument.history.filter(dossier_id=dossier.pk).select_related("history_user")
    for record in staff_documents.order_by("history_date")[:limit]:
        by_document.setdefault(record.id, []).append(record)
    streams.extend(by_document.values())
    names = _RelatedNames()
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
                            "old": _display(model_field, change.old, names),
                            "new": _display(model_field, change.new, names),
                        }
                    )
            rows.append(
                {
                    "date": record.history_date,
                    "user": record.history_user,
                    "type": record.get_history_type_display(),
                    "object": _history_object(record),
                    "reason": record.history_change_reason or "",
                    "changes": changes,
                }
            )
            previous = record
    # issue 12 (RGPD): each staff view or download of a piece, with who and which file.
    for entry in PieceAccess.objects.filter(dossier_id=dossier.pk).order_by("-at")[:limit]:
        rows.append(
            {
                "date": entry.at,
                "user": entry.user_label,
                "type": entry.get_action_display(),
                "object": entry.get_piece_code_display(),
                "reason": _("%(action)s de « %(file)s »%(marked)s")
                % {
                    "action": entry.get_action_display().capitalize(),
                    "file": entry.file_name,
                    "marked": _(" (copie filigranée)") if entry.watermarked else "",
                },
                "changes": [],
            }
        )
    rows.sort(key=lambda row: row["date"], reverse=True)
    return rows[:limit]


class _RelatedNames:
    """What a person reads for a related row the history stores as an id (issue 18: "décidé par :
    — → 6" becomes the gestionnaire's name, "spécialité → 11" the specialty's label): one query
    per related model and set of ids, remembered for the whole history."""

    def __init__(self) -> None:
        self.known: dict[tuple[type, object], str] = {}

    def label(self, model_field, value) -> str:
        model = model_field.related_model
        key = (model, value)
        if key not in self.known:
            row = model._default_manager.filter(pk=value).first()
            self.known[key] = (
                _person_or_label(row) if row is not None else _("(supprimé : n° %(pk)s)") % {"pk": value}
            )
        return self.known[key]


def _person_or_label(row) -> str:
    """A user as "Camille DUPONT (camille@…)" when a profile names them, else their address."""
    profile = getattr(row, "profile", None) if hasattr(row, "email") else None
    if profile is not None and profile.display_name:
        return f"{profile.display_name} ({row.email})"
    return str(row)


def _display(model_field, value, names: _RelatedNames | None = None) -> str:
    if value in (None, ""):
        return "—"
    if model_field.is_relation and names is not None:
        return names.label(model_field, value)
    if getattr(model_field, "choices", None):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return str(value)


class SearchedNames(Func):
    """The names the search box reads, joined by spaces: the expression of the trigram index
    ``candidates_dossier_names_trgm`` (migration 0016; icontains adds the UPPER(…::text) around it)."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = CharField()


# A dossier number as printed on the recap ("2026-NANCY-METZ-000123"): words and dashes ending in
# digits, which no name or e-mail looks like.
NUMBER_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]*-\d{3,}$", re.IGNORECASE)


def dossier_search(
    queryset: QuerySet[Dossier], term: str, *, day: dt.date | None = None
) -> QuerySet[Dossier]:
    """The admin's search box (issue 15). A dossier number is an exact lookup on the unique index; a
    date of birth an equality; otherwise every word must be in a name or in the e-mail. Each word
    becomes two indexed subqueries (trigram indexes on PostgreSQL, migration 0005) instead of
    UPPER(x) LIKE '%…%' OR'ed over five columns and a join, which read every row."""
    term = term.strip()
    if not term:
        return queryset
    if NUMBER_RE.match(term):
        return queryset.filter(number=term.upper())
    if day is not None:
        return queryset.filter(birth_date=day)
    from candidates.models import User

    for word in term.split():
        # A word (no space in it) is in one of the names exactly when it is in the three joined by
        # spaces: one trigram index on that expression (migration 0016) instead of three ORed, which
        # PostgreSQL answered with a scan of every dossier for a common name (80–100 ms per query).
        names = (
            Dossier.objects.annotate(names=SearchedNames("birth_name", "usage_name", "first_name_1"))
            .filter(names__icontains=word)
            .order_by()
            .values("pk")
        )
        by_email = (
            Dossier.objects.filter(candidate_id__in=User.objects.filter(email__icontains=word).values("pk"))
            .order_by()
            .values("pk")
        )
        # One IN over a UNION ALL, not two INs OR'ed: PostgreSQL can then join the few matching
        # ids to the list through the primary key instead of testing every dossier against two
        # hashed subplans (the e-mail search took 1.8–3.7 s at 100,000 dossiers).
        queryset = queryset.filter(pk__in=names.union(by_email, all=True))
    return queryset


# --- statistics for the rectorat (issue 14 item 8) ------------------------------------------------
@dataclass
class StatisticsTable:
    key: str
    title: str
    column: str
    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(n for _label, n in self.rows)


def _statistics_zone(user, session) -> dt.tzinfo:
    """The registration day is the académie's (domain.md §2); several académies in the scope
    (a superuser) are counted on the portal's clocks."""
    import zoneinfo

    from django.conf import settings

    from candidates.permissions import catalogue_in_scope
    from exams.models import Session

    if session is not None:
        return session.academie.tzinfo
    zones = set(
        catalogue_in_scope(user, Session).order_by().values_list("academie__time_zone", flat=True).distinct()
    )
    return zoneinfo.ZoneInfo(zones.pop() if len(zones) == 1 else settings.TIME_ZONE)


def registration_statistics(user, *, session=None) -> list[StatisticsTable]:
    """The registrations of the user's scope (every dossier ever registered, withdrawn and
    cancelled ones included; drafts never) counted by category, forme, handicap, département of
    residence and day of registration: one query per dimension, whatever the number of dossiers."""
    from django.db.models.functions import TruncDate

    from candidates.models import Category, Forme

    base = dossiers_visible_to(user).filter(registered_at__isnull=False).order_by()
    if session is not None:
        base = base.filter(session=session)
    unset = _("Non renseigné")

    def counted(field: str):
        return base.values(field).annotate(n=Count("pk")).order_by(field).values_list(field, "n")

    categories = dict(Category.choices)
    formes = dict(Forme.choices)
    zone = _statistics_zone(user, session)
    days = (
        base.annotate(day=TruncDate("registered_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("day")
        .values_list("day", "n")
    )
    departements = (
        base.values("departement_id", "departement__name")
        .annotate(n=Count("pk"))
        .order_by("departement_id")
        .values_list("departement_id", "departement__name", "n")
    )
    return [
        StatisticsTable(
            "category",
            _("Par catégorie de candidat"),
            _("Catégorie"),
            [(str(categories.get(v, v)) if v else unset, n) for v, n in counted("category")],
        ),
        StatisticsTable(
            "forme",
            _("Par forme de passage"),
            _("Forme"),
            [(str(formes.get(v, v)) if v else unset, n) for v, n in counted("forme")],
        ),
        StatisticsTable(
            "handicap",
            _("Par situation de handicap"),
            _("Situation de handicap"),
            [(_("Oui") if v else _("Non"), n) for v, n in counted("handicap")],
        ),
        StatisticsTable(
            "departement",
            _("Par département de résidence"),
            _("Département"),
            [(f"{code} – {name}" if code else unset, n) for code, name, n in departements],
        ),
        StatisticsTable(
            "day",
            _("Par jour d'enregistrement"),
            _("Jour"),
            [(day.strftime("%d/%m/%Y") if day else unset, n) for day, n in days],
        ),
    ]
