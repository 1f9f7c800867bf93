"""The public home page: each session's registration state, in French."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import AcademieFactory, SessionFactory, open_session

pytestmark = pytest.mark.django_db


def test_it_shows_open_closed_and_not_yet_open_sessions(client):
    now = timezone.now()
    open_session(code="open-one")
    SessionFactory(
        code="future-one",
        year=now.year + 2,
        registration_opens_at=now + dt.timedelta(days=300),
        registration_closes_at=now + dt.timedelta(days=330),
        pieces_deadline=now + dt.timedelta(days=337),
        late_pieces_deadline=None,
    )
    SessionFactory(code="past-one")  # the NM 2025 notice calendar, long closed

    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Inscriptions ouvertes" in html
    assert "Pas encore ouvertes" in html
    assert "Inscriptions closes" in html
    assert "Académie de Nancy-Metz" in html


def test_it_shows_dates_in_the_academie_time_zone(client):
    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    SessionFactory(
        academie=martinique,
        registration_opens_at=martinique.make_aware(dt.datetime(2024, 10, 14, 9, 0)),
        registration_closes_at=martinique.make_aware(dt.datetime(2024, 11, 13, 17, 0)),
    )
    html = client.get("/").content.decode()
    assert "13 novembre 2024 à 17:00" in html
    assert "America/Martinique" in html


def test_it_serves_bootstrap_from_our_own_static_files(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "cdn" not in html.lower()
