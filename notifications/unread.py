"""The unread count of the navigation, kept per user in the shared cache (issue 15: a COUNT on
every page a candidate opens, about a third of the ceiling's CPU).

A write to a user's messages forgets their count, at once and again when the transaction commits
(a page read between the write and the commit cannot keep the old count): every save and delete
of a Message, through the model's signals (notify(), the exports' alert, the admin, the erasure's
and an account's cascade), and the two queryset updates that mark messages read
(``notifications.services.message_mark_read``, ``candidates.messaging.services.thread_mark_read``),
which call ``forget`` themselves. A count also expires after ``TTL`` seconds, which bounds a write
outside these paths (a data migration). Redis away (issue 17) costs the cache, never the page:
the count is then read from the database.
"""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Message

logger = logging.getLogger(__name__)

TTL = 300


def _key(user_id: int) -> str:
    return f"notifications:unread:{user_id}"


def _count_in_database(user_id: int) -> int:
    # Served by the (recipient, read_at) index.
    return Message.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def unread_count(user_id: int) -> int:
    try:
        value = cache.get(_key(user_id))
    except Exception:  # Redis away: the database answers
        logger.warning("unread count cache unavailable", exc_info=True)
        return _count_in_database(user_id)
    if value is None:
        value = _count_in_database(user_id)
        try:
            cache.set(_key(user_id), value, TTL)
        except Exception:
            logger.warning("unread count cache unavailable", exc_info=True)
    return value


def _delete(user_id: int) -> None:
    try:
        cache.delete(_key(user_id))
    except Exception:
        logger.warning("unread count cache unavailable: count not forgotten", exc_info=True)


def forget(user_id: int) -> None:
    """The user's messages changed: their next page counts again."""
    _delete(user_id)
    transaction.on_commit(lambda: _delete(user_id))


@receiver(post_save, sender=Message, dispatch_uid="unread_count_save")
@receiver(post_delete, sender=Message, dispatch_uid="unread_count_delete")
def _message_changed(sender, instance: Message, **kwargs) -> None:
    if instance.recipient_id:
        forget(instance.recipient_id)
