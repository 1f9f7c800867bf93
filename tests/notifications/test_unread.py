"""The navigation's unread count kept per user in the shared cache (issue 15): counted once, then
read from the cache, and never stale: every write to the user's messages forgets it."""

from __future__ import annotations

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications import services, unread
from notifications.models import Message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _message(user, kind="decision_compliant", **kwargs):
    return Message.objects.create(recipient=user, kind=kind, subject="Conforme", body="Bien.", **kwargs)


def _badge(client) -> str:
    page = client.get(reverse("candidates:space")).content.decode()
    start = page.index("Mes messages</a>") if "Mes messages</a>" in page else page.index("Mes messages")
    return page[start : start + 120]


def _count_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("candidates:space")).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "notifications_message" in q["sql"]]


@pytest.mark.parametrize("messages", [1, 30])
def test_the_count_is_read_once_then_from_the_cache(client, messages):
    me = UserFactory()
    for _ in range(messages):
        _message(me)
    client.force_login(me)
    assert len(_count_queries(client)) == 1  # counted
    assert _count_queries(client) == []  # then the cache answers
    assert f"{messages} non lu" in _badge(client)


def test_a_new_message_shows_at_the_next_page(client, django_capture_on_commit_callbacks):
    me = UserFactory()
    _message(me)
    client.force_login(me)
    assert "1 non lu<" in _badge(client)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(me, "decision_compliant", email=False)
    assert "2 non lus" in _badge(client)


def test_reading_a_message_lowers_the_count_at_once(client):
    me = UserFactory()
    first, _second = _message(me), _message(me)
    client.force_login(me)
    assert "2 non lus" in _badge(client)
    client.get(reverse("notifications:detail", args=[first.pk]))  # a queryset update
    assert "1 non lu<" in _badge(client)


def test_opening_the_thread_reads_its_alerts_and_lowers_the_count():
    from candidates.messaging.services import thread_mark_read
    from tests.documents.helpers import registered_dossier

    dossier = registered_dossier()
    _message(dossier.candidate, kind="conversation_from_bureau", dossier=dossier)
    assert unread.unread_count(dossier.candidate_id) == 1  # now in the cache
    thread_mark_read(dossier=dossier, by_staff=False)
    assert unread.unread_count(dossier.candidate_id) == 0


def test_a_deleted_message_is_no_longer_counted(client):
    me = UserFactory()
    message = _message(me)
    client.force_login(me)
    assert "1 non lu<" in _badge(client)
    message.delete()
    assert "non lu" not in _badge(client)


def test_a_page_read_before_the_commit_cannot_keep_the_old_count(django_capture_on_commit_callbacks):
    me = UserFactory()
    _message(me)
    with django_capture_on_commit_callbacks(execute=True):
        _message(me)
        # Another request, before this transaction commits, still counts one and caches it.
        cache.set(unread._key(me.pk), 1)
    assert unread.unread_count(me.pk) == 2


def test_redis_away_costs_the_cache_never_the_page(client):
    me = UserFactory()
    _message(me)
    client.force_login(me)
    client.get(reverse("candidates:space"))
    with (
        mock.patch.object(cache, "get", side_effect=ConnectionError),
        mock.patch.object(cache, "set", side_effect=ConnectionError),
        mock.patch.object(cache, "delete", side_effect=ConnectionError),
    ):
        assert unread.unread_count(me.pk) == 1
        _message(me)  # the forget cannot reach the cache: logged, the save still done
        assert unread.unread_count(me.pk) == 2
