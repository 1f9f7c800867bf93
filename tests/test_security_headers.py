"""Response headers (issue 12): a CSP without inline scripts, Permissions-Policy, and no-store on
every page served to a logged-in person."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import StaffAssignmentFactory, UserFactory, candidate_with_profile

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def _directives(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_has_a_csp_without_inline_scripts(client):
    directives = _directives(client.get("/"))
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives.get("default-src", [])
    assert directives["object-src"] == ["'self'"]  # PDF previews in the admin
    assert directives["frame-ancestors"] == ["'self'"]


def test_no_template_holds_an_executable_inline_script():
    # A <script> without src is refused by the CSP; JSON data blocks are not executed.
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>", path.read_text()):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: {tag}")
        if re.search(r"\son[a-z]+\s*=\s*[\"']", path.read_text()):
            offenders.append(f"{path.relative_to(ROOT)}: inline event handler")
    assert offenders == []


def test_the_moved_scripts_are_served_as_static_files(client):
    client.force_login(candidate_with_profile())
    page = client.get(reverse("candidates:profile_edit"))
    assert page.status_code == 200
    assert b"js/profile-postcode.js" in page.content
    assert b"js/signup-email-suggestion.js" in Client().get(reverse("candidates:signup")).content


def test_every_response_has_a_permissions_policy(client):
    policy = client.get("/").headers["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy and "microphone=()" in policy


def test_anonymous_public_pages_may_be_cached(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


@pytest.mark.parametrize(
    "url", ["/", "/mon-espace/", "/mes-documents/", "/mes-justificatifs/", "/simulateur/"]
)
def test_pages_of_a_logged_in_candidate_are_never_stored(client, url):
    client.force_login(candidate_with_profile())
    response = client.get(url)
    assert response.status_code in {200, 302}, url
    cache_control = response.headers["Cache-Control"]
    assert "no-store" in cache_control and "private" in cache_control


def test_admin_pages_are_never_stored(client):
    staff = StaffAssignmentFactory(user=UserFactory(email="resp@ac.fr"), role="manager").user
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert _directives(response)["script-src"] == ["'self'"]
