"""Dirty data never makes a 500 (issue 12): NUL characters in paths, searches, autocompletes and the
staff's review texts; names that grow when put in capitals. The PostgreSQL cases (NUL is refused by
PostgreSQL only, and only PostgreSQL enforces a column's length) run as integration tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import DossierState, Profile
from tests.candidates.review_fixtures import dossier, world
from tests.factories import ProfileFactory

NUL = "a\x00b"


def _staff_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def _nul_requests(w, d) -> list[tuple[str, str, dict]]:
    piece = d.pieces.first()
    return [
        ("get", "/verifier/a%00b/", {}),
        ("get", "/admin/autocomplete/?app_label=exams&model_name=staffassignment&field_name=user&term=a%00b", {}),
        ("get", "/admin/candidates/dossier/?q=a%00b", {}),
        ("get", "/admin/candidates/user/?q=a%00b", {}),
        ("post", reverse("admin:candidates_dossier_review", args=[d.pk, "request_correction"]),
         {"lock_version": 1, "message": f"Pièce {NUL} manquante"}),
        ("post", reverse("admin:candidates_dossier_review", args=[d.pk, DossierState.NON_COMPLIANT]),
         {"lock_version": 1, "reason": "", "reason_text": f"Hors {NUL} délai"}),
        ("post", reverse("admin:candidates_dossier_piece_review", args=[d.pk, piece.pk, "invalidate"]),
         {"lock_version": 1, "reason": "", "reason_text": f"Photo {NUL} floue"}),
        ("post", reverse("admin:candidates_dossier_review", args=[d.pk, "start_review"]), {"lock_version": "²"}),
    ]  # fmt: skip


def _assert_no_server_error_and_nothing_stored(w, d):
    client = _staff_client(w["manager_nantes"])
    for method, url, data in _nul_requests(w, d):
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
        assert response.status_code < 500, (url, response.status_code)
        if method == "post":
            page = client.get(reverse("admin:candidates_dossier_change", args=[d.pk]))
            messages = [str(m) for m in page.context["messages"]]
            # A NUL is named as such; the garbled lock version is a stale page.
            expected = "caractère invisible" if any("\x00" in str(v) for v in data.values()) else "modifié"
            assert any(expected in m for m in messages), (url, messages)
    d.refresh_from_db()
    assert d.state == DossierState.IN_REVIEW
    assert all("\x00" not in (p.invalidation_reason or "") for p in d.pieces.all())


def _nul_world() -> None:
    w = world()
    d = dossier(w["s_nantes"], w["bat"], state=DossierState.IN_REVIEW)
    d.lock_version = 1
    d.save(update_fields=["lock_version"])
    _assert_no_server_error_and_nothing_stored(w, d)


@pytest.mark.django_db
def test_nul_characters_are_refused_without_a_server_error():
    _nul_world()


@pytest.mark.django_db
def test_a_nul_in_a_path_or_query_is_a_400_in_french(client):
    response = client.get("/verifier/a%00b/")
    assert response.status_code == 400
    assert "caractère nul" in response.content.decode()
    assert client.get("/simulateur/?x=a%00b").status_code == 400


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_nul_characters_are_refused_on_postgresql():
    _nul_world()


def _profile_post(name: str) -> dict:
    return {
        "birth_name": name, "usage_name": "", "first_name_1": "Camille", "first_name_2": "", "first_name_3": "",
        "sex": "F", "birth_date": "14/05/2001", "birth_commune": "Nancy", "birth_country": "FR",
        "nationality": "FR", "address_line1": "12 rue Stanislas", "address_line2": "", "postcode": "54000",
        "city": "Nancy", "country": "FR", "mobile_phone": "06 12 34 56 78", "consent_press": "false",
        "consent_commercial": "false", "consent_local_authorities": "false",
    }  # fmt: skip


def _names_that_grow(client) -> None:
    profile = ProfileFactory(birth_name="DUPONT")
    client.force_login(profile.user)
    limit = Profile._meta.get_field("birth_name").max_length
    response = client.post(reverse("candidates:profile_edit"), _profile_post("ß" * limit))
    assert response.status_code == 200
    # Checked on the value in capitals: 200 characters once "ß" became "SS".
    errors = " ".join(response.context["form"].errors.get("birth_name", []))
    assert f"au plus {limit}" in errors and f"{2 * limit}" in errors, errors
    profile.refresh_from_db()
    assert profile.birth_name == "DUPONT"


@pytest.mark.django_db
def test_a_name_that_grows_in_capitals_is_refused_with_a_message(client):
    _names_that_grow(client)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_name_that_grows_in_capitals_is_refused_on_postgresql(client):
    _names_that_grow(client)


@pytest.mark.django_db
def test_the_wizard_checks_lengths_after_capitals():
    from candidates.registration.forms import IdentityForm

    limit = IdentityForm.base_fields["birth_name"].max_length
    form = IdentityForm(data={"birth_name": "ß" * limit, "first_name_1": "Camille", "sex": "F",
                              "birth_date": dt.date(2001, 5, 14), "birth_commune": "Nancy",
                              "birth_country": "FR", "nationality": "FR"})  # fmt: skip
    assert not form.is_valid()
    assert f"au plus {limit}" in " ".join(form.errors["birth_name"])
