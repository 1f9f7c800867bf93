"""The catalogue reads of the candidate pages come from the cache (issue 15) and a change of the
catalogue shows at the next read: a row saved, and a many-to-many relation changed (which saves no
row: a session's languages, an opening's options, a piece rule's specialties)."""

from __future__ import annotations

import pytest

from exams import catalogue, catalogue_cache
from tests.factories import EpreuveFactory, LanguageFactory, bts_catalogue, open_session

pytestmark = pytest.mark.django_db


def _spy(monkeypatch) -> list[str]:
    """The cache's methods the code calls (not those a method calls itself: the local memory
    cache's get_many is a get per key, Redis's one MGET)."""
    from django.core.cache import cache

    calls: list[str] = []
    depth = [0]

    def spying(method, original):
        def spy(*args, **kwargs):
            if not depth[0]:
                calls.append(method)
            depth[0] += 1
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1

        return spy

    for method in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(cache, method, spying(method, getattr(cache, method)))
    return calls


def test_a_cached_read_asks_the_database_once(django_assert_num_queries):
    session = open_session()
    cat = bts_catalogue()
    catalogue.opening_for(session, cat["specialty"].pk)
    with django_assert_num_queries(0):
        opening = catalogue.opening_for(session, cat["specialty"].pk)
    assert opening.specialty == cat["specialty"]


def test_a_saved_epreuve_shows_in_the_next_read():
    from candidates.models import Dossier
    from candidates.registration.selectors import wizard_epreuves
    from tests.factories import candidate_with_profile

    session = open_session()
    cat = bts_catalogue()
    dossier = Dossier.objects.create(
        candidate=candidate_with_profile(), session=session, specialty=cat["specialty"]
    )
    before = {e.code for e in wizard_epreuves(dossier)}
    EpreuveFactory(specialty=cat["specialty"], code="E9", unit_code="U9", order=9)
    assert {e.code for e in wizard_epreuves(dossier)} == before | {"E9"}


@pytest.mark.parametrize("relation", ["optional_languages", "opening options", "piece rule specialties"])
def test_a_many_to_many_change_bumps_the_version(relation):
    session = open_session()
    cat = bts_catalogue()
    version = catalogue_cache.version()
    if relation == "optional_languages":
        session.optional_languages.add(LanguageFactory(code="it", name="Italien"))
    elif relation == "opening options":
        catalogue.opening_for(session, cat["specialty"].pk).options.clear()
    else:
        from documents.models import PieceRule

        rule = PieceRule.objects.filter(session=session).first() or PieceRule.objects.create(
            session=session, code="identity", reason="Toujours."
        )
        version = catalogue_cache.version()
        rule.specialties.add(cat["specialty"])
    assert catalogue_cache.version() != version


def test_a_cached_read_is_one_round_trip_to_the_cache(monkeypatch):
    """issue 15: the version and the value are read together (one MGET), not one after the other."""

    session = open_session()
    cat = bts_catalogue()
    catalogue.opening_for(session, cat["specialty"].pk)
    calls = _spy(monkeypatch)
    assert catalogue.opening_for(session, cat["specialty"].pk).specialty == cat["specialty"]
    assert calls == ["get_many"]


def test_a_value_of_an_earlier_version_is_built_again(django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    session = open_session()
    cat = bts_catalogue()
    catalogue.opening_for(session, cat["specialty"].pk)
    catalogue_cache.bump()
    with CaptureQueriesContext(connection) as queries:
        catalogue.opening_for(session, cat["specialty"].pk)
    assert len(queries) > 0  # built again under the new version
    with django_assert_num_queries(0):
        catalogue.opening_for(session, cat["specialty"].pk)


def test_redis_away_builds_the_value_from_the_database(monkeypatch):
    from django.core.cache import cache

    session = open_session()
    cat = bts_catalogue()
    monkeypatch.setattr(cache, "get_many", lambda *a, **k: (_ for _ in ()).throw(ConnectionError()))
    assert catalogue.opening_for(session, cat["specialty"].pk).specialty == cat["specialty"]


# --- one version per request, read-only values kept in the process (issue 15) -------------------


@pytest.fixture
def in_a_request():
    """What the request_started and request_finished receivers do around a request (the signals
    themselves also close the database connection: the client's tests below go through them)."""
    catalogue_cache.request_started()
    yield catalogue_cache.request_started
    catalogue_cache.request_finished()


def test_a_request_reads_the_version_once_and_then_the_process_copies(
    in_a_request, monkeypatch, django_assert_num_queries
):
    session = open_session()
    cat = bts_catalogue()
    specialty = cat["specialty"].pk
    catalogue.opening_for(session, specialty)  # the request's first read: the version with it
    catalogue.specialty_option_ids(specialty)
    calls = _spy(monkeypatch)
    with django_assert_num_queries(0):
        for _ in range(3):
            opening = catalogue.opening_for(session, specialty)
            catalogue.specialty_option_ids(specialty)
    assert calls == []
    assert opening.specialty == cat["specialty"]
    # The next request asks the cache for the version again, and only the version: the value is
    # the process's copy.
    in_a_request()
    assert catalogue.opening_for(session, specialty) is opening
    assert catalogue.specialty_option_ids(specialty) == frozenset()
    assert calls == ["get"]


def test_a_change_on_another_node_shows_at_the_next_request_not_within_one(in_a_request):
    from django.core.cache import cache

    from exams.models import SessionSpecialty

    session = open_session()
    cat = bts_catalogue()
    specialty = cat["specialty"].pk
    before = catalogue.opening_for(session, specialty).gestionnaire_name
    # Another node saves the opening: its row changes and the shared version moves on.
    SessionSpecialty.objects.filter(session=session, specialty=specialty).update(
        gestionnaire_name="Mme Autre"
    )
    cache.incr(catalogue_cache.VERSION_KEY)
    assert catalogue.opening_for(session, specialty).gestionnaire_name == before  # one snapshot
    in_a_request()
    assert catalogue.opening_for(session, specialty).gestionnaire_name == "Mme Autre"


def test_a_save_in_this_request_shows_at_its_next_read(in_a_request):
    session = open_session()
    cat = bts_catalogue()
    specialty = cat["specialty"].pk
    opening = catalogue.opening_for(session, specialty)
    from exams.models import SessionSpecialty

    row = SessionSpecialty.objects.get(pk=opening.pk)
    row.gestionnaire_name = "M. Nouveau"
    row.save()  # bumps the version: the request forgets the one it read
    assert catalogue.opening_for(session, specialty).gestionnaire_name == "M. Nouveau"


def test_outside_a_request_every_read_asks_the_cache(monkeypatch):
    session = open_session()
    cat = bts_catalogue()
    catalogue.opening_for(session, cat["specialty"].pk)
    calls = _spy(monkeypatch)
    catalogue.opening_for(session, cat["specialty"].pk)
    catalogue.opening_for(session, cat["specialty"].pk)
    assert calls == ["get_many", "get_many"]


def test_a_wizard_save_asks_the_cache_once(client, monkeypatch):
    from django.urls import reverse

    from candidates.models import Dossier
    from tests.factories import candidate_with_profile

    session = open_session()
    cat = bts_catalogue()
    user = candidate_with_profile()
    dossier = Dossier.objects.create(
        candidate=user, session=session, specialty=cat["specialty"], completed_tabs=["session"]
    )
    client.force_login(user)
    url = reverse("registration:tab", args=[dossier.pk, "situation"])
    data = {"category": "distance_school", "access_diploma": "Baccalauréat STI2D 2022"}
    assert client.post(url, data).status_code == 302  # the cache filled
    calls = _spy(monkeypatch)
    assert client.post(url, data).status_code == 302
    # The save's checks read the département, the opening, the épreuves, the options... (six
    # round trips, each unpickling rows, before): now the catalogue's version once, the values
    # from this process.
    assert calls == ["get"]
