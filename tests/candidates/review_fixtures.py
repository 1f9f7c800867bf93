"""Shared data for the staff-review tests: two académies, two specialties, their staff."""

from __future__ import annotations

import datetime as dt
import itertools

from candidates.models import DossierState
from documents.models import PieceRule
from tests.factories import (
    AcademieFactory,
    DossierFactory,
    PieceFactory,
    SessionFactory,
    SpecialtyFactory,
    StaffAssignmentFactory,
    UserFactory,
    walk_to,
)

_numbers = itertools.count(1)


def world():
    nantes = AcademieFactory(code="nantes", name="Nantes")
    toulouse = AcademieFactory(code="toulouse", name="Toulouse")
    s_nantes = SessionFactory(academie=nantes)
    s_toulouse = SessionFactory(academie=toulouse)
    for session in (s_nantes, s_toulouse):
        # One piece required of everyone: a decision covers the required pieces (review.rules),
        # and these tests are about the review, not about the notices' tables.
        PieceRule.objects.create(session=session, code="identity", reason="Pour tous les candidats.")
    bat = SpecialtyFactory(code="batiment", name="Bâtiment")
    ms = SpecialtyFactory(code="maintenance", name="Maintenance des systèmes", abbreviation="MS")
    gest_bat = StaffAssignmentFactory(
        user=UserFactory(email="gest.bat@ac-nantes.fr"), academie=nantes, specialties=[bat]
    ).user
    manager_nantes = StaffAssignmentFactory(
        user=UserFactory(email="resp@ac-nantes.fr"), academie=nantes, role="manager"
    ).user
    return {
        "nantes": nantes,
        "s_nantes": s_nantes,
        "s_toulouse": s_toulouse,
        "bat": bat,
        "ms": ms,
        "gest_bat": gest_bat,
        "manager_nantes": manager_nantes,
        "superuser": UserFactory(email="root@example.org", is_staff=True, is_superuser=True),
    }


def dossier(session, specialty, state=DossierState.SUBMITTED, pieces=("deposited",), **kwargs):
    """A registered dossier walked to ``state`` through the state machine, never set directly. The
    candidate is 36: no JDC certificate (national rule, under 25) among the required pieces."""
    kwargs.setdefault("birth_date", dt.date(1990, 3, 14))
    d = DossierFactory(
        session=session,
        specialty=specialty,
        state=DossierState.REGISTERED,
        number=f"BTS-{next(_numbers):06d}",
        **kwargs,
    )
    walk_to(d, state)
    codes = ["identity", "jdc", "access_diploma", "recap_signed"]
    for code, piece_state in zip(codes, pieces, strict=False):
        PieceFactory(dossier=d, code=code, state=piece_state)
    return d


def start_review(d, actor):
    """submitted → in_review as the gestionnaire does it (candidates.review.services)."""
    from candidates.review import services

    return services.dossier_start_review(dossier=d, actor=actor, lock_version=None)


def accept_pieces(d, actor):
    from candidates.review import services

    for piece in d.pieces.all():
        services.piece_accept(dossier=d, piece=piece, actor=actor, lock_version=None)
