"""Services of the registration: start, save a tab, register, expire (domain.md §3, §4, §7)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from candidates.models import Dossier, DossierEpreuve, DossierState
from candidates.registration import services
from candidates.states import IllegalTransition
from notifications.models import Message
from portal.exceptions import DomainError
from tests.factories import (
    LanguageFactory,
    SessionFactory,
    bts_catalogue,
    candidate_with_profile,
    open_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    session = open_session()
    cat = bts_catalogue()
    en = LanguageFactory(code="en", name="Anglais")
    user = candidate_with_profile()
    return {"session": session, "user": user, "en": en, **cat}


def fill(dossier, world, *, forme="global", category="distance_school", **situation):
    save = lambda tab, data: services.dossier_save_tab(  # noqa: E731
        dossier_id=dossier.pk, tab=tab, data=data, acting_user=world["user"]
    )
    save("identite", {})
    save("contact", {"consent_press": False, "consent_commercial": False, "consent_local_authorities": False})
    save("situation", {"category": category, "access_diploma": "Bac", **situation})
    save("specialite", {"specialty": world["specialty"], "option": None, "forme": forme})
    rows = {world[c].pk: {"choice": "taken"} for c in ("E1", "E2", "E31", "E32")}
    save("epreuves", {"rows": rows})
    save("langues", {"mandatory_language": world["en"], "optional_language": None, "optional_epreuves": []})
    return save(
        "handicap", {"handicap": False, "accommodation_requested": False, "r408_rqth_alternative": False}
    )


def registered(world, session=None, user=None):
    user = user or world["user"]
    dossier = services.dossier_start(candidate=user, session=session or world["session"])
    fill(dossier, {**world, "user": user})
    return services.dossier_register(dossier_id=dossier.pk, acting_user=user, certified=True)


def test_starting_twice_reuses_the_untouched_draft(world):
    a = services.dossier_start(candidate=world["user"], session=world["session"])
    b = services.dossier_start(candidate=world["user"], session=world["session"])
    assert a.pk == b.pk and Dossier.objects.count() == 1
    assert a.birth_name == "DUPONT" and a.departement_id == "54"  # pre-filled from the profile


def test_a_closed_session_cannot_be_started(world):
    closed = SessionFactory(year=2025)  # the NM 2025 calendar: closed in 2024
    with pytest.raises(DomainError) as exc:
        services.dossier_start(candidate=world["user"], session=closed)
    assert exc.value.field == "session" and "closes" in exc.value.message


def test_register_assigns_one_number_and_a_second_click_changes_nothing(
    world, django_capture_on_commit_callbacks, monkeypatch
):
    received = []
    monkeypatch.setattr(services, "dossier_request_documents", lambda *, dossier: received.append(dossier.pk))
    with django_capture_on_commit_callbacks(execute=True):
        dossier = registered(world)
    again = services.dossier_register(dossier_id=dossier.pk, acting_user=world["user"], certified=True)
    assert dossier.number == again.number == f"{world['session'].year}-NANCY-METZ-000001"
    assert dossier.state == DossierState.REGISTERED and dossier.registered_at and dossier.certified_at
    assert received == [dossier.pk]
    assert Message.objects.filter(kind="registration_saved", dossier=dossier).count() == 1


def test_the_registration_email_says_to_sign_online_not_on_paper(world):
    # issue 18 item 7: the e-signature is the route (documents.recap.views.sign).
    dossier = registered(world)
    body = Message.objects.get(kind="registration_saved", dossier=dossier).body
    assert "signez-le en ligne" in body and "Mes justificatifs" in body
    assert "datez-le" not in body and "imprim" not in body.replace("sans rien imprimer", "")


def test_numbers_follow_each_other_within_a_session(world):
    first = registered(world)
    other = candidate_with_profile(user__email="autre@example.org")
    second = registered(world, user=other)
    assert first.number.endswith("-000001") and second.number.endswith("-000002")


def test_each_change_bumps_the_version_records_who_and_asks_a_new_recap_once_registered(world, monkeypatch):
    dossier = registered(world)
    version = dossier.choices_version
    received = []
    monkeypatch.setattr(
        services, "dossier_request_documents", lambda *, dossier: received.append(dossier.choices_version)
    )
    services.dossier_save_tab(
        dossier_id=dossier.pk,
        tab="handicap",
        data={"handicap": True, "accommodation_requested": True, "r408_rqth_alternative": False},
        acting_user=world["user"],
    )
    history_rows = dossier.history.count()
    # Saving the same values again is no change: no new recap, no history row (issue 15).
    services.dossier_save_tab(
        dossier_id=dossier.pk,
        tab="handicap",
        data={"handicap": True, "accommodation_requested": True, "r408_rqth_alternative": False},
        acting_user=world["user"],
    )
    dossier.refresh_from_db()
    assert dossier.history.count() == history_rows
    assert dossier.choices_version == version + 1
    assert received == [version + 1]
    last = dossier.history.first()
    assert last.handicap is True and last.history_user == world["user"]


def test_a_signed_recap_makes_the_choices_final(world):
    dossier = registered(world)
    Dossier.objects.filter(pk=dossier.pk).update(signed_at=timezone.now())
    with pytest.raises(DomainError, match="définitifs"):
        services.dossier_save_tab(dossier_id=dossier.pk, tab="identite", data={}, acting_user=world["user"])


def test_a_registered_dossier_cannot_be_made_invalid_by_another_tab(world):
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    fill(dossier, world, forme="progressive")
    services.dossier_register(dossier_id=dossier.pk, acting_user=world["user"], certified=True)
    with pytest.raises(DomainError, match="Spécialité et forme"):
        services.dossier_save_tab(
            dossier_id=dossier.pk,
            tab="situation",
            data={"category": "former_school", "previous_session_year": 2024, "previous_candidate_number": "X1", "access_diploma": "Bac"},
            acting_user=world["user"],
        )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.category == "distance_school"


def test_a_draft_tab_broken_by_a_later_change_must_be_saved_again(world):
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    dossier = fill(dossier, world, forme="progressive")
    dossier = services.dossier_save_tab(
        dossier_id=dossier.pk,
        tab="situation",
        data={"category": "former_school", "previous_session_year": 2024, "previous_candidate_number": "X1", "access_diploma": "Bac"},
        acting_user=world["user"],
    )  # fmt: skip
    assert "specialite" not in dossier.completed_tabs
    with pytest.raises(DomainError, match="complétez d'abord"):
        services.dossier_register(dossier_id=dossier.pk, acting_user=world["user"], certified=True)


def test_accommodation_needs_the_handicap_box(world):
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    with pytest.raises(DomainError) as exc:
        services.dossier_save_tab(
            dossier_id=dossier.pk,
            tab="handicap",
            data={"handicap": False, "accommodation_requested": True, "r408_rqth_alternative": False},
            acting_user=world["user"],
        )
    assert exc.value.field == "accommodation_requested"


def test_a_redoublant_is_prefilled_with_forme_locked_and_offered_the_benefices(world):
    old_session = open_session(year=world["session"].year - 1, code="nancy-metz-bts-old")
    previous = registered(world, session=old_session)
    DossierEpreuve.objects.filter(dossier=previous, epreuve=world["E1"]).update(
        grade=Decimal("13.5"), obtained_on=dt.date(2025, 6, 20)
    )
    Dossier.objects.filter(pk=previous.pk).update(forme="progressive")
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    assert dossier.specialty == world["specialty"] and dossier.forme == "progressive"
    assert dossier.previous_candidate_number == previous.number
    assert dossier.previous_session_year == old_session.year
    from candidates.registration import selectors

    assert selectors.locked_forme(dossier) == "progressive"
    assert selectors.offered_benefices(dossier)[world["E1"].pk].grade == Decimal("13.5")
    services.dossier_save_tab(dossier_id=dossier.pk, tab="situation", data={"category": "distance_school", "access_diploma": "Bac"}, acting_user=world["user"])  # fmt: skip
    with pytest.raises(DomainError, match="définitif") as exc:
        services.dossier_save_tab(
            dossier_id=dossier.pk,
            tab="specialite",
            data={"specialty": world["specialty"], "option": None, "forme": "global"},
            acting_user=world["user"],
        )
    assert exc.value.field == "forme"


def test_taking_an_epreuve_again_renounces_its_benefice(world):
    old_session = open_session(year=world["session"].year - 1, code="nancy-metz-bts-old")
    previous = registered(world, session=old_session)
    DossierEpreuve.objects.filter(dossier=previous, epreuve=world["E1"]).update(
        grade=Decimal("12"), obtained_on=dt.date(2025, 6, 20)
    )
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    fill(dossier, world)
    row = DossierEpreuve.objects.get(dossier=dossier, epreuve=world["E1"])
    assert row.choice == "taken" and row.benefice_renounced and row.grade == Decimal("12")


def test_expire_closed_turns_drafts_of_closed_sessions_into_expired_and_is_idempotent(world):
    draft = services.dossier_start(candidate=world["user"], session=world["session"])
    done = registered(world, user=candidate_with_profile(user__email="b@example.org"))
    later = world["session"].registration_closes_at
    assert services.dossier_expire_closed(at=later - dt.timedelta(minutes=1)) == 0
    assert services.dossier_expire_closed(at=later) == 1
    assert services.dossier_expire_closed(at=later) == 0
    draft.refresh_from_db()
    done.refresh_from_db()
    assert draft.state == DossierState.EXPIRED and done.state == DossierState.REGISTERED
    assert Message.objects.filter(kind="registration_expired", dossier=draft).exists()
    with pytest.raises(IllegalTransition):
        services.dossier_register(dossier_id=draft.pk, acting_user=world["user"], certified=True)


def test_the_task_calls_the_service(world):
    from candidates.tasks import expire_closed_drafts

    services.dossier_start(candidate=world["user"], session=world["session"])
    assert expire_closed_drafts.delay().get() == 0


def test_a_registered_dossier_changing_specialty_stays_complete(world):
    from tests.factories import EpreuveFactory, SpecialtyFactory, open_specialty

    dossier = registered(world)
    other = SpecialtyFactory(code="ms", name="Maintenance des systèmes")
    open_specialty(world["session"], other)
    e1 = EpreuveFactory(specialty=other, code="E1", title="CGE", is_general_culture=True)
    dossier = services.dossier_save_tab(
        dossier_id=dossier.pk,
        tab="specialite",
        data={"specialty": other, "option": None, "forme": "global"},
        acting_user=world["user"],
    )
    assert dossier.state == DossierState.REGISTERED and "epreuves" in dossier.completed_tabs
    assert [(c.epreuve_id, c.choice) for c in dossier.epreuve_choices.all()] == [(e1.pk, "taken")]


def test_the_departement_follows_the_postcode_and_another_academie_is_refused(world):
    # CF, TLS: a candidate registers only in the académie of their residence; the département is
    # derived from the postcode, so it cannot be picked to contradict the address.
    from exams.models import Departement
    from tests.factories import AcademieFactory

    Departement.objects.create(
        code="31", name="Haute-Garonne", academie=AcademieFactory(code="toulouse", name="Toulouse")
    )
    Departement.objects.create(code="57", name="Moselle", academie=world["session"].academie)
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    consents = {"consent_press": False, "consent_commercial": False, "consent_local_authorities": False}

    with pytest.raises(DomainError) as excinfo:
        services.dossier_save_tab(
            dossier_id=dossier.pk, tab="contact", data={**consents, "postcode": "31000", "city": "Toulouse"},
            acting_user=world["user"],
        )  # fmt: skip
    assert excinfo.value.field == "postcode"
    assert "ne relève pas de l'académie de Nancy-Metz" in excinfo.value.message
    dossier.refresh_from_db()
    assert dossier.postcode == "54000" and dossier.departement_id == "54"  # nothing saved is lost

    services.dossier_save_tab(
        dossier_id=dossier.pk, tab="contact", data={**consents, "postcode": "57000", "city": "Metz"},
        acting_user=world["user"],
    )  # fmt: skip
    dossier.refresh_from_db()
    assert dossier.departement_id == "57"


def test_a_specialty_the_session_does_not_open_is_refused(world):
    from tests.factories import SpecialtyFactory

    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    closed = SpecialtyFactory(code="ms", name="Maintenance des systèmes")
    services.dossier_save_tab(dossier_id=dossier.pk, tab="situation", acting_user=world["user"],
                              data={"category": "distance_school", "access_diploma": "Bac"})  # fmt: skip
    with pytest.raises(DomainError) as exc:
        services.dossier_save_tab(
            dossier_id=dossier.pk, tab="specialite", acting_user=world["user"],
            data={"specialty": closed, "option": None, "forme": "global"},
        )  # fmt: skip
    assert exc.value.field == "specialty" and "pas ouverte à cette session" in exc.value.message


def test_who_may_choose_the_forme_progressive_is_the_sessions(world):
    world["session"].progressive_categories = ["distance_continuing", "former_continuing"]  # TLS 001 l. 123
    world["session"].save()
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    with pytest.raises(DomainError) as exc:
        fill(dossier, world, forme="progressive", category="work_experience")
    assert exc.value.field == "forme" and "forme globale" in exc.value.message


def test_an_other_mandatory_language_is_typed_and_kept(world):
    dossier = services.dossier_start(candidate=world["user"], session=world["session"])
    fill(dossier, world)
    dossier = services.dossier_save_tab(
        dossier_id=dossier.pk, tab="langues", acting_user=world["user"],
        data={"mandatory_language": None, "mandatory_language_other": "Wolof", "optional_language": None,
              "optional_epreuves": []},
    )  # fmt: skip
    assert (dossier.mandatory_language_id, dossier.mandatory_language_other) == (None, "Wolof")
    with pytest.raises(DomainError) as exc:
        services.dossier_save_tab(
            dossier_id=dossier.pk, tab="langues", acting_user=world["user"],
            data={"mandatory_language": world["en"], "mandatory_language_other": "Wolof",
                  "optional_language": None, "optional_epreuves": []},
        )  # fmt: skip
    assert exc.value.field == "mandatory_language_other"
