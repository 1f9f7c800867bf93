"""Forgotten password: Django's token, e-mailed through notify(), same answer for every address,
rate-limited (issue 3 items 2, 3, 8)."""

import datetime as dt

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail

from notifications.models import Message, OutgoingEmail
from tests.candidates.account_helpers import PASSWORD, _clean_cache, link_in, mails_to  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW = "Nouveau-mot-de-passe-7"


def _ask(client, capture, email, **extra):
    with capture(execute=True):
        return client.post("/mot-de-passe-oublie/", {"email": email}, **extra)


def test_it_resets_the_password_through_the_emailed_link(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="camille@example.org")
    response = _ask(client, django_capture_on_commit_callbacks, "Camille@example.org")
    assert response["Location"] == "/mot-de-passe-oublie/envoye/"
    (message,) = mails_to("camille@example.org")
    assert "nouveau mot de passe" in message.subject
    # Through the outbox, and not in the inbox (an account e-mail).
    assert OutgoingEmail.objects.filter(kind="password_reset", to="camille@example.org").count() == 1
    assert not Message.objects.exists()

    path = link_in(message, "/mot-de-passe-oublie/")
    form_url = client.get(path)["Location"]  # Django hides the token behind a session redirect
    response = client.post(form_url, {"new_password1": NEW, "new_password2": NEW})
    assert response["Location"] == "/mot-de-passe-oublie/termine/"
    user.refresh_from_db()
    assert user.check_password(NEW)

    # Single use: the same link is dead once the password changed.
    response = client.get(path, follow=True)
    assert response.context["validlink"] is False


def test_it_refuses_a_reset_link_older_than_48_hours(client, django_capture_on_commit_callbacks, monkeypatch):
    UserFactory(email="camille@example.org")
    _ask(client, django_capture_on_commit_callbacks, "camille@example.org")
    path = link_in(mail.outbox[0], "/mot-de-passe-oublie/")
    later = default_token_generator._now() + dt.timedelta(hours=48, minutes=1)
    monkeypatch.setattr(default_token_generator, "_now", lambda: later)
    response = client.get(path, follow=True)
    assert response.context["validlink"] is False


def test_it_answers_the_same_for_known_and_unknown_addresses(client, django_capture_on_commit_callbacks):
    UserFactory(email="connu@example.org")
    known = _ask(client, django_capture_on_commit_callbacks, "connu@example.org")
    unknown = _ask(client, django_capture_on_commit_callbacks, "inconnu@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [m.to for m in mail.outbox] == [["connu@example.org"]]


def test_it_sends_the_activation_link_to_an_account_never_activated(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="dormant@example.org", is_active=False)
    _ask(client, django_capture_on_commit_callbacks, "dormant@example.org")
    (message,) = mail.outbox
    assert link_in(message, "/activation/")


def test_it_limits_reset_emails_per_address(client, django_capture_on_commit_callbacks, settings):
    settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS = 3
    UserFactory(email="camille@example.org")
    for _ in range(3):
        assert _ask(client, django_capture_on_commit_callbacks, "camille@example.org").status_code == 302
    response = _ask(client, django_capture_on_commit_callbacks, "camille@example.org")
    assert response.status_code == 200
    assert "Plusieurs courriels ont déjà été envoyés à cette adresse" in response.content.decode()
    assert len(mail.outbox) == 3


def test_the_address_limit_says_the_same_for_an_unknown_address(client, django_capture_on_commit_callbacks):
    for _ in range(4):
        response = _ask(client, django_capture_on_commit_callbacks, "inconnu@example.org")
    assert response.status_code == 200
    assert "Plusieurs courriels ont déjà été envoyés à cette adresse" in response.content.decode()


def test_it_limits_reset_requests_per_ip(client, django_capture_on_commit_callbacks, settings):
    settings.ACCOUNT_EMAIL_RATE_PER_IP = 5
    for n in range(5):
        response = _ask(
            client, django_capture_on_commit_callbacks, f"c{n}@example.org", REMOTE_ADDR="10.0.0.7"
        )
        assert response.status_code == 302
    response = _ask(client, django_capture_on_commit_callbacks, "c9@example.org", REMOTE_ADDR="10.0.0.7")
    assert "Trop de demandes" in response.content.decode()
    # Another connection is not affected.
    response = _ask(client, django_capture_on_commit_callbacks, "c9@example.org", REMOTE_ADDR="10.0.0.8")
    assert response.status_code == 302


def test_the_limit_lifts_once_the_window_has_passed(client, django_capture_on_commit_callbacks, settings):
    from django.core.cache import cache

    settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS = 1
    _ask(client, django_capture_on_commit_callbacks, "camille@example.org")
    assert _ask(client, django_capture_on_commit_callbacks, "camille@example.org").status_code == 200
    cache.clear()  # what the expiry of the window does
    assert _ask(client, django_capture_on_commit_callbacks, "camille@example.org").status_code == 302


def test_it_changes_the_password_of_a_logged_in_candidate(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/mon-espace/mot-de-passe/", {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW}
    )
    assert response["Location"] == "/mon-espace/profil/"
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert client.get("/mon-espace/").status_code == 200  # still logged in


def test_it_refuses_a_password_change_with_a_wrong_current_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/mon-espace/mot-de-passe/", {"old_password": "faux", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["old_password"]
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
