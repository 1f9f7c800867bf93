"""Sign-up on the real stack: PostgreSQL, the Redis cache for rate limits, a Celery worker that
delivers the activation e-mail from the outbox (issue 3 item 1, "sent by e-mail through Celery")."""

import time

import pytest
from django.core.cache import cache

from candidates.models import User
from notifications.models import EmailStatus, OutgoingEmail
from tests.candidates.account_helpers import PASSWORD

pytestmark = pytest.mark.integration


def _wait_sent(kind: str, timeout: float = 30) -> OutgoingEmail:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        email = OutgoingEmail.objects.filter(kind=kind).first()
        if email and email.status == EmailStatus.SENT:
            return email
        time.sleep(0.2)
    raise AssertionError(f"{kind} e-mail not sent: {OutgoingEmail.objects.values('status', 'last_error')}")


def test_the_worker_delivers_the_activation_email_and_redis_counts_the_rate_limit(
    client, celery_worker, settings
):
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower()
    cache.clear()
    settings.ACCOUNT_EMAIL_RATE_PER_ADDRESS = 1
    payload = {
        "email": "integration@example.org",
        "email_confirm": "integration@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    assert client.post("/creer-un-compte/", payload).status_code == 302
    email = _wait_sent("account_activation")
    assert email.to == "integration@example.org"
    assert "/activation/" in email.text_body
    assert User.objects.get(email="integration@example.org").is_active is False

    # The second attempt is refused by the counter kept in Redis.
    response = client.post("/creer-un-compte/", payload)
    assert response.status_code == 200
    assert "Plusieurs courriels" in response.content.decode()
    cache.clear()
