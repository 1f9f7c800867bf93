"""The navigation's links (templates/base.html) come from portal.context_processors.nav_urls, reversed
once per process and URL prefix (issue 15): the same links as `{% url %}` gave, for a visitor and a
candidate, and under a deployment's sub-path."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from portal.context_processors import NAV_LINKS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _nav(html: str) -> list[str]:
    nav = re.search(r'id="nav-principale"(.*?)</ul>', html, re.S).group(1)
    return re.findall(r'(?:href|action)="([^"]+)"', nav)


def test_a_visitor_and_a_candidate_get_every_link_of_the_navigation(client):
    assert _nav(client.get("/").content.decode()) == [
        reverse(name)
        for name in ("documents:simulator", "help:index", "candidates:signup", "candidates:login")
    ]
    client.force_login(UserFactory())
    assert _nav(client.get(reverse("notifications:inbox")).content.decode()) == [
        reverse(name)
        for name in (
            "documents:simulator",
            "help:index",
            "candidates:space",
            "recap:documents",
            "documents:pieces_index",
            "notifications:inbox",
            "candidates:logout",
        )
    ]
    assert set(NAV_LINKS.values()) >= {"admin:index", "home"}


def test_under_a_sub_path_the_links_carry_it_and_the_root_ones_stay_right():
    from django.urls import set_script_prefix

    from portal.context_processors import nav_urls

    try:
        set_script_prefix("/examens/")
        assert nav_urls()["simulator"] == reverse("documents:simulator") == "/examens/simulateur/"
    finally:
        set_script_prefix("/")
    assert nav_urls()["simulator"] == reverse("documents:simulator") == "/simulateur/"
