"""Writes of the candidate's account: sign-up, activation within 48 h, recovery, e-mail change,
profile (domain.md §1, §5). Keyword-only, atomic, raising DomainError with a French message.

Every link is stateless and signed: nothing is stored, and a link stops working once the state it
was made from has changed (activated, password changed, address changed) or after 48 h
(settings.PASSWORD_RESET_TIMEOUT).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from candidates.accounts import identity
from candidates.models import (
    CONSENT_FIELD_NAMES,
    CONTACT_FIELD_NAMES,
    IDENTITY_FIELD_NAMES,
    Profile,
    User,
    UserManager,
)
from exams.models import Departement
from notifications.services import notify
from portal.exceptions import DomainError
from portal.queueing import enqueue
from portal.ratelimit import hit

logger = logging.getLogger(__name__)

ACTIVATION_HOURS = 48  # AM, NT: "lien valable 48 heures", then the account is deleted


# --- Links --------------------------------------------------------------------------------------


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    """Activation link valid 48 h (AM, NT). The hash covers is_active and email_verified_at, so
    the link dies once used; its own salt keeps it from being accepted as a reset link."""

    key_salt = "candidates.account_services.ActivationTokenGenerator"

    def _make_hash_value(self, user, timestamp: int) -> str:
        verified = "" if user.email_verified_at is None else user.email_verified_at.replace(microsecond=0)
        return f"{user.pk}{user.email}{user.is_active}{verified}{timestamp}"


activation_token_generator = ActivationTokenGenerator()

_EMAIL_CHANGE_SALT = "candidates.account_services.email_change"


def _uid(user: User) -> str:
    return urlsafe_base64_encode(force_bytes(user.pk))


def _user_from_uid(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk).first()


def activation_link(user: User) -> str:
    return settings.SITE_URL + reverse(
        "candidates:activate",
        kwargs={"uidb64": _uid(user), "token": activation_token_generator.make_token(user)},
    )


def password_reset_link(user: User) -> str:
    # Django's own token: its hash covers the password and last login, so the link is single-use.
    return settings.SITE_URL + reverse(
        "candidates:password_reset_confirm",
        kwargs={"uidb64": _uid(user), "token": default_token_generator.make_token(user)},
    )


def _email_change_token(user: User, new_email: str) -> str:
    # The current address is signed too: once the change is made, the same link no longer matches.
    return signing.TimestampSigner(salt=_EMAIL_CHANGE_SALT).sign_object(
        {"uid": user.pk, "old": user.email, "new": new_email}
    )


# --- Rate limits --------------------------------------------------------------------------------


def _check_email_rate(*, action: str, email: str, ip: str | None) -> None:
    """Issue 3 item 8: an anonymous visitor cannot make the portal flood an inbox. Counted per
    address whether or not it has an account, so the refusal reveals nothing about it."""
    window = settings.ACCOUNT_EMAIL_RATE_WINDOW
    minutes = max(1, window // 60)
    if ip and not hit(f"acct-rate:{action}:ip:{ip}", settings.ACCOUNT_EMAIL_RATE_PER_IP, window):
        raise DomainError(
            f"Trop de demandes ont été faites depuis votre connexion. Réessayez dans {minutes} minutes.",
            code="rate_limited",
        )
    if not hit(f"acct-rate:{action}:email:{email}", settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS, window):
        raise DomainError(
            "Plusieurs courriels ont déjà été envoyés à cette adresse. Consultez votre messagerie "
            f"(et le dossier des indésirables) ou réessayez dans {minutes} minutes.",
            field="email",
            code="rate_limited",
        )


# --- Sign-up and activation ---------------------------------------------------------------------


def _send_activation(user: User) -> None:
    notify(
        user,
        "account_activation",
        {"activation_url": activation_link(user), "hours": ACTIVATION_HOURS},
        inbox=False,
    )


@transaction.atomic
def account_signup(*, email: str, password: str, ip: str | None = None) -> User | None:
    """Create an inactive account and e-mail its activation link (AM, NT).

    The answer is the same whether the address is known or not (no enumeration): a known active
    address receives an "account already exists" e-mail with a reset link instead, a known inactive
    one a fresh activation link. Returns the new user, or None when the address was known.
    """
    email = UserManager.normalize_email(email)
    _check_email_rate(action="signup", email=email, ip=ip)
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        # Hash anyway: the slow argon2 of a new account must not tell a known address by its speed.
        make_password(password)
        if existing.is_active:
            notify(existing, "account_exists", {"reset_url": password_reset_link(existing)}, inbox=False)
        elif existing.email_verified_at is None:
            _send_activation(existing)
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, is_active=False)
    except IntegrityError:
        # A double submission raced us: the first one sent the link.
        return None
    Profile.objects.create(user=user)
    _send_activation(user)
    logger.info("account created user=%s", user.pk)
    return user


def activation_link_user(*, uidb64: str, token: str) -> User | None:
    """The account an activation link is for, or None when the link is forged, used or expired."""
    user = _user_from_uid(uidb64)
    if user is None or user.is_active or not activation_token_generator.check_token(user, token):
        return None
    return user


@transaction.atomic
def account_activate(*, uidb64: str, token: str) -> User:
    """Follow the activation link: the account becomes usable and its address verified."""
    user = activation_link_user(uidb64=uidb64, token=token)
    if user is None:
        raise DomainError(
            "Ce lien d'activation n'est plus valable : il a déjà été utilisé ou date de plus de "
            f"{ACTIVATION_HOURS} heures. Demandez un nouveau lien ci-dessous, ou connectez-vous si "
            "votre compte est déjà activé.",
            code="invalid_link",
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = True
    user.email_verified_at = timezone.now()
    user.save(update_fields=["is_active", "email_verified_at"])
    Profile.objects.get_or_create(user=user)
    logger.info("account activated user=%s", user.pk)
    return user


@transaction.atomic
def account_resend_activation(*, email: str, ip: str | None = None) -> None:
    """Send a new activation link if the address belongs to an account never activated; say
    nothing otherwise (same answer for every address)."""
    email = UserManager.normalize_email(email)
    _check_email_rate(action="resend", email=email, ip=ip)
    user = User.objects.filter(email__iexact=email, is_active=False, email_verified_at__isnull=True).first()
    if user is not None:
        _send_activation(user)


@transaction.atomic
def account_request_password_reset(*, email: str, ip: str | None = None) -> None:
    """E-mail a reset link (Django's token, 48 h) to an active account; an account never
    activated gets its activation link instead. Unknown addresses get nothing, with the same
    answer on screen."""
    email = UserManager.normalize_email(email)
    _check_email_rate(action="reset", email=email, ip=ip)

    # issue 12: the request does the same work for every address (the rate count and one task
    # enqueued); looking the account up and writing its e-mail happen in the worker, so the
    # answer's timing says nothing about the address (it was 24 vs 13 ms).
    def _enqueue() -> None:
        # No row for a sweeper to find again: with the broker down (issue 17), the e-mail is
        # written here (the outbox delivers it later) rather than lost; timing matters less than
        # a candidate who never gets a link.
        if not enqueue(send_password_reset, email):
            account_send_password_reset(email=email)

    transaction.on_commit(_enqueue)


@transaction.atomic
def account_send_password_reset(*, email: str) -> None:
    """The worker's half of account_request_password_reset."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        return
    if user.is_active and user.has_usable_password():
        notify(
            user,
            "password_reset",
            {"reset_url": password_reset_link(user), "hours": settings.PASSWORD_RESET_TIMEOUT // 3600},
            inbox=False,
        )
    elif not user.is_active and user.email_verified_at is None:
        _send_activation(user)


def purge_inactive_accounts(*, now: dt.datetime | None = None, batch_size: int = 500) -> int:
    """Delete accounts never activated 48 h after sign-up (AM, NT: "sinon le compte est
    supprimé"). Accounts deactivated by staff (address verified once) are kept. Deletes in
    batches so a large backlog never holds a long lock. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=ACTIVATION_HOURS)
    stale = User.objects.filter(
        is_active=False,
        email_verified_at__isnull=True,
        last_login__isnull=True,
        is_staff=False,
        date_joined__lt=cutoff,
        dossiers__isnull=True,
    )
    deleted = 0
    while True:
        with transaction.atomic():
            pks = list(stale.order_by("pk").values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            User.objects.filter(pk__in=pks, is_active=False).delete()
        deleted += len(pks)
    if deleted:
        logger.info("purged %s inactive accounts", deleted)
    return deleted


# --- E-mail change (issue 3 item 5) -------------------------------------------------------------


@transaction.atomic
def account_change_email_request(*, user: User, new_email: str, password: str) -> None:
    """Send a confirmation link to the new address; the old one stays the login until it is
    followed (the address must be verified before it takes effect)."""
    new_email = UserManager.normalize_email(new_email)
    # issue 12: every attempt counts, before any answer, so the form can neither test many
    # addresses for an account nor guess the password of an open session.
    window = settings.ACCOUNT_EMAIL_RATE_WINDOW
    if not hit(f"acct-rate:email_change:user:{user.pk}", settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS, window):
        raise DomainError(
            "Vous avez fait plusieurs demandes de changement d'adresse. Réessayez dans "
            f"{max(1, window // 60)} minutes.",
            code="rate_limited",
        )
    if not user.check_password(password):
        raise DomainError("Mot de passe incorrect.", field="password")
    if new_email == user.email:
        raise DomainError("C'est déjà l'adresse de votre compte.", field="new_email")
    _check_email_rate(action="email_change", email=new_email, ip=None)
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        # issue 12: the same answer as for a free address ("a link was sent"), or the form tells
        # whether someone has an account. The owner of the address is not bothered.
        logger.info("email change to an address in use refused silently user=%s", user.pk)
        return
    url = settings.SITE_URL + reverse(
        "candidates:email_change_confirm", kwargs={"token": _email_change_token(user, new_email)}
    )
    notify(
        user,
        "email_change_confirm",
        {"confirm_url": url, "new_email": new_email, "hours": ACTIVATION_HOURS},
        inbox=False,
        to=new_email,
    )


def email_change_token_data(token: str) -> dict | None:
    """What a change link carries ({uid, old, new}), or None when forged; age is not checked."""
    try:
        return signing.TimestampSigner(salt=_EMAIL_CHANGE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None


@transaction.atomic
def account_change_email_confirm(*, user: User, token: str) -> User:
    """Make the new address the login, once its owner followed the link (signed, 48 h,
    single-use because it signs the old address too). The old address is told."""
    invalid = DomainError(
        "Ce lien de confirmation n'est plus valable (déjà utilisé, plus de 48 heures, ou fait pour "
        "un autre compte). Refaites la demande depuis votre profil.",
        code="invalid_link",
    )
    try:
        data = signing.TimestampSigner(salt=_EMAIL_CHANGE_SALT).unsign_object(
            token, max_age=dt.timedelta(hours=ACTIVATION_HOURS)
        )
    except signing.BadSignature as exc:
        raise invalid from exc
    user = User.objects.select_for_update().get(pk=user.pk)
    if data.get("uid") != user.pk or data.get("old") != user.email:
        raise invalid
    new_email = data["new"]
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        raise DomainError("Cette adresse est devenue celle d'un autre compte entre-temps.")
    old_email = user.email
    user.email = new_email
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email", "email_verified_at"])
    notify(user, "email_changed_notice", {"old_email": old_email, "new_email": new_email}, to=old_email)
    logger.info("account email changed user=%s", user.pk)
    return user


# --- Profile (domain.md §5) ---------------------------------------------------------------------

# Every field the candidate types in the profile; the département is derived from the postcode.
PROFILE_FIELDS = (
    *IDENTITY_FIELD_NAMES,
    *(name for name in CONTACT_FIELD_NAMES if name != "departement"),
    *CONSENT_FIELD_NAMES,
)

_REQUIRED = identity.REQUIRED_MESSAGES
_CONSENTS = identity.CONSENT_FIELDS


def clean_profile_data(data: dict[str, Any], *, today: dt.date) -> dict[str, Any]:
    """Normalise and check one profile entry with the identity module (the same rules as the
    wizard's tabs); raises DomainError on the first faulty field."""
    out = identity.normalise({name: data.get(name) for name in PROFILE_FIELDS})
    out["country"] = out["country"] or "FR"
    found = identity.problems(out, required=(*_REQUIRED, *_CONSENTS), today=today)
    if found:
        field, message = found[0]
        raise DomainError(message, field=field)
    out["departement_code"] = identity.departement_code(out)
    return out


@transaction.atomic
def profile_update(*, user: User, data: dict[str, Any], today: dt.date | None = None) -> Profile:
    """Save the candidate's identity and contact (domain.md §5: CF, NT). The département is
    derived from the postcode (2A/2B, 97x included), never typed."""
    cleaned = clean_profile_data(data, today=today or timezone.localdate())
    profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
    code = cleaned.pop("departement_code")
    for name, value in cleaned.items():
        setattr(profile, name, value)
    # A département outside every académie configured in the portal is not an error of the
    # profile: registration refuses it later, where the académie matters (CF, TLS).
    profile.departement = Departement.objects.filter(code=code).first() if code else None
    profile.save()
    return profile


def profile_missing_fields(profile: Profile) -> list[str]:
    """Names of the mandatory profile fields still empty, for the completeness shown in the space."""
    missing = [name for name in _REQUIRED if getattr(profile, name) in (None, "")]
    missing += [name for name in _CONSENTS if getattr(profile, name) is None]
    return missing


def profile_completeness(profile: Profile) -> int:
    """Percentage of the mandatory fields answered."""
    total = len(_REQUIRED) + len(_CONSENTS)
    return round(100 * (total - len(profile_missing_fields(profile))) / total)


@shared_task(name="candidates.tasks.send_password_reset", acks_late=True)
def send_password_reset(email: str) -> None:
    """issue 12: the reset e-mail (or a new activation link), looked up away from the request
    so that known and unknown addresses take the same time to answer. Defined here, beside the
    work, so this module enqueues it without importing candidates.tasks (which imports it)."""
    account_send_password_reset(email=email)
