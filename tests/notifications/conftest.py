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


class RecordingHandler:
    """An SMTP server's DATA handler that records what it accepted (a 250 answer) and can hang on
    the next message, like a server stuck mid-conversation, until the test releases it."""

    def __init__(self):
        import threading

        self.accepted: list = []  # email.message.Message objects answered 250
        self.hang_next = False
        self.hanging = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        import email

        message = email.message_from_bytes(envelope.original_content or envelope.content)
        if self.hang_next:
            self.hang_next = False
            self.hanging.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
            # The client is dead by now: an SMTP server only takes a message it answered 250 to.
            return "451 4.3.0 Connection lost before the end of the transaction"
        self.accepted.append(message)
        return "250 2.0.0 Message accepted"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.accepted]


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port; yields (handler, EMAIL_URL)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = RecordingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, f"smtp://127.0.0.1:{port}"
    handler.release.set()
    controller.stop()
