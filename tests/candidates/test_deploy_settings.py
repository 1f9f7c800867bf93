"""`manage.py check --deploy` is clean with production variables (issue 3 item 3)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(*args, **env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    environment["CLAMD_URL"] = "tcp://clamav:3310"  # issue 12: required with DEBUG off
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_variables(tmp_path):
    result = _run(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        # issue 12: production needs a shared cache; settings never connect to it at start-up.
        REDIS_URL="redis://127.0.0.1:6379/15",
        ALLOWED_HOSTS="examens.example.fr",
        DATA_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)"
    )
    result = _run(
        "shell",
        "-c",
        code,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        # issue 12: production needs a shared cache; settings never connect to it at start-up.
        REDIS_URL="redis://127.0.0.1:6379/15",
        ALLOWED_HOSTS="examens.example.fr",
        DATA_DIR=str(tmp_path),
    )
    assert result.stdout.strip().splitlines()[-1] == "True True True True", result.stderr


def test_production_refuses_the_default_secret_key(tmp_path):
    result = _run(
        "check", DEBUG="false", ALLOWED_HOSTS="examens.example.fr", SECRET_KEY="", DATA_DIR=str(tmp_path)
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
