"""Sign-up → activation → login → profile in a real Chromium (issue 3, "done when a new user can
do all of this in a browser")."""

import re

import pytest
from django.core import mail

pytestmark = [pytest.mark.browser]

PASSWORD = "Un-mot-de-passe-solide-1"


@pytest.fixture
def page(phone_page, live_server, settings):
    settings.SITE_URL = live_server.url
    return phone_page


def test_a_new_candidate_signs_up_activates_logs_in_and_fills_the_profile(page, live_server):
    page.goto(live_server.url + "/creer-un-compte/")
    page.fill("#id_email", "camille@gmial.com")
    page.dispatch_event("#id_email", "change")
    page.click("text=Corriger l'adresse")  # the typo suggestion, one click
    assert page.input_value("#id_email") == "camille@gmail.com"
    page.fill("#id_email_confirm", "camille@gmail.com")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button:has-text('Créer mon compte')")
    page.wait_for_url("**/verifiez-votre-messagerie/")

    (message,) = mail.outbox
    link = re.search(r"http\S+/activation/\S+", message.body).group(0)
    page.goto(link)
    page.click("button:has-text('Activer mon compte')")
    page.wait_for_url("**/connexion/")
    page.fill("#id_username", "camille@gmail.com")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]:has-text('Se connecter')")
    page.wait_for_url("**/mon-espace/")
    assert "Vous n'avez encore aucune inscription" in page.content()

    page.goto(live_server.url + "/mon-espace/profil/modifier/")
    page.fill("#id_birth_name", "dupont")
    page.fill("#id_first_name_1", "Camille")
    page.check("#id_sex_0")
    page.fill("#id_birth_date", "2001-05-14")
    page.fill("#id_birth_commune", "Ajaccio")
    page.fill("#id_address_line1", "3 cours Napoléon")
    page.fill("#id_postcode", "20000")
    # A selector, not wait_for_function: its string is eval'd in the page, which the CSP refuses
    # ('unsafe-eval') as soon as the first check is false and Playwright polls.
    page.wait_for_selector("#departement-display:has-text('2A')")
    page.fill("#id_city", "Ajaccio")
    page.fill("#id_mobile_phone", "06 12 34 56 78")
    for name in ("consent_press", "consent_commercial", "consent_local_authorities"):
        page.check(f"#id_{name}_1")
    page.click("button:has-text('Enregistrer mon profil')")
    page.wait_for_url("**/mon-espace/profil/")
    assert "DUPONT" in page.content()
    assert "100 %" in page.content()
