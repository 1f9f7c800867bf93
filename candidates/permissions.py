"""Who sees which dossiers: the ONE place that scopes querysets by staff role (domain.md §1).

The admin's lists and pages, the file downloads, the exports, the bulk actions and the dashboard
all start from ``dossiers_visible_to(user)``; none of them filters by role on its own.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from exams.models import Session, StaffAssignment, StaffRole

from .models import Dossier


def _scope(user) -> Q | None:
    """The filter for this user, ``None`` meaning "everything" (superuser), ``Q(pk__in=[])``
    meaning nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    if not user.is_staff:
        return Q(pk__in=[])
    # Subqueries, not a Python loop over the assignments: one SQL statement whatever the number
    # of assignments, and the changelist's query count stays fixed.
    # A deactivated assignment (exams.staff.staff_deactivate) grants nothing.
    # Written on the dossier's own columns (session_id, specialty_id), not through a join to its
    # session (issue 15): a list ordered by an index then reads it in order, filtering as it goes.
    manager_sessions = Session.objects.filter(
        academie__staff_assignments__user=user,
        academie__staff_assignments__role=StaffRole.MANAGER,
        academie__staff_assignments__deactivated_at__isnull=True,
    ).values("pk")
    gestionnaire_pairs = StaffAssignment.specialties.through.objects.filter(
        staffassignment__user=user,
        staffassignment__role=StaffRole.GESTIONNAIRE,
        staffassignment__deactivated_at__isnull=True,
        staffassignment__academie__sessions=OuterRef("session_id"),
        specialty_id=OuterRef("specialty_id"),
    )
    return Q(session_id__in=manager_sessions) | Q(Exists(gestionnaire_pairs))


def dossiers_visible_to(user, queryset: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """The dossiers this user may see and act on: a superuser all of them; an academy manager those
    of the sessions of their académie(s); a gestionnaire those of their académie(s) AND of the
    specialties assigned to them there; anybody else none."""
    queryset = Dossier.objects.all() if queryset is None else queryset
    scope = _scope(user)
    return queryset if scope is None else queryset.filter(scope)


def user_can_view_dossier(user, dossier: Dossier) -> bool:
    """The candidate who owns the dossier, or the staff who may see it (candidate files, recaps
    and the admin's previews all ask here)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if dossier.candidate_id == user.pk:
        return True
    return dossiers_visible_to(user).filter(pk=dossier.pk).exists()


def user_can_review(user) -> bool:
    """Acting on a dossier (pieces, decisions) needs the review permission of both staff groups
    on top of seeing it."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("candidates.change_dossier"))


def users_visible_to(user, queryset: QuerySet | None = None) -> QuerySet:
    """The accounts a staff member may see in the user admin (issue 12): a superuser all; others
    the candidates whose dossiers they see and the staff assigned in the académies they manage.
    An academy manager of Toulouse no longer reads the names and e-mails of Nantes' candidates."""
    from .models import User

    queryset = User.objects.all() if queryset is None else queryset
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser:
        return queryset
    managed = StaffAssignment.objects.filter(user=user, role=StaffRole.MANAGER).values("academie_id")
    candidates = dossiers_visible_to(user).values("candidate_id")
    staff_here = StaffAssignment.objects.filter(academie_id__in=managed).values("user_id")
    return queryset.filter(Q(pk__in=candidates) | Q(pk__in=staff_here) | Q(pk=user.pk))


def catalogue_in_scope(user, related_model) -> QuerySet:
    """The sessions or the specialties this user's dossiers can belong to, read from the catalogue
    and the assignments (a few rows) instead of a DISTINCT over the visible dossiers (issue 15: 41 %
    of the admin list's time at 100,000 dossiers). A choice may have no dossier yet."""
    from exams.models import Session, Specialty

    if related_model not in (Session, Specialty):
        raise ValueError(f"no catalogue scope for {related_model}")
    everything = related_model._default_manager.all()
    scope = _scope(user)
    if scope is None:
        return everything
    if scope == Q(pk__in=[]):
        return everything.none()
    if related_model is Session:
        return everything.filter(
            academie_id__in=StaffAssignment.objects.filter(user=user).values("academie_id")
        )
    # A manager covers every specialty of the académie; a gestionnaire their assigned ones.
    manager = StaffAssignment.objects.filter(user=user, role=StaffRole.MANAGER)
    assigned = StaffAssignment.specialties.through.objects.filter(
        staffassignment__user=user, staffassignment__role=StaffRole.GESTIONNAIRE
    ).values("specialty_id")
    return everything.filter(Q(Exists(manager)) | Q(pk__in=assigned))
