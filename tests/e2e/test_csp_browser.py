"""The Content-Security-Policy in a real browser (issue 12): no page of ours nor of the admin is
blocked by it, and the admin's scripts still run (its widgets are built by JavaScript)."""

import pytest

from tests.candidates.account_helpers import PASSWORD
from tests.factories import UserFactory, candidate_with_profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _watch_violations(page) -> list[str]:
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    return violations


def _login(page, url: str, email: str, login_path: str = "/connexion/") -> None:
    page.goto(url + login_path)
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.locator("form [type=submit]").last.click()
    page.wait_for_load_state()


def test_candidate_pages_run_their_scripts_under_the_csp(live_server, phone_page):
    violations = _watch_violations(phone_page)
    phone_page.goto(live_server.url + "/creer-un-compte/")
    phone_page.fill("#id_email", "camille@gmial.com")
    phone_page.locator("#id_email").dispatch_event("change")
    # The suggestion comes from static/js/signup-email-suggestion.js and the server.
    phone_page.wait_for_selector("#email-suggestion:not(.d-none)", timeout=10_000)
    user = candidate_with_profile()
    _login(phone_page, live_server.url, user.email)
    phone_page.goto(live_server.url + "/mon-espace/profil/modifier/")
    phone_page.fill("#id_postcode", "57000")
    # A selector, not wait_for_function: a string expression is eval'd in the page, which the
    # CSP rightly refuses ('unsafe-eval' is not allowed).
    phone_page.wait_for_selector("#departement-display:has-text('57')", timeout=10_000)
    assert violations == []


def test_the_admin_works_under_the_csp(live_server, page):
    UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    violations = _watch_violations(page)
    _login(page, live_server.url, "root@example.org", login_path="/admin/login/")
    page.goto(live_server.url + "/admin/exams/staffassignment/add/")
    # SelectFilter2.js turns the specialties <select multiple> into the two-box widget.
    page.wait_for_selector(".selector-available", timeout=10_000)
    page.goto(live_server.url + "/admin/exams/session/add/")
    page.wait_for_selector(".selector-available", timeout=10_000)
    assert violations == []
