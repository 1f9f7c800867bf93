"""Browser tests: Playwright drives Debian's Chromium (Playwright's own browser download does not
work here) against Django's live server. In CI they must run: a missing Chromium is a failure."""

from __future__ import annotations

import os
import shutil

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# there are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def _chromium_path() -> str | None:
    path = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    return path if os.path.exists(path) else None


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test file. Not per session: Playwright's sync API keeps an asyncio loop
    running in the test thread while it is started, and the tests that `make test` runs after a
    browser file in the same process (pyHanko's validation calls asyncio.run) would fail."""
    path = _chromium_path()
    if path is None:
        if IN_CI:
            pytest.fail("Chromium is missing: CI must run the browser tests (apt-get install chromium).")
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(params=[(390, 844), (1280, 900)], ids=["phone", "desktop"])
def page(request, browser):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """One page at a phone's size, for journeys that are long enough to run once."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="fr-FR")
    yield context.new_page()
    context.close()
