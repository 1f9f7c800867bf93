"""Pure rules of the review: what a decision covers (domain.md §6, §7). Plain data in, a French
refusal (or None) out; the review services call them with what they read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

ACCEPTED = "accepted"
LATE = "late"


@dataclass(frozen=True)
class RequiredPieceState:
    code: str
    label: str
    deadline_kind: str  # "standard" or "late"
    state: str  # "" when nothing was deposited, else the piece's state


def compliance_refusal(pieces: Iterable[RequiredPieceState], *, under_reservation: bool) -> str | None:
    """Why the dossier cannot be declared conforme, or None.

    A decision states what it covers (TLS: the gestionnaire checks each piece): every required
    piece, late ones included, must be deposited and accepted. The only exception is the explicit
    "conforme sous réserve des pièces tardives": the late pieces (NM: R408 and Maintenance des
    systèmes attestations «avant le 17 janvier»; TLS: engagement étudiant) may still be missing or
    unchecked, and their upload stays open until the late deadline.
    """
    pieces = list(pieces)
    pending = [p for p in pieces if p.state != ACCEPTED]
    blocking = [p for p in pending if not (under_reservation and p.deadline_kind == LATE)]
    if blocking:
        return _(
            "Le dossier ne peut être déclaré conforme : %(pieces)s. Toutes les pièces demandées doivent "
            "être déposées et acceptées (pour les seules pièces tardives, choisissez « conforme sous "
            "réserve des pièces tardives »)."
        ) % {"pieces": " ; ".join(f"{p.label} ({_state_label(p.state)})" for p in blocking)}
    if under_reservation and not pending:
        return _("Toutes les pièces sont acceptées : déclarez le dossier conforme sans réserve.")
    return None


def _state_label(state: str) -> str:
    return {
        "": _("non déposée"),
        "deposited": _("déposée, non examinée"),
        "invalidated": _("invalidée"),
    }.get(state, state)


def pieces_states(required: Iterable, pieces: Mapping[str, str]) -> list[RequiredPieceState]:
    """The required pieces (anything with code, label, deadline_kind) joined with the states of
    the pieces deposited (code → state)."""
    return [RequiredPieceState(r.code, r.label, r.deadline_kind, pieces.get(r.code, "")) for r in required]
