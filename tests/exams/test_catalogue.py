"""A session's catalogue (issue 13): the roll-over, route rules per session, piece rules per session,
requirements frozen at the lock, the national JDC rule, the simulator per session."""

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from candidates.registration import rules as registration_rules
from documents.models import PieceRule, RequirementSnapshot
from documents.pieces import selectors as piece_selectors
from documents.pieces.rules import RequirementProfile
from documents.pieces.services import piece_rules_seed_session
from exams.catalogue import session_apply_notice, session_prepare_next, shift_one_year
from exams.models import Language, Session, SessionSpecialty
from portal.exceptions import DomainError
from tests.factories import (
    AcademieFactory,
    DossierFactory,
    SessionFactory,
    SpecialtyFactory,
    SpecialtyOptionFactory,
    open_specialty,
    paris,
)

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _nm_2025():
    session = SessionFactory(
        handicap_request_channel="Portail INCLUSCOL",
        handicap_request_url="https://www.ac-nancy-metz.fr/amenagements",
        handicap_request_deadline=paris(2024, 12, 9, 0, 0),
        review_deadline=paris(2025, 1, 20, 0, 0),
    )
    specialty = SpecialtyFactory()
    option = SpecialtyOptionFactory(specialty=specialty, code="A")
    SpecialtyOptionFactory(specialty=specialty, code="B")
    opening = open_specialty(session, specialty, options=[option])
    english = Language.objects.create(code="en", name="Anglais")
    session.mandatory_languages.add(english)
    session.optional_languages.add(Language.objects.create(code="de", name="Allemand"))
    piece_rules_seed_session(session=session)
    return session, opening


def test_preparing_the_next_session_copies_everything_one_year_later_unpublished():
    session, opening = _nm_2025()
    new = session_prepare_next(session=session)

    assert (new.year, new.code, new.is_published, new.previous_session) == (
        2026,
        "nancy-metz-bts-2026",
        False,
        session,
    )
    # 17:00 stays 17:00 local, 00:00 stays 00:00.
    assert new.registration_closes_at == paris(2025, 11, 13, 17, 0)
    assert new.handicap_request_deadline == paris(2025, 12, 9, 0, 0)
    assert new.late_pieces_deadline == session.late_pieces_deadline.replace(year=2026)
    assert new.handicap_request_channel == "Portail INCLUSCOL"
    assert new.progressive_categories == session.progressive_categories
    copy = SessionSpecialty.objects.get(session=new)
    assert (copy.specialty, copy.gestionnaire_email, copy.r408_annex5) == (
        opening.specialty,
        opening.gestionnaire_email,
        True,
    )
    assert list(copy.options.values_list("code", flat=True)) == ["A"]
    assert list(new.mandatory_languages.values_list("code", flat=True)) == ["en"]
    assert list(new.optional_languages.values_list("code", flat=True)) == ["de"]
    assert (
        PieceRule.objects.filter(session=new).count() == PieceRule.objects.filter(session=session).count() > 0
    )
    # Unpublished: no registration, whatever the dates say.
    assert not new.is_registration_open(paris(2025, 10, 20, 12, 0))
    assert not Session.objects.open_at(paris(2025, 10, 20, 12, 0)).exists()


def test_it_refuses_to_prepare_the_same_session_twice():
    session, _ = _nm_2025()
    session_prepare_next(session=session)
    with pytest.raises(DomainError, match="La session 2026 de Nancy-Metz existe déjà"):
        session_prepare_next(session=session)
    assert Session.objects.count() == 2


def test_editing_next_years_rules_never_changes_this_years_dossiers():
    session, _ = _nm_2025()
    dossier = DossierFactory(session=session, category="work_experience")
    before = [p.code for p in piece_selectors.required_pieces_for_dossier(dossier)]
    new = session_prepare_next(session=session)
    PieceRule.objects.create(session=new, code="access_diploma", reason="Nouveau en 2026.")
    PieceRule.objects.filter(session=new, code="work_certs").update(is_active=False)

    assert [p.code for p in piece_selectors.required_pieces_for_dossier(dossier)] == before
    assert "work_certs" in before


def test_a_locked_dossier_keeps_the_requirements_it_was_locked_on():
    session, _ = _nm_2025()
    dossier = DossierFactory(session=session, category="work_experience")
    piece_selectors.freeze_requirements(dossier, at=paris(2024, 11, 15, 10, 0))
    frozen = [(p.code, p.reason) for p in piece_selectors.required_pieces_for_dossier(dossier)]
    PieceRule.objects.filter(session=session, code="work_certs").update(reason="Autre motif")
    PieceRule.objects.create(session=session, code="access_diploma", reason="Ajoutée après la décision.")

    assert [(p.code, p.reason) for p in piece_selectors.required_pieces_for_dossier(dossier)] == frozen
    assert RequirementSnapshot.objects.get(dossier=dossier).taken_at == paris(2024, 11, 15, 10, 0)


def test_the_simulator_answers_with_the_rules_of_the_session_asked(client):
    session, opening = _nm_2025()
    new = session_prepare_next(session=session)
    PieceRule.objects.create(session=new, code="access_diploma", reason="Demandé en 2026.")
    params = {
        "category": "work_experience",
        "specialty": opening.specialty.code,
        "option": "A",
        "nationality": "FR",
        "birth_date": "1990-01-01",
    }
    headers = {"HTTP_ACCEPT": "application/json"}
    this_year = client.get("/simulateur/", {**params, "session": session.code}, **headers).json()
    next_year = client.get("/simulateur/", {**params, "session": new.code}, **headers).json()
    assert "access_diploma" not in [p["code"] for p in this_year["pieces"]]
    assert "access_diploma" in [p["code"] for p in next_year["pieces"]]


def test_the_simulator_refuses_a_specialty_the_session_does_not_open(client):
    session, _ = _nm_2025()
    other = SpecialtyFactory(code="travaux-publics", name="Travaux publics")
    response = client.get(
        "/simulateur/",
        {"session": session.code, "category": "work_experience", "specialty": other.code,
         "nationality": "FR", "birth_date": "1990-01-01"},
        HTTP_ACCEPT="application/json",
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["parameter"] == "specialty"
    assert "n'ouvre pas cette spécialité" in response.json()["error"]


@pytest.mark.parametrize(
    ("academie", "category", "may_choose"),
    [
        # TLS 001 l. 123: only continuing education chooses.
        ("toulouse", "distance_continuing", True),
        ("toulouse", "distance_school", False),
        ("toulouse", "work_experience", False),
        # CF 000 l. 184: CNED (distance) and promotion sociale.
        ("clermont-ferrand", "distance_school", True),
        ("clermont-ferrand", "work_experience", False),
        # NM 002 l. 39.
        ("nancy-metz", "work_experience", True),
        ("nancy-metz", "former_school", False),
    ],
)
def test_who_may_choose_the_forme_progressive_is_the_sessions_notice(academie, category, may_choose):
    session = SessionFactory(academie=AcademieFactory(code=academie, name=academie.title()))
    session_apply_notice(session=session)
    refusal = registration_rules.forme_refusal(
        category=category, forme="progressive", progressive_categories=session.progressive_categories
    )
    assert (refusal is None) == may_choose


def test_the_notices_r408_list_is_the_sessions():
    aix = SessionFactory(academie=AcademieFactory(code="aix-marseille", name="Aix-Marseille"))
    toulouse = SessionFactory(academie=AcademieFactory(code="toulouse", name="Toulouse"))
    SpecialtyFactory(code="management-economique-de-la-construction", name="MEC")
    for session in (aix, toulouse):
        session_apply_notice(session=session)
    mec = "management-economique-de-la-construction"
    # AM 003 l. 154 lists EEC; TLS 001 l. 206 does not.
    assert SessionSpecialty.objects.get(session=aix, specialty__code=mec).requires_r408
    assert not SessionSpecialty.objects.get(session=toulouse, specialty__code=mec).requires_r408


def test_the_jdc_is_national_and_asked_even_when_the_session_has_no_such_rule():
    session, opening = _nm_2025()
    PieceRule.objects.filter(session=session, code="jdc").delete()
    profile = RequirementProfile(
        category="work_experience", specialty_code=opening.specialty.code, nationality="FR",
        birth_date=dt.date(2001, 11, 14),
    )  # fmt: skip
    codes = [p.code for p in piece_selectors.required_pieces_for_profile(session, profile)]
    assert "jdc" in codes
    older = RequirementProfile(category="work_experience", nationality="FR", birth_date=dt.date(1999, 11, 13))
    assert "jdc" not in [p.code for p in piece_selectors.required_pieces_for_profile(session, older)]
    foreign = RequirementProfile(category="work_experience", nationality="DE", birth_date=dt.date(2004, 1, 1))
    assert "jdc" not in [p.code for p in piece_selectors.required_pieces_for_profile(session, foreign)]


def test_an_other_mandatory_language_asks_for_the_language_training_attestation():
    session = SessionFactory(academie=AcademieFactory(code="toulouse", name="Toulouse"))
    session_apply_notice(session=session)
    piece_rules_seed_session(session=session)
    dossier = DossierFactory(session=session, mandatory_language_other="Wolof")
    assert "language_training" in [p.code for p in piece_selectors.required_pieces_for_dossier(dossier)]


def test_two_sessions_of_an_academie_cannot_overlap_nor_share_a_year():
    session = SessionFactory()
    clash = Session(
        academie=session.academie,
        exam=session.exam,
        year=2026,
        code="nancy-metz-bts-2026",
        registration_opens_at=paris(2024, 11, 1, 9, 0),
        registration_closes_at=paris(2024, 12, 1, 17, 0),
        pieces_deadline=paris(2024, 12, 8, 0, 0),
    )
    with pytest.raises(ValidationError) as excinfo:
        clash.full_clean()
    assert "chevauchent" in " ".join(excinfo.value.message_dict["registration_opens_at"])
    clash.year = 2025
    with pytest.raises(ValidationError) as excinfo:
        clash.full_clean()
    assert "déjà une session 2025" in " ".join(excinfo.value.message_dict["year"])


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ((2024, 11, 13, 17, 0), (2025, 11, 13, 17, 0)),
        ((2024, 3, 30, 17, 0), (2025, 3, 30, 17, 0)),  # summer time starts on the 30th in 2025
        ((2024, 2, 29, 17, 0), (2025, 2, 28, 17, 0)),
    ],
)
def test_a_date_moves_one_year_on_the_academies_clocks(local, expected):
    assert shift_one_year(dt.datetime(*local, tzinfo=PARIS), PARIS) == dt.datetime(*expected, tzinfo=PARIS)


def test_a_candidate_of_the_previous_session_is_prefilled_in_the_prepared_one():
    from candidates.registration.services import dossier_start
    from tests.factories import candidate_with_profile

    session, opening = _nm_2025()
    candidate = candidate_with_profile()
    previous = DossierFactory(
        candidate=candidate, session=session, specialty=opening.specialty, option=opening.options.get(),
        state="non_compliant", number="2025-NM-000042", category="work_experience", forme="progressive",
    )  # fmt: skip
    new = session_prepare_next(session=session)
    new.is_published = True  # the manager reviewed and published it
    new.save()
    draft = dossier_start(candidate=candidate, session=new, at=paris(2025, 10, 20, 12, 0))
    assert (draft.specialty, draft.option, draft.forme, draft.category) == (
        previous.specialty, previous.option, "progressive", "work_experience",
    )  # fmt: skip
    assert (draft.previous_session_year, draft.previous_candidate_number) == (2025, "2025-NM-000042")
