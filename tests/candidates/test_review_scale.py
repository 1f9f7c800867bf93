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


def _names_copied() -> bool:
    return all(
        d.specialty_name == (d.specialty.name if d.specialty_id else None)
        for d in Dossier.objects.select_related("specialty")
    )


def test_the_dossier_keeps_its_specialtys_name_through_every_write(w):
    """Migration 0015's triggers: the copy the ordering reads follows the dossier's specialty and a
    renamed specialty, whoever writes them (a save, a stale instance, a queryset update)."""
    from tests.factories import DossierFactory

    d = dossier(w["s_nantes"], w["bat"])
    draft = DossierFactory(session=w["s_nantes"], specialty=None, state=DossierState.DRAFT)
    assert _names_copied() and Dossier.objects.get(pk=draft.pk).specialty_name is None
    d.specialty = w["ms"]
    d.save()
    assert _names_copied()
    stale = Dossier.objects.get(pk=d.pk)
    Dossier.objects.filter(pk=d.pk).update(specialty=w["bat"])
    stale.save()  # writes the old specialty back: the copy follows it
    assert _names_copied()
    w["bat"].name = "Bâtiment (intitulé 2027)"
    w["bat"].save()
    Specialty.objects.filter(pk=w["ms"].pk).update(name="Maintenance des systèmes")
    assert _names_copied()
    Dossier.objects.filter(pk=draft.pk).update(specialty=w["ms"])
    assert _names_copied()


def test_the_list_by_specialty_keeps_the_order_of_the_specialtys_name(client, w):
    for specialty in (w["ms"], w["bat"], w["ms"], None, w["bat"]):
        if specialty is None:
            from tests.factories import DossierFactory

            DossierFactory(
                session=w["s_nantes"], specialty=None, state=DossierState.REGISTERED, number="BTS-X-000999"
            )
        else:
            dossier(w["s_nantes"], specialty)
    for o, ordering in (("3", ["specialty__name", "-pk"]), ("-3", ["-specialty__name", "-pk"])):
        expected = [str(d) for d in Dossier.objects.order_by(*ordering)]
        client.force_login(w["superuser"])
        page = client.get(reverse(CHANGELIST), {"o": o}).content.decode()
        shown = sorted(expected, key=page.index)
        assert shown == expected


def test_the_migration_copies_the_names_of_the_dossiers_already_there(w):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("candidates.migrations.0015_dossier_specialty_name")
    dossier(w["s_nantes"], w["bat"])
    dossier(w["s_nantes"], w["ms"])
    editor = _Editor()
    migration.drop_triggers(apps, editor)  # as before the migration (rolled back with the test)
    Dossier.objects.update(specialty_name=None)
    assert not _names_copied()
    migration.create_triggers(apps, editor)
    migration.fill_names(apps, editor)
    assert _names_copied()


class _Editor:
    """What the migration's functions use of a schema editor (Django's refuses to start inside
    the test's transaction on SQLite)."""

    def __init__(self):
        from django.db import connection

        self.connection = connection

    def execute(self, sql):
        with self.connection.cursor() as cursor:
            cursor.execute(sql)


def test_a_word_of_the_search_matches_within_one_name_never_across_two(w):
    a = dossier(w["s_nantes"], w["bat"], birth_name="DUPONT", usage_name="", first_name_1="Camille")
    b = dossier(w["s_nantes"], w["bat"], birth_name="MARTIN", usage_name="LE GALL", first_name_1="Inès")
    everything = Dossier.objects.all()
    assert list(dossier_search(everything, "pont")) == [a]
    assert list(dossier_search(everything, "gall")) == [b]  # the usage name
    assert list(dossier_search(everything, "inès")) == [b]  # the first name
    assert list(dossier_search(everything, "dupontcamille")) == []
    assert list(dossier_search(everything, "ntcam")) == []  # not across the names' boundary
    assert list(dossier_search(everything, "martinle")) == []


def test_the_search_by_name_can_read_its_trigram_index(w):
    """The query's expression is the index's (migration 0016): with sequential scans off,
    PostgreSQL answers through it (a mismatch would silently scan the table again)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("trigram indexes are PostgreSQL's")
    dossier(w["s_nantes"], w["bat"], birth_name="DUPONT")
    names = Dossier.objects.filter(pk__in=dossier_search(Dossier.objects.all(), "dupont").values("pk"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = names.explain()
    assert "candidates_dossier_names_trgm" in plan


@pytest.mark.parametrize("column", ["birth_name", "specialty_name", "category", "state", "pieces_accepted"])
def test_the_lists_orderings_are_read_from_an_index_with_their_tie_break(w, column):
    """The admin orders by the column, then newest first (-pk): an index on both gives the page
    without sorting (migrations 0015, 0017); one on the column alone sorted a whole category's
    20,000 rows by the primary key for every page."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's plans")
    dossier(w["s_nantes"], w["bat"])
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Dossier.objects.order_by(column, "-pk")[:50].explain()
        by_state = Dossier.objects.filter(state=DossierState.SUBMITTED).order_by("-pk")[:50].explain()
    assert "Sort" not in plan, plan
    assert "Sort" not in by_state and "dossier_state_id_idx" in by_state, by_state


def test_the_scope_filters_the_dossiers_own_columns_without_joining_its_session(w):
    """issue 15: the scope through session__academie joined every dossier to its session, which
    kept PostgreSQL from reading a deep page's keys in index order (OFFSET 9,950: 108 ms → 12 ms)."""
    from candidates.permissions import dossiers_visible_to

    for who in ("gest_bat", "manager_nantes"):
        outer = str(dossiers_visible_to(w[who]).query).split(" WHERE ", 1)[0]
        assert outer.endswith('FROM "candidates_dossier"'), (who, outer[-200:])


def test_a_deep_page_shows_the_rows_and_order_of_the_plain_slice(client, w, monkeypatch):
    """A page past ``narrow_from`` rows reads its keys first (portal.admin_paging): the same
    dossiers in the same order as the OFFSET of the whole list, for every ordering and a filter,
    and still one query for the rows."""
    from portal.admin_paging import CappedCountPaginator

    for i, specialty in enumerate([w["bat"], w["ms"]] * 6):
        dossier(
            w["s_nantes"],
            specialty,
            birth_name=f"NOM{i % 4}",
            category=["distance_school", "work_experience"][i % 2],
        )
    client.force_login(w["manager_nantes"])

    def order(params):
        page = client.get(reverse(CHANGELIST), {**params, "p": "2"}).content.decode()
        numbers = [d.number for d in Dossier.objects.all() if d.number and d.number in page]
        return sorted(numbers, key=page.index)

    monkeypatch.setattr("candidates.admin.DossierAdmin.list_per_page", 4)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for params in (
        {},
        {"o": "2"},
        {"o": "3"},
        {"o": "-4"},
        {"o": "6.-2"},
        {"category__exact": "work_experience"},
        {"q": "NOM"},
        {"q": "nom", "o": "-3"},
    ):
        monkeypatch.setattr(CappedCountPaginator, "narrow_from", 10**9)
        with CaptureQueriesContext(connection) as plain_queries:
            plain = order(params)
        monkeypatch.setattr(CappedCountPaginator, "narrow_from", 1)
        with CaptureQueriesContext(connection) as narrow_queries:
            assert plain and order(params) == plain, params
        assert len(narrow_queries) == len(plain_queries)
        if "q" in params:
            # The rows' query does not repeat the search the keys already answered.
            rows_sql = next(
                q["sql"]
                for q in narrow_queries
                if '"candidates_dossier"."birth_name"' in q["sql"]
                and '"candidates_dossier"."id" IN (SELECT' in q["sql"]
            )
            assert rows_sql.upper().count("LIKE") == 2, rows_sql  # names and e-mail, once


def test_the_rows_of_a_page_keep_the_conditions_of_a_join_that_multiplies_rows():
    """portal.admin_paging drops the list's conditions from the rows' query only when every join is
    many-to-one; through a reverse relation (a condition on one of several related rows) they stay."""
    from django.db.models import Subquery

    from exams.models import Session
    from portal.admin_paging import _rows_of

    plain = Dossier.objects.select_related("session").filter(state="draft")
    keys = Subquery(plain.values("pk")[:5])
    assert "draft" not in str(_rows_of(plain, keys).query).split("IN (SELECT", 1)[0]
    reverse = Session.objects.filter(dossiers__state="draft")
    kept = str(_rows_of(reverse, Subquery(reverse.values("pk")[:5])).query)
    assert kept.count("draft") == 2, kept


def test_the_portals_database_runs_without_jit():
    """Migration 0018: JIT compilation cost 0.1–1 s per admin list query whose estimate passed
    jit_above_cost; the database's connections start with it off."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's JIT")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
            "WHERE d.datname = current_database() AND s.setrole = 0"
        )
        settings = [item for row in cursor.fetchall() for item in row[0]]
    assert "jit=off" in settings
