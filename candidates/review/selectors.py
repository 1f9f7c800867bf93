"""Reads of the staff review: the dossier list's annotations and the dashboard (issue 7).

Annotations are correlated subqueries rather than JOIN + GROUP BY: the list stays one query per
page whatever the number of dossiers and pieces, and PostgreSQL does not group 100,000 wide rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from candidates.models import Dossier, DossierState
from candidates.permissions import dossiers_visible_to
from documents.models import Piece, PieceState

S = DossierState
# States in which the dossier waits for a gestionnaire.
WAITING_STATES = [S.SUBMITTED, S.IN_REVIEW]


def _count_pieces(**filters) -> Subquery:
    pieces = (
        Piece.objects.filter(dossier=OuterRef("pk"), **filters)
        .order_by()
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(pieces, output_field=IntegerField()), Value(0))


def with_review_columns(queryset: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """pieces_total, pieces_accepted and waiting_since (when the dossier started waiting for staff:
    the lock of the pieces, else its last change)."""
    return queryset.annotate(
        pieces_total=_count_pieces(),
        pieces_accepted=_count_pieces(state=PieceState.ACCEPTED),
        waiting_since=Coalesce("pieces_locked_at", "updated_at"),
    )


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
    first name and birth date, accents and case aside) with another dossier: flagged, never
    blocked (one EXISTS subquery)."""
    others = (
        Dossier.objects.filter(session_id=OuterRef("session_id"), identity_key=OuterRef("identity_key"))
        .exclude(pk=OuterRef("pk"))
        .exclude(state__in=DUPLICATE_STATES_EXCLUDED)
    )
    return (
        queryset.exclude(identity_key="").exclude(state__in=DUPLICATE_STATES_EXCLUDED).filter(Exists(others))
    )


def duplicates_of(dossier: Dossier) -> list[Dossier]:
    """The other dossiers of the session that may be the same person, for the dossier page."""
    if not dossier.identity_key or dossier.state in DUPLICATE_STATES_EXCLUDED:
        return []
    return list(
        Dossier.objects.filter(session_id=dossier.session_id, identity_key=dossier.identity_key)
        .exclude(pk=dossier.pk)
        .exclude(state__in=DUPLICATE_STATES_EXCLUDED)
        .select_related("candidate", "specialty")
        .order_by("pk")
    )
