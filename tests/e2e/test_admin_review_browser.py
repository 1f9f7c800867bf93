"""The gestionnaire's dossier page with six pieces, in Chromium (issue 18 item 6): it answered in
2.1–2.6 s because every preview loaded at once, and its layout shifted (CLS 0.185) so that an
early click on « Invalider » hit nothing. The previews now load lazily in boxes of a reserved size.

Measured here: the cumulative layout shift while the page loads and while the gestionnaire
scrolls through the previews (< 0.1), and the browser's navigation timing: the load event
within 500 ms at the best of five visits, scaled by the machine's load per core (the machine
running the suite is shared). Images are
previewed as small JPEGs, PDFs open in their box on demand."""

from __future__ import annotations

import os

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


# The navigation's budget (issue 18: "answers in under 500 ms in the browser with 6 pieces"),
# taken as the best of a few visits: a shared machine slows some visits several times, rarely
# all of them. Measured figures: docs/performance.md, "In the browser".
LOAD_BUDGET_MS = 500
VISITS = 5


# Where an element is in the page (not the viewport): top, left, width, height.
IN_PAGE = """e => { const r = e.getBoundingClientRect();
  return {top: r.top + scrollY, left: r.left + scrollX, width: r.width, height: r.height}; }"""


def load_budget_ms() -> float:
    """500 ms on a machine with a core free; on a loaded one (the shared CI machine runs the
    suite in parallel beside other work), as many times more as there are runnable processes per
    core — the server's CPU time is what waits for a core (docs/performance.md)."""
    per_core = os.getloadavg()[0] / (os.cpu_count() or 1)
    return LOAD_BUDGET_MS * max(1.0, per_core)


def test_the_review_page_with_six_pieces_is_stable_and_quick(page, live_server):
    w = world()
    d = _six_pieces(w)
    _login(page, live_server, w["gest_bat"])
    url = f"{live_server.url}/admin/candidates/dossier/{d.pk}/change/"
    page.goto(url)  # a first visit warms the server's caches (templates, static files)
    visits = []
    for _ in range(VISITS):
        page.goto(url)  # waits for the load event
        visits.append({k: round(v) for k, v in navigation_ms(page).items()})
    best = min(visits, key=lambda t: t["load"])
    budget = load_budget_ms()
    # No PDF viewer until asked for; below the fold, no preview is fetched before the load event.
    assert page.locator("iframe").count() == 0
    # Previews are lazy: below the fold they are not fetched before the gestionnaire gets there.
    assert page.locator(".piece-preview .preview-box").count() == len(CODES)
    images = page.locator("img.preview-box")
    assert images.count() == len(CODES) // 2
    assert all(images.nth(i).get_attribute("loading") == "lazy" for i in range(images.count()))
    assert page.locator("[data-pdf-preview]").count() == len(CODES) // 2
    # Scrolled through, as a gestionnaire does: the previews arrive in their boxes, nothing moves.
    scroll_through_previews(page)
    cls = cumulative_layout_shift(page)
    # What the page fetched once scrolled through: the small previews of the three images only.
    fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    files = [name for name in fetched if "/fichiers/" in name]
    assert len(files) == len(CODES) // 2 and all(name.endswith("?apercu=1") for name in files), fetched
    width = page.viewport_size["width"]
    print(
        f"\nissue 18 admin review page, 6 pieces, {width} px: CLS {cls:.4f}, best {best}, "
        f"budget {budget:.0f} ms (load average {os.getloadavg()[0]:.1f}), visits {visits}"
    )
    assert cls < 0.1, layout_shifts(page)
    assert best["load"] < budget, visits
    # A PDF opens in its own reserved box, on demand, and keeps the focus there.
    box = page.locator("[data-pdf-preview]").first
    before = box.evaluate(IN_PAGE)
    box.get_by_role("link").click()
    frame = page.locator("iframe.preview-box").first
    frame.wait_for()
    after = frame.evaluate(IN_PAGE)
    assert all(abs(after[k] - before[k]) < 1 for k in before), (before, after)
    assert page.evaluate("document.activeElement.tagName") == "IFRAME"
    audit = Audit.from_env()
    audit.check(page, "admin-dossier-6-pieces")
    audit.assert_clean()
