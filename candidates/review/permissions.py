"""What a staff user may do on a dossier now: the review page shows these buttons, and the review
services refuse the same things (scope, permission, state) when a POST is forged."""

from __future__ import annotations

from dataclasses import dataclass, field

from candidates.models import Dossier, DossierState
from candidates.permissions import user_can_review
from candidates.states import Transition, allowed_transitions


@dataclass(frozen=True)
class ReviewOptions:
    can_review: bool
    transitions: dict[str, Transition] = field(default_factory=dict)  # by transition name
    pieces_reviewable: bool = False


def review_options(user, dossier: Dossier) -> ReviewOptions:
    """The user sees the dossier (the caller scoped it); may they act on it, and how?"""
    if not user_can_review(user):
        return ReviewOptions(can_review=False)
    return ReviewOptions(
        can_review=True,
        transitions={t.name: t for t in allowed_transitions(dossier, actor="staff")},
        # services._piece_in refuses a piece decision outside this state.
        pieces_reviewable=dossier.state == DossierState.IN_REVIEW,
    )
