"""The convocation pages in Chromium (issue 14): "Mes documents" with a published convocation, the
public verification of a sealed convocation (upload and QR), and the manager's CSV import preview
with its French row errors; axe-core finds no serious or critical violation at a phone's and a
desktop's size. Screenshots go to docs/screenshots/tmp/ (not committed) for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import DossierState
from documents.models import DocumentKind, GeneratedDocument
from documents.recap.convocations import convocations_publish
from exams.models import EpreuveSitting
from tests.documents.conftest import make_dossier
from tests.factories import StaffAssignmentFactory, open_session, walk_to

from .test_forms_browser import _login, axe, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _sealing(signing_certificate):
    """Every test here renders sealed convocations (the shared certificate, tests/conftest.py)."""


@pytest.fixture
def published():
    now = timezone.now()
    session = open_session(
        convocations_published_at=now - dt.timedelta(hours=1),
        first_written_exam_at=now + dt.timedelta(days=20),
    )
    dossier = make_dossier(session=session)
    walk_to(dossier, DossierState.COMPLIANT)
    for index, choice in enumerate(
        dossier.epreuve_choices.select_related("epreuve").order_by("epreuve__code")
    ):
        start = session.academie.make_aware(
            dt.datetime.combine((now + dt.timedelta(days=20 + index)).date(), dt.time(8, 0))
        )
        EpreuveSitting.objects.create(
            session=session,
            epreuve=choice.epreuve,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=4),
            centre_name="Lycée Henri Loritz",
            centre_address="29 rue des Jardiniers\n54000 Nancy",
        )
    convocations_publish(session=session)
    return dossier


def test_mes_documents_with_the_convocation(page, live_server, axe, published):  # noqa: F811
    _login(page, live_server, published.candidate)
    page.goto(live_server.url + reverse("recap:documents"))
    page.get_by_role("link", name="Télécharger ma convocation (PDF, version 1)").wait_for()
    assert page.get_by_role("link", name="Ajouter mes épreuves à mon agenda (fichier .ics)").is_visible()
    axe(page, "convocations-mes-documents")


def test_the_verification_of_a_sealed_convocation(page, live_server, axe, published, tmp_path):  # noqa: F811
    document = GeneratedDocument.objects.get(dossier=published, kind=DocumentKind.CONVOCATION)
    pdf = tmp_path / "convocation.pdf"
    pdf.write_bytes(document.file.read())
    page.goto(live_server.url + reverse("recap:verify"))
    page.set_input_files("input[type=file]", str(pdf))
    page.get_by_role("button", name="Vérifier", exact=True).click()
    page.get_by_text("Convocation authentique et intacte").wait_for()
    axe(page, "convocations-verify-upload")
    page.goto(live_server.url + reverse("recap:verify_token", args=[document.verification_token]))
    page.get_by_role("heading", name="Vérification d'une convocation").wait_for()
    axe(page, "convocations-verify-qr")


def test_the_import_preview_shows_the_bad_rows(page, live_server, axe, published, tmp_path):  # noqa: F811
    manager = StaffAssignmentFactory(academie=published.session.academie, role="manager").user
    _login(page, live_server, manager)
    csv = tmp_path / "dates.csv"
    code, spec = published.session.code, published.specialty.code
    csv.write_text(
        "session;specialite;epreuve;date;debut;fin;centre;adresse;consignes\n"
        f"{code};{spec};E2;32/05/2027;08:00;12:00;Lycée Henri Loritz;Nancy;\n"
        f"{code};{spec};E9;12/05/2027;8 heures;12:00;;Nancy;\n",
        encoding="utf-8",
    )
    page.goto(live_server.url + reverse("admin:exams_epreuvesitting_import"))
    page.set_input_files("input[type=file]", str(csv))
    page.locator("input[type=submit]").click()
    page.get_by_text("illisible").first.wait_for()
    axe(page, "convocations-import-errors")
    page.goto(live_server.url + reverse("admin:exams_epreuvesitting_changelist"))
    axe(page, "convocations-sittings-list")
