"""The public home page in a real browser, on a phone and a desktop, used by keyboard."""

import pytest

from tests.factories import SessionFactory, open_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_sees_open_sessions_and_reaches_the_content_by_keyboard(live_server, page):
    open_session(code="nancy-metz-open")
    SessionFactory(code="nancy-metz-bts-2025")

    page.goto(live_server.url + "/")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_text("Inscriptions ouvertes").is_visible()
    assert page.get_by_text("Inscriptions closes").is_visible()
    # The first Tab lands on the skip link, which becomes visible and leads to the content.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    # issue 18 item 7: the content has the focus, and "#contenu" stays out of the address.
    assert page.evaluate("document.activeElement.id") == "contenu"
    assert page.evaluate("location.hash") == ""


def test_nothing_is_wider_than_a_phone_screen(live_server, page):
    open_session(code="nancy-metz-open")
    page.goto(live_server.url + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
