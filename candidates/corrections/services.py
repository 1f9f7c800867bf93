"""Writes of the corrections workflow: the candidate carries a profile address change into open
dossiers (never silently), a gestionnaire rectifies a dossier's identity or contact with a reason.
Each change makes a new recap version and leaves a history row with both values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.accounts import rules as account_rules
from candidates.corrections.selectors import OPEN_STATES, contact_differences
from candidates.models import CONTACT_FIELD_NAMES, IDENTITY_FIELD_NAMES, Dossier, DossierState
from candidates.permissions import dossiers_visible_to, user_can_review
from documents.recap.services import dossier_request_documents
from exams.models import Departement
from notifications.services import notify
from portal.exceptions import DomainError


@dataclass
class ContactUpdateResult:
    updated: list[Dossier] = field(default_factory=list)
    refused: list[tuple[Dossier, str]] = field(default_factory=list)


def _new_version(dossier: Dossier) -> None:
    """A change of identity or contact makes a new recap version (domain.md §7), on commit."""
    dossier.choices_version += 1
    dossier.save()
    if dossier.state != DossierState.DRAFT:
        dossier_request_documents(dossier=dossier)


def dossier_apply_profile_contact(
    *, candidate, dossier_ids: Iterable[int], at: dt.datetime | None = None
) -> ContactUpdateResult:
    """Copy the profile's address and phone into the chosen open dossiers of the candidate, each
    in its own transaction. The address is not a choice of the épreuves: it is carried even after
    the confirmation is signed (the convocation goes to the current address), but never into
    another académie (CF, TLS: one registers where one lives), which the bureau must handle."""
    at = at or timezone.now()
    result = ContactUpdateResult()
    for pk in list(dossier_ids):
        with transaction.atomic():
            dossier = (
                Dossier.objects.select_for_update(of=("self",))
                .select_related("session__academie", "candidate__profile")
                .filter(pk=pk, candidate=candidate)
                .first()
            )
            if dossier is None:
                continue
            profile = dossier.candidate.profile
            if dossier.state not in OPEN_STATES:
                result.refused.append((dossier, _("Ce dossier est clos : il n'est plus mis à jour.")))
                continue
            if dossier.state == DossierState.DRAFT and not dossier.session.is_registration_open(at):
                result.refused.append((dossier, _("Les inscriptions sont closes : ce brouillon est figé.")))
                continue
            departement = (
                Departement.objects.select_related("academie").filter(pk=profile.departement_id).first()
            )
            if departement is None or departement.academie_id != dossier.session.academie_id:
                result.refused.append(
                    (
                        dossier,
                        _(
                            "Votre nouvelle adresse n'est pas dans l'académie de %(academie)s où ce dossier "
                            "est inscrit : écrivez au bureau des examens, qui vous dira comment poursuivre."
                        )
                        % {"academie": dossier.session.academie.name},
                    )
                )
                continue
            if not contact_differences(profile, dossier):
                continue
            for name in CONTACT_FIELD_NAMES:
                setattr(dossier, name, getattr(profile, name))
            dossier._history_user = candidate
            dossier._change_reason = "Coordonnées mises à jour depuis le profil"
            _new_version(dossier)
            result.updated.append(dossier)
    return result


# Fields a gestionnaire may rectify (the notices' "rectifier"): identity and contact, never the
# choices of épreuves, which stay the candidate's signed act.
CORRECTABLE_FIELDS = tuple(IDENTITY_FIELD_NAMES) + tuple(n for n in CONTACT_FIELD_NAMES if n != "departement")


@transaction.atomic
def dossier_staff_correct(*, dossier_id: int, actor, changes: dict, reason: str) -> Dossier:
    """A gestionnaire rectifies identity or contact fields of a dossier in their scope: a reason
    is mandatory, a new recap version is made, the candidate is notified with before → after, and
    the history keeps both values with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Indiquez le motif de la rectification."), field="reason", code="reason_required")
    unknown = set(changes) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise DomainError(_("Ce champ ne se rectifie pas ici."), code="bad_field")
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("session__academie")
        .filter(pk=dossier_id)
        .first()
    )
    if (
        dossier is None
        or not user_can_review(actor)
        or not dossiers_visible_to(actor).filter(pk=dossier_id).exists()
    ):
        raise DomainError(_("Vous n'avez pas accès à ce dossier."), code="forbidden")
    if dossier.state in (DossierState.DRAFT, DossierState.EXPIRED, DossierState.WITHDRAWN):
        raise DomainError(_("Seul un dossier enregistré se rectifie."), code="bad_state")
    diffs = []
    for name, value in changes.items():
        value = value if value is not None else ""
        before = getattr(dossier, name)
        if (before or "") != (value or ""):
            diffs.append(
                {
                    "label": str(Dossier._meta.get_field(name).verbose_name),
                    "before": before or "—",
                    "after": value or "—",
                }
            )
            setattr(dossier, name, value)
    if not diffs:
        raise DomainError(_("Aucune valeur n'a changé."), code="no_change")
    if "postcode" in changes:
        code = account_rules.departement_from_postcode(dossier.postcode)
        dossier.departement = Departement.objects.filter(pk=code).first() if code else None
    dossier.lock_version += 1
    dossier._history_user = actor
    dossier._change_reason = f"Rectification : {reason}"[:100]
    _new_version(dossier)
    notify(
        dossier.candidate,
        "dossier_corrected",
        {"changes": diffs, "reason": reason},
        dossier=dossier,
        link=reverse("registration:detail", args=[dossier.pk]),
    )
    return dossier
