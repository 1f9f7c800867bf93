"""A test e-mail backend that fails on demand, like an SMTP server having a bad day."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend


class FlakyBackend(BaseEmailBackend):
    errors: list[Exception] = []
    sent: list = []

    @classmethod
    def reset(cls) -> None:
        cls.errors = []
        cls.sent = []

    def send_messages(self, email_messages):
        if self.errors:
            raise self.errors.pop(0)
        self.sent.extend(email_messages)
        return len(email_messages)
