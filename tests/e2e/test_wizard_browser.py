"""A candidate completes the nine tabs in Chromium and sees a number (issue 4, "done when")."""

import re

import pytest

from tests.factories import LanguageFactory, bts_catalogue, candidate_with_profile, open_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(phone_page, live_server):
    return phone_page


def test_a_candidate_registers_through_the_nine_tabs(page, live_server):
    session = open_session()
    cat = bts_catalogue()
    LanguageFactory(code="en", name="Anglais")
    user = candidate_with_profile(user__email="navigateur@example.org")
    base = live_server.url
    page.goto(base + "/connexion/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", "Un-mot-de-passe-solide-1")
    page.click("main form button[type=submit]")
    page.goto(base + "/inscription/")
    page.check(f'input[name=session][value="{session.pk}"]')
    page.click("text=Commencer l'inscription")
    next_button = "text=Enregistrer cet onglet et continuer"
    page.click(next_button)  # identity, pre-filled from the profile
    page.check("#id_consent_press_1")
    page.check("#id_consent_commercial_1")
    page.check("#id_consent_local_authorities_1")
    page.click(next_button)
    page.select_option("#id_category", "distance_school")
    page.fill("#id_access_diploma", "Baccalauréat STI2D 2022")
    page.click(next_button)
    page.select_option("#id_specialty", str(cat["specialty"].pk))
    page.check("#id_forme_0")
    page.click(next_button)
    page.click(next_button)  # épreuves: all taken by default
    page.select_option("#id_mandatory_language", label="Anglais")
    page.click(next_button)
    page.click(next_button)  # handicap: no
    assert page.locator("text=Onglets à compléter").count() == 0  # every tab is saved
    page.check("#id_certify")
    page.click("button:text('Enregistrer')")
    number = page.inner_text("#numero-dossier")
    assert re.fullmatch(rf"{session.year}-NANCY-METZ-\d{{6}}", number)
