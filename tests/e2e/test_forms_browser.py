"""The forms in Chromium: after a refused POST the error summary is at the top and has the focus,
and axe-core (from npm, injected by Playwright) finds no serious or critical violation on the
form pages, at a phone's and a desktop's size (issue 11 item 2, issue 18 item 2). Screenshots go
to docs/screenshots/tmp/ (not committed) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import expect

from candidates.registration.services import dossier_start
from tests.factories import UserFactory, candidate_with_profile, open_session

from .conftest import IN_CI

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "docs" / "screenshots" / "tmp"


@pytest.fixture(params=[(390, 844), (1280, 900)], ids=["phone", "desktop"])
def page(request, browser):
    # axe is injected as an inline script: this context alone ignores the portal's CSP (which
    # tests/e2e/test_csp_browser.py checks without the bypass).
    width, height = request.param
    context = browser.new_context(
        viewport={"width": width, "height": height}, locale="fr-FR", bypass_csp=True
    )
    yield context.new_page()
    context.close()


@pytest.fixture
def axe():
    if not AXE.exists():
        if IN_CI:
            pytest.fail("axe-core is missing: `make test` installs it with npm (package.json).")
        pytest.skip("axe-core is not installed (npm ci)")

    def check(page, name: str) -> None:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        bad = [
            (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        SHOTS.mkdir(parents=True, exist_ok=True)
        width = page.viewport_size["width"]
        page.screenshot(path=str(SHOTS / f"forms-{name}-{width}.png"), full_page=True)
        assert bad == [], bad

    return check


def _login(page, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def _summary_has_focus(page) -> bool:
    page.wait_for_selector("[data-error-summary]")
    # Playwright's own focus check: a wait_for_function string is eval'd in the page, which the
    # portal's CSP refuses ('unsafe-eval') once it has to poll.
    expect(page.locator("[data-error-summary]").first).to_be_focused()
    return True


def test_signup_refused_shows_the_summary_focused(page, live_server, axe):
    page.goto(live_server.url + "/creer-un-compte/")
    axe(page, "signup")
    page.fill("#id_email", "camille@example.org")
    page.click("button:has-text('Créer mon compte')")
    assert _summary_has_focus(page)
    summary = page.inner_text("[data-error-summary]")
    assert "Confirmez l'adresse électronique" in summary and "Mot de passe" in summary
    assert page.get_attribute("#id_password1", "aria-invalid") == "true"
    assert "id_password1_error" in page.get_attribute("#id_password1", "aria-describedby")
    page.click("[data-error-summary] a[href='#id_password1']")
    assert page.evaluate("document.activeElement.id") == "id_password1"
    axe(page, "signup-errors")


def test_profile_with_errors(page, live_server, axe):
    _login(page, live_server, UserFactory())
    page.goto(live_server.url + "/mon-espace/profil/modifier/")
    axe(page, "profile")
    page.fill("#id_birth_name", "Du\u202epont")
    page.click("button:has-text('Enregistrer mon profil')")
    assert _summary_has_focus(page)
    assert "caractère invisible" in page.inner_text("#id_birth_name_error")
    axe(page, "profile-errors")


def test_a_wizard_tab_with_errors(page, live_server, axe):
    session = open_session()
    user = candidate_with_profile()
    dossier = dossier_start(candidate=user, session=session)
    _login(page, live_server, user)
    page.goto(f"{live_server.url}/inscription/{dossier.pk}/contact/")
    page.select_option("#id_country", "BE")  # the profile's list of countries
    page.fill("#id_mobile_phone", "01 23 45 67 89")
    page.click("text=Enregistrer cet onglet et continuer")
    assert _summary_has_focus(page)
    assert "pour enregistrer cet onglet" in page.inner_text("[data-error-summary]")
    axe(page, "wizard-contact-errors")


def test_the_simulator(page, live_server, axe):
    open_session()
    page.goto(live_server.url + "/simulateur/")
    axe(page, "simulator")
    page.click("button:has-text('Afficher les pièces')")
    assert _summary_has_focus(page)
    axe(page, "simulator-errors")


def test_a_refused_upload_says_so_at_the_top(page, live_server, axe):
    from tests.documents.helpers import registered_dossier

    call_command("seed_piece_rules", verbosity=0)
    dossier = registered_dossier()
    _login(page, live_server, dossier.candidate)
    page.goto(f"{live_server.url}/mes-justificatifs/{dossier.pk}/")
    axe(page, "pieces")
    page.set_input_files(
        "#id_identity-files",
        files=[{"name": "diplome.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00" * 64}],
    )
    page.click("#piece-identity button[type=submit]")
    assert _summary_has_focus(page)
    assert "a été refusé" in page.inner_text("[data-error-summary]")
    assert page.evaluate("document.querySelector('[data-error-summary]').getBoundingClientRect().top") < 844
    axe(page, "pieces-refused")


def test_the_epreuves_tab_with_errors(page, live_server, axe):
    """issue 15: tab 6's rows are written by one crispy template loop; the page stays what axe and
    a screen reader expect (a fieldset and legend per épreuve and per choice, labels, errors tied
    to their field, the summary focused)."""
    from tests.candidates.test_wizard_epreuves import _dossier_at_tab_6
    from tests.factories import LanguageFactory, bts_catalogue

    session = open_session()
    cat = bts_catalogue()
    LanguageFactory(code="en", name="Anglais")
    world = {"session": session, "user": candidate_with_profile(), **cat}
    dossier = _dossier_at_tab_6(Client(), world)
    _login(page, live_server, world["user"])
    page.goto(f"{live_server.url}/inscription/{dossier.pk}/epreuves/")
    axe(page, "wizard-epreuves")
    e1 = cat["E1"].pk
    page.check(f"#id_choice_{e1}_1")  # "Je conserve une note (bénéfice)"
    page.fill(f"#id_grade_{e1}", "25")
    page.click("text=Enregistrer cet onglet et continuer")
    assert _summary_has_focus(page)
    assert page.get_attribute(f"#id_grade_{e1}", "aria-describedby") == f"id_grade_{e1}_error"
    axe(page, "wizard-epreuves-errors")
