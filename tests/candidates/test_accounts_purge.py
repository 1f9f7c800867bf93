"""The periodic purge of accounts never activated within 48 h (AM, NT)."""

import datetime as dt

import pytest
from django.utils import timezone

from candidates import tasks
from candidates.accounts.services import purge_inactive_accounts
from candidates.models import Profile, User
from tests.candidates.account_helpers import _clean_cache  # noqa: F401
from tests.factories import DossierFactory, UserFactory

pytestmark = pytest.mark.django_db


def _user(email, *, hours_ago, **fields):
    user = UserFactory(email=email, **fields)
    User.objects.filter(pk=user.pk).update(date_joined=timezone.now() - dt.timedelta(hours=hours_ago))
    return user


def test_it_deletes_only_accounts_never_activated_after_48_hours():
    stale = _user("perime@example.org", hours_ago=49, is_active=False)
    Profile.objects.create(user=stale)
    _user("recent@example.org", hours_ago=47, is_active=False)
    _user("actif@example.org", hours_ago=24 * 400, is_active=True)
    _user(
        "desactive@example.org", hours_ago=24 * 400, is_active=False, email_verified_at=timezone.now()
    )  # deactivated by staff, once verified
    _user("staff@example.org", hours_ago=100, is_active=False, is_staff=True)

    assert purge_inactive_accounts() == 1
    assert set(User.objects.values_list("email", flat=True)) == {
        "recent@example.org",
        "actif@example.org",
        "desactive@example.org",
        "staff@example.org",
    }
    assert not Profile.objects.filter(user_id=stale.pk).exists()


def test_it_keeps_an_inactive_account_that_has_a_dossier():
    user = _user("dossier@example.org", hours_ago=100, is_active=False)
    DossierFactory(candidate=user)
    assert purge_inactive_accounts() == 0


def test_it_purges_in_batches_and_is_idempotent():
    for n in range(7):
        _user(f"p{n}@example.org", hours_ago=72, is_active=False)
    assert purge_inactive_accounts(batch_size=3) == 7
    assert purge_inactive_accounts(batch_size=3) == 0


def test_the_task_runs_the_purge():
    _user("perime@example.org", hours_ago=49, is_active=False)
    assert tasks.purge_inactive_accounts.delay().get() == 1
    assert not User.objects.exists()
