"""The data migration of issue 13 on the demo data: today's national rows (one contact and one R408
flag per specialty, piece rules per académie) move into the sessions without loss.

The scenario runs in a child process on a database of its own, empty, migrated forward to the
state before issue 13, seeded, then forward to the last migrations: unapplying every later
migration of the test database (what this test did before) cost twice the CPU (28 s on
PostgreSQL), and the data migrations write through the default database, so a second database
alias in this process would not do."""

import datetime as dt
import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from exams import demo_catalogue as data
from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # make test starts it first (tests/conftest.py)

BEFORE = [
    ("exams", "0001_initial"),
    ("documents", "0003_render_claim_and_enqueue_time"),
    ("candidates", "0003_dossier_number_counter"),
]
# The R408 flags and managing académies the demo catalogue had before issue 13 (CF table).
OLD_FLAGS = {
    "architectures-en-metal-conception-et-realisation": ("nantes", True, True),
    "batiment": ("toulouse", False, True),
    "travaux-publics": ("toulouse", False, True),
    "systemes-constructifs-bois-et-habitat": ("nancy-metz", True, True),
}


def _migrate(targets=None):
    """Migrate to ``targets`` (None: every app's latest migration) and return the apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _seed_old_demo(apps) -> dict:
    """The demo catalogue written with the models as they were (specialties national)."""
    Exam, Academie = apps.get_model("exams", "Exam"), apps.get_model("exams", "Academie")
    Session, Specialty = apps.get_model("exams", "Session"), apps.get_model("exams", "Specialty")
    Option, PieceRule = apps.get_model("exams", "SpecialtyOption"), apps.get_model("documents", "PieceRule")
    exam = Exam.objects.create(code="bts", name="BTS")
    academies = {a["code"]: Academie.objects.create(code=a["code"], name=a["name"]) for a in data.ACADEMIES}
    utc = dt.UTC
    for year in (2024, 2025):
        for code, academie in academies.items():
            Session.objects.create(
                code=f"{code}-bts-{year}", academie=academie, exam=exam, year=year,
                registration_opens_at=dt.datetime(year - 1, 10, 10, 7, tzinfo=utc),
                registration_closes_at=dt.datetime(year - 1, 11, 15, 16, tzinfo=utc),
                pieces_deadline=dt.datetime(year - 1, 11, 22, 23, tzinfo=utc),
            )  # fmt: skip
    for spec in data.SPECIALTIES:
        managing, a4, a5 = OLD_FLAGS.get(spec["code"], ("clermont-ferrand", False, False))
        specialty = Specialty.objects.create(
            code=spec["code"], name=spec["name"], abbreviation=spec["abbreviation"], exam=exam,
            managing_academie=academies[managing], r408_annex4=a4, r408_annex5=a5,
            gestionnaire_name=spec.get("gestionnaire_name", ""), gestionnaire_email=spec.get("gestionnaire_email", ""),
            gestionnaire_phone=spec.get("gestionnaire_phone", ""),
        )  # fmt: skip
        for code, name in spec["options"]:
            Option.objects.create(specialty=specialty, code=code, name=name)
    batiment = Specialty.objects.get(code="batiment")
    for academie in academies.values():
        PieceRule.objects.create(academie=academie, code="identity", reason="Pour tous.")
        r408 = PieceRule.objects.create(academie=academie, code="r408", reason="R408", when_r408=True)
        r408.specialties.set([batiment])
    return {"sessions": Session.objects.count(), "specialties": Specialty.objects.count(), "rules": 12}


def check_the_migration_in_this_database():
    """The scenario, in the child process (its default database is the fresh one)."""
    counts = _seed_old_demo(_migrate(BEFORE))

    apps = _migrate()
    Session, Opening = apps.get_model("exams", "Session"), apps.get_model("exams", "SessionSpecialty")
    PieceRule = apps.get_model("documents", "PieceRule")
    # Every session opens every specialty (nothing a candidate could choose disappears), with all options.
    assert Opening.objects.count() == counts["sessions"] * counts["specialties"]
    ms = Opening.objects.get(session__code="nancy-metz-bts-2025", specialty__code="maintenance-des-systemes")
    assert sorted(ms.options.values_list("code", flat=True)) == ["A", "B", "C", "D"]
    # R408 as it was, in every académie.
    scbh = Opening.objects.filter(specialty__code="systemes-constructifs-bois-et-habitat")
    assert {(o.r408_annex4, o.r408_annex5) for o in scbh} == {(True, True)}
    # The contact belongs to the managing académie's sessions only: Nancy-Metz no longer prints Toulouse's.
    batiment = Opening.objects.filter(specialty__code="batiment").select_related("session__academie")
    with_contact = {o.session.academie.code for o in batiment if o.gestionnaire_email}
    assert with_contact == {"toulouse"}
    assert batiment.get(session__code="toulouse-bts-2025").gestionnaire_email.endswith("@ac-toulouse.fr")
    # Each académie's rules are in each of its sessions, specialties kept.
    assert PieceRule.objects.count() == counts["rules"] * 2
    for session in Session.objects.all():
        rules = PieceRule.objects.filter(session=session)
        assert sorted(rules.values_list("code", flat=True)) == ["identity", "r408"], session.code
        assert list(rules.get(code="r408").specialties.values_list("code", flat=True)) == ["batiment"]
    # Sessions stay published: candidates see what they saw.
    assert set(Session.objects.values_list("is_published", flat=True)) == {True}


@pytest.fixture
def fresh_database_url(django_db_blocker, tmp_path):
    """An empty database of the test database's kind (PostgreSQL in CI, SQLite otherwise)."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'scopes.sqlite3'}"
        return
    name = f"{connection.settings_dict['NAME']}_scopes_{uuid.uuid4().hex[:6]}"
    db = connection.settings_dict
    with django_db_blocker.unblock(), connection.creation._nodb_cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with django_db_blocker.unblock(), connection.creation._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def test_the_national_rows_move_into_every_session_without_loss(fresh_database_url):
    script = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE'] = 'portal.settings'; django.setup()\n"
        "from tests.exams.test_migration_scopes import check_the_migration_in_this_database\n"
        "check_the_migration_in_this_database()\n"
    )
    env = {**os.environ, "DATABASE_URL": fresh_database_url, "DEBUG": "true"}
    env.pop("TEST_DATABASE_NAME", None)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-6000:]
