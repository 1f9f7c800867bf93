"""Accounts under attack (issue 12): lockout across addresses, passwords that are guessed first,
and a password reset whose answer takes the same time for every address."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import tasks
from tests.candidates.account_helpers import PASSWORD, _clean_cache, mails_to  # noqa: F401
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_guesses_from_many_addresses_lock_the_account(client):
    UserFactory(email="camille@example.org")
    for n in range(5):
        client.post(
            "/connexion/",
            {"username": "camille@example.org", "password": f"faux{n}"},
            REMOTE_ADDR=f"10.0.0.{n}",
        )
    response = client.post(
        "/connexion/", {"username": "camille@example.org", "password": PASSWORD}, REMOTE_ADDR="10.0.0.99"
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_one_address_guessing_many_accounts_is_locked(client):
    UserFactory(email="victime@example.org")
    for n in range(5):
        client.post(
            "/connexion/", {"username": f"compte{n}@example.org", "password": "faux"}, REMOTE_ADDR="10.9.9.9"
        )
    response = client.post(
        "/connexion/", {"username": "victime@example.org", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429


def _change_password(client, new: str):
    return client.post(
        "/mon-espace/mot-de-passe/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )


@pytest.mark.parametrize(
    "password",
    ["Azerty1234", "azertyuiop2026!", "Motdepasse-01", "Soleil2026!!", "2026Marseille", "Password123"],
)
def test_common_words_wrapped_in_digits_are_refused(client, password):
    client.force_login(ProfileFactory().user)
    response = _change_password(client, password)
    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]


@pytest.mark.parametrize(
    "password", ["Camille-Lapin-Bleu", "MonNomEstDupont!", "vacances-2001-ete", "xx140501xx-lapin"]
)
def test_passwords_holding_the_candidates_names_or_birth_date_are_refused(client, password):
    profile = ProfileFactory(birth_name="DUPONT", first_name_1="Camille", birth_date=dt.date(2001, 5, 14))
    client.force_login(profile.user)
    response = _change_password(client, password)
    assert response.status_code == 200, password
    errors = " ".join(response.context["form"].errors["new_password2"])
    assert "nom" in errors or "naissance" in errors


def test_a_long_unrelated_passphrase_is_accepted(client):
    profile = ProfileFactory(birth_name="DUPONT", first_name_1="Camille", birth_date=dt.date(2001, 5, 14))
    client.force_login(profile.user)
    assert _change_password(client, "Girafe-Orage-Piano-47")["Location"] == "/mon-espace/profil/"


def test_the_demo_password_is_still_accepted():
    from django.contrib.auth.password_validation import validate_password

    validate_password("demo-Examens-2026", ProfileFactory().user)


def test_the_sign_up_form_refuses_azerty1234(client):
    response = client.post(
        "/creer-un-compte/",
        {
            "email": "n@example.org",
            "email_confirm": "n@example.org",
            "password1": "Azerty1234",
            "password2": "Azerty1234",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors


def test_a_reset_request_does_the_same_work_for_a_known_and_an_unknown_address(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    """The lookup and the e-mail run in the worker: the request itself counts and enqueues,
    the same queries and the same task for every address."""
    UserFactory(email="connue@example.org")
    enqueued = []
    monkeypatch.setattr(
        tasks.send_password_reset, "apply_async", lambda args, **options: enqueued.append(*args)
    )
    answers, queries = [], []
    for email in ["connue@example.org", "inconnue@example.org"]:
        with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True):
            answers.append(client.post("/mot-de-passe-oublie/", {"email": email}))
        queries.append(len(ctx.captured_queries))
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0]["Location"] == answers[1]["Location"]
    assert queries[0] == queries[1]
    assert enqueued == ["connue@example.org", "inconnue@example.org"]


def test_with_the_broker_down_the_reset_email_is_written_at_once_rather_than_lost(
    client, monkeypatch, django_capture_on_commit_callbacks
):
    UserFactory(email="connue@example.org")

    def broker_down(*args, **options):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.send_password_reset, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/mot-de-passe-oublie/", {"email": "connue@example.org"})
    assert answer.status_code == 302
    assert len(mails_to("connue@example.org")) == 1


def test_the_worker_sends_the_reset_email_only_to_a_known_address(client, django_capture_on_commit_callbacks):
    UserFactory(email="connue@example.org")
    for email in ["connue@example.org", "inconnue@example.org"]:
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/mot-de-passe-oublie/", {"email": email})
    assert len(mails_to("connue@example.org")) == 1
    assert mails_to("inconnue@example.org") == []
