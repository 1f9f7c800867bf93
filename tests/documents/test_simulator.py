"""The public simulator "Quelles pièces dois-je fournir ?": HTML and the JSON contract."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exams.models import Specialty
from tests.factories import (
    AcademieFactory,
    SessionFactory,
    SpecialtyFactory,
    SpecialtyOptionFactory,
    open_specialty,
    paris,
)

pytestmark = pytest.mark.django_db
URL = "/simulateur/"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def catalogue():
    session = SessionFactory()  # Nancy-Metz 2025, a past session: it can still be simulated
    open_specialty(session, SpecialtyFactory())  # Bâtiment (R408 in this session)
    ms = SpecialtyFactory(code="maintenance-des-systemes", name="Maintenance des systèmes")
    for code in "ABCD":
        SpecialtyOptionFactory(specialty=ms, code=code, name=f"Option {code}")
    open_specialty(session, ms, r408_annex5=False)
    return session


def params(**overrides):
    base = {
        "session": "nancy-metz-bts-2025",
        "category": "distance_school",
        "specialty": "batiment",
        "nationality": "FR",
        "birth_date": "2001-05-14",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def test_the_url_is_public_and_named(client, catalogue):
    assert reverse("documents:simulator") == URL


def test_it_answers_json_with_the_contract(client, catalogue):
    response = client.get(URL, params(), **JSON)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "session": "nancy-metz-bts-2025",
        "pieces": [
            {
                "code": "recap_signed",
                "label": "Récapitulatif d'inscription daté et signé",
                "reason": "Demandé à tous les candidats : le récapitulatif d'inscription daté et signé.",
                "deadline": "2024-11-20T23:59:00+01:00",
            },
            {
                "code": "identity",
                "label": "Pièce d'identité en cours de validité",
                "reason": "Demandée à tous les candidats : carte d'identité, passeport ou titre de séjour en cours de validité.",
                "deadline": "2024-11-20T23:59:00+01:00",
            },
            {
                # National law in every académie, though NM's table omits it (issue 13).
                "code": "jdc",
                "label": "Certificat JDC, exemption ou attestation de recensement",
                "reason": (
                    "Vous êtes de nationalité française et avez moins de 25 ans à la clôture des "
                    "inscriptions (Code du service national, articles L113-4 et L114-6)."
                ),
                "deadline": "2024-11-20T23:59:00+01:00",
            },
            {
                "code": "r408",
                "label": "Attestation de formation R408 (échafaudages)",
                "reason": "Votre spécialité exige l'attestation de formation R408 (échafaudages de pied).",
                "deadline": "2025-01-17T23:59:00+01:00",
            },
        ],
    }


def test_the_deadline_carries_the_academies_utc_offset(client, catalogue):
    martinique = AcademieFactory(code="martinique", name="Martinique", time_zone="America/Martinique")
    martinique_session = SessionFactory(
        academie=martinique,
        year=2025,
        registration_opens_at=paris(2024, 10, 14, 14, 0),
        registration_closes_at=paris(2024, 11, 13, 22, 0),
        pieces_deadline=paris(2024, 11, 20, 22, 0),  # 17:00 in Fort-de-France
        late_pieces_deadline=None,
    )
    open_specialty(martinique_session, Specialty.objects.get(code="batiment"))
    body = client.get(URL, params(session="martinique-bts-2025", specialty="comptabilite"), **JSON)
    assert body.status_code == 400  # unknown specialty
    body = client.get(URL, params(session="martinique-bts-2025"), **JSON).json()
    assert {p["deadline"] for p in body["pieces"]} == {"2024-11-20T17:00:00-04:00"}
    # Martinique follows Toulouse's table (no notice of its own): JDC for a French candidate under 25.
    assert "jdc" in [p["code"] for p in body["pieces"]]


@pytest.mark.parametrize("missing", ["session", "category", "specialty", "nationality", "birth_date"])
def test_a_missing_parameter_is_a_400_naming_it(client, catalogue, missing):
    response = client.get(URL, params(**{missing: None}), **JSON)
    assert response.status_code == 400
    assert response.json()["parameter"] == missing
    assert missing in response.json()["error"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("session", "inconnue-2099"),
        ("category", "vae"),
        ("specialty", "inconnue"),
        ("nationality", "FRA"),
        ("birth_date", "14/05/2001"),
        ("benefices", "oui"),
        ("engagement", "2"),
        ("handicap", "x"),
        ("mandatory_language", "eng"),
        ("option", "B"),  # Bâtiment has no option
    ],
)
def test_an_invalid_parameter_is_a_400_naming_it(client, catalogue, name, value):
    response = client.get(URL, params(**{name: value}), **JSON)
    assert response.status_code == 400
    assert response.json()["parameter"] == name


def test_an_unknown_parameter_is_a_400_naming_it(client, catalogue):
    response = client.get(URL, params(colour="blue"), **JSON)
    assert response.status_code == 400
    assert response.json() == {"error": "Paramètre inconnu : colour.", "parameter": "colour"}


def test_the_option_is_required_only_for_a_specialty_with_options(client, catalogue):
    response = client.get(URL, params(specialty="maintenance-des-systemes"), **JSON)
    assert response.status_code == 400 and response.json()["parameter"] == "option"
    body = client.get(URL, params(specialty="maintenance-des-systemes", option="b"), **JSON).json()
    assert [p["code"] for p in body["pieces"]] == [
        "recap_signed",
        "identity",
        "jdc",
        "ms_electrical",
        "ms_first_aid",
        "ms_refrigerants",
    ]


def test_the_choices_add_their_pieces_and_default_to_none(client, catalogue):
    plain = client.get(URL, params(), **JSON).json()
    chosen = client.get(
        URL, params(benefices="1", dispenses="1", engagement="1", handicap="1"), **JSON
    ).json()
    assert len(chosen["pieces"]) == len(plain["pieces"]) + 3
    assert {"previous_transcript", "dispense_diploma", "engagement_form"} <= {
        p["code"] for p in chosen["pieces"]
    }


def test_the_mandatory_language_defaults_to_english(client, catalogue):
    toulouse = AcademieFactory(code="toulouse", name="Toulouse")
    open_specialty(SessionFactory(academie=toulouse, year=2024), Specialty.objects.get(code="batiment"))
    default = client.get(URL, params(session="toulouse-bts-2024"), **JSON).json()
    assert "language_training" not in [p["code"] for p in default["pieces"]]
    arabic = client.get(URL, params(session="toulouse-bts-2024", mandatory_language="ar"), **JSON).json()
    assert "language_training" in [p["code"] for p in arabic["pieces"]]


def test_it_answers_html_by_default(client, catalogue):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Quelles pièces dois-je fournir ?" in html
    assert '<label class="form-label fw-semibold" for="id_session">' in html
    response = client.get(URL, params())
    html = response.content.decode()
    assert response.status_code == 200
    assert "4 pièces à fournir" in html
    assert "Votre spécialité exige l&#x27;attestation de formation R408" in html
    assert "17 janvier 2025 à 23:59" in html


def test_the_html_form_shows_errors_on_their_fields(client, catalogue):
    response = client.get(URL, params(birth_date="hier"), HTTP_ACCEPT="text/html,*/*")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_birth_date_error"' in html and 'role="alert"' in html
    assert "AAAA-MM-JJ" in html


def test_the_json_answer_builds_no_widget_and_costs_the_same_with_more_catalogue(
    client, catalogue, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL, params(), **JSON).status_code == 200
    # The session's opening of the specialty is read once, by the form (issue 15).
    assert (
        sum('"exams_sessionspecialty"' in q["sql"].split(" WHERE ")[0] for q in small.captured_queries) == 1
    )
    for i in range(5):  # more specialties with options and more languages: no list is built
        other = SpecialtyFactory(code=f"autre-{i}", name=f"Autre {i}")
        SpecialtyOptionFactory(specialty=other, code="A", name="Option A")
    with django_assert_max_num_queries(len(small)):
        assert client.get(URL, params(), **JSON).status_code == 200
    html = client.get(URL, params())
    assert html.status_code == 200 and "Option A" in html.content.decode()  # the page still lists them


def test_the_option_chosen_is_shown_back_under_its_own_specialty(client, catalogue):
    # issue 18 item 4: "A" of Systèmes numériques came back as "A – Génie climatique et fluidique".
    cl = SpecialtyFactory(code="genie-climatique", name="Fluides, énergies, domotique")
    SpecialtyOptionFactory(specialty=cl, code="A", name="Génie climatique et fluidique")
    sn = SpecialtyFactory(code="systemes-numeriques", name="Systèmes numériques")
    SpecialtyOptionFactory(specialty=sn, code="A", name="Informatique et réseaux")
    open_specialty(catalogue, cl)
    open_specialty(catalogue, sn)
    page = client.get(URL, params(specialty="systemes-numeriques", option="systemes-numeriques:A"))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count(':A" selected') == 1  # one "A" chosen, not every "A" of the list
    assert '<option value="systemes-numeriques:A" selected>A – Informatique et réseaux</option>' in html
    assert 'value="genie-climatique:A">A – Génie climatique et fluidique' in html  # not selected
    assert "option A – Informatique et réseaux" in html  # the results say which option
    assert 'id="resultats" tabindex="-1" data-results-heading' in html  # forms.js brings it into view
    # The letter of another specialty is refused, and the API still takes a bare letter.
    refused = client.get(URL, params(specialty="systemes-numeriques", option="genie-climatique:A"))
    assert refused.status_code == 400 and "celle d&#x27;une autre spécialité" in refused.content.decode()
    assert client.get(URL, params(specialty="systemes-numeriques", option="A"), **JSON).status_code == 200


@pytest.mark.parametrize("specialties", [0, 5])
def test_the_json_answer_asks_the_database_nothing_once_the_catalogue_is_cached(
    client, catalogue, django_assert_num_queries, specialties
):
    """issue 15: the session and the specialty named by code come from the catalogue cache, as
    the opening and the piece rules already did; the same with a larger catalogue."""
    for i in range(specialties):
        other = SpecialtyFactory(code=f"autre-{i}", name=f"Autre {i}")
        SpecialtyOptionFactory(specialty=other, code="A", name="Option A")
    first = client.get(URL, params(specialty="maintenance-des-systemes", option="B"), **JSON)
    with django_assert_num_queries(0):
        again = client.get(URL, params(specialty="maintenance-des-systemes", option="B"), **JSON)
    assert again.status_code == 200 and again.json() == first.json()
    with django_assert_num_queries(0):  # its options came with it: a wrong letter is told as before
        refused = client.get(URL, params(specialty="maintenance-des-systemes", option="Z"), **JSON)
    assert refused.status_code == 400 and "Option inconnue" in refused.content.decode()


def test_an_unknown_code_is_refused_and_not_kept(client, catalogue):
    from django.core.cache import cache

    for _ in range(2):
        response = client.get(URL, params(session="nulle-part-2025"), **JSON)
        assert response.status_code == 400 and "Session inconnue." in response.content.decode()
    assert cache.get("catalogue:session_by_code:nulle-part-2025") is None
    odd = client.get(URL, params(specialty="pas un code ; " * 20), **JSON)
    assert odd.status_code == 400 and "Spécialité inconnue." in odd.content.decode()


def test_a_saved_session_shows_at_the_next_answer(client, catalogue):
    before = client.get(URL, params(), **JSON).json()
    catalogue.pieces_deadline = catalogue.pieces_deadline.replace(year=catalogue.pieces_deadline.year + 1)
    catalogue.save()
    after = client.get(URL, params(), **JSON).json()
    assert after != before and str(catalogue.pieces_deadline.year) in str(after)
