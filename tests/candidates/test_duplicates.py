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
