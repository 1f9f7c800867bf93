"""The image serves pages with DEBUG off: the static files are built by the Dockerfile's own
collectstatic line (same command, same environment, only STATIC_ROOT moved to a temporary
folder), then the main pages are requested with the production static storage. No Docker engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ["/", "/connexion/", "/admin/login/", "/creer-un-compte/", "/simulateur/"]
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def _dockerfile_env_and_collectstatic() -> tuple[dict[str, str], str]:
    text = (ROOT / "Dockerfile").read_text()
    env: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("ENV "):
            env.update(pair.split("=", 1) for pair in line[4:].split())
    (command,) = [
        line[4:] for line in text.splitlines() if line.startswith("RUN ") and "collectstatic" in line
    ]
    return env, command


@pytest.fixture(scope="module")
def built_static(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("static")
    data = tmp_path_factory.mktemp("data")
    image_env, command = _dockerfile_env_and_collectstatic()
    # A clean environment, as in the image: nothing of this test run (DEBUG, DATABASE_URL...) leaks in.
    env = {
        "PATH": f"{BIN}{os.pathsep}/usr/bin:/bin",
        "HOME": str(data),
        **image_env,
        "DATA_DIR": str(data),
        "STATIC_ROOT": str(root),
    }
    result = subprocess.run(
        ["sh", "-c", command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (root / "staticfiles.json").exists(), "collectstatic wrote no manifest"
    return root


def test_the_dockerfile_collects_static_files_with_debug_off():
    image_env, command = _dockerfile_env_and_collectstatic()
    assert "DEBUG=false" in command
    assert image_env["STATIC_ROOT"] and not image_env["STATIC_ROOT"].startswith(image_env["DATA_DIR"])


def test_no_vendored_file_points_to_a_missing_source_map():
    for path in (ROOT / "static").rglob("*.*"):
        if path.suffix in {".js", ".css"}:
            for name in re.findall(r"sourceMappingURL=([^\s*]+)", path.read_text(errors="ignore")):
                assert (path.parent / name).exists(), f"{path} points to a missing {name}"


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_main_pages_render_under_production_static_settings(built_static, settings, url):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    with override_settings(
        DEBUG=False, STATIC_ROOT=built_static, STORAGES=storages, SECURE_SSL_REDIRECT=False
    ):
        client = Client()
        response = client.get(url)
        assert response.status_code == 200, response.content[:2000]
        # The hashed names from the manifest, and WhiteNoise serves them.
        stylesheet = re.search(
            rb'href="(/static/vendor/bootstrap/bootstrap\.min\.[0-9a-f]{12}\.css)"', response.content
        )
        if url != "/admin/login/":
            assert stylesheet, response.content[:1000]
            assert client.get(stylesheet.group(1).decode()).status_code == 200


@pytest.mark.django_db
def test_health_fails_when_a_page_cannot_render(tmp_path, settings):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # An empty STATIC_ROOT: what the image held when collectstatic ran with DEBUG on.
    with override_settings(DEBUG=False, STATIC_ROOT=tmp_path, STORAGES=storages, SECURE_SSL_REDIRECT=False):
        response = Client().get("/sante/")
    assert response.status_code == 503
    assert response.json()["checks"]["pages"]["ok"] is False


@pytest.mark.django_db
def test_health_is_ok_when_the_pages_render(built_static, settings):
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    settings.REDIS_URL = ""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    with override_settings(
        DEBUG=False, STATIC_ROOT=built_static, STORAGES=storages, SECURE_SSL_REDIRECT=False
    ):
        response = Client().get("/sante/")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["pages"] == {"ok": True}
