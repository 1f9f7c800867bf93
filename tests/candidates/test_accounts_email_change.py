"""Changing the e-mail re-verifies the new address before it takes effect (issue 3 item 5)."""

import datetime as dt

import pytest
from django.core import mail, signing

from candidates.models import User
from notifications.models import OutgoingEmail
from tests.candidates.account_helpers import PASSWORD, _clean_cache, link_in, mails_to  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _request(client, capture, new_email, password=PASSWORD, confirm=None):
    with capture(execute=True):
        return client.post(
            "/mon-espace/adresse-electronique/",
            {"new_email": new_email, "new_email_confirm": confirm or new_email, "password": password},
        )


def test_the_new_address_takes_effect_only_once_its_link_is_followed(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="ancienne@example.org")
    client.force_login(user)
    response = _request(client, django_capture_on_commit_callbacks, "Nouvelle@Example.org")
    assert response["Location"] == "/mon-espace/profil/"
    (message,) = mails_to("nouvelle@example.org")
    assert OutgoingEmail.objects.get(kind="email_change_confirm").to == "nouvelle@example.org"

    # Until then the old address is still the login.
    user.refresh_from_db()
    assert user.email == "ancienne@example.org"
    client.logout()
    assert (
        client.post("/connexion/", {"username": "ancienne@example.org", "password": PASSWORD}).status_code
        == 302
    )

    path = link_in(message, "/mon-espace/adresse-electronique/confirmer/")
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path)["Location"] == "/mon-espace/profil/"
    user.refresh_from_db()
    assert user.email == "nouvelle@example.org"
    assert user.email_verified_at is not None
    (notice,) = mails_to("ancienne@example.org")
    assert "a été modifiée" in notice.subject

    # The link is single-use.
    assert client.post(path).status_code == 400
    client.logout()
    assert (
        client.post("/connexion/", {"username": "nouvelle@example.org", "password": PASSWORD}).status_code
        == 302
    )


def test_another_candidates_confirmation_link_is_a_404(client, django_capture_on_commit_callbacks):
    owner = UserFactory(email="proprietaire@example.org")
    client.force_login(owner)
    _request(client, django_capture_on_commit_callbacks, "nouvelle@example.org")
    path = link_in(mail.outbox[0], "/mon-espace/adresse-electronique/confirmer/")
    intruder = UserFactory(email="intrus@example.org")
    client.force_login(intruder)
    assert client.get(path).status_code == 404
    assert client.post(path).status_code == 400
    intruder.refresh_from_db()
    owner.refresh_from_db()
    assert (intruder.email, owner.email) == ("intrus@example.org", "proprietaire@example.org")


def test_a_forged_confirmation_link_is_a_404(client):
    client.force_login(UserFactory())
    assert client.get("/mon-espace/adresse-electronique/confirmer/abc:def/").status_code == 404


def test_it_refuses_a_confirmation_link_older_than_48_hours(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    user = UserFactory(email="ancienne@example.org")
    client.force_login(user)
    _request(client, django_capture_on_commit_callbacks, "nouvelle@example.org")
    path = link_in(mail.outbox[0], "/mon-espace/adresse-electronique/confirmer/")
    real_time = signing.time.time
    monkeypatch.setattr(
        signing.time, "time", lambda: real_time() + dt.timedelta(hours=48, minutes=1).total_seconds()
    )
    response = client.post(path)
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.email == "ancienne@example.org"


@pytest.mark.parametrize(
    ("new_email", "password", "field", "message"),
    [
        ("nouvelle@example.org", "faux", "password", "Mot de passe incorrect."),
        ("moi@example.org", PASSWORD, "new_email", "déjà l'adresse de votre compte"),
    ],
)
def test_it_refuses_a_change_request(
    client, django_capture_on_commit_callbacks, new_email, password, field, message
):
    UserFactory(email="prise@example.org")
    client.force_login(UserFactory(email="moi@example.org"))
    response = _request(client, django_capture_on_commit_callbacks, new_email, password=password)
    assert response.status_code == 200
    assert any(message in e for e in response.context["form"].errors[field])
    assert mail.outbox == []


def test_an_address_of_another_account_gets_the_same_answer_as_a_free_one(
    client, django_capture_on_commit_callbacks
):
    """issue 12: "déjà celle d'un autre compte" told anyone logged in who has an account."""
    UserFactory(email="prise@example.org")
    user = UserFactory(email="moi@example.org")
    client.force_login(user)
    taken = _request(client, django_capture_on_commit_callbacks, "prise@example.org")
    free = _request(client, django_capture_on_commit_callbacks, "libre@example.org")
    assert taken.status_code == free.status_code == 302
    assert taken["Location"] == free["Location"]
    messages = [str(m) for m in client.get(free["Location"]).context["messages"]]
    assert any("prise@example.org" in m for m in messages) and any("libre@example.org" in m for m in messages)
    assert mails_to("prise@example.org") == [] and len(mails_to("libre@example.org")) == 1
    user.refresh_from_db()
    assert user.email == "moi@example.org"


def test_the_change_form_is_rate_limited_per_account(client, django_capture_on_commit_callbacks, settings):
    settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS = 3
    client.force_login(UserFactory(email="moi@example.org"))
    for n in range(3):
        assert (
            _request(
                client, django_capture_on_commit_callbacks, f"essai{n}@example.org", password="faux"
            ).status_code
            == 200
        )
    response = _request(client, django_capture_on_commit_callbacks, "essai9@example.org")
    assert response.status_code == 200
    assert "plusieurs demandes de changement" in str(response.context["form"].non_field_errors())
    assert mails_to("essai9@example.org") == []


def test_it_refuses_two_different_addresses(client, django_capture_on_commit_callbacks):
    client.force_login(UserFactory())
    response = _request(client, django_capture_on_commit_callbacks, "a@example.org", confirm="b@example.org")
    assert response.context["form"].errors["new_email_confirm"]
    assert not User.objects.filter(email="a@example.org").exists()
