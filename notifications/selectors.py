"""Reads of notifications: the candidate's inbox."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Message


def inbox_messages(*, user) -> QuerySet[Message]:
    return Message.objects.filter(recipient=user).only(
        "pk", "subject", "kind", "created_at", "read_at", "recipient_id"
    )


def unread_count(*, user) -> int:
    # Served by the (recipient, read_at) index.
    return Message.objects.filter(recipient=user, read_at__isnull=True).count()
