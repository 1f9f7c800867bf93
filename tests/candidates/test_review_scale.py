"""What keeps the admin fast at 100,000 dossiers (issue 15): piece counters on the dossier, the
search's exact number path and indexed subqueries, filter choices from the catalogue."""

import pytest
from django.urls import reverse

from candidates.models import Dossier, DossierState
from candidates.permissions import catalogue_in_scope
from candidates.review import services as review
from candidates.review.selectors import dossier_search
from exams.models import Session, Specialty
from tests.candidates.review_fixtures import dossier, world
from tests.factories import PieceFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:candidates_dossier_changelist"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def w():
    return world()


def _counts(d):
    d = Dossier.objects.get(pk=d.pk)
    return d.pieces_total, d.pieces_accepted


def test_the_piece_counters_follow_every_write_of_a_piece(w):
    d = dossier(w["s_nantes"], w["bat"], state=DossierState.IN_REVIEW, pieces=("deposited", "deposited"))
    assert _counts(d) == (2, 0)
    review.piece_accept(dossier=d, piece=d.pieces.first(), actor=w["gest_bat"], lock_version=0)
    assert _counts(d) == (2, 1)
    PieceFactory(dossier=d, code="recap_signed", state="accepted")
    assert _counts(d) == (3, 2)
    d.pieces.get(code="recap_signed").delete()
    assert _counts(d) == (2, 1)


def test_the_admin_list_reads_the_counters(client, w):
    d = dossier(w["s_nantes"], w["bat"], pieces=("accepted", "deposited"))
    client.force_login(w["manager_nantes"])
    page = client.get(reverse(CHANGELIST), {"o": "6"}).content.decode()
    assert f"{d.number}" in page and "1/2" in page


def test_search_by_number_is_exact_and_by_name_or_email_matches_a_part(w):
    a = dossier(w["s_nantes"], w["bat"], birth_name="DUPONT", first_name_1="Ysaline")
    b = dossier(
        w["s_nantes"], w["bat"], birth_name="MARTIN", candidate=UserFactory(email="lea.dupontel@example.org")
    )
    c = dossier(w["s_nantes"], w["bat"], birth_name="DURAND", usage_name="LEROY")
    everything = Dossier.objects.all()
    assert list(dossier_search(everything, a.number)) == [a]
    assert list(dossier_search(everything, a.number.lower())) == [a]
    assert set(dossier_search(everything, "dupont")) == {a, b}  # a name, or a part of an e-mail
    assert list(dossier_search(everything, "leroy")) == [c]
    assert list(dossier_search(everything, "ysaline dupont")) == [a]  # every word must match
    assert list(dossier_search(everything, "BTS-999999")) == []


def test_filter_choices_come_from_the_catalogue_of_the_scope(client, w):
    empty = SessionFactory(academie=w["nantes"], year=2031)  # no dossier yet: still offered
    assert empty in catalogue_in_scope(w["manager_nantes"], Session)
    assert w["s_toulouse"] not in catalogue_in_scope(w["manager_nantes"], Session)
    assert set(catalogue_in_scope(w["gest_bat"], Specialty)) == {w["bat"]}
    assert set(catalogue_in_scope(w["manager_nantes"], Specialty)) == set(Specialty.objects.all())
    assert set(catalogue_in_scope(w["superuser"], Session)) == set(Session.objects.all())
    assert not catalogue_in_scope(UserFactory(), Session).exists()
    client.force_login(w["manager_nantes"])
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert f"session__id__exact={empty.pk}" in page
    assert f"session__id__exact={w['s_toulouse'].pk}" not in page


def test_the_list_stops_counting_at_its_cap_and_says_so(
    client, w, monkeypatch, django_assert_max_num_queries
):
    """Issue 15: the filtered list's COUNT(*) scanned every dossier on every page; it stops at the
    cap (a LIMIT inside the count) and the page reads "plus de …" instead of a number."""
    from portal.admin_paging import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "count_cap", 3)
    for _ in range(5):
        dossier(w["s_nantes"], w["bat"])
    client.force_login(w["manager_nantes"])
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "plus de 3 dossiers" in page and "5 dossiers" not in page
    assert "Sélectionner tous les dossiers de la liste filtrée (plus de 3)" in page
    # Under the cap the exact count, as before.
    page = client.get(reverse(CHANGELIST), {"q": "BTS-999999"}).content.decode()
    assert "0 dossiers" in page and "plus de 3 dossiers" not in page
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(reverse(CHANGELIST))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert counts and all("LIMIT 4" in sql for sql in counts)


def test_the_rows_checkbox_is_djangos_markup_without_a_widget(w):
    from django.contrib.admin import ModelAdmin, site
    from django.test.html import parse_html

    d = dossier(w["s_nantes"], w["bat"])
    ours = site._registry[Dossier].action_checkbox(d)
    assert parse_html(ours) == parse_html(ModelAdmin.action_checkbox(site._registry[Dossier], d))
