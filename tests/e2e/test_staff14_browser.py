"""Issue 14 items 1, 5, 8 and issue 12's message attachments in Chromium: the message to a
selection (writing, a refused POST, the preview), the statistics, the bureau's documents on the
admin's dossier page and in "Mes documents", an attachment in analysis and one refused; axe-core
finds no serious or critical violation at a phone's and a desktop's size. Screenshots go to
docs/screenshots/tmp/ (not committed) for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.messaging.models import DossierMessage
from candidates.models import Dossier, DossierState
from candidates.review import services
from tests.candidates.review_fixtures import dossier, world
from tests.documents.files import pdf_bytes, upload

from .test_forms_browser import _login, axe, page  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w():
    w = world()
    w["mine"] = [dossier(w["s_nantes"], w["bat"], state=DossierState.REGISTERED) for _ in range(3)]
    Dossier.objects.filter(pk__in=[d.pk for d in w["mine"]]).update(
        registered_at=timezone.now() - dt.timedelta(days=1), category="distance_school", forme="global"
    )
    return w


def test_the_message_to_a_selection_pages(page, live_server, axe, w):  # noqa: F811
    _login(page, live_server, w["gest_bat"])
    ids = ",".join(str(d.pk) for d in w["mine"])
    page.goto(f"{live_server.url}{reverse('admin:candidates_dossier_write')}?ids={ids}")
    assert "3 destinataires" in page.content()
    axe(page, "bulk-write")
    page.click("button[name=apercu]")  # empty: refused, the summary focused
    page.wait_for_selector("[data-error-summary]")
    axe(page, "bulk-write-refused")
    page.fill("#id_subject", "Publication des convocations")
    page.fill("#id_body", "Bonjour,\nvos convocations seront publiées le 15 avril.\nLe bureau des examens")
    page.click("button[name=apercu]")
    page.wait_for_selector("text=Le message tel que le candidat le lira")
    axe(page, "bulk-preview")


def test_the_statistics_page(page, live_server, axe, w):  # noqa: F811
    _login(page, live_server, w["manager_nantes"])
    page.goto(live_server.url + reverse("admin:candidates_dossier_statistics"))
    assert "Par jour d'enregistrement" in page.content()
    axe(page, "statistics")


def test_the_bureau_documents_on_both_sides(page, live_server, axe, w):  # noqa: F811
    d = w["mine"][0]
    services.staff_document_post(
        dossier=d, actor=w["gest_bat"], kind="accommodation", file=upload("amenagement.pdf", pdf_bytes())
    )
    _login(page, live_server, w["gest_bat"])
    page.goto(live_server.url + reverse("admin:candidates_dossier_change", args=[d.pk]))
    page.locator("#staff-documents-title").scroll_into_view_if_needed()
    axe(page, "admin-dossier-staff-documents")
    page.context.clear_cookies()
    _login(page, live_server, d.candidate)
    page.goto(live_server.url + reverse("recap:documents"))
    assert "Documents du bureau des examens" in page.content()
    axe(page, "my-documents-bureau")


def test_the_thread_shows_an_attachment_in_analysis_and_one_refused(page, live_server, axe, w):  # noqa: F811
    d = w["mine"][0]
    DossierMessage.objects.create(
        dossier=d,
        author=d.candidate,
        body="Voici mon attestation.",
        attachment_name="attestation.pdf",
        attachment_status="checking",
    )
    DossierMessage.objects.create(
        dossier=d,
        author=d.candidate,
        body="Et la carte.",
        attachment_name="carte.pdf",
        attachment_status="refused",
        attachment_refusal="« carte.pdf » contient un virus ou un programme malveillant (Eicar) : il a été "
        "supprimé sans être transmis.",
    )
    _login(page, live_server, d.candidate)
    page.goto(live_server.url + reverse("candidates:thread", args=[d.pk]))
    assert "en cours d'analyse" in page.content()
    axe(page, "thread-attachments")
