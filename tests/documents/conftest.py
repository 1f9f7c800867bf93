"""Fixtures of the documents tests: a temporary platform certificate and a registered dossier
with its épreuve choices (built with the shared factories)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from candidates.models import DossierEpreuve, DossierState, EpreuveChoice
from tests.factories import (
    DossierFactory,
    EpreuveFactory,
    LanguageFactory,
    ProfileFactory,
    SpecialtyOptionFactory,
    open_session,
)


@pytest.fixture(autouse=True)
def signing_certificate(signing_certificate, settings):
    """Every documents test seals with the shared certificate (tests/conftest.py) and prints the
    public address in its QR codes."""
    settings.SITE_URL = "https://examens.example.org"
    return signing_certificate


def make_dossier(*, number: str = "NM25-BTS-000042", engagement: bool = False, renounce: bool = False, **kw):
    profile = ProfileFactory(consent_press=True)
    option = SpecialtyOptionFactory(code="B", name="Systèmes énergétiques")
    specialty = option.specialty
    dossier = DossierFactory(
        candidate=profile.user,
        session=kw.pop("session", None) or open_session(),
        specialty=specialty,
        option=option,
        number=number,
        state=kw.pop("state", DossierState.REGISTERED),
        birth_name="DUPONT",
        usage_name="MARTIN",
        first_name_1="Camille",
        first_name_2="Lou",
        sex="F",
        birth_commune="Nancy",
        address_line1="12 rue Stanislas",
        postcode="54000",
        city="Nancy",
        mobile_phone="+33612345678",
        mandatory_language=LanguageFactory(code="en", name="Anglais"),
        optional_language=LanguageFactory(code="de", name="Allemand"),
        handicap=True,
        accommodation_requested=True,
        choices_version=1,
        **kw,
    )
    e1 = EpreuveFactory(specialty=specialty, code="E1", title="Culture générale et expression", order=1)
    e2 = EpreuveFactory(specialty=specialty, code="E2", title="Langue vivante étrangère : anglais", order=2)
    e4 = EpreuveFactory(specialty=specialty, code="E4", title="Étude technique du projet", order=4)
    e5 = EpreuveFactory(specialty=specialty, code="E5", title="Conduite de chantier", order=5)
    DossierEpreuve.objects.create(dossier=dossier, epreuve=e1, choice=EpreuveChoice.DISPENSE)
    DossierEpreuve.objects.create(dossier=dossier, epreuve=e2, choice=EpreuveChoice.TAKEN)
    DossierEpreuve.objects.create(
        dossier=dossier,
        epreuve=e4,
        choice=EpreuveChoice.BENEFICE,
        grade=Decimal("13.50"),
        obtained_session_year=2023,
        obtained_on=dt.date(2023, 7, 5),
    )
    DossierEpreuve.objects.create(
        dossier=dossier,
        epreuve=e5,
        choice=EpreuveChoice.TAKEN,
        grade=Decimal("11.00") if renounce else None,
        obtained_session_year=2024 if renounce else None,
        benefice_renounced=renounce,
    )
    if engagement:
        ef = EpreuveFactory(
            specialty=specialty,
            code="EF2",
            title="Engagement étudiant",
            is_optional=True,
            is_student_engagement=True,
            order=9,
        )
        DossierEpreuve.objects.create(dossier=dossier, epreuve=ef, choice=EpreuveChoice.TAKEN)
    return dossier


@pytest.fixture
def dossier(db):
    return make_dossier()
