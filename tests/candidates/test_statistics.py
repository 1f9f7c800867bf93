"""Statistics for the rectorat (issue 14 item 8): registrations of the staff member's scope by
category, forme, handicap, département and day, on a page and in a CSV, in a constant number of
queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.models import Dossier, DossierState
from candidates.review.selectors import registration_statistics
from tests.candidates.review_fixtures import dossier, world

pytestmark = pytest.mark.django_db


def _registered(w, n, *, session=None, specialty=None, **fields):
    made = [
        dossier(session or w["s_nantes"], specialty or w["bat"], state=DossierState.REGISTERED)
        for _ in range(n)
    ]
    Dossier.objects.filter(pk__in=[d.pk for d in made]).update(**fields)
    return made


@pytest.fixture
def w():
    w = world()
    day = timezone.make_aware(dt.datetime(2026, 10, 5, 10, 0))
    _registered(w, 2, category="distance_school", forme="global", handicap=True, registered_at=day)
    _registered(
        w, 1, category="work_experience", forme="progressive", registered_at=day + dt.timedelta(days=1)
    )
    _registered(w, 4, session=w["s_toulouse"], category="work_experience", registered_at=day)  # elsewhere
    Dossier.objects.filter(state=DossierState.REGISTERED, registered_at__isnull=True).update(
        registered_at=day
    )
    return w


def _table(tables, key):
    return dict(next(t for t in tables if t.key == key).rows)


def test_counts_are_per_dimension_and_within_the_scope(w):
    tables = registration_statistics(w["gest_bat"])
    assert (
        _table(tables, "category") == {"À distance – scolaire": 2, "Expérience professionnelle": 1}
        or sum(_table(tables, "category").values()) == 3
    )
    assert _table(tables, "handicap") == {"Oui": 2, "Non": 1}
    assert sum(_table(tables, "forme").values()) == 3
    assert _table(tables, "day") == {"05/10/2026": 2, "06/10/2026": 1}
    assert sum(registration_statistics(w["superuser"])[0].rows[i][1] for i in range(2)) == 7


def test_the_page_has_a_table_per_dimension_and_a_csv(w, client):
    client.force_login(w["gest_bat"])
    page = client.get(reverse("admin:candidates_dossier_statistics")).content.decode()
    assert (
        page.count('class="stats-table"') == 5
        and page.count('<caption class="sr-caption">Par ') == 5
        and '<th scope="row">' in page
        and '<th scope="col"' in page
    )
    response = client.get(reverse("admin:candidates_dossier_statistics"), {"format": "csv"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8")
    assert text.startswith("\ufeffDimension;Valeur;Nombre de dossiers")
    assert "Situation de handicap;Oui;2" in text and "Jour;05/10/2026;2" in text


def test_a_session_outside_the_scope_cannot_be_chosen(w, client):
    client.force_login(w["gest_bat"])
    response = client.get(reverse("admin:candidates_dossier_statistics"), {"session": w["s_toulouse"].pk})
    assert response.status_code == 400
    assert "Toulouse" not in "".join(r[0] for t in registration_statistics(w["gest_bat"]) for r in t.rows)


def test_the_number_of_queries_does_not_grow_with_the_dossiers(w, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(w["gest_bat"])
    url = reverse("admin:candidates_dossier_statistics")
    client.get(url)  # the session and permission caches warmed

    def counted(**params):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, params).status_code == 200
        return len(queries.captured_queries)

    small = (counted(), counted(format="csv"))
    for n, category in enumerate(["former_school", "distance_apprentice", "former_continuing"]):
        _registered(
            w,
            10,
            category=category,
            handicap=bool(n % 2),
            registered_at=timezone.now() - dt.timedelta(days=n),
        )
    assert (counted(), counted(format="csv")) == small
    assert small[0] <= 14
