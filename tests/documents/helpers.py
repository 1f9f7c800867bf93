"""Dossiers in the states the pieces tests need, built through the state machine."""

from __future__ import annotations

from candidates.models import DossierState
from candidates.states import transition
from tests.factories import DossierFactory, open_session


def registered_dossier(**kwargs):
    """A registered dossier of an open Nancy-Metz session (NM table: recap, identity; Bâtiment
    asks the R408 attestation, a late piece)."""
    kwargs.setdefault("session", open_session())
    dossier = DossierFactory(**kwargs)
    transition(dossier, DossierState.REGISTERED, save=False)
    dossier.number = f"NM25-{dossier.pk:06d}"
    dossier.save()
    return dossier
