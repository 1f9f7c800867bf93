"""Login by e-mail, lockout after repeated failures, logout (issue 3 items 2, 3)."""

import re

import pytest
from django.core import mail

from tests.candidates.account_helpers import PASSWORD, _clean_cache, link_in  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_it_logs_in_by_email_whatever_the_case(client):
    UserFactory(email="camille@example.org")
    response = client.post("/connexion/", {"username": "  Camille@Example.ORG ", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"


def test_it_labels_the_login_field_as_an_email_address(client):
    page = client.get("/connexion/").content.decode()
    assert '<label class="form-label fw-semibold" for="id_username">Adresse électronique' in page
    assert 'type="email"' in page
    assert "Renvoyer le lien d&#x27;activation" in page or "Renvoyer le lien d'activation" in page


def test_it_gives_the_same_answer_for_a_wrong_password_an_unknown_address_and_an_inactive_account(client):
    UserFactory(email="actif@example.org")
    UserFactory(email="dormant@example.org", is_active=False)
    pages = []
    for email, password in [
        ("actif@example.org", "mauvais-mot-de-passe"),
        ("inconnu@example.org", PASSWORD),
        ("dormant@example.org", PASSWORD),
    ]:
        response = client.post("/connexion/", {"username": email, "password": password})
        assert response.status_code == 200
        pages.append(_without_csrf(response.content.decode()).replace(email, "EMAIL"))
    assert pages[0] == pages[1] == pages[2]
    assert "Adresse électronique ou mot de passe incorrect" in pages[0]


def test_it_locks_the_login_out_after_five_failures_with_a_french_message(client, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    UserFactory(email="camille@example.org")
    for _ in range(4):
        response = client.post("/connexion/", {"username": "camille@example.org", "password": "faux"})
        assert response.status_code == 200
    response = client.post("/connexion/", {"username": "CAMILLE@example.org", "password": "faux"})
    assert response.status_code == 429
    # Even the right password is refused while the lockout lasts.
    response = client.post("/connexion/", {"username": "camille@example.org", "password": PASSWORD})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Connexion temporairement bloquée" in page
    assert "30 minutes" in page
    assert "/mot-de-passe-oublie/" in page
    assert "_auth_user_id" not in client.session


def test_a_password_reset_lifts_the_lockout(client, django_capture_on_commit_callbacks):
    UserFactory(email="camille@example.org")
    for _ in range(5):
        client.post("/connexion/", {"username": "camille@example.org", "password": "faux"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/mot-de-passe-oublie/", {"email": "camille@example.org"})
    path = link_in(mail.outbox[0], "/mot-de-passe-oublie/")
    form_url = client.get(path)["Location"]
    client.post(
        form_url, {"new_password1": "Nouveau-mot-de-passe-7", "new_password2": "Nouveau-mot-de-passe-7"}
    )
    response = client.post(
        "/connexion/", {"username": "camille@example.org", "password": "Nouveau-mot-de-passe-7"}
    )
    assert response.status_code == 302


def test_it_logs_out_on_post(client):
    client.force_login(UserFactory())
    response = client.post("/deconnexion/")
    assert response.status_code == 302
    assert client.get("/mon-espace/").status_code == 302


def test_the_login_form_is_protected_by_csrf():
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    UserFactory(email="camille@example.org")
    response = csrf_client.post("/connexion/", {"username": "camille@example.org", "password": PASSWORD})
    assert response.status_code == 403


def test_an_unknown_address_is_locked_out_the_same_way(client):
    for _ in range(5):
        response = client.post("/connexion/", {"username": "personne@example.org", "password": "faux"})
    assert response.status_code == 429
    assert "Connexion temporairement bloquée" in response.content.decode()
