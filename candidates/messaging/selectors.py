"""Reads of the conversation: a dossier's thread and the unread counts of both sides."""

from __future__ import annotations

from django.db.models import QuerySet

from candidates.messaging.models import DossierMessage
from candidates.permissions import dossiers_visible_to


def thread(dossier) -> QuerySet[DossierMessage]:
    return (
        DossierMessage.objects.filter(dossier=dossier).select_related("author").order_by("created_at", "pk")
    )


def unread_for_candidate(user) -> int:
    """The bureau's messages the candidate has not opened yet (one query)."""
    return DossierMessage.objects.filter(dossier__candidate=user, from_staff=True, read_at=None).count()


def unread_for_staff(user) -> int:
    """The candidates' messages, in the staff member's scope, nobody of the bureau opened yet."""
    return DossierMessage.objects.filter(
        dossier__in=dossiers_visible_to(user), from_staff=False, read_at=None
    ).count()


def unread_by_dossier(dossier_ids, *, from_staff: bool) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        DossierMessage.objects.filter(dossier_id__in=list(dossier_ids), from_staff=from_staff, read_at=None)
        .values("dossier_id")
        .annotate(n=Count("pk"))
    )
    return {r["dossier_id"]: r["n"] for r in rows}
