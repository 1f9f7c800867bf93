"""seed_catalogue's sessions on another date than today (domain.md §2)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from exams.demo import seed_catalogue
from exams.models import Session

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.django_db
def test_open_session_never_overwrites_a_notice_session():
    # In November 2024 the next session is 2025, which Nancy-Metz's notice already holds.
    seed_catalogue(now=dt.datetime(2024, 11, 1, 12, 0, tzinfo=dt.UTC))
    nm = Session.objects.get(code="nancy-metz-bts-2025")
    assert nm.registration_closes_at == dt.datetime(2024, 11, 13, 17, 0, tzinfo=PARIS)
    # Its registration period would overlap the notice's, which is open then: not created
    # (Session.clean refuses overlapping sessions, issue 13).
    assert not Session.objects.filter(code="nancy-metz-bts-2026").exists()
    assert Session.objects.filter(code="toulouse-bts-2025").exists()
