"""Deployment files and production settings that cannot be run here, checked as far as we can."""

import os
import subprocess
import sys
from pathlib import Path

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


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean["CLAMD_URL"] = "tcp://clamav:3310"  # issue 12: required with DEBUG off
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup()"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_production_refuses_to_start_without_an_antivirus():
    result = _settings_import({"DEBUG": "false", "SECRET_KEY": "x" * 50, "CLAMD_URL": ""})
    assert result.returncode != 0
    assert "CLAMD_URL must point at a clamd daemon" in result.stderr


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _settings_import({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _settings_import({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
