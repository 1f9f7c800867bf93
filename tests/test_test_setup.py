"""How `make test` sets itself up: the test database copied from a migrated template (tests/db_template.py)
and the work shared among processes (tests/conftest.py), issue 11."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests import db_template
from tests.conftest import ROOT


@pytest.mark.django_db
def test_the_copied_test_database_is_migrated_to_the_last_migration_of_every_app():
    executor = MigrationExecutor(connection)
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []


@pytest.mark.django_db
def test_the_copy_holds_what_the_data_migrations_and_post_migrate_wrote():
    from django.contrib.auth.models import Group, Permission

    assert Permission.objects.filter(codename="view_dossier").exists()
    from exams import roles

    roles_made = set(Group.objects.values_list("name", flat=True))
    assert {roles.GESTIONNAIRE, roles.MANAGER} <= roles_made  # exams.staff's post_migrate


def test_the_template_is_built_again_when_the_code_changes(tmp_path, monkeypatch):
    for app in db_template.APPS:
        (tmp_path / app / "migrations").mkdir(parents=True)
    migration = tmp_path / "exams" / "migrations" / "0001_initial.py"
    migration.write_text("operations = []\n")
    monkeypatch.setattr(db_template, "ROOT", tmp_path)
    before = db_template.code_digest()
    assert db_template.code_digest() == before
    migration.write_text("operations = ['AddField']\n")
    changed = db_template.code_digest()
    assert changed != before
    (tmp_path / "exams" / "models.py").write_text("x = 1\n")
    assert db_template.code_digest() not in {before, changed}


def test_a_file_is_one_unit_of_work_except_the_parameters_of_the_listed_tests():
    from tests.conftest import work_unit

    seed = "tests/exams/test_seed_demo.py"
    assert work_unit(f"{seed}::test_a") == work_unit(f"{seed}::test_b[x-1]") == seed
    journey = "tests/e2e/test_journey_browser.py::test_the_whole_journey"
    assert work_unit(f"{journey}[phone]") != work_unit(f"{journey}[desktop]")


def test_make_test_uses_the_scheduler_that_keeps_a_file_together():
    from tests.conftest import FileOrParameterScheduling

    split = FileOrParameterScheduling._split_scope
    assert split(None, "tests/test_forms.py::test_x[a]") == split(None, "tests/test_forms.py::test_y")
    assert "--dist loadfile" in (ROOT / "Makefile").read_text()


@pytest.mark.django_db
def test_the_flush_after_a_transactional_test_deletes_rows_and_keeps_no_row():
    from django.core.management.color import no_style
    from django.core.management.sql import sql_flush

    from tests.factories import DossierFactory

    DossierFactory()  # a dossier, its candidate, session, académie, specialty: foreign keys
    statements = sql_flush(no_style(), connection, reset_sequences=False)
    assert statements and all("TRUNCATE" not in sql for sql in statements)
    connection.ops.execute_sql_flush(statements)  # inside the test's transaction, rolled back
    from candidates.models import Dossier, User

    assert not Dossier.objects.exists() and not User.objects.exists()


@pytest.mark.django_db
def test_the_copy_keeps_the_database_settings_a_migration_gave_the_template():
    if connection.vendor != "postgresql":
        pytest.skip("database-level settings are PostgreSQL's")
    name = connection.settings_dict["NAME"]
    with connection.creation._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
            " WHERE d.datname = %s AND s.setrole = 0",
            [f"{name.rsplit('_gw', 1)[0]}_tpl_{db_template.code_digest()}"],
        )
        (template_settings,) = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase"
            " WHERE d.datname = %s AND s.setrole = 0",
            [name],
        )
        (copy_settings,) = cursor.fetchone()
    assert copy_settings == template_settings
