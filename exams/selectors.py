"""Reads of the catalogue that span relations."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from . import catalogue_cache
from .models import Academie, Session


@dataclass(frozen=True)
class AcademieSessions:
    academie: Academie
    sessions: list[Session]


def public_calendar(*, at: dt.datetime | None = None) -> list[AcademieSessions]:
    """Every académie with its sessions, most recent first, for the public home page. The rows
    come from the shared cache under the catalogue's version (issue 15: three queries and their
    rows were 40 % of the home page's CPU); whether each session is open is computed at ``at``."""
    at = at or timezone.now()
    calendar = catalogue_cache.cached("public_calendar", _public_calendar_rows)
    for row in calendar:
        for session in row.sessions:
            # Computed once here so templates never decide what "open" means.
            session.state_now = session.registration_state(at)
    return calendar


def public_calendar_states(calendar: list[AcademieSessions]) -> str:
    """Each session's state at the request's instant, in order (the home page caches its
    rendering of the calendar under them and the catalogue's version)."""
    return "".join(s.state_now[0] for row in calendar for s in row.sessions)


def _public_calendar_rows() -> list[AcademieSessions]:
    # A session being prepared (unpublished) is not on the public calendar yet.
    sessions = (
        Session.objects.published()
        .select_related("academie", "exam")
        .order_by("-year", "registration_opens_at")
    )
    by_academie: dict[int, list[Session]] = {}
    for session in sessions:
        by_academie.setdefault(session.academie_id, []).append(session)
    academies = Academie.objects.prefetch_related("departements").order_by("name")
    return [AcademieSessions(a, by_academie.get(a.pk, [])) for a in academies]


def managed_academies(user):
    """The académies an academy manager configures (all for a superuser): the one place that scopes
    the catalogue's admin screens and the piece rules."""
    from .models import StaffRole

    if user.is_superuser:
        return Academie.objects.all()
    return Academie.objects.filter(
        staff_assignments__user=user,
        staff_assignments__role=StaffRole.MANAGER,
        staff_assignments__deactivated_at__isnull=True,
    )


def assignable_users(user, queryset=None):
    """The accounts an academy manager may pick in a staff assignment (issue 12): staff assigned
    in the académies they manage, and staff accounts assigned nowhere yet (created by the
    superuser for them). Never a candidate, nor staff of another académie."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .models import StaffAssignment

    queryset = get_user_model().objects.all() if queryset is None else queryset
    if getattr(user, "is_superuser", False):
        return queryset
    staff_here = StaffAssignment.objects.filter(academie__in=managed_academies(user)).values("user_id")
    unassigned_staff = Q(is_staff=True, is_superuser=False) & ~Q(
        pk__in=StaffAssignment.objects.values("user_id")
    )
    return queryset.filter(Q(pk__in=staff_here) | unassigned_staff)
