"""Deployment files and production settings that cannot be run here, checked as far as we can."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # make test starts it first (tests/conftest.py)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_docker_compose_file_follows_the_compose_specification():
    result = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_runs_web_worker_beat_postgres_redis_and_a_mail_catcher():
    text = (ROOT / "docker-compose.yml").read_text()
    for service in ("web:", "worker:", "beat:", "postgres:", "redis:", "mailpit:", "clamav:", "freshclam:"):
        assert f"\n  {service}" in text


def test_compose_puts_nginx_before_two_web_replicas_pgbouncer_before_postgres_and_files_in_s3():
    from ruamel.yaml import YAML  # check-jsonschema's YAML reader

    services = YAML(typ="safe").load((ROOT / "docker-compose.yml").read_text())["services"]
    assert services["web"]["deploy"]["replicas"] >= 2 and "ports" not in services["web"]
    assert services["nginx"]["ports"] == ["8000:80"]
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "proxy_request_buffering on" in nginx and "location /static/" in nginx
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"
    for name in ("web", "worker", "beat"):
        env = services[name]["environment"]
        assert "pgbouncer" in env["DATABASE_URL"] and env["STORAGE_URL"].startswith("${STORAGE_URL:-s3://")
    assert "postgres:5432" in services["migrate"]["environment"]["DATABASE_URL"]  # not through the pooler
    assert "server" in services["seaweedfs"]["command"] and "-s3" in services["seaweedfs"]["command"]


def _settings_import(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "REDIS_URL"}}
    clean["CLAMD_URL"] = "tcp://clamav:3310"  # issue 12: required with DEBUG off
    script = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup()"
    return subprocess.run(
        [sys.executable, "-c", script + (f"; {code}" if code else "")],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


GOOD_KEY = "q3Jt9vKp0xWm7ZrB2nLc8sYd4hFg6aQe1uTi5oPj-V_kRwXy"
PRODUCTION = {"DEBUG": "false", "SECRET_KEY": GOOD_KEY, "REDIS_URL": "redis://127.0.0.1:6379/15"}


def _example_key() -> str:
    (line,) = [x for x in (ROOT / ".env.example").read_text().splitlines() if x.startswith("SECRET_KEY=")]
    return line.split("=", 1)[1]


def test_production_refuses_to_start_without_an_antivirus():
    result = _settings_import({**PRODUCTION, "CLAMD_URL": ""})
    assert result.returncode != 0
    assert "CLAMD_URL must point at a clamd daemon" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _settings_import({**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "key, reason",
    [
        (_example_key(), "published in this repository"),
        ("dev-only-insecure-key-do-not-use-in-production", "published in this repository"),
        ("x" * 50, "distinct characters"),
        ("abcd" * 15, "distinct characters"),
        ("Kz8#pQ2!mW", "at least 40"),
    ],
)
def test_production_refuses_to_start_on_a_public_or_low_entropy_key(key, reason):
    result = _settings_import({**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr and reason in result.stderr, result.stderr[-600:]


def test_production_refuses_to_start_without_a_shared_cache():
    result = _settings_import({**PRODUCTION, "REDIS_URL": ""})
    assert result.returncode != 0
    assert "REDIS_URL must be set when DEBUG is off" in result.stderr


def test_production_starts_with_a_real_secret_key_and_redis():
    result = _settings_import(PRODUCTION)
    assert result.returncode == 0, result.stderr


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_check_deploy_fails_on_the_example_key_and_the_local_cache():
    # DEBUG on, so that settings load and the system checks are the ones answering.
    result = _check_deploy({"DEBUG": "true", "SECRET_KEY": _example_key(), "REDIS_URL": ""})
    assert result.returncode != 0
    assert "portal.E001" in result.stderr and "published in this repository" in result.stderr
    assert "portal.E002" in result.stderr and "REDIS_URL must be set" in result.stderr


def test_check_deploy_passes_our_checks_on_production_settings():
    result = _check_deploy({**PRODUCTION, "SECURE_SSL_REDIRECT": "true"})
    output = result.stdout + result.stderr
    assert "portal.E00" not in output, output


def test_the_dependency_audit_says_in_one_line_when_its_database_is_unreachable():
    result = subprocess.run(
        [sys.executable, ".ci/audit-dependencies"], cwd=ROOT, capture_output=True, text=True, timeout=30,
        env={**os.environ, "PIP_AUDIT_HOST": "osv.invalid", "PIP_AUDIT_TIMEOUT": "1"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("pip-audit: skipped") and "osv.invalid" in lines[0]


def test_make_test_runs_the_dependency_audit():
    makefile = (ROOT / "Makefile").read_text()
    assert "test: install lint audit" in makefile


@pytest.mark.parametrize(
    ("worker", "url", "expected"),
    [
        ("", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("gw0", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
        ("gw2", "redis://127.0.0.1:6379/4", "redis://127.0.0.1:6379/7"),
        ("gw1", "redis://:secret@redis:6379", "redis://:secret@redis:6379/2"),
    ],
)
def test_each_parallel_test_process_has_a_redis_database_of_its_own(worker, url, expected):
    """`make test` runs in several processes: one's cache.clear() (FLUSHDB) must never empty the
    broker or the rate-limit counters of a test running beside it."""
    env = {"REDIS_URL": url, "PYTEST_XDIST_WORKER": worker, "DEBUG": "true"}
    code = "from django.conf import settings as s; print(s.REDIS_URL, s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'])"
    result = _settings_import(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [expected] * 3
