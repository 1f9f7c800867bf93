"""The dossier rules that slipped (issue 14): each test failed before its fix."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from candidates.models import Dossier, DossierEpreuve, DossierState
from candidates.registration import services
from documents.pieces.selectors import required_pieces_for_dossier
from portal.exceptions import DomainError
from tests.factories import (
    LanguageFactory,
    SessionFactory,
    bts_catalogue,
    candidate_with_profile,
    open_session,
    open_specialty,
    paris,
)

pytestmark = pytest.mark.django_db

NO = {"consent_press": False, "consent_commercial": False, "consent_local_authorities": False}
NO_HANDICAP = {"handicap": False, "accommodation_requested": False, "r408_rqth_alternative": False}


@pytest.fixture
def world():
    session = open_session()
    cat = bts_catalogue()
    open_specialty(session, cat["specialty"])
    return {"session": session, "user": candidate_with_profile(), "en": LanguageFactory(), **cat}


def _save(world, dossier, tab, data):
    return services.dossier_save_tab(dossier_id=dossier.pk, tab=tab, data=data, acting_user=world["user"])


def _upto_specialty(world, *, situation=None, forme="global"):
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    _save(world, dossier, "identite", {})
    _save(world, dossier, "contact", NO)
    _save(
        world,
        dossier,
        "situation",
        {"category": "distance_school", "access_diploma": "Bac", **(situation or {})},
    )
    _save(world, dossier, "specialite", {"specialty": world["specialty"], "option": None, "forme": forme})
    return dossier


def _rows(world, **choices):
    rows = {world[c].pk: {"choice": "taken"} for c in ("E1", "E2", "E31", "E32")}
    for code, row in choices.items():
        rows[world[code].pk] = row
    return {"rows": rows}


BENEFICE_14 = {"choice": "benefice", "grade": Decimal("14"), "obtained_on": dt.date(2024, 6, 20)}
BENEFICE_8 = {"choice": "benefice", "grade": Decimal("8"), "obtained_on": dt.date(2024, 6, 20)}
PREVIOUS = {"previous_session_year": 2024, "previous_candidate_number": "02412345678"}


def test_keeping_a_benefice_requires_the_previous_session_and_candidate_number(world):
    # CF: «devront IMPERATIVEMENT saisir leur n° de candidat» — not only the former_* routes.
    dossier = _upto_specialty(world)
    with pytest.raises(DomainError, match="IMPÉRATIVEMENT") as exc:
        _save(world, dossier, "epreuves", _rows(world, E1=BENEFICE_14))
    assert exc.value.code == "previous_number_required"
    assert not DossierEpreuve.objects.filter(dossier=dossier, choice="benefice").exists()
    _save(world, dossier, "situation", {"category": "distance_school", "access_diploma": "Bac", **PREVIOUS})
    _save(world, dossier, "epreuves", _rows(world, E1=BENEFICE_14))
    # Emptying the number afterwards on tab 4 is refused on tab 4 itself.
    with pytest.raises(DomainError) as exc:
        _save(world, dossier, "situation", {"category": "distance_school", "access_diploma": "Bac",
                                            "previous_session_year": 2024, "previous_candidate_number": ""})  # fmt: skip
    assert exc.value.field == "previous_candidate_number"


def test_a_kept_e3_covers_its_units_under_the_2019_2021_exception(world):
    # CF: the kept maîtresse mark is the average of E31/E32, which are neither taken nor kept.
    session = SessionFactory()  # the NM 2025 calendar, so the 2021 mark is still valid
    open_specialty(session, world["specialty"])
    at = paris(2024, 10, 20, 10, 0)
    user = world["user"]

    def save(tab, data):
        return services.dossier_save_tab(dossier_id=dossier.pk, tab=tab, data=data, acting_user=user, at=at)

    dossier = services.dossier_start(candidate=user, session=session, at=at)
    save("identite", {})
    save("contact", NO)
    save(
        "situation",
        {"category": "distance_school", "access_diploma": "Bac", "first_registration_year": 2020, **PREVIOUS},
    )
    save("specialite", {"specialty": world["specialty"], "option": None, "forme": "global"})
    e3_kept = {"choice": "benefice", "grade": Decimal("12"), "obtained_on": dt.date(2021, 6, 20)}
    rows = _rows(world, E3=e3_kept)  # E31/E32 still posted "taken" by the pre-checked radios
    dossier = save("epreuves", rows)
    choices = dict(DossierEpreuve.objects.filter(dossier=dossier).values_list("epreuve__code", "choice"))
    assert choices == {"E1": "taken", "E2": "taken", "E3": "benefice"}
    save("langues", {"mandatory_language": world["en"], "optional_language": None})
    save("handicap", NO_HANDICAP)
    dossier = services.dossier_register(dossier_id=dossier.pk, acting_user=user, certified=True, at=at)
    assert dossier.state == DossierState.REGISTERED
    # The recap shows the units as covered by the kept mark.
    from documents.models import DocumentKind, GeneratedDocument
    from documents.recap.services import document_context

    doc = GeneratedDocument.objects.get(dossier=dossier, kind=DocumentKind.RECAP)
    row = next(r for r in document_context(doc)["mandatory_rows"] if r.epreuve.code == "E3")
    assert [u.code for u in row.covered_units] == ["E31", "E32"]


def test_a_below_ten_benefice_waits_for_the_handicap_answer_whatever_the_tab_order(world):
    dossier = _upto_specialty(world, situation=PREVIOUS)
    # Tab 6 before tab 8: accepted pending the handicap answer.
    dossier = _save(world, dossier, "epreuves", _rows(world, E1=BENEFICE_8))
    assert "epreuves" in dossier.completed_tabs
    # Tab 8 says "handicap": the grade stands.
    dossier = _save(world, dossier, "handicap", {**NO_HANDICAP, "handicap": True})
    assert "epreuves" in dossier.completed_tabs and dossier.broken_tabs == []
    # Tab 8 then says "no handicap": tab 6 is undone, and said so.
    dossier = _save(world, dossier, "handicap", NO_HANDICAP)
    assert "epreuves" not in dossier.completed_tabs
    assert [slug for slug, _why in dossier.broken_tabs] == ["epreuves"]
    assert "10/20" in dossier.broken_tabs[0][1]


def test_the_wizard_page_says_which_tab_a_change_undid(client, world):
    dossier = _upto_specialty(world, situation=PREVIOUS)
    _save(world, dossier, "epreuves", _rows(world, E1=BENEFICE_8))
    client.force_login(world["user"])
    url = reverse("registration:tab", args=[dossier.pk, "handicap"])
    page = client.post(url, {}, follow=True).content.decode()
    assert "L&#x27;onglet « Épreuves » est à revoir" in page


def test_a_hidden_epreuve_posted_by_hand_gets_a_message(client, world):
    dossier = _upto_specialty(world)
    client.force_login(world["user"])
    data = {f"choice_{world[c].pk}": "taken" for c in ("E1", "E2", "E31", "E32")}
    data[f"choice_{world['E3'].pk}"] = "benefice"  # E3 is not offered outside the exception
    page = client.post(reverse("registration:tab", args=[dossier.pk, "epreuves"]), data).content.decode()
    assert "E3 ne vous est pas proposée" in page
    assert not DossierEpreuve.objects.filter(dossier=dossier).exists()


def test_the_rqth_answer_replaces_the_r408_attestation_in_the_required_pieces(world):
    dossier = _upto_specialty(world)  # Bâtiment is an R408 specialty (CF)
    dossier = _save(world, dossier, "epreuves", _rows(world))
    codes = {p.code for p in required_pieces_for_dossier(dossier)}
    assert "r408" in codes and "rqth_medical" not in codes
    dossier = _save(
        world, dossier, "handicap", {**NO_HANDICAP, "handicap": True, "r408_rqth_alternative": True}
    )
    pieces = {p.code: p for p in required_pieces_for_dossier(dossier)}
    assert "r408" not in pieces and "rqth_medical" in pieces
    assert "RQTH" in pieces["rqth_medical"].label


def test_a_returning_candidate_gets_the_first_registration_year_that_dossier_declared(world):
    old = open_session(year=world["session"].year - 1, code="nancy-metz-bts-old")
    open_specialty(old, world["specialty"])
    previous = services.dossier_start(candidate=world["user"], session=old)
    _save(world, previous, "identite", {})
    _save(world, previous, "contact", NO)
    _save(world, previous, "situation", {"category": "distance_school", "access_diploma": "Bac", "first_registration_year": 2020})  # fmt: skip
    _save(world, previous, "specialite", {"specialty": world["specialty"], "option": None, "forme": "global"})
    rows = _rows(world)
    rows["rows"][world["E3"].pk] = {"choice": "taken"}
    _save(world, previous, "epreuves", rows)
    _save(world, previous, "langues", {"mandatory_language": world["en"], "optional_language": None})
    _save(world, previous, "handicap", NO_HANDICAP)
    services.dossier_register(dossier_id=previous.pk, acting_user=world["user"], certified=True)
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    assert dossier.first_registration_year == 2020


def test_a_paris_resident_is_told_they_are_not_in_this_academie(client, world):
    profile = world["user"].profile
    profile.postcode, profile.city, profile.departement = "75011", "Paris", None
    profile.save()
    with pytest.raises(DomainError, match="département 75") as exc:
        services.dossier_start(candidate=world["user"], session=world["session"])
    assert exc.value.code == "outside_portal"
    client.force_login(world["user"])
    page = client.get(reverse("registration:start")).content.decode()
    assert "département 75, qui ne relève d&#x27;aucune académie de ce portail" in page
    assert "n'indique pas de département" not in page
    assert not Dossier.objects.exists()
