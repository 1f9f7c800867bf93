"""Withdrawal (désistement) of a registered dossier and deletion of a draft (issue 14).

A registered dossier is withdrawn by its candidate, confirmed twice, until the convocations are
published; it keeps its number and goes to `withdrawn`, which the staff see and the pieces
deadline jobs skip (they only look at registered/incomplete dossiers). A draft has no number:
it is simply deleted (its history rows stay).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Dossier, DossierState
from candidates.states import can_transition, transition
from notifications.services import notify
from portal.exceptions import DomainError


def withdrawal_refusal(dossier: Dossier, at: dt.datetime) -> str | None:
    """The one answer to "may the candidate withdraw now?" (the page shows the button with it,
    the service refuses with it)."""
    if dossier.state == DossierState.DRAFT:
        return _("Ce brouillon n'est pas enregistré : supprimez-le plutôt.")
    if not can_transition(dossier, DossierState.WITHDRAWN):
        return _("Un dossier à l'état « %(state)s » ne peut plus faire l'objet d'un désistement.") % {
            "state": dossier.get_state_display()
        }
    published = dossier.session.convocations_published_at
    if published and at >= published:
        return _(
            "Les convocations sont publiées : le désistement ne se fait plus en ligne. Prévenez le bureau "
            "des examens si vous ne vous présentez pas."
        )
    return None


@transaction.atomic
def dossier_withdraw(
    *,
    dossier_id: int,
    candidate,
    confirmed: bool,
    confirmed_again: bool,
    reason: str = "",
    at: dt.datetime | None = None,
) -> Dossier:
    """Withdraw the candidate's registered dossier: confirmed twice, reason optional."""
    at = at or timezone.now()
    if not (confirmed and confirmed_again):
        raise DomainError(
            _("Confirmez deux fois votre désistement : il est définitif."),
            field="confirm",
            code="unconfirmed",
        )
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("session__academie", "specialty")
        .filter(pk=dossier_id, candidate=candidate)
        .first()
    )
    if dossier is None:
        raise DomainError(_("Ce dossier n'existe pas."), code="not_found")
    refusal = withdrawal_refusal(dossier, at)
    if refusal:
        raise DomainError(refusal, code="not_withdrawable")
    dossier.withdrawn_at = at
    dossier.withdrawal_reason = (reason or "").strip()[:1000]
    dossier._history_user = candidate
    dossier._change_reason = "Désistement du candidat"
    transition(dossier, DossierState.WITHDRAWN)
    notify(
        candidate,
        "dossier_withdrawn",
        {"withdrawn_at": at, "reason": dossier.withdrawal_reason},
        dossier=dossier,
        link=reverse("registration:detail", args=[dossier.pk]),
    )
    return dossier


@transaction.atomic
def dossier_delete_draft(*, dossier_id: int, candidate) -> None:
    """Delete one of the candidate's drafts (never a registered dossier: it has a number)."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",)).filter(pk=dossier_id, candidate=candidate).first()
    )
    if dossier is None:
        raise DomainError(_("Ce dossier n'existe pas."), code="not_found")
    if dossier.state != DossierState.DRAFT or dossier.number:
        raise DomainError(
            _("Seul un brouillon se supprime ; une inscription enregistrée fait l'objet d'un désistement."),
            code="not_draft",
        )
    dossier._history_user = candidate
    dossier.delete()
