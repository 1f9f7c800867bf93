"""The catalogue reads of the candidate pages come from the cache (issue 15) and a change of the
catalogue shows at the next read: a row saved, and a many-to-many relation changed (which saves no
row: a session's languages, an opening's options, a piece rule's specialties)."""

from __future__ import annotations

import pytest

from exams import catalogue, catalogue_cache
from tests.factories import EpreuveFactory, LanguageFactory, bts_catalogue, open_session

pytestmark = pytest.mark.django_db


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
    from django.core.cache import cache

    session = open_session()
    cat = bts_catalogue()
    catalogue.opening_for(session, cat["specialty"].pk)
    calls = []
    for method in ("get", "get_many"):
        original = getattr(cache, method)
        monkeypatch.setattr(
            cache, method, lambda *a, _o=original, _m=method, **k: calls.append(_m) or _o(*a, **k)
        )
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
