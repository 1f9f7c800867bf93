"""The candidate's inbox "Mes messages", the unread count in the navigation, the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from notifications import services
from notifications.models import EmailStatus, Message, OutgoingEmail
from tests.factories import UserFactory


def _message(user, subject="Votre dossier est conforme", **kwargs):
    return Message.objects.create(
        recipient=user,
        kind="decision_compliant",
        subject=subject,
        body="Bonne nouvelle.\nÀ bientôt.",
        **kwargs,
    )


@pytest.mark.django_db
def test_the_inbox_lists_only_the_candidates_own_messages(client):
    me, other = UserFactory(), UserFactory()
    _message(me, "Pour moi")
    _message(other, "Pour un autre")
    client.force_login(me)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert "Pour moi" in response.text
    assert "Pour un autre" not in response.text


@pytest.mark.django_db
def test_the_inbox_asks_to_log_in(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert reverse("candidates:login") in response["Location"]


@pytest.mark.django_db
def test_opening_a_message_marks_it_read(client):
    me = UserFactory()
    message = _message(me, link="/mon-espace/")
    client.force_login(me)
    response = client.get(reverse("notifications:detail", args=[message.pk]))
    assert response.status_code == 200
    assert "Bonne nouvelle.<br>À bientôt." in response.text
    assert 'href="/mon-espace/"' in response.text
    message.refresh_from_db()
    assert message.read_at is not None
    first_read = message.read_at
    client.get(reverse("notifications:detail", args=[message.pk]))
    message.refresh_from_db()
    assert message.read_at == first_read


@pytest.mark.django_db
def test_another_candidates_message_is_not_found(client):
    message = _message(UserFactory())
    client.force_login(UserFactory())
    assert client.get(reverse("notifications:detail", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


@pytest.mark.django_db
def test_the_navigation_shows_the_unread_count(client):
    me = UserFactory()
    _message(me)
    _message(me)
    client.force_login(me)
    response = client.get(reverse("candidates:space"))
    assert "Mes messages" in response.text
    assert "2 non lus" in response.text
    client.get(reverse("notifications:detail", args=[Message.objects.first().pk]))
    assert "1 non lu<" in client.get(reverse("candidates:space")).text


@pytest.mark.django_db
@pytest.mark.parametrize("messages", [1, 30])
def test_the_unread_count_costs_one_query_then_none(client, messages):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = UserFactory()
    for _ in range(messages):
        _message(me)
    client.force_login(me)
    client.get(reverse("candidates:space"))  # warm the session
    cache.clear()
    for expected in (1, 0):  # counted, then the shared cache's (issue 15: notifications.unread)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("candidates:space"))
        inbox_queries = [q["sql"] for q in queries.captured_queries if "notifications_message" in q["sql"]]
        assert len(inbox_queries) == expected, inbox_queries
        assert f"{messages} non lu" in response.text


@pytest.mark.django_db
@pytest.mark.parametrize("messages", [3, 45])
def test_the_inbox_page_costs_the_same_at_any_size(client, django_assert_max_num_queries, messages):
    me = UserFactory()
    for _ in range(messages):
        _message(me)
    client.force_login(me)
    client.get(reverse("notifications:inbox"))
    with django_assert_max_num_queries(5):
        response = client.get(reverse("notifications:inbox"))
    assert response.text.count("Non lu</span>") == min(messages, 20)


@pytest.mark.django_db
def test_the_admin_resends_a_failed_email(admin_client, django_capture_on_commit_callbacks, mailoutbox):
    user = UserFactory()
    outgoing = OutgoingEmail.objects.create(
        kind="essai",
        to=user.email,
        subject="Essai",
        text_body="Bonjour",
        status=EmailStatus.FAILED,
        attempts=10,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:notifications_outgoingemail_changelist"),
            {"action": "resend", "_selected_action": [outgoing.pk]},
            follow=True,
        )
    assert "1 courriel remis en file d" in response.text
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (EmailStatus.SENT, 1)
    assert len(mailoutbox) == 1
    page = admin_client.get(reverse("admin:notifications_outgoingemail_change", args=[outgoing.pk]))
    assert f"&lt;{outgoing.uuid}@127.0.0.1&gt;" in page.text


@pytest.mark.django_db
def test_the_periodic_jobs_are_scheduled_and_editable_in_the_admin(admin_client):
    import importlib

    from django.apps import apps

    # A transactional test run before this one in the same process flushes the migration's rows:
    # the migration's own function (idempotent, test below) puts them back as migrate wrote them.
    importlib.import_module("notifications.migrations.0003_periodic_jobs").create_jobs(apps, None)
    tasks = dict(PeriodicTask.objects.values_list("task", "enabled"))
    for task in [
        "notifications.tasks.sweep_outbox",
        "notifications.tasks.send_reminders",
        "candidates.tasks.purge_inactive_accounts",
        "candidates.tasks.expire_closed_drafts",
        "documents.tasks.cancel_dossiers_missing_pieces",
    ]:
        assert tasks[task] is True
    sweep = PeriodicTask.objects.get(task="notifications.tasks.sweep_outbox")
    assert (sweep.interval.every, sweep.interval.period) == (1, "minutes")
    assert PeriodicTask.objects.get(task="notifications.tasks.send_reminders").crontab.minute == "5"
    page = admin_client.get(reverse("admin:django_celery_beat_periodictask_change", args=[sweep.pk]))
    assert page.status_code == 200


@pytest.mark.django_db
def test_the_schedule_migration_is_idempotent():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("notifications.migrations.0003_periodic_jobs")
    # Transactional tests elsewhere may have flushed the migration's rows: run it, then again.
    migration.create_jobs(apps, None)
    once = PeriodicTask.objects.count()
    migration.create_jobs(apps, None)
    assert PeriodicTask.objects.count() == once >= 5


@pytest.mark.django_db
def test_marking_read_is_a_service_that_touches_only_unread(django_assert_num_queries):
    message = _message(UserFactory())
    with django_assert_num_queries(1):
        services.message_mark_read(message=message)
    with django_assert_num_queries(0):
        services.message_mark_read(message=message)


@pytest.mark.django_db
@pytest.mark.parametrize("messages", [0, 20, 21, 45])
def test_the_inbox_counts_its_messages_only_when_they_fill_more_than_a_page(client, messages):
    """issue 15: one page of messages is one query of the inbox's table (its rows and one more);
    the COUNT that numbers the pages only when there is a second page, whose links then show."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    me = UserFactory()
    for _ in range(messages):
        _message(me)
    client.force_login(me)
    client.get(reverse("notifications:inbox"))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("notifications:inbox")).text
    inbox = [q["sql"] for q in queries.captured_queries if "notifications_message" in q["sql"]]
    assert len(inbox) == (1 if messages <= 20 else 2), inbox
    assert page.count("Non lu</span>") == min(messages, 20)
    assert ("Messages plus anciens" in page) is (messages > 20)
    if messages > 20:
        assert "Page 1 sur" in page
        second = client.get(reverse("notifications:inbox"), {"page": 2}).text
        assert second.count("Non lu</span>") == min(messages - 20, 20) and "Messages plus récents" in second
    elif not messages:
        assert "aucun message" in page
