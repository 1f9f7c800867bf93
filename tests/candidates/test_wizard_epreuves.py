"""Tab 6 "Épreuves" (issue 15): its rows are written by one crispy template loop
(bootstrap5/layout/epreuve_rows.html) instead of field.html per field; the markup a person and a
screen reader get stays field.html's, and the page costs the same queries for a short or a long
list of épreuves."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.urls import reverse

from candidates.models import Dossier
from tests.factories import (
    EpreuveFactory,
    LanguageFactory,
    bts_catalogue,
    candidate_with_profile,
    open_session,
)

from .test_wizard import TAB_DATA

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    session = open_session()
    cat = bts_catalogue()
    LanguageFactory(code="en", name="Anglais")
    return {"session": session, "user": candidate_with_profile(), **cat}


def _url(dossier, tab):
    return reverse("registration:tab", args=[dossier.pk, tab])


def _dossier_at_tab_6(client, world) -> Dossier:
    client.force_login(world["user"])
    assert client.post(reverse("registration:start"), {"session": world["session"].pk}).status_code == 302
    dossier = Dossier.objects.get(candidate=world["user"], session=world["session"])
    for tab in ("identite", "contact", "situation"):
        assert client.post(_url(dossier, tab), TAB_DATA[tab]).status_code == 302
    response = client.post(
        _url(dossier, "specialite"), {"specialty": world["specialty"].pk, "forme": "global"}
    )
    assert response.status_code == 302
    return dossier


class _Tree(HTMLParser):
    """The page as (tag, attributes) / text events, each element findable by its id; class lists
    compared as sets and blank text dropped, so only the markup's meaning is compared."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (set((v or "").split()) if k == "class" else v) for k, v in attrs}
        self.events.append(("start", tag, a))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if data.strip():
            self.events.append(("text", " ".join(data.split())))

    def element(self, element_id: str) -> list[tuple]:
        """The events of the element with this id, its end tag included."""
        start = next(i for i, e in enumerate(self.events) if e[0] == "start" and e[2].get("id") == element_id)
        tag, depth = self.events[start][1], 0
        for i in range(start, len(self.events)):
            event = self.events[i]
            if event[0] == "start" and event[1] == tag and event[1] not in ("input", "br"):
                depth += 1
            elif event[0] == "end" and event[1] == tag:
                depth -= 1
                if depth == 0:
                    return self.events[start : i + 1]
        raise AssertionError(f"#{element_id} is not closed")


def _as_field_html(form, name: str) -> list[tuple]:
    """What templates/bootstrap5/field.html writes for this field (the page's former way)."""
    bound = form[name]
    source = (
        '{% include "bootstrap5/field.html" with field=field inline_class="inline" form_show_labels=True form_show_errors=True %}'
        if name.startswith("choice_")
        else "{% load crispy_forms_filters %}{{ field|as_crispy_field }}"
    )
    html = Template(source).render(Context({"field": bound}))
    return _Tree(html).element(f"div_{bound.auto_id}")


@pytest.mark.parametrize("refused", [False, True], ids=["as shown", "after a refused save"])
def test_each_row_is_written_as_field_html_writes_it(client, world, refused):
    dossier = _dossier_at_tab_6(client, world)
    e1 = world["E1"].pk
    if refused:
        # Two refusals: a choice left out (the radios' group) and a grade out of range (an input).
        rows = {f"choice_{world[c].pk}": "taken" for c in ("E2", "E31")}
        rows.update({f"choice_{e1}": "benefice", f"grade_{e1}": "25", f"obtained_on_{e1}": "2024-06-20"})
        response = client.post(_url(dossier, "epreuves"), rows)
    else:
        response = client.get(_url(dossier, "epreuves"))
    assert response.status_code == 200
    form = response.context["form"]
    page = _Tree(response.content.decode())
    for epreuve in form.epreuves:
        for prefix in ("choice", "grade", "obtained_on"):
            name = f"{prefix}_{epreuve.pk}"
            assert page.element(f"div_{form[name].auto_id}") == _as_field_html(form, name), name
    if refused:
        html = response.content.decode()
        e32 = world["E32"].pk
        # The summary links to each refused field; each field points at its error.
        assert f'href="#id_grade_{e1}"' in html and f'href="#id_choice_{e32}_0"' in html
        assert f'aria-describedby="id_choice_{e32}_error"' in html
        assert f'id="id_grade_{e1}_error"' in html and 'aria-invalid="true"' in html


def test_a_read_only_tab_disables_every_input(client, world):
    dossier = _dossier_at_tab_6(client, world)
    Dossier.objects.filter(pk=dossier.pk).update(signed_at="2026-01-01T00:00:00Z")
    html = client.get(_url(dossier, "epreuves")).content.decode()
    inputs = [e for e in _Tree(html).events if e[0] == "start" and e[1] == "input" and "name" in e[2]]
    rows = [e for e in inputs if e[2]["name"].startswith(("choice_", "grade_", "obtained_on_"))]
    assert rows and all("disabled" in e[2] for e in rows)


def _tab_queries(client, dossier) -> int:
    from django.db import connection

    client.get(_url(dossier, "epreuves"))  # the session and the caches warm
    queries = []  # counted by a wrapper: the request's start empties connection.queries

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(_url(dossier, "epreuves")).status_code == 200
    return len(queries)


def test_the_tab_costs_the_same_queries_for_few_or_many_epreuves(client, world):
    dossier = _dossier_at_tab_6(client, world)
    few = _tab_queries(client, dossier)
    for i in range(12):
        EpreuveFactory(specialty=world["specialty"], code=f"E9{i}", unit_code=f"U9{i}", order=10 + i)
    many = _tab_queries(client, dossier)
    assert many == few
    assert few <= 9
