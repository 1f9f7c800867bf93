"""issue 18 item 1: every link the portal sends (activation, messages, the recap's QR code and its
verification address) points to the address `make run` serves on, not to :8000 whatever PORT is.
The recap's PDF is rendered by a worker, which has no request: the settings must be right."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

LINKS = """
from candidates.models import User
from documents.models import GeneratedDocument
from candidates.accounts.services import activation_link
from documents.recap.services import verification_url
from django.conf import settings
user = User(pk=7, email="camille@example.org", password="x")
print(settings.SITE_URL)
print(activation_link(user))
print(verification_url(GeneratedDocument(verification_token="jeton")))
"""


def _links(env: dict[str, str]) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT"}}
    script = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='portal.settings'; django.setup()\n"
    result = subprocess.run(
        [sys.executable, "-c", script + LINKS],
        cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_links_follow_the_port_the_portal_is_served_on():
    site, activation, verification = _links({"PORT": "8123"})
    assert site == "http://127.0.0.1:8123"
    assert activation.startswith("http://127.0.0.1:8123/activation/")
    assert verification == "http://127.0.0.1:8123/verifier/jeton/"


def test_an_explicit_site_url_wins_over_the_port():
    site, activation, _ = _links({"PORT": "8123", "SITE_URL": "https://examens.example.org/"})
    assert site == "https://examens.example.org"
    assert activation.startswith("https://examens.example.org/")


def test_the_default_is_still_port_8000():
    assert _links({})[0] == "http://127.0.0.1:8000"


def test_make_run_and_make_worker_hand_the_port_to_django():
    result = subprocess.run(
        ["make", "-n", "run", "worker", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("PORT=8123 ") and "runserver 127.0.0.1:8123" in line for line in lines)
    assert any(line.startswith("PORT=8123 ") and "celery -A portal worker" in line for line in lines)
