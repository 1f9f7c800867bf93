"""The embedded default's in-process sweeper (issue 17): started by runserver only, and what it
does every minute: e-mails that met a short SMTP outage are sent later, not failed."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.utils import timezone

from notifications.models import EmailStatus, OutgoingEmail
from notifications.services import notify
from portal import embedded
from tests.factories import UserFactory
from tests.notifications.backends import FlakyBackend


@pytest.mark.parametrize(
    ("argv", "environ", "eager", "expected"),
    [
        (["manage.py", "runserver", "127.0.0.1:8000"], {"RUN_MAIN": "true"}, True, True),
        (["manage.py", "runserver", "--noreload"], {}, True, True),
        (["manage.py", "runserver"], {}, True, False),  # the autoreloader's parent
        (["manage.py", "runserver"], {"RUN_MAIN": "true"}, False, False),  # real workers and beat
        (["manage.py", "migrate"], {"RUN_MAIN": "true"}, True, False),
        (["pytest"], {}, True, False),
    ],
)
def test_it_starts_only_in_the_serving_runserver_process(settings, argv, environ, eager, expected):
    settings.CELERY_TASK_ALWAYS_EAGER = eager
    assert embedded.should_start(argv, environ) is expected


# transaction=True: after a failed send the delivery drops its database connection (it may be the
# broken one) and Django opens a new one, which a test wrapped in one transaction cannot survive.
@pytest.mark.django_db(transaction=True)
def test_an_email_that_met_an_smtp_outage_is_sent_by_the_next_sweep(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.notifications.backends.FlakyBackend"
    FlakyBackend.reset()
    FlakyBackend.errors = [smtplib.SMTPConnectError(421, b"down")]
    with django_capture_on_commit_callbacks(execute=True):
        notify(UserFactory(), "account_activation", {"activation_url": "http://x/"}, inbox=False)
    outgoing = OutgoingEmail.objects.get()
    assert outgoing.status == EmailStatus.PENDING  # never failed after one try
    OutgoingEmail.objects.update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    embedded.sweep_once()
    outgoing.refresh_from_db()
    assert outgoing.status == EmailStatus.SENT and len(FlakyBackend.sent) == 1
