"""Granting and revoking the staff role (domain.md §1): an assignment makes its user staff in the
group of its role; removing it takes that away. Explicit services, called by the admin, the demo
seed and the tests, never a post_save: what grants a right is visible where it is granted."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from . import roles
from .models import Academie, Specialty, StaffAssignment


def staff_sync_roles(*, user) -> None:
    """Recompute the user's staff groups and admin access from their assignments: one group per
    role held, none of the others; staff while they hold one (a superuser stays staff). Groups
    other than the two roles are left alone. Idempotent."""
    groups = roles.ensure_roles()
    held = {roles.role_group_name(role) for role in user.staff_assignments.values_list("role", flat=True)}
    user.groups.remove(*[group for name, group in groups.items() if name not in held])
    user.groups.add(*[groups[name] for name in held])
    is_staff = bool(held) or user.is_superuser
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_assign(
    *, user, academie: Academie, role: str, specialties: Iterable[Specialty] | None = None
) -> StaffAssignment:
    """Give ``user`` the role in the académie (one assignment per user and académie: an existing
    one takes the new role); ``specialties`` (a gestionnaire's) replace the previous ones when
    given."""
    assignment, _created = StaffAssignment.objects.update_or_create(
        user=user, academie=academie, defaults={"role": role}
    )
    if specialties is not None:
        assignment.specialties.set(specialties)
    staff_sync_roles(user=user)
    return assignment


@transaction.atomic
def staff_unassign(*, assignment: StaffAssignment) -> None:
    """Remove the assignment; the user keeps only what their other assignments give."""
    user = assignment.user
    assignment.delete()
    staff_sync_roles(user=user)


def on_post_migrate(sender, **kwargs) -> None:
    # Django sends post_migrate once per installed app; act once, on the last one, when every
    # app's permissions (documents' PieceRule included) exist. Idempotent.
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import DEFAULT_DB_ALIAS

    if kwargs.get("using", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:
        return
    if sender is not list(apps.get_app_configs())[-1]:
        return
    roles.ensure_roles()
    for user in get_user_model().objects.filter(staff_assignments__isnull=False).distinct():
        staff_sync_roles(user=user)
