"""The dossier state machine of domain.md §7: every state change goes through transition().

draft ──register──▶ registered ──lock pieces──▶ submitted ──▶ in_review ─┬─▶ compliant
  └──(registration closes)──▶ expired                                    ├─▶ non_compliant
registered/incomplete ──(pieces deadline passed)──▶ cancelled (NT)        └─▶ incomplete ──▶ submitted
registered … compliant ──(the candidate withdraws, until the convocations)──▶ withdrawn
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import DomainError

from .models import Dossier, DossierState

S = DossierState


class IllegalTransition(DomainError):
    pass


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    name: str
    actor: str  # "candidate", "staff" or "system"
    label: str


TRANSITIONS: list[Transition] = [
    Transition(S.DRAFT, S.REGISTERED, "register", "candidate", "Enregistrer l'inscription"),
    Transition(S.DRAFT, S.EXPIRED, "expire", "system", "Clôture des inscriptions"),
    Transition(S.REGISTERED, S.SUBMITTED, "submit", "candidate", "J'ai fourni toutes mes pièces"),
    Transition(S.INCOMPLETE, S.SUBMITTED, "resubmit", "candidate", "Pièces remplacées"),
    Transition(S.SUBMITTED, S.IN_REVIEW, "start_review", "staff", "Commencer l'examen du dossier"),
    Transition(S.IN_REVIEW, S.COMPLIANT, "accept", "staff", "Déclarer conforme"),
    Transition(S.IN_REVIEW, S.NON_COMPLIANT, "reject", "staff", "Déclarer non conforme"),
    Transition(S.IN_REVIEW, S.INCOMPLETE, "request_correction", "staff", "Demander une correction"),
    Transition(S.REGISTERED, S.CANCELLED, "cancel", "system", "Pièces manquantes à la date limite"),
    Transition(S.INCOMPLETE, S.CANCELLED, "cancel", "system", "Pièces manquantes à la date limite"),
    # Désistement (issue 14): the candidate withdraws a registered dossier until the convocations.
    *(
        Transition(source, S.WITHDRAWN, "withdraw", "candidate", "Se désister")
        for source in (S.REGISTERED, S.SUBMITTED, S.IN_REVIEW, S.INCOMPLETE, S.COMPLIANT)
    ),
]
_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}

# States in which the candidate may still change the choices (until closing or signature).
EDITABLE_STATES = {S.DRAFT, S.REGISTERED}
# States that a gestionnaire has finished with.
FINAL_STATES = {S.COMPLIANT, S.NON_COMPLIANT, S.EXPIRED, S.CANCELLED, S.WITHDRAWN}


def allowed_transitions(dossier: Dossier, *, actor: str | None = None) -> list[Transition]:
    """What can happen next to this dossier (for one kind of actor if given): the admin offers
    only these."""
    return [t for t in TRANSITIONS if t.source == dossier.state and (actor is None or t.actor == actor)]


def can_transition(dossier: Dossier, target: str) -> bool:
    return (dossier.state, target) in _BY_PAIR


def transition(dossier: Dossier, target: str, *, reason: str = "", by=None, save: bool = True) -> Transition:
    """Move the dossier to ``target`` or raise IllegalTransition with a French explanation.

    The caller runs inside its own atomic block, writes its audit and notifications there, and
    has locked the row (select_for_update) when two people may act at once.
    """
    found = _BY_PAIR.get((dossier.state, target))
    if found is None:
        raise IllegalTransition(
            _("Impossible de passer le dossier de l'état « %(source)s » à l'état « %(target)s ».")
            % {"source": DossierState(dossier.state).label, "target": DossierState(target).label},
            code="illegal_transition",
        )
    dossier.state = target
    if target in (S.COMPLIANT, S.NON_COMPLIANT, S.INCOMPLETE):
        dossier.decision_reason = reason
        dossier.decided_at = timezone.now()
        dossier.decided_by = by
    if save:
        dossier.save()
    return found
