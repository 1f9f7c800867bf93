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
    for service in ("web:", "worker:", "beat:", "postgres:", "redis:", "mailpit:"):
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


def _settings_import(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup()"],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def test_production_refuses_to_start_without_a_real_secret_key():
    result = _settings_import({"DEBUG": "false"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_starts_with_a_real_secret_key():
    result = _settings_import({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode == 0, result.stderr
