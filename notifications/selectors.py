"""Reads of notifications: the candidate's inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from . import unread
from .models import Message


def inbox_messages(*, user) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user).only(
        "pk", "subject", "kind", "created_at", "read_at", "recipient_id"
    )


def unread_count(*, user) -> int:
    """The navigation's badge: from the shared cache, kept per user (notifications.unread)."""
    return unread.unread_count(user.pk)
