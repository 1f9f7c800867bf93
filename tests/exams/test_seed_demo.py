"""``manage.py seed_demo``: idempotent demo catalogue faithful to the notices (domain.md §2, §6)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from exams.demo import next_session_year
from exams.demo_catalogue import DEMO_PASSWORD
from exams.management.commands.seed_demo import COUNTED
from exams.models import Academie, Epreuve, Session, SessionSpecialty, Specialty, StaffAssignment

pytestmark = pytest.mark.slow  # make test starts it first (tests/conftest.py)

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _counts() -> dict[str, int]:
    counts = {model._meta.label: model.objects.count() for model in COUNTED}
    counts["session_languages"] = Session.optional_languages.through.objects.count()
    counts["assignment_specialties"] = StaffAssignment.specialties.through.objects.count()
    return counts


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """seed_demo once for the module, not once per test: the tests only read it. The seed runs in
    an outer transaction that the module's end rolls back, and each test runs in a savepoint
    inside it (pytest-django's db), so a test that writes leaves the next one the same seed."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                out = StringIO()
                call_command("seed_demo", stdout=out)
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield out.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.mark.django_db
def test_running_seed_demo_twice_gives_the_same_counts(seeded):
    first = _counts()
    call_command("seed_demo", stdout=StringIO())
    assert _counts() == first
    assert first["exams.Academie"] == 6
    assert first["exams.Specialty"] >= 14


@pytest.mark.django_db
def test_output_lists_counts_and_logins_with_the_password(seeded):
    assert "Epreuve" in seeded
    assert "candidat@demo.examens.fr" in seeded
    assert DEMO_PASSWORD in seeded


@pytest.mark.django_db
def test_every_seeded_session_passes_full_clean(seeded):
    sessions = list(Session.objects.all())
    assert len(sessions) == 11
    for session in sessions:
        session.full_clean()


@pytest.mark.django_db
def test_each_academie_has_a_session_open_now(seeded):
    now = timezone.now()
    for academie in Academie.objects.all():
        open_sessions = Session.objects.open_at(now).filter(academie=academie)
        assert open_sessions.count() == 1, academie.code
        session = open_sessions.get()
        assert session.code == f"{academie.code}-bts-{next_session_year(academie.localtime(now))}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "opens", "closes"),
    [
        ("clermont-ferrand-bts-2024", dt.datetime(2023, 10, 12, 9, 0), dt.datetime(2023, 11, 15, 17, 0)),
        ("toulouse-bts-2024", dt.datetime(2023, 10, 11, 14, 0), dt.datetime(2023, 11, 15, 17, 0)),
        ("nancy-metz-bts-2025", dt.datetime(2024, 10, 14, 9, 0), dt.datetime(2024, 11, 13, 17, 0)),
        ("aix-marseille-bts-2023", dt.datetime(2022, 10, 18, 8, 0), dt.datetime(2022, 11, 21, 18, 0)),
        # NT 004 l. 21 «au mercredi 15 novembre 2023»: the whole day, so 00:00 on the 16th is late.
        ("nantes-bts-2024", dt.datetime(2023, 10, 16, 0, 0), dt.datetime(2023, 11, 16, 0, 0)),
    ],
)
def test_notice_sessions_have_the_notices_local_opening_and_closing(seeded, code, opens, closes):
    session = Session.objects.get(code=code)
    assert session.registration_opens_at == opens.replace(tzinfo=PARIS)
    assert session.registration_closes_at == closes.replace(tzinfo=PARIS)
    assert session.local(session.registration_closes_at).strftime("%H:%M") == closes.strftime("%H:%M")


@pytest.mark.django_db
def test_notice_late_and_handicap_deadlines(seeded):
    nm = Session.objects.get(code="nancy-metz-bts-2025")
    # «avant le 17 janvier 2025»: the 17th is accepted through 23:59:59 (exams.deadlines).
    assert nm.late_pieces_deadline == dt.datetime(2025, 1, 18, 0, 0, tzinfo=PARIS)
    assert nm.handicap_request_url.endswith("demande-d-amenagements-d-epreuves-122438")
    tls = Session.objects.get(code="toulouse-bts-2024")
    assert tls.review_deadline == dt.datetime(2024, 1, 11, 0, 0, tzinfo=PARIS)
    nt = Session.objects.get(code="nantes-bts-2024")
    # NT 004 l. 62 «le vendredi 24 novembre 2023 à minuit».
    assert nt.pieces_deadline == dt.datetime(2023, 11, 25, 0, 0, tzinfo=PARIS)


@pytest.mark.django_db
def test_martinique_open_session_closes_at_17h_martinique_time(seeded):
    academie = Academie.objects.get(code="martinique")
    assert academie.time_zone == "America/Martinique"
    assert academie.departements.get().code == "972"
    session = Session.objects.open_at(timezone.now()).get(academie=academie)
    closes = session.registration_closes_at.astimezone(zoneinfo.ZoneInfo("America/Martinique"))
    assert (closes.hour, closes.minute) == (17, 0)
    assert sorted(session.optional_languages.values_list("code", flat=True)) == ["es", "pt"]


@pytest.mark.django_db
def test_r408_flags_are_each_notices_list(seeded):
    expected = {
        "architectures-en-metal-conception-et-realisation": (True, True),
        "batiment": (False, True),
        "enveloppe-des-batiments-conception-et-realisation": (False, True),
        "finitions-amenagement-des-batiments-conception-et-realisation": (True, False),
        "fluides-energies-domotique": (False, True),
        "management-economique-de-la-construction": (False, True),
        "systemes-constructifs-bois-et-habitat": (True, True),
        "travaux-publics": (False, True),
    }
    # CF 000 l. 255-269: the table with its annexes.
    cf = SessionSpecialty.objects.filter(session__code="clermont-ferrand-bts-2024").select_related(
        "specialty"
    )
    assert {o.specialty.code: (o.r408_annex4, o.r408_annex5) for o in cf if o.requires_r408} == expected
    assert cf.count() == Specialty.objects.count()

    def r408_list(code):
        return {
            o.specialty.code
            for o in SessionSpecialty.objects.filter(session__code=code).select_related("specialty")
            if o.requires_r408
        }

    mec, fab = (
        "management-economique-de-la-construction",
        "finitions-amenagement-des-batiments-conception-et-realisation",
    )
    # TLS 001 l. 206 lists neither MEC nor FAB; AM 003 l. 154 lists EEC (MEC) but not FAB; NM 002 l. 118 MEC.
    assert mec not in r408_list("toulouse-bts-2024") and fab not in r408_list("toulouse-bts-2024")
    assert mec in r408_list("aix-marseille-bts-2023") and fab not in r408_list("aix-marseille-bts-2023")
    assert mec in r408_list("nancy-metz-bts-2025")


@pytest.mark.django_db
def test_maintenance_des_systemes_has_options_a_to_d_each_with_a_professional_epreuve(seeded):
    ms = Specialty.objects.get(code="maintenance-des-systemes")
    assert list(ms.options.values_list("code", flat=True)) == ["A", "B", "C", "D"]
    for option in ms.options.all():
        assert option.epreuves.filter(is_professional=True).exists(), option.code


@pytest.mark.django_db
def test_industrial_specialties_have_an_e3_maitresse_whose_sous_epreuves_are_units(seeded):
    for code in ("batiment", "maintenance-des-systemes", "travaux-publics"):
        e3 = Epreuve.objects.get(specialty__code=code, code="E3")
        assert not e3.is_unit
        assert sorted(e3.children.values_list("unit_code", flat=True)) == ["U31", "U32"]
        assert all(child.is_unit for child in e3.children.all())


@pytest.mark.django_db
def test_every_specialty_has_the_optional_epreuves_and_a_professional_dossier(seeded):
    for specialty in Specialty.objects.all():
        epreuves = specialty.epreuves
        assert epreuves.filter(code="EF1", is_optional=True, is_language=True, unit_code="UF1").exists()
        assert epreuves.filter(code="EF2", is_optional=True, is_student_engagement=True).exists()
        assert epreuves.filter(is_professional=True, needs_dossier=True).exists(), specialty.code
        assert not epreuves.filter(is_professional=True, dispensable=True).exists()


@pytest.mark.django_db
def test_demo_accounts_log_in_with_the_documented_password(seeded):
    for email in ("admin@demo.examens.fr", "responsable@demo.examens.fr", "candidat@demo.examens.fr"):
        user = get_user_model().objects.get_by_natural_key(email)
        assert user.check_password(DEMO_PASSWORD), email
        assert user.is_active and user.email_verified_at, email
    manager = StaffAssignment.objects.get(user__email="responsable@demo.examens.fr")
    assert (manager.role, manager.academie.code) == ("manager", "nancy-metz")
    assert StaffAssignment.objects.filter(role="gestionnaire").count() == 6
