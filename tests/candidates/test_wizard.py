"""The whole wizard through the test client on an open session (issue 4)."""

import datetime as dt
import re
from unittest import mock

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from candidates.models import Dossier, DossierState
from candidates.registration.selectors import TABS
from exams.models import Academie, Departement
from tests.factories import LanguageFactory, bts_catalogue, candidate_with_profile, open_session

pytestmark = pytest.mark.django_db

TAB_DATA = {
    "identite": {
        "birth_name": "dupont",
        "first_name_1": "Camille",
        "first_name_2": "Marie",
        "sex": "F",
        "birth_date": "2001-05-14",
        "birth_commune": "Nancy",
        "birth_country": "fr",
        "nationality": "FR",
    },
    "contact": {
        "address_line1": "12 rue Stanislas",
        "postcode": "54000",
        "city": "Nancy",
        "country": "FR",
        "departement": "54",
        "mobile_phone": "06 12 34 56 78",
        "consent_press": "False",
        "consent_commercial": "False",
        "consent_local_authorities": "True",
    },
    "situation": {"category": "distance_school", "access_diploma": "Baccalauréat STI2D 2022"},
    "handicap": {},
}


@pytest.fixture
def world():
    session = open_session()
    cat = bts_catalogue()
    en = LanguageFactory(code="en", name="Anglais")
    de = LanguageFactory(code="de", name="Allemand")
    session.optional_languages.add(de)
    user = candidate_with_profile()
    return {"session": session, "user": user, "en": en, "de": de, **cat}


def _url(dossier, tab):
    return reverse("registration:tab", args=[dossier.pk, tab])


def _fill_all(client, world, dossier):
    for tab in ("identite", "contact", "situation"):
        response = client.post(_url(dossier, tab), TAB_DATA[tab])
        assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        _url(dossier, "specialite"), {"specialty": world["specialty"].pk, "forme": "global"}
    )
    assert response.status_code == 302
    rows = {}
    for code in ("E1", "E2", "E31", "E32"):
        rows[f"choice_{world[code].pk}"] = "taken"
    response = client.post(_url(dossier, "epreuves"), rows)
    assert response.status_code == 302, response.content.decode()[:3000]
    response = client.post(
        _url(dossier, "langues"),
        {
            "mandatory_language": world["en"].pk,
            "optional_language": world["de"].pk,
            "optional_epreuves": [world["EF2"].pk],
        },
    )
    assert response.status_code == 302
    response = client.post(_url(dossier, "handicap"), {"handicap": "on", "accommodation_requested": "on"})
    assert response.status_code == 302


def _start(client, world) -> Dossier:
    response = client.post(reverse("registration:start"), {"session": world["session"].pk})
    assert response.status_code == 302
    return Dossier.objects.get(candidate=world["user"], session=world["session"])


def test_a_candidate_completes_the_wizard_and_sees_a_number(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world["user"])
    page = client.get(reverse("registration:start"))
    assert world["session"].name or str(world["session"]) in page.content.decode()
    dossier = _start(client, world)
    # Tab 2 is pre-filled from the profile.
    assert 'value="DUPONT"' in client.get(_url(dossier, "identite")).content.decode()
    _fill_all(client, world, dossier)
    page = client.get(_url(dossier, "conditions")).content.decode()
    assert "Inscription non enregistrée" in page
    assert "Baccalauréat STI2D 2022" in page  # the summary of everything
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(dossier, "conditions"), {"certify": "on"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.state == DossierState.REGISTERED
    assert dossier.number == f"{world['session'].year}-NANCY-METZ-000001"
    assert dossier.birth_name == "DUPONT" and dossier.mobile_phone == "+33612345678"
    assert {c.epreuve.code for c in dossier.epreuve_choices.all()} == {"E1", "E2", "E31", "E32", "EF1", "EF2"}
    detail = client.get(response["Location"]).content.decode()
    assert dossier.number in detail
    space = client.get(reverse("candidates:space")).content.decode()
    assert dossier.number in space and "Inscription non enregistrée" not in space
    assert len(mail.outbox) == 1 and dossier.number in mail.outbox[0].subject
    assert reverse("registration:detail", args=[dossier.pk]) in mail.outbox[0].body


def test_the_space_warns_that_a_draft_is_not_a_registration(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    client.post(_url(dossier, "identite"), TAB_DATA["identite"])
    space = client.get(reverse("candidates:space")).content.decode()
    assert "Inscription non enregistrée" in space
    assert "Coordonnées" in space  # what is missing
    assert "sans numéro de dossier, vous n'êtes pas inscrit(e)" in space


def test_registering_without_certifying_is_refused_on_the_checkbox(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    _fill_all(client, world, dossier)
    page = client.post(_url(dossier, "conditions"), {}).content.decode()
    assert 'id="id_certify_error"' in page and "Cochez la case" in page
    dossier.refresh_from_db()
    assert dossier.state == DossierState.DRAFT and dossier.number is None


def test_registering_with_missing_tabs_says_which(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    page = client.post(_url(dossier, "conditions"), {"certify": "on"}).content.decode()
    assert "complétez d&#x27;abord" in page and "Identité" in page
    dossier.refresh_from_db()
    assert dossier.number is None


def test_a_refused_category_explains_and_keeps_what_was_typed(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    data = {"category": "vae", "access_diploma": "Bac pro 2019"}
    page = client.post(_url(dossier, "situation"), data).content.decode()
    assert "VAE" in page and 'aria-invalid="true"' in page and 'id="id_category_error"' in page
    assert 'value="Bac pro 2019"' in page  # the other field keeps its value
    dossier.refresh_from_db()
    assert dossier.category == "" and "situation" not in dossier.completed_tabs


def test_a_former_candidate_must_give_the_previous_number(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    page = client.post(
        _url(dossier, "situation"),
        {"category": "former_school", "previous_session_year": "2024", "access_diploma": "Bac"},
    ).content.decode()
    assert "id_previous_candidate_number_error" in page and "IMPÉRATIVEMENT" in page


def test_a_session_of_another_academie_is_refused(client, world):
    other = Academie.objects.create(code="clermont-ferrand", name="Clermont-Ferrand")
    Departement.objects.create(code="63", name="Puy-de-Dôme", academie=other)
    foreign = open_session(academie=other)
    client.force_login(world["user"])
    page = client.get(reverse("registration:start")).content.decode()
    assert f'value="{foreign.pk}"' not in page  # only the académie of the département is offered
    page = client.post(reverse("registration:start"), {"session": foreign.pk}).content.decode()
    assert "Nancy-Metz" in page and "Clermont-Ferrand" in page
    assert not Dossier.objects.exists()


def test_a_candidate_without_departement_gets_a_clear_refusal(client, world):
    world["user"].profile.departement = None
    world["user"].profile.save()
    client.force_login(world["user"])
    page = client.get(reverse("registration:start")).content.decode()
    assert "département de résidence" in page


def _closing_soon(session):
    # Within the login session's life, so that only the registration clock decides.
    session.registration_closes_at = timezone.now() + dt.timedelta(hours=2)
    session.save()
    return session.registration_closes_at


def test_a_post_at_the_closing_minute_is_refused_and_loses_nothing(client, world):
    _closing_soon(world["session"])
    client.force_login(world["user"])
    dossier = _start(client, world)
    client.post(_url(dossier, "identite"), TAB_DATA["identite"])
    closing = world["session"].registration_closes_at
    data = dict(TAB_DATA["identite"], birth_commune="Metz")
    with mock.patch("django.utils.timezone.now", return_value=closing):
        page = client.post(_url(dossier, "identite"), data).content.decode()
    assert "Les inscriptions sont closes" in page
    assert 'value="Metz"' in page  # what was typed stays on the page
    dossier.refresh_from_db()
    assert dossier.birth_commune == "Nancy"  # what was saved is kept
    with mock.patch("django.utils.timezone.now", return_value=closing - dt.timedelta(minutes=1)):
        assert client.post(_url(dossier, "identite"), data).status_code == 302


def test_a_registered_dossier_is_read_only_after_closing(client, world):
    _closing_soon(world["session"])
    client.force_login(world["user"])
    dossier = _start(client, world)
    _fill_all(client, world, dossier)
    client.post(_url(dossier, "conditions"), {"certify": "on"})
    later = world["session"].registration_closes_at + dt.timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        page = client.get(_url(dossier, "contact")).content.decode()
        assert "Les inscriptions sont closes" in page and "disabled" in page
        page = client.post(_url(dossier, "contact"), dict(TAB_DATA["contact"], city="Toul")).content.decode()
        assert "Les inscriptions sont closes" in page
    dossier.refresh_from_db()
    assert dossier.city == "Nancy"


def test_a_benefice_below_ten_in_global_form_is_refused_on_its_grade(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    for tab in ("identite", "contact", "situation"):
        client.post(_url(dossier, tab), TAB_DATA[tab])
    client.post(_url(dossier, "specialite"), {"specialty": world["specialty"].pk, "forme": "global"})
    # The handicap question answered "no" first: the rule is decided on tab 6 itself.
    client.post(_url(dossier, "handicap"), {})
    e1 = world["E1"].pk
    rows = {f"choice_{world[c].pk}": "taken" for c in ("E2", "E31", "E32")}
    rows.update({f"choice_{e1}": "benefice", f"grade_{e1}": "8", f"obtained_on_{e1}": "2024-06-20"})
    page = client.post(_url(dossier, "epreuves"), rows).content.decode()
    assert f'id="id_grade_{e1}_error"' in page and "10/20" in page
    assert 'value="2024-06-20"' in page


def test_a_professional_epreuve_cannot_be_dispensed(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    client.post(_url(dossier, "situation"), dict(TAB_DATA["situation"], dispense_diploma="bts"))
    client.post(_url(dossier, "specialite"), {"specialty": world["specialty"].pk, "forme": "global"})
    rows = {f"choice_{world[c].pk}": "taken" for c in ("E1", "E2", "E32")}
    rows[f"choice_{world['E31'].pk}"] = "dispense"
    page = client.post(_url(dossier, "epreuves"), rows).content.decode()
    assert "professionnelle ne peut jamais" in page
    rows[f"choice_{world['E31'].pk}"] = "taken"
    rows[f"choice_{world['E1'].pk}"] = "dispense"  # CGE for a BTS holder (NM)
    assert client.post(_url(dossier, "epreuves"), rows).status_code == 302


def test_an_optional_language_outside_the_sessions_list_is_refused(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    client.post(_url(dossier, "specialite"), {"specialty": world["specialty"].pk, "forme": "global"})
    it = LanguageFactory(code="it", name="Italien")
    page = client.post(
        _url(dossier, "langues"), {"mandatory_language": world["en"].pk, "optional_language": it.pk}
    ).content.decode()
    assert "id_optional_language_error" in page and "pas proposée" in page


def test_the_handicap_tab_shows_the_external_deadline(client, world):
    session = world["session"]
    session.handicap_request_deadline = timezone.now() + dt.timedelta(days=5)
    session.handicap_request_url = "https://amex.example.org/"
    session.save()
    client.force_login(world["user"])
    dossier = _start(client, world)
    page = client.get(_url(dossier, "handicap")).content.decode()
    assert "https://amex.example.org/" in page and "au plus tard le" in page


def test_someone_elses_dossier_is_not_found(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    intruder = candidate_with_profile(user__email="intrus@example.org")
    client.force_login(intruder)
    assert client.get(_url(dossier, "identite")).status_code == 404
    assert client.post(_url(dossier, "identite"), TAB_DATA["identite"]).status_code == 404


def test_every_tab_page_renders(client, world):
    client.force_login(world["user"])
    dossier = _start(client, world)
    for slug in (
        "session",
        "identite",
        "contact",
        "situation",
        "specialite",
        "epreuves",
        "langues",
        "handicap",
        "conditions",
    ):
        assert client.get(_url(dossier, slug)).status_code == 200


@pytest.mark.parametrize("count", [1, 6])
def test_the_space_list_costs_the_same_queries_for_few_or_many_dossiers(
    world, count, django_assert_max_num_queries
):
    from django.template.loader import render_to_string

    from candidates.registration import selectors
    from tests.factories import SpecialtyFactory

    for i in range(count):
        specialty = SpecialtyFactory(code=f"s{i}", name=f"Spécialité {i}")
        Dossier.objects.create(candidate=world["user"], session=world["session"], specialty=specialty)
    with django_assert_max_num_queries(3):
        html = render_to_string(
            "candidates/_dossier_list.html", {"dossiers": selectors.dossiers_for_space(world["user"])}
        )
    assert html.count("Inscription non enregistrée") == count


def _space_queries(client, world, count) -> int:
    from django.db import connection

    from tests.factories import SpecialtyFactory

    for i in range(count):
        specialty = SpecialtyFactory(code=f"q{count}-{i}", name=f"Spécialité {count}-{i}")
        Dossier.objects.create(candidate=world["user"], session=world["session"], specialty=specialty)
    client.force_login(world["user"])
    client.get(reverse("candidates:space"))  # the session and the caches warm
    queries = []  # counted by a wrapper: the request's start empties connection.queries

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        assert client.get(reverse("candidates:space")).status_code == 200
    return len(queries)


def test_the_whole_space_page_costs_the_same_queries_for_few_or_many_dossiers(client, world):
    """issue 15: /mon-espace/ at one and at six dossiers; the profile is read once, not again for
    the stale-contact notice, and the dossiers once for the cards, the notice and the alert of
    invalidated pieces (drafts: no piece to read)."""
    few = _space_queries(client, world, 1)
    assert _space_queries(client, world, 5) == few  # now six dossiers
    assert 0 < few <= 5


def test_an_expired_draft_cannot_be_registered_and_the_page_says_why(client, world):
    from candidates.registration import services

    client.force_login(world["user"])
    dossier = _start(client, world)
    services.dossier_expire_closed(at=world["session"].registration_closes_at)
    page = client.post(_url(dossier, "conditions"), {"certify": "on"}).content.decode()
    assert "Impossible de passer le dossier" in page
    space = client.get(reverse("candidates:space")).content.decode()
    assert "Expiré" in space and "Reprendre mon inscription" not in space


def test_a_redoublant_is_offered_the_benefices_they_can_keep(client, world):
    from decimal import Decimal

    from candidates.models import DossierEpreuve
    from tests.candidates.test_services import registered

    old = open_session(year=world["session"].year - 1, code="nancy-metz-bts-old")
    previous = registered(world, session=old)
    DossierEpreuve.objects.filter(dossier=previous, epreuve=world["E1"]).update(
        grade=Decimal("14"), obtained_on=timezone.localdate() - dt.timedelta(days=150)
    )
    DossierEpreuve.objects.filter(dossier=previous, epreuve=world["E2"]).update(
        grade=Decimal("7"), obtained_on=timezone.localdate() - dt.timedelta(days=150)
    )
    client.force_login(world["user"])
    dossier = _start(client, world)
    assert dossier.specialty == world["specialty"] and dossier.previous_candidate_number == previous.number
    page = client.get(_url(dossier, "epreuves")).content.decode()
    assert "Note obtenue à la session" in page and "14" in page
    e1, e2 = world["E1"].pk, world["E2"].pk
    form = client.get(_url(dossier, "epreuves")).context["form"]
    assert form[f"choice_{e1}"].value() == "benefice"  # ≥ 10: proposed (CF, NM)
    assert form[f"choice_{e2}"].value() == "taken"  # < 10 in global form: not proposed (NM)


def _save_queries(client, dossier) -> list[str]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.post(_url(dossier, "situation"), TAB_DATA["situation"])
    assert response.status_code == 302
    return queries


def test_a_save_reads_the_earlier_dossiers_once_for_the_forme_and_the_benefices(client, world):
    """issue 15: the re-checks of tab 5 (the forme chosen before is final) and tab 6 (the grades
    offered) start from the same earlier dossiers of the specialty: one query for both, and the
    same queries with one or two of them."""
    from tests.candidates.test_services import registered

    def earlier(back):
        old = open_session(year=world["session"].year - back, code=f"nancy-metz-bts-old{back}")
        registered(world, session=old)

    earlier(1)
    client.force_login(world["user"])
    dossier = _start(client, world)
    _fill_all(client, world, dossier)
    _save_queries(client, dossier)  # the caches warm
    one = _save_queries(client, dossier)
    earlier(2)
    _save_queries(client, dossier)  # a new session: the catalogue's cache is read again
    two = _save_queries(client, dossier)
    for queries in (one, two):
        earlier_reads = [q for q in queries if '"candidates_dossier"."number" IS NOT NULL' in q]
        assert len(earlier_reads) == 1, earlier_reads
    assert len(one) == len(two) <= 14  # the savepoints of the test's transaction included


def test_a_save_reads_the_dossier_once_under_its_lock(client, world):
    """issue 15: the POST builds its form on the dossier it locks, and the service saves that one
    instead of reading and locking it again."""
    client.force_login(world["user"])
    dossier = _start(client, world)
    _fill_all(client, world, dossier)
    reads = [q for q in _save_queries(client, dossier) if _reads_the_dossier(q)]
    assert len(reads) == 1, reads
    if connection.features.has_select_for_update:  # SQLite locks the whole database instead
        assert reads[0].endswith("FOR UPDATE"), reads  # the row alone: no join


def _reads_the_dossier(sql: str) -> bool:
    """A read of one dossier row by its id (the POST's locking read), its parameters as the
    execute wrapper sees them (%s) or interpolated (CaptureQueriesContext)."""
    return sql.startswith("SELECT") and re.search(r'WHERE \("candidates_dossier"\."id" = (%s|\d+)', sql)


def _save_situation_handing_over(world, dossier, locked):
    """Save tab 2 with ``locked`` handed over as the caller's locked copy; returns the saved
    dossier and whether the service read (and so locked: SELECT ... FOR UPDATE on PostgreSQL)
    the row itself."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from candidates.registration import services
    from candidates.registration.forms import TAB_FORMS

    form = TAB_FORMS["situation"](TAB_DATA["situation"])
    assert form.is_valid()
    with CaptureQueriesContext(connection) as queries:
        saved = services.dossier_save_tab(
            dossier_id=dossier.pk,
            tab="situation",
            data=form.to_service(),
            acting_user=world["user"],
            locked=locked,
        )
    reads = [q["sql"] for q in queries.captured_queries if _reads_the_dossier(q["sql"])]
    if connection.features.has_select_for_update:
        assert all("FOR UPDATE" in sql for sql in reads), reads
    return saved, bool(reads)


def test_a_dossier_the_caller_did_not_lock_is_locked_again_by_the_save(world):
    from candidates.registration import services

    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    unlocked = Dossier.objects.get(pk=dossier.pk)  # read without any lock
    saved, locked_again = _save_situation_handing_over(world, dossier, unlocked)
    assert locked_again
    assert saved is not unlocked and "situation" in saved.completed_tabs


@pytest.mark.django_db(transaction=True)
def test_a_dossier_locked_in_a_transaction_that_ended_is_locked_again_by_the_save(world):
    from django.db import transaction

    from candidates.registration import services

    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    with transaction.atomic():
        stale = services.dossier_lock_for_edit(dossier_id=dossier.pk, candidate=world["user"])
    # The lock ended with that transaction: the save must not trust this copy.
    saved, locked_again = _save_situation_handing_over(world, dossier, stale)
    assert locked_again
    assert saved is not stale


def test_the_frame_links_every_tab_twice_and_marks_the_current_one(client, world):
    """issue 15: the links are reversed once in the view; the two lists (phone, desktop) still
    link each tab and mark the current one as the step."""
    import re

    client.force_login(world["user"])
    dossier = _start(client, world)
    page = client.get(_url(dossier, "contact")).content.decode()
    for nav_id in ("onglets-mobile", "onglets"):
        nav = re.search(rf'<nav aria-label="Onglets de l\'inscription" id="{nav_id}">(.*?)</nav>', page, re.S)
        links = re.findall(
            r'<a class="([^"]*)" href="([^"]*)"( aria-current="step")?>([^<]*)</a>', nav.group(1)
        )
        assert [href for _c, href, _cur, _l in links] == [_url(dossier, slug) for slug, _label in TABS]
        assert [label for _c, _h, cur, label in links if cur] == ["Coordonnées"]


def test_a_closing_moved_by_the_manager_holds_at_the_next_save(client, world):
    """issue 15: the dossier's session and specialty come from the catalogue cache's copies in the
    process (candidates.dossier_catalogue), not from a join on every read; a manager's change of the
    calendar (a save: the catalogue's version moves on) holds at the candidate's next request."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["user"])
    dossier = _start(client, world)
    client.post(_url(dossier, "identite"), TAB_DATA["identite"])
    client.get(_url(dossier, "identite"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(_url(dossier, "identite")).status_code == 200
    read = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"exams_session"' not in read and '"exams_academie"' not in read, read
    session = world["session"]
    session.registration_closes_at = timezone.now() - dt.timedelta(minutes=1)
    session.save()
    data = dict(TAB_DATA["identite"], birth_commune="Metz")
    page = client.post(_url(dossier, "identite"), data).content.decode()
    assert "Les inscriptions sont closes" in page
    dossier.refresh_from_db()
    assert dossier.birth_commune == "Nancy"
