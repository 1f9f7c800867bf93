"""One migrated template database per version of the code, copied for each test process (issue 11).

`make test` runs in several processes (pytest-xdist) and each used to build its own test database
by running every migration: 11 s of CPU a process, three processes sharing two cores. Now the
first process to arrive migrates a template database (under a file lock), and every process,
that one included, copies it: PostgreSQL with `CREATE DATABASE … TEMPLATE` (under a second), the
embedded SQLite by the sqlite3 backup API into its in-memory database (milliseconds).

The template is named after a digest of the code that shapes a migrated database (the apps'
Python files, migrations and models included, and the installed packages' versions, whose own
migrations run too), so it is built again when any of them changes and reused otherwise, also by
the next `make test` on the same machine; templates of older digests are dropped when a new one
is built. It is built under a temporary name and renamed once complete, so a run killed while
migrating never leaves a half-migrated template behind.

`--reuse-db` and `--nomigrations` keep pytest-django's own set-up (tests/conftest.py).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sqlite3
import tempfile
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("portal", "candidates", "exams", "documents", "notifications")
LOCK_DIR = Path(tempfile.gettempdir())


def code_digest() -> str:
    digest = hashlib.sha1()
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(versions).encode())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(name: str):
    with (LOCK_DIR / f"portal-test-db-{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _migrate_into(connection, test_name: str, verbosity: int) -> None:
    """Run Django's own test-database creation (migrate, post_migrate) under `test_name`, then
    put the connection back where it was."""
    from django.conf import settings

    saved_name = connection.settings_dict["NAME"]
    saved_test = connection.settings_dict["TEST"].get("NAME")
    connection.settings_dict["TEST"]["NAME"] = test_name
    try:
        connection.creation.create_test_db(verbosity=verbosity, autoclobber=True, serialize=False)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = saved_name
        connection.settings_dict["TEST"]["NAME"] = saved_test
        settings.DATABASES[connection.alias]["NAME"] = saved_name


def _use(connection, name: str) -> None:
    from django.conf import settings

    connection.close()
    connection.settings_dict["NAME"] = name
    settings.DATABASES[connection.alias]["NAME"] = name


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _postgresql(connection, verbosity: int):
    target = connection.creation._get_test_db_name()  # test_<name>, with _gwN under xdist
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    base = target.removesuffix(f"_{worker}") if worker else target
    template = f"{base}_tpl_{code_digest()}"
    building = f"{template}_new"

    def databases(cursor, pattern: str) -> set[str]:
        cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [pattern])
        return {row[0] for row in cursor.fetchall()}

    with _locked(template):
        with connection.creation._nodb_cursor() as cursor:
            present = template in databases(cursor, template)
        if not present:
            _migrate_into(connection, building, verbosity)
            with connection.creation._nodb_cursor() as cursor:
                for old in databases(cursor, base.replace("_", r"\_") + r"\_tpl\_%") - {building}:
                    try:  # an older version's template (another run may still be copying it)
                        cursor.execute(f"DROP DATABASE IF EXISTS {_quote(old)}")
                    except Exception:  # noqa: BLE001
                        pass
                cursor.execute(f"ALTER DATABASE {_quote(building)} RENAME TO {_quote(template)}")
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(target)}")
            cursor.execute(f"CREATE DATABASE {_quote(target)} TEMPLATE {_quote(template)}")
            # A migration's ALTER DATABASE ... SET (e.g. jit) belongs to the template's OID and
            # CREATE DATABASE does not copy it: the copy gets the same settings.
            cursor.execute(
                "SELECT unnest(s.setconfig) FROM pg_db_role_setting s"
                " JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = %s AND s.setrole = 0",
                [template],
            )
            for (setting,) in cursor.fetchall():
                name, _, value = setting.partition("=")
                value = value.replace("'", "''")
                cursor.execute(f"ALTER DATABASE {_quote(target)} SET {_quote(name)} TO '{value}'")
    _use(connection, target)
    connection.ensure_connection()

    def teardown() -> None:
        connection.close()
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {_quote(target)}")

    return teardown


def _sqlite(connection, verbosity: int):
    target = connection.creation._get_test_db_name()
    if not connection.creation.is_in_memory_db(target):
        return None  # a file test database: pytest-django's own set-up
    template = LOCK_DIR / f"portal-test-db-{code_digest()}.sqlite3"
    with _locked(template.stem):
        if not template.exists():
            building = template.with_suffix(".new")
            building.unlink(missing_ok=True)
            _migrate_into(connection, str(building), verbosity)
            for old in LOCK_DIR.glob("portal-test-db-*.sqlite3"):
                old.unlink(missing_ok=True)
            building.rename(template)
    _use(connection, target)
    connection.ensure_connection()  # the in-memory database lives while this connection is open
    source = sqlite3.connect(template)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    return lambda: None


def flush_by_delete() -> None:
    """Transactional tests (live server, real workers) empty the database after each test through
    Django's flush, which on PostgreSQL is one TRUNCATE of the 65 tables: 1.1-2.3 s each time here
    (every truncated relation gets new files and its buffers are searched out of shared_buffers),
    against 25-30 ms for DELETEs of the few rows a test leaves, which is what Django's SQLite
    backend does. The foreign keys Django creates on PostgreSQL are DEFERRABLE INITIALLY DEFERRED,
    so the DELETEs, in flush's one transaction, may run in any order. A flush that resets the
    sequences keeps Django's TRUNCATE ... RESTART IDENTITY."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush
    if getattr(truncate, "deletes", False):
        return

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return ["SET CONSTRAINTS ALL DEFERRED;"] + [
            f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(table))};"
            for table in tables
        ]

    sql_flush.deletes = True
    DatabaseOperations.sql_flush = sql_flush


def setup_test_database(verbosity: int = 0):
    """Create this process's test database from the template; returns its teardown, or None
    where the database is not one this module copies (pytest-django then sets it up)."""
    from django.db import connections

    if set(connections) != {"default"}:
        return None
    connection = connections["default"]
    if connection.settings_dict["TEST"].get("MIGRATE") is False:
        return None
    if connection.vendor == "postgresql":
        flush_by_delete()
        return _postgresql(connection, verbosity)
    if connection.vendor == "sqlite":
        return _sqlite(connection, verbosity)
    return None
