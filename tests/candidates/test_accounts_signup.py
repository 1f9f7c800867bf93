"""Sign-up → activation within 48 h → login (issue 3 items 1, 2, 7; AM, NT)."""

import datetime as dt

import pytest
from django.core import mail

from candidates.accounts.services import activation_token_generator
from candidates.models import Profile, User
from tests.candidates.account_helpers import PASSWORD, _clean_cache, link_in, mails_to, signup  # noqa: F401
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_it_creates_an_inactive_account_activated_by_the_emailed_link_then_logs_in(
    client, django_capture_on_commit_callbacks, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    response = signup(client, django_capture_on_commit_callbacks, "Camille.Dupont@Example.org")
    assert response.status_code == 302
    assert response["Location"] == "/creer-un-compte/verifiez-votre-messagerie/"
    user = User.objects.get(email="camille.dupont@example.org")
    assert user.is_active is False
    assert user.email_verified_at is None
    assert Profile.objects.filter(user=user).exists()
    assert user.password.startswith("argon2")

    (message,) = mails_to("camille.dupont@example.org")
    assert "Activez votre compte" in message.subject
    assert "48 heures" in message.body
    path = link_in(message, "/activation/")

    # Opening the link (a mail scanner would) does not activate; the button does.
    assert client.get(path).status_code == 200
    assert User.objects.get(pk=user.pk).is_active is False
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == "/connexion/"
    user.refresh_from_db()
    assert user.is_active is True
    assert user.email_verified_at is not None

    response = client.post("/connexion/", {"username": "CAMILLE.DUPONT@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/mon-espace/"
    assert client.get("/mon-espace/").status_code == 200


def test_it_shows_the_address_on_the_check_your_mailbox_page_with_a_typo_warning(
    client, django_capture_on_commit_callbacks
):
    signup(client, django_capture_on_commit_callbacks, "camille@gmial.com")
    page = client.get("/creer-un-compte/verifiez-votre-messagerie/").content.decode()
    assert "camille@gmial.com" in page
    assert "Vouliez-vous dire <strong>camille@gmail.com</strong>" in page


def test_it_suggests_a_correction_for_a_mistyped_domain(client):
    assert client.get("/creer-un-compte/suggestion/", {"email": "a@hotmial.fr"}).json() == {
        "suggestion": "a@hotmail.fr"
    }
    assert client.get("/creer-un-compte/suggestion/", {"email": "a@hotmail.fr"}).json() == {
        "suggestion": None
    }


def test_it_shows_the_typo_warning_when_the_form_comes_back_with_errors(client):
    response = client.post(
        "/creer-un-compte/",
        {"email": "a@gmial.com", "email_confirm": "a@gmial.com", "password1": "x", "password2": "x"},
    )
    assert response.status_code == 200
    assert "Vouliez-vous dire" in response.content.decode()
    assert "a@gmail.com" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"email_confirm": "autre@example.org"},
            "email_confirm",
            "Les deux adresses ne sont pas identiques.",
        ),
        (
            {"password2": "Autre-mot-de-passe-99"},
            "password2",
            "Les deux mots de passe ne sont pas identiques.",
        ),
        ({"password1": "1234567890123", "password2": "1234567890123"}, "password1", "entièrement numérique"),
        ({"password1": "court", "password2": "court"}, "password1", "trop court"),
        ({"email": "pas-une-adresse", "email_confirm": "pas-une-adresse"}, "email", "valide"),
    ],
)
def test_it_refuses_a_sign_up_with_a_faulty_field(client, data, field, message):
    payload = {
        "email": "camille@example.org",
        "email_confirm": "camille@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **data,
    }
    response = client.post("/creer-un-compte/", payload)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    page = response.content.decode()
    assert f'id="id_{field}_error"' in page and 'aria-invalid="true"' in page
    assert not User.objects.exists()
    assert mail.outbox == []


def test_it_answers_the_same_for_a_known_address_and_mails_its_owner_a_reset_link(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="connu@example.org")
    known = signup(client, django_capture_on_commit_callbacks, "connu@example.org")
    unknown = signup(client, django_capture_on_commit_callbacks, "inconnu@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert User.objects.filter(email="connu@example.org").count() == 1

    (message,) = mails_to("connu@example.org")
    assert "déjà un compte" in message.subject
    assert link_in(message, "/mot-de-passe-oublie/")
    assert User.objects.get(email="connu@example.org").check_password(PASSWORD)  # untouched


def test_it_sends_a_fresh_activation_link_when_an_inactive_address_signs_up_again(
    client, django_capture_on_commit_callbacks
):
    signup(client, django_capture_on_commit_callbacks, "camille@example.org")
    signup(client, django_capture_on_commit_callbacks, "camille@example.org")
    assert User.objects.filter(email="camille@example.org").count() == 1
    assert [m.subject for m in mails_to("camille@example.org")] == [
        "Activez votre compte du portail des examens"
    ] * 2


def test_it_refuses_a_reused_activation_link(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks, "camille@example.org")
    path = link_in(mail.outbox[0], "/activation/")
    assert client.post(path).status_code == 302
    response = client.post(path)
    assert response.status_code == 400
    assert "plus valable" in response.content.decode()
    assert client.get(path).status_code == 400


def test_it_accepts_the_link_at_47_hours_59(client, django_capture_on_commit_callbacks, monkeypatch):
    signup(client, django_capture_on_commit_callbacks, "camille@example.org")
    path = link_in(mail.outbox[0], "/activation/")
    later = activation_token_generator._now() + dt.timedelta(hours=47, minutes=59)
    monkeypatch.setattr(activation_token_generator, "_now", lambda: later)
    assert client.post(path).status_code == 302
    assert User.objects.get(email="camille@example.org").is_active


def test_it_refuses_an_activation_link_48_hours_and_1_minute_old(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    signup(client, django_capture_on_commit_callbacks, "camille@example.org")
    path = link_in(mail.outbox[0], "/activation/")
    later = activation_token_generator._now() + dt.timedelta(hours=48, minutes=1)
    monkeypatch.setattr(activation_token_generator, "_now", lambda: later)
    response = client.post(path)
    assert response.status_code == 400
    assert "48 heures" in response.content.decode()
    assert User.objects.get(email="camille@example.org").is_active is False


def test_it_refuses_a_forged_activation_link(client):
    user = UserFactory(is_active=False)
    assert client.post(f"/activation/{user.pk}/abc-123/").status_code == 400
    assert client.post("/activation/zzz/abc-123/").status_code == 400
    user.refresh_from_db()
    assert user.is_active is False


def test_an_activation_link_is_not_a_password_reset_link(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks, "camille@example.org")
    path = link_in(mail.outbox[0], "/activation/")
    response = client.get(path.replace("/activation/", "/mot-de-passe-oublie/"), follow=True)
    assert response.context["validlink"] is False


def test_it_resends_an_activation_link_only_to_an_account_never_activated(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="actif@example.org")
    UserFactory(email="dormant@example.org", is_active=False)
    answers = []
    for email in ("actif@example.org", "dormant@example.org", "inconnu@example.org"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/activation/nouveau-lien/", {"email": email})
        answers.append((response.status_code, response["Location"]))
    assert len(set(answers)) == 1  # the same answer for all three
    assert [m.to for m in mail.outbox] == [["dormant@example.org"]]
    path = link_in(mail.outbox[0], "/activation/")
    assert client.post(path).status_code == 302
    assert User.objects.get(email="dormant@example.org").is_active


def test_it_redirects_a_logged_in_candidate_away_from_sign_up(client):
    client.force_login(UserFactory())
    assert client.get("/creer-un-compte/")["Location"] == "/mon-espace/"


def test_it_limits_sign_ups_per_address(client, django_capture_on_commit_callbacks, settings):
    settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS = 2
    for _ in range(2):
        assert signup(client, django_capture_on_commit_callbacks, "cible@example.org").status_code == 302
    response = signup(client, django_capture_on_commit_callbacks, "cible@example.org")
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert len(mails_to("cible@example.org")) == 2


def test_it_limits_sign_ups_per_ip(client, django_capture_on_commit_callbacks, settings):
    settings.ACCOUNT_EMAIL_RATE_PER_IP = 3
    for n in range(3):
        response = signup(
            client, django_capture_on_commit_callbacks, f"c{n}@example.org", REMOTE_ADDR="10.1.1.1"
        )
        assert response.status_code == 302
    response = signup(client, django_capture_on_commit_callbacks, "c9@example.org", REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 200
    assert "Trop de demandes" in response.content.decode()
    assert not User.objects.filter(email="c9@example.org").exists()


def test_the_correction_button_fills_both_addresses_without_javascript(client):
    response = client.post(
        "/creer-un-compte/",
        {
            "email": "a@gmial.com",
            "email_confirm": "a@gmial.com",
            "password1": "x",
            "use_suggestion": "a@gmail.com",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('value="a@gmail.com"') == 2
    assert not User.objects.exists()


def test_the_emails_are_plain_text_without_html_entities(client, django_capture_on_commit_callbacks):
    signup(client, django_capture_on_commit_callbacks, "o'brien@example.org")
    (message,) = mail.outbox
    assert "l'activer" in message.body
    assert "o'brien@example.org" in message.body
    assert "&#x27;" not in message.body


def test_the_html_email_has_a_clickable_activation_link(client, django_capture_on_commit_callbacks, settings):
    signup(client, django_capture_on_commit_callbacks, "camille@example.org")
    (message,) = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    path = link_in(message, "/activation/")
    assert f'<a href="{settings.SITE_URL}{path}"' in html
