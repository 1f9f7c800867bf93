"""Duplicate identities (issue 14): flagged on both dossiers and in a filter, never blocked."""

import datetime as dt

import pytest
from django.urls import reverse

from candidates.duplicates import identity_key
from candidates.models import Dossier, DossierState
from candidates.review.selectors import duplicate_candidates, duplicates_of
from tests.candidates.review_fixtures import dossier, world

pytestmark = pytest.mark.django_db
BIRTH = dt.date(2001, 5, 14)


@pytest.mark.parametrize(
    "a, b, same",
    [
        (("DUPONT", "Éloïse", BIRTH), ("dupont", "eloise", BIRTH), True),
        (("D'ARCY-LEFÈVRE", "Zoé", BIRTH), ("Darcy Lefevre", "ZOE", BIRTH), True),
        (("DUPONT", "Éloïse", BIRTH), ("DUPONT", "Éloïse", dt.date(2001, 5, 15)), False),
        (("DUPONT", "Éloïse", BIRTH), ("DUPOND", "Éloïse", BIRTH), False),
        (("", "Éloïse", BIRTH), ("", "Éloïse", BIRTH), False),  # incomplete: nothing to compare
    ],
)
def test_identity_key_table(a, b, same):
    assert (identity_key(*a) == identity_key(*b) and identity_key(*a) != "") is same


def test_two_dossiers_of_one_person_are_flagged_on_both_and_in_the_filter(client):
    w = world()
    a = dossier(w["s_nantes"], w["bat"], birth_name="LEFÈVRE", first_name_1="Zoé", birth_date=BIRTH)
    b = dossier(w["s_nantes"], w["bat"], birth_name="Lefevre", first_name_1="ZOE", birth_date=BIRTH)
    other_session = dossier(
        w["s_toulouse"], w["bat"], birth_name="LEFEVRE", first_name_1="Zoé", birth_date=BIRTH
    )
    alone = dossier(w["s_nantes"], w["bat"], birth_name="MARTIN", first_name_1="Zoé", birth_date=BIRTH)
    assert [d.pk for d in duplicates_of(a)] == [b.pk] and [d.pk for d in duplicates_of(b)] == [a.pk]
    assert duplicates_of(other_session) == [] and duplicates_of(alone) == []
    assert set(duplicate_candidates(Dossier.objects.all()).values_list("pk", flat=True)) == {a.pk, b.pk}
    client.force_login(w["gest_bat"])
    page = client.get(reverse("admin:candidates_dossier_change", args=[a.pk])).content.decode()
    assert "Doublon possible" in page and str(b) in page
    page = client.get(reverse("admin:candidates_dossier_changelist") + "?doublon=1").content.decode()
    assert str(a) in page and str(b) in page and str(alone) not in page
    # Nothing is blocked: both stay in their states.
    assert {d.state for d in Dossier.objects.filter(pk__in=[a.pk, b.pk])} == {DossierState.SUBMITTED}


def test_the_duplicate_filter_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    w = world()
    for i in range(12):
        dossier(w["s_nantes"], w["bat"], birth_name=f"NOM{i % 3}", first_name_1="Zoé", birth_date=BIRTH)
    client.force_login(w["superuser"])
    with django_assert_max_num_queries(20):
        client.get(reverse("admin:candidates_dossier_changelist") + "?doublon=1")


def test_the_dossier_page_lists_the_first_duplicates_in_scope_and_counts_them_all(
    client, django_assert_max_num_queries, settings
):
    """Issue 15: the list of possible duplicates is bounded (it listed every one, and checked the
    viewer's scope with one query per row); the page says how many there are and links to them."""
    from candidates.review import selectors

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    w = world()
    same = {"birth_name": "LEFÈVRE", "first_name_1": "Zoé", "birth_date": BIRTH}
    a = dossier(w["s_nantes"], w["bat"], **same)
    twins = [dossier(w["s_nantes"], w["bat"], **same) for _ in range(selectors.DUPLICATES_SHOWN + 2)]
    hidden = dossier(w["s_nantes"], w["ms"], **same)  # another specialty: not gest_bat's
    assert len(duplicates_of(a)) == selectors.DUPLICATES_SHOWN
    assert selectors.duplicates_count(a) == len(twins) + 1
    assert selectors.duplicates_count(a, w["gest_bat"]) == len(twins)
    assert hidden in duplicates_of(a, w["manager_nantes"], limit=100)  # the manager sees it
    assert hidden not in duplicates_of(a, w["gest_bat"], limit=100)
    client.force_login(w["gest_bat"])
    url = reverse("admin:candidates_dossier_change", args=[a.pk])
    client.get(url)  # warm the caches
    with django_assert_max_num_queries(60) as few:
        page = client.get(url).content.decode()
    assert f"que {len(twins)} autres dossiers de la session" in page
    assert str(hidden) not in page
    assert sum(str(t) in page for t in twins) == selectors.DUPLICATES_SHOWN
    assert "q=14/05/2001" in page.replace("%2F", "/")
    # More duplicates cost no more queries.
    for _ in range(5):
        dossier(w["s_nantes"], w["bat"], **same)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url).content.decode()
    assert f"que {len(twins) + 5} autres dossiers" in page


# --- issue 15: the groups counted by the database (IdentityGroup, migration 0014) --------------------
def _by_definition() -> set[int]:
    """Issue 14 item 6 as stated, computed here from the rows: two dossiers of one session with the
    same birth name, first name and birth date (identity_key), neither a draft nor expired."""
    from candidates.review.selectors import DUPLICATE_STATES_EXCLUDED

    rows = [
        r
        for r in Dossier.objects.values("pk", "session_id", "identity_key", "state")
        if r["identity_key"] and r["state"] not in DUPLICATE_STATES_EXCLUDED
    ]
    return {
        r["pk"]
        for r in rows
        if any(
            o["pk"] != r["pk"]
            and (o["session_id"], o["identity_key"]) == (r["session_id"], r["identity_key"])
            for o in rows
        )
    }


def _groups_recounted() -> bool:
    from collections import Counter

    from candidates.models import IdentityGroup
    from candidates.review.selectors import DUPLICATE_STATES_EXCLUDED

    expected = Counter(
        (r["session_id"], r["identity_key"])
        for r in Dossier.objects.values("session_id", "identity_key", "state")
        if r["identity_key"] and r["state"] not in DUPLICATE_STATES_EXCLUDED
    )
    stored = {(g.session_id, g.identity_key): g.dossiers for g in IdentityGroup.objects.all() if g.dossiers}
    return stored == dict(expected)


def test_the_duplicate_filter_follows_every_write_of_an_identity_a_state_or_a_session():
    """The filter reads the groups the triggers keep; after each kind of write it returns exactly
    the dossiers of issue 14's definition (creation, a correction of the name, registration of a
    draft, expiry, a change of session, a queryset update and a delete, which no save sees)."""
    from candidates.states import transition
    from tests.factories import DossierFactory, walk_to

    w = world()
    zoe = {"birth_name": "LEFÈVRE", "first_name_1": "Zoé", "birth_date": BIRTH}

    def check():
        assert (
            set(duplicate_candidates(Dossier.objects.all()).values_list("pk", flat=True)) == _by_definition()
        )
        assert _groups_recounted()

    a = dossier(w["s_nantes"], w["bat"], **zoe)
    b = dossier(w["s_nantes"], w["ms"], birth_name="Lefevre", first_name_1="ZOE", birth_date=BIRTH)
    c = dossier(w["s_nantes"], w["bat"], birth_name="MARTIN", first_name_1="Zoé", birth_date=BIRTH)
    dossier(w["s_toulouse"], w["bat"], **zoe)  # another session: not a duplicate
    check()
    assert _by_definition() == {a.pk, b.pk}
    draft = DossierFactory(session=w["s_nantes"], specialty=w["bat"], state=DossierState.DRAFT, **zoe)
    check()  # a draft is not compared
    transition(draft, DossierState.REGISTERED)
    check()
    assert draft.pk in _by_definition()
    c.birth_name = "Lefèvre"  # a correction makes c the same person
    c.save()
    check()
    assert c.pk in _by_definition()
    b.session = w["s_toulouse"]
    b.save()
    check()
    late = DossierFactory(session=w["s_nantes"], specialty=w["ms"], state=DossierState.DRAFT, **zoe)
    walk_to(late, DossierState.EXPIRED)
    check()
    Dossier.objects.filter(pk=c.pk).update(state=DossierState.DRAFT)  # no save() involved
    check()
    Dossier.objects.filter(pk=a.pk).delete()
    check()
    # Left: b and the other Zoé of Toulouse; the registered draft of Nantes is alone again.
    toulouse = Dossier.objects.filter(session=w["s_toulouse"], identity_key=a.identity_key)
    assert _by_definition() == set(toulouse.values_list("pk", flat=True)) and len(toulouse) == 2


def test_the_migration_counts_the_groups_of_the_dossiers_already_there():
    import importlib

    from django.apps import apps

    from candidates.models import IdentityGroup

    migration = importlib.import_module("candidates.migrations.0014_identity_groups")
    w = world()
    for name in ("DUPONT", "dupont", "MARTIN"):
        dossier(w["s_nantes"], w["bat"], birth_name=name, first_name_1="Zoé", birth_date=BIRTH)
    IdentityGroup.objects.all().delete()
    IdentityGroup.objects.create(session=w["s_nantes"], identity_key="stale|row|2001-01-01", dossiers=5)
    migration.fill_groups(apps, None)
    assert _groups_recounted()
    assert set(duplicate_candidates(Dossier.objects.all()).values_list("pk", flat=True)) == _by_definition()
    assert len(_by_definition()) == 2


def test_the_triggers_exclude_the_states_the_selectors_exclude():
    import importlib

    from candidates.review.selectors import DUPLICATE_STATES_EXCLUDED

    migration = importlib.import_module("candidates.migrations.0014_identity_groups")
    assert migration.EXCLUDED == "(" + ", ".join(f"'{s}'" for s in DUPLICATE_STATES_EXCLUDED) + ")"
