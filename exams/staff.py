"""Staffing an académie without the superuser (domain.md §1): the academy manager invites a
gestionnaire (an activation link valid 48 h, like the candidates'), assigns and revokes
specialties, deactivates the account. Every change is a history row of the StaffAssignment
(django-simple-history, specialties included), with who did it. Granting and revoking the role's
group is explicit too (issue 12: staff_sync_roles, staff_assign, staff_unassign), never a post_save.

The e-mail itself belongs to the layers above (notifications): candidates.accounts.staff passes
the sender; exams imports nothing above itself."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.exceptions import DomainError

from . import roles
from .models import Academie, SessionSpecialty, Specialty, StaffAssignment, StaffRole
from .selectors import managed_academies

logger = logging.getLogger(__name__)

INVITATION_HOURS = settings.PASSWORD_RESET_TIMEOUT // 3600  # 48 h, like a candidate's activation


class StaffInvitationTokenGenerator(PasswordResetTokenGenerator):
    """The invitation link dies once the password is chosen (the hash covers the password and
    is_active) or after PASSWORD_RESET_TIMEOUT; its own salt keeps it from opening anything else."""

    key_salt = "exams.staff.StaffInvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        return f"{user.pk}{user.email}{user.is_active}{user.password}{timestamp}"


invitation_token_generator = StaffInvitationTokenGenerator()


def invitation_link(user) -> str:
    return settings.SITE_URL + reverse(
        "staff_activate",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )


def is_candidate_account(user) -> bool:
    """A candidate's account (made at sign-up: it has a profile, or dossiers) never becomes a staff
    account (domain.md §1): staff are invited with their professional address."""
    if user.is_superuser:
        return False
    return hasattr(user, "profile") or user.dossiers.exists()


def staff_sync_roles(*, user) -> None:
    """Recompute the user's staff groups and admin access from their assignments: one group per
    role held, none of the others; staff while they hold one (a superuser stays staff). Groups
    other than the two roles are left alone. Idempotent."""
    groups = roles.ensure_roles()
    # A deactivated assignment (staff_deactivate) grants nothing, but its account stays a staff
    # account (never mistaken for a candidate's, and re-invitable).
    active = user.staff_assignments.filter(deactivated_at__isnull=True)
    held = {roles.role_group_name(role) for role in active.values_list("role", flat=True)}
    user.groups.remove(*[group for name, group in groups.items() if name not in held])
    user.groups.add(*[groups[name] for name in held])
    is_staff = bool(held) or user.is_superuser or user.staff_assignments.exists()
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
    if is_candidate_account(user):
        raise DomainError(
            _("Ce compte est un compte candidat : il ne peut pas recevoir de rôle de personnel.")
        )
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


def _require_manager(by, academie: Academie) -> None:
    if not managed_academies(by).filter(pk=academie.pk).exists():
        raise DomainError(
            _("Vous ne gérez pas l'académie de %(academie)s.") % {"academie": academie.name}, code="forbidden"
        )


def specialties_of_academie(academie: Academie):
    """The specialties some session of the académie opens: the only ones a gestionnaire of that
    académie can be given."""
    return Specialty.objects.filter(
        pk__in=SessionSpecialty.objects.filter(session__academie=academie).values("specialty_id")
    ).order_by("name")


def _check_specialties(academie: Academie, specialties: Iterable[Specialty]) -> list[Specialty]:
    specialties = list(specialties)
    allowed = set(specialties_of_academie(academie).values_list("pk", flat=True))
    foreign = [s.name for s in specialties if s.pk not in allowed]
    if foreign:
        raise DomainError(
            _("Aucune session de %(academie)s n'ouvre : %(names)s.")
            % {"academie": academie.name, "names": ", ".join(foreign)},
            field="specialties",
        )
    return specialties


def invitation_context(assignment: StaffAssignment, by) -> dict:
    """What the invitation e-mail says (templates/notifications/staff_invitation)."""
    return {
        "invitation_url": invitation_link(assignment.user),
        "hours": INVITATION_HOURS,
        "academie": assignment.academie,
        "by": by,
    }


@transaction.atomic
def staff_invite(
    *,
    academie: Academie,
    email: str,
    specialties: Iterable[Specialty] = (),
    by,
    role: str = StaffRole.GESTIONNAIRE,
    send_invitation: Callable[[StaffAssignment], None] | None = None,
) -> StaffAssignment:
    """Create the gestionnaire's account (inactive, no password) and assignment; a new account is
    sent its invitation link through ``send_invitation`` (in this transaction, so a refusal sends
    nothing). Only the superuser makes another academy manager."""
    _require_manager(by, academie)
    if role == StaffRole.MANAGER and not by.is_superuser:
        raise DomainError(_("Seul l'administrateur national nomme un responsable académique."), field="role")
    User = get_user_model()
    email = User.objects.normalize_email(email)
    specialties = _check_specialties(academie, specialties)
    user = User.objects.select_for_update().filter(email__iexact=email).first()
    if user is not None and is_candidate_account(user):
        raise DomainError(
            _(
                "Cette adresse est celle d'un compte candidat : un candidat ne peut pas recevoir de rôle "
                "de personnel. Invitez la personne avec son adresse professionnelle."
            ),
            field="email",
        )
    if user is not None and StaffAssignment.objects.filter(user=user, academie=academie).exists():
        raise DomainError(
            _("%(email)s a déjà une affectation dans cette académie : modifiez-la.") % {"email": email},
            field="email",
        )
    created = user is None
    if created:
        user = User.objects.create_user(email=email, password=None, is_active=False, is_staff=True)
    assignment = StaffAssignment(user=user, academie=academie, role=role, invited_by=by)
    assignment._history_user = by
    assignment.full_clean()
    assignment.save()
    assignment.specialties.set(specialties)
    staff_sync_roles(user=user)
    if created and send_invitation is not None:
        send_invitation(assignment)
    logger.info("staff invited user=%s academie=%s by=%s", user.pk, academie.pk, getattr(by, "pk", None))
    return assignment


def invitation_user(*, uidb64: str, token: str):
    """The invited account a link is for, or None when forged, used or older than 48 h."""
    User = get_user_model()
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    user = User.objects.filter(pk=pk, is_staff=True).first()
    if user is None or user.is_active or not invitation_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def staff_activate(*, uidb64: str, token: str, password: str):
    """The invited person chooses their password: the account becomes usable."""
    user = invitation_user(uidb64=uidb64, token=token)
    if user is None:
        raise DomainError(
            _(
                "Ce lien d'invitation n'est plus valable : il a déjà servi ou date de plus de %(hours)s "
                "heures. Demandez à votre responsable académique de vous inviter à nouveau."
            )
            % {"hours": INVITATION_HOURS},
            code="invalid_link",
        )
    user = type(user).objects.select_for_update().get(pk=user.pk)
    if not StaffAssignment.objects.filter(user=user, deactivated_at__isnull=True).exists():
        raise DomainError(_("Cette invitation a été retirée."), code="invalid_link")
    user.set_password(password)
    user.is_active = True
    user.email_verified_at = timezone.now()
    user.save(update_fields=["password", "is_active", "email_verified_at"])
    return user


def staff_may_resend_invitation(*, assignment: StaffAssignment, by) -> None:
    """Refused (DomainError) unless ``by`` manages the académie and the account is not active yet."""
    _require_manager(by, assignment.academie)
    if assignment.user.is_active:
        raise DomainError(_("Ce compte est déjà activé."))
    if assignment.deactivated_at is not None:
        raise DomainError(_("Cette affectation est désactivée."))


@transaction.atomic
def staff_set_specialties(
    *, assignment: StaffAssignment, specialties: Iterable[Specialty], by
) -> StaffAssignment:
    """Assign and revoke specialties in one write (the history keeps the before and after)."""
    _require_manager(by, assignment.academie)
    specialties = _check_specialties(assignment.academie, specialties)
    assignment._history_user = by
    assignment.specialties.set(specialties)
    return assignment


@transaction.atomic
def staff_deactivate(*, assignment: StaffAssignment, by) -> StaffAssignment:
    """The person leaves: the assignment is closed and, without another active one, the account
    can no longer log in. Nothing is deleted: their past decisions keep their author."""
    _require_manager(by, assignment.academie)
    if assignment.user_id == by.pk:
        raise DomainError(_("Vous ne pouvez pas désactiver votre propre compte."))
    assignment = StaffAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.deactivated_at is None:
        assignment.deactivated_at = timezone.now()
        assignment._history_user = by
        assignment.save(update_fields=["deactivated_at"])
    user = assignment.user
    if not StaffAssignment.objects.filter(user=user, deactivated_at__isnull=True).exists() and user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
    staff_sync_roles(user=user)
    logger.info("staff deactivated assignment=%s by=%s", assignment.pk, getattr(by, "pk", None))
    return assignment
