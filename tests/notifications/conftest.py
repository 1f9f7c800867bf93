"""Fixtures of the notifications tests: a template kind of our own, a flaky SMTP backend."""

from __future__ import annotations

import copy

import pytest

from . import backends


@pytest.fixture
def test_kind(settings, tmp_path):
    """A notification kind 'essai' whose templates live in the test's folder."""
    folder = tmp_path / "templates" / "notifications" / "essai"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("Votre dossier {{ dossier_number }}\n")
    (folder / "body.txt").write_text("Votre dossier {{ dossier_number }} a changé d'état.\n")
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [tmp_path / "templates", *templates[0]["DIRS"]]
    settings.TEMPLATES = templates
    return "essai"


@pytest.fixture
def flaky_smtp(settings):
    """An SMTP backend that raises the queued errors first, then delivers."""
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    backends.FlakyBackend.reset()
    return backends.FlakyBackend
