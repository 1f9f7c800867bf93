"""Concurrency of "Enregistrer" on the real PostgreSQL: two registrations at once get two
numbers; a double click makes one dossier and one number (domain.md §7)."""

import threading

import pytest
from django.db import connection

from candidates.models import Dossier, DossierNumberCounter
from candidates.registration import services
from portal.celery import app as celery_app
from tests.candidates.test_services import fill
from tests.factories import LanguageFactory, bts_catalogue, candidate_with_profile, open_session

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    # The e-mail task runs in the thread that commits: no worker needed to count numbers.
    celery_app.conf.task_always_eager = True
    session = open_session()
    cat = bts_catalogue()
    en = LanguageFactory(code="en", name="Anglais")
    return {"session": session, "en": en, **cat}


def _run_together(*calls):
    """Start every call at the same instant, each on its own thread and database connection."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # reported to the test, not lost in the thread
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _ready_dossier(world, email):
    user = candidate_with_profile(user__email=email)
    dossier = services.dossier_start(candidate=user, session=world["session"])
    fill(dossier, {**world, "user": user})
    return dossier, user


def test_two_concurrent_registrations_get_distinct_numbers(world):
    assert connection.vendor == "postgresql"
    a, ua = _ready_dossier(world, "a@example.org")
    b, ub = _ready_dossier(world, "b@example.org")
    # The counter row exists already (the usual case): creating it would queue the two
    # transactions on the unique index and hide a read-then-write race.
    DossierNumberCounter.objects.create(session=world["session"], last_number=41)
    results = _run_together(
        lambda: services.dossier_register(dossier_id=a.pk, acting_user=ua, certified=True).number,
        lambda: services.dossier_register(dossier_id=b.pk, acting_user=ub, certified=True).number,
    )
    assert all(isinstance(r, str) for r in results), results
    year = world["session"].year
    assert sorted(results) == [f"{year}-NANCY-METZ-000042", f"{year}-NANCY-METZ-000043"]
    assert DossierNumberCounter.objects.get(session=world["session"]).last_number == 43


def test_a_double_click_on_enregistrer_gives_one_number(world):
    dossier, user = _ready_dossier(world, "c@example.org")
    results = _run_together(
        *[lambda: services.dossier_register(dossier_id=dossier.pk, acting_user=user, certified=True).number]
        * 2
    )
    assert results[0] == results[1] and isinstance(results[0], str), results
    assert DossierNumberCounter.objects.get(session=world["session"]).last_number == 1


def test_a_double_click_on_start_makes_one_dossier(world):
    user = candidate_with_profile(user__email="d@example.org")
    results = _run_together(
        *[lambda: services.dossier_start(candidate=user, session=world["session"]).pk] * 2
    )
    assert results[0] == results[1] and isinstance(results[0], int), results
    assert Dossier.objects.filter(candidate=user).count() == 1
