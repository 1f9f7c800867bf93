"""The gestionnaire's dossier page with six pieces, in Chromium (issue 18 item 6): it answered in
2.1–2.6 s because every preview loaded at once, and its layout shifted (CLS 0.185) so that an
early click on « Invalider » hit nothing. The previews now load lazily in boxes of a reserved size.

Measured here: the cumulative layout shift while the page loads and while the gestionnaire
scrolls through the previews (< 0.1), and the browser's navigation timing (printed; asserted
loosely, the machine running the suite is shared)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from candidates.models import DossierState
from tests.candidates.review_fixtures import dossier, start_review, world
from tests.documents.files import jpeg_bytes, pdf_bytes
from tests.factories import PieceFactory, PieceFileFactory

from .audit import (
    CLS_OBSERVER,
    Audit,
    cumulative_layout_shift,
    layout_shifts,
    navigation_ms,
    scroll_through_previews,
)
from .test_forms_browser import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ["identity", "jdc", "access_diploma", "recap_signed", "previous_transcript", "schooling_certs"]


@pytest.fixture(params=[(390, 844), (1280, 900)], ids=["phone", "desktop"])
def page(request, browser):
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="fr-FR", bypass_csp=True
    )
    context.add_init_script(CLS_OBSERVER)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def _six_pieces(w):
    d = dossier(w["s_nantes"], w["bat"], state=DossierState.SUBMITTED, pieces=())
    for i, code in enumerate(CODES):
        piece = PieceFactory(dossier=d, code=code)
        if i % 2:
            content, name, mime = pdf_bytes(), f"{code}.pdf", "application/pdf"
        else:
            content, name, mime = jpeg_bytes((1200, 1600)), f"{code}.jpg", "image/jpeg"
        PieceFileFactory(
            piece=piece,
            file=ContentFile(content, name=name),
            original_name=name,
            content_type=mime,
            size=len(content),
        )
    return start_review(d, w["gest_bat"])


def test_the_review_page_with_six_pieces_is_stable_and_quick(page, live_server):
    w = world()
    d = _six_pieces(w)
    _login(page, live_server, w["gest_bat"])
    url = f"{live_server.url}/admin/candidates/dossier/{d.pk}/change/"
    page.goto(url)  # a first visit warms the server's caches (templates, static files)
    page.goto(url)
    page.wait_for_load_state("load")
    timing = navigation_ms(page)
    # Previews are lazy: below the fold they are not fetched before the gestionnaire gets there.
    previews = page.locator(".piece-preview .preview-box")
    assert previews.count() == len(CODES)
    assert all(previews.nth(i).get_attribute("loading") == "lazy" for i in range(previews.count()))
    # Scrolled through, as a gestionnaire does: the previews arrive in their boxes, nothing moves.
    scroll_through_previews(page)
    cls = cumulative_layout_shift(page)
    width = page.viewport_size["width"]
    print(f"\nissue 18 admin review page, 6 pieces, {width} px: CLS {cls:.4f}, timing {timing}")
    assert cls < 0.1, layout_shifts(page)
    # The timing is printed, not asserted: on the shared CI machine it varies fourfold with the load
    # (docs/performance.md has the figures measured on a quiet one).
    assert timing["load"] > 0
    audit = Audit.from_env()
    audit.check(page, "admin-dossier-6-pieces")
    audit.assert_clean()
