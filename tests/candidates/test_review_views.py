"""candidates.review.views: the small views behind the review page's buttons."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from candidates.models import Dossier, DossierState
from tests.candidates.review_fixtures import dossier, world
from tests.factories import PieceFileFactory, UserFactory

pytestmark = pytest.mark.django_db
S = DossierState


@pytest.fixture
def w():
    w = world()
    w["bat_nantes"] = dossier(w["s_nantes"], w["bat"], birth_name="BATNANTES")
    return w


def _cache_control(response) -> set[str]:
    # The admin's never_cache adds its own directives to ours.
    return {part.strip() for part in response["Cache-Control"].split(",")}


def _review(d, action):
    return reverse("admin:candidates_dossier_review", args=[d.pk, action])


def test_it_rejects_get(client, w):
    client.force_login(w["gest_bat"])
    assert client.get(_review(w["bat_nantes"], "start_review")).status_code == 405
    piece = w["bat_nantes"].pieces.get()
    url = reverse("admin:candidates_dossier_piece_review", args=[w["bat_nantes"].pk, piece.pk, "accept"])
    assert client.get(url).status_code == 405


def test_an_unknown_action_is_not_found(client, w):
    client.force_login(w["gest_bat"])
    assert client.post(_review(w["bat_nantes"], "delete"), {"lock_version": 0}).status_code == 404
    piece = w["bat_nantes"].pieces.get()
    url = reverse("admin:candidates_dossier_piece_review", args=[w["bat_nantes"].pk, piece.pk, "erase"])
    assert client.post(url, {"lock_version": 0}).status_code == 404


def test_staff_who_may_only_look_cannot_act(client, w):
    viewer = UserFactory(email="lecteur@ac-nantes.fr", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_dossier"))
    client.force_login(viewer)
    assert client.post(_review(w["bat_nantes"], "start_review"), {"lock_version": 0}).status_code == 403
    assert Dossier.objects.get(pk=w["bat_nantes"].pk).state == S.SUBMITTED


@pytest.mark.parametrize("version", [None, "", "abc", "-1"])
def test_a_missing_or_garbled_lock_version_is_a_stale_page(client, w, version):
    client.force_login(w["gest_bat"])
    data = {} if version is None else {"lock_version": version}
    page = client.post(_review(w["bat_nantes"], "start_review"), data, follow=True).content.decode()
    assert "modifié par quelqu&#x27;un d&#x27;autre" in page
    assert Dossier.objects.get(pk=w["bat_nantes"].pk).state == S.SUBMITTED


def test_each_action_says_what_it_did(client, w):
    d = w["bat_nantes"]
    client.force_login(w["gest_bat"])
    page = client.post(_review(d, "start_review"), {"lock_version": 0}, follow=True).content.decode()
    assert "Examen du dossier commencé." in page
    piece = d.pieces.get()
    url = reverse("admin:candidates_dossier_piece_review", args=[d.pk, piece.pk, "accept"])
    response = client.post(url, {"lock_version": 1})
    assert response["Location"].endswith(f"#piece-{piece.pk}")
    page = client.post(_review(d, "compliant"), {"lock_version": 2}, follow=True).content.decode()
    assert "Décision enregistrée" in page
    assert Dossier.objects.get(pk=d.pk).state == S.COMPLIANT


def test_a_refused_decision_is_a_message_not_an_error_page(client, w):
    d = w["bat_nantes"]
    client.force_login(w["gest_bat"])
    client.post(_review(d, "start_review"), {"lock_version": 0})
    page = client.post(_review(d, "non_compliant"), {"lock_version": 1, "reason": " "}, follow=True)
    assert page.status_code == 200
    assert "doit être motivé" in page.content.decode()


def test_the_admin_serves_files_privately(client, w):
    stored = PieceFileFactory(piece=w["bat_nantes"].pieces.get(), content_type="application/pdf")
    client.force_login(w["gest_bat"])
    response = client.get(reverse("admin:candidates_dossier_piece_file", args=[stored.uuid]))
    assert response.status_code == 200
    assert {"private", "no-store"} <= _cache_control(response)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("inline")


def test_an_unknown_export_format_is_not_found(client, w):
    client.force_login(w["manager_nantes"])
    assert client.get(reverse("admin:candidates_dossier_export", args=["pdf"])).status_code == 404
    response = client.get(reverse("admin:candidates_dossier_export", args=["csv"]))
    assert {"private", "no-store"} <= _cache_control(response)
    assert response["Content-Disposition"].startswith("attachment")
