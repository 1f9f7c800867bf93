"""The dossier state machine (domain.md §7): legal transitions pass, illegal ones raise."""

import pytest

from candidates.models import DossierState as S
from candidates.states import TRANSITIONS, IllegalTransition, allowed_transitions, transition
from tests.factories import DossierFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("t", TRANSITIONS, ids=lambda t: f"{t.source}->{t.target}")
def test_every_declared_transition_is_allowed(t):
    dossier = DossierFactory(state=t.source)
    transition(dossier, t.target, reason="motif")
    dossier.refresh_from_db()
    assert dossier.state == t.target


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.DRAFT, S.SUBMITTED),  # pieces cannot be locked before "Enregistrer"
        (S.REGISTERED, S.COMPLIANT),  # no decision before the pieces are locked and reviewed
        (S.COMPLIANT, S.INCOMPLETE),
        (S.EXPIRED, S.REGISTERED),  # "aucune inscription hors délai"
        (S.CANCELLED, S.SUBMITTED),
    ],
)
def test_an_illegal_transition_raises_and_changes_nothing(source, target):
    dossier = DossierFactory(state=source)
    with pytest.raises(IllegalTransition) as excinfo:
        transition(dossier, target)
    assert "Impossible de passer le dossier" in excinfo.value.message
    dossier.refresh_from_db()
    assert dossier.state == source


def test_a_decision_records_its_reason():
    dossier = DossierFactory(state=S.IN_REVIEW)
    transition(dossier, S.NON_COMPLIANT, reason="Expérience professionnelle insuffisante")
    dossier.refresh_from_db()
    assert dossier.decision_reason == "Expérience professionnelle insuffisante"
    assert dossier.decided_at is not None


def test_only_staff_transitions_are_offered_to_staff():
    dossier = DossierFactory(state=S.IN_REVIEW)
    targets = {t.target for t in allowed_transitions(dossier, actor="staff")}
    assert targets == {S.COMPLIANT, S.NON_COMPLIANT, S.INCOMPLETE}
