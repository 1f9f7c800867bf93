"""The unread count shown in the navigation: one cheap query, only when a page renders it."""

from __future__ import annotations

from functools import cached_property

from .selectors import unread_count


class _LazyCount:
    """An int computed at first use (pages that do not show the navigation, such as the admin,
    pay nothing) and behaving as a number in templates (`if`, `pluralize`, display)."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def value(self) -> int:
        return unread_count(user=self._user)

    def __int__(self) -> int:
        return self.value

    def __float__(self) -> float:
        return float(self.value)

    def __bool__(self) -> bool:
        return bool(self.value)

    def __str__(self) -> str:
        return str(self.value)

    def __eq__(self, other) -> bool:
        return self.value == other

    __hash__ = None


def unread(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_messages_count": _LazyCount(user)}
