"""The domain exception every service raises: its message is French and shown to the person."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the action. ``field`` names the form field at fault, if any."""

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code

    def __str__(self) -> str:
        return self.message
