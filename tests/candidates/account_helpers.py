"""Shared helpers of the account tests (issue 3): a clean cache, and links read back from e-mails."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

PASSWORD = "Un-mot-de-passe-solide-1"


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit counters live in the cache; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


def link_in(message, path_prefix: str) -> str:
    """The path of the first link of ``message`` (an e-mail) that starts with ``path_prefix``."""
    match = re.search(r"https?://[^/\s]+(" + re.escape(path_prefix) + r"\S*)", message.body)
    assert match, f"no link to {path_prefix} in:\n{message.body}"
    return match.group(1)


def mails_to(address: str) -> list:
    return [m for m in mail.outbox if address in m.to]


def signup(client, capture, email: str, *, confirm: str | None = None, password: str = PASSWORD, **extra):
    with capture(execute=True):
        return client.post(
            "/creer-un-compte/",
            {"email": email, "email_confirm": confirm or email, "password1": password, "password2": password},
            **extra,
        )
