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


def test_the_calendar_is_read_from_the_cache_until_the_catalogue_changes(client, django_assert_num_queries):
    session = open_session(code="cached-one")
    client.get("/")  # fills the cache
    with django_assert_num_queries(0):
        html = client.get("/").content.decode()
    assert "Inscriptions ouvertes" in html

    # A save through the model (the admin, the catalogue services) changes the catalogue's version.
    session.academie.name = "Nancy-Metz renommée"
    session.academie.save()
    assert "Académie de Nancy-Metz renommée" in client.get("/").content.decode()
    session.is_published = False
    session.save()
    assert "cached-one" not in client.get("/").content.decode()


def test_the_open_state_is_computed_at_each_request_not_cached(client, monkeypatch):
    session = open_session(code="closing-one")
    assert "Inscriptions ouvertes" in client.get("/").content.decode()
    later = session.registration_closes_at + dt.timedelta(minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    html = client.get("/").content.decode()
    assert "Inscriptions closes" in html and "Inscriptions ouvertes" not in html


@pytest.mark.parametrize("academies", [1, 6])
def test_the_home_page_costs_the_same_queries_for_few_or_many_sessions(
    client, django_assert_num_queries, academies
):
    for i in range(academies):
        academie = AcademieFactory(code=f"a{i}", name=f"Académie {i}")
        SessionFactory(academie=academie, code=f"s{i}-a")
        SessionFactory(academie=academie, code=f"s{i}-b", year=2026)
    with django_assert_num_queries(3):  # sessions, académies, their départements: once
        client.get("/")


def test_the_home_page_and_catalogue_saves_work_with_the_cache_away(client, monkeypatch):
    """Redis away (issue 17): the calendar comes from the database and a save still saves."""
    from exams import catalogue_cache

    def away(*args, **kwargs):
        raise ConnectionError("Redis away")

    for name in ("get", "add", "set", "incr"):
        monkeypatch.setattr(catalogue_cache.cache, name, away)
    session = open_session(code="without-cache")
    session.academie.name = "Nancy-Metz sans cache"
    session.academie.save()
    html = client.get("/").content.decode()
    assert "Académie de Nancy-Metz sans cache" in html and "Inscriptions ouvertes" in html
