"""The periodic reminders: J-7/J-1 to drafts, J-3 to dossiers missing pieces; twice → once."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from candidates.models import Dossier, DossierState
from notifications import jobs, tasks
from notifications.models import Message, ReminderSent
from tests.factories import DossierFactory, SessionFactory, walk_to


def _session(*, closes_in: dt.timedelta, pieces_in: dt.timedelta | None = None):
    now = timezone.now()
    closes = now + closes_in
    return SessionFactory(
        year=now.year + 1,
        registration_opens_at=now - dt.timedelta(days=30),
        registration_closes_at=closes,
        pieces_deadline=now + (pieces_in or closes_in + dt.timedelta(days=7)),
        late_pieces_deadline=now + dt.timedelta(days=90),
    )


def _dossier(session, *, state=DossierState.DRAFT, age=dt.timedelta(days=10), **kwargs):
    dossier = walk_to(DossierFactory(session=session, **kwargs), state)
    Dossier.objects.filter(pk=dossier.pk).update(created_at=timezone.now() - age)
    return dossier


def _run_twice(django_capture_on_commit_callbacks):
    results = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            results.append(tasks.send_reminders.delay().get())
    return results


@pytest.mark.django_db
def test_a_draft_is_reminded_once_at_j7_even_when_the_job_runs_twice(django_capture_on_commit_callbacks):
    session = _session(closes_in=dt.timedelta(days=6, hours=20))
    draft = _dossier(session)
    _dossier(session, state=DossierState.REGISTERED, number="NM-1")
    results = _run_twice(django_capture_on_commit_callbacks)
    assert [r["reminder_draft"] for r in results] == [1, 0]
    assert [m.to for m in mail.outbox] == [[draft.candidate.email]]
    assert "n'est pas enregistrée" in mail.outbox[0].subject
    message = Message.objects.get()
    assert (message.recipient, message.kind, message.dossier) == (draft.candidate, "reminder_draft", draft)
    assert ReminderSent.objects.get().key.startswith("J-7@")


@pytest.mark.django_db
def test_a_draft_gets_the_j1_reminder_after_the_j7_one(django_capture_on_commit_callbacks):
    session = _session(closes_in=dt.timedelta(hours=20))
    draft = _dossier(session)
    ReminderSent.objects.create(
        dossier=draft, kind="reminder_draft", key=jobs._key("J-7", session.registration_closes_at)
    )
    _run_twice(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert sorted(ReminderSent.objects.values_list("key", flat=True))[0].startswith("J-1@")


@pytest.mark.django_db
def test_a_job_that_was_down_sends_only_the_latest_reminder_due(django_capture_on_commit_callbacks):
    _dossier(_session(closes_in=dt.timedelta(hours=5)))
    _run_twice(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.get().key.startswith("J-1@")


@pytest.mark.django_db
def test_a_draft_started_after_the_reminder_moment_is_not_reminded_yet(django_capture_on_commit_callbacks):
    _dossier(_session(closes_in=dt.timedelta(days=5)), age=dt.timedelta(hours=1))
    _run_twice(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_nothing_is_sent_before_j7_or_after_closing(django_capture_on_commit_callbacks):
    _dossier(_session(closes_in=dt.timedelta(days=8)))
    _dossier(
        _session(closes_in=dt.timedelta(hours=-1), pieces_in=dt.timedelta(days=10)), age=dt.timedelta(days=40)
    )
    _run_twice(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_moved_closing_date_makes_the_reminder_due_again(django_capture_on_commit_callbacks):
    session = _session(closes_in=dt.timedelta(days=6))
    _dossier(session)
    _run_twice(django_capture_on_commit_callbacks)
    session.registration_closes_at += dt.timedelta(days=1)
    session.save()
    _run_twice(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_drafts_are_processed_in_batches(django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr(jobs, "BATCH_SIZE", 2)
    session = _session(closes_in=dt.timedelta(days=3))
    for _ in range(5):
        _dossier(session)
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.remind_drafts() == 5
    assert len(mail.outbox) == 5


@pytest.mark.django_db
def test_missing_pieces_are_reminded_once_at_j3(django_capture_on_commit_callbacks, monkeypatch):
    session = _session(closes_in=dt.timedelta(days=-2), pieces_in=dt.timedelta(days=2, hours=12))
    missing = _dossier(session, state=DossierState.REGISTERED, number="NM-2026-00007")
    complete = _dossier(session, state=DossierState.REGISTERED, number="NM-2026-00008")
    incomplete = _dossier(session, state=DossierState.INCOMPLETE, number="NM-2026-00009")
    _dossier(session, state=DossierState.SUBMITTED, number="NM-2026-00010")

    def fake_missing(dossier, *, rules=None):
        labels = {missing.pk: ["Certificat de scolarité"], incomplete.pk: ["Attestation R408"]}
        return [SimpleNamespace(label=label) for label in labels.get(dossier.pk, [])]

    monkeypatch.setattr(jobs, "missing_standard_pieces", fake_missing)
    results = _run_twice(django_capture_on_commit_callbacks)
    assert [r["reminder_pieces"] for r in results] == [2, 0]
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {missing.candidate.email, incomplete.candidate.email}
    assert complete.candidate.email not in by_to
    assert " - Certificat de scolarité" in by_to[missing.candidate.email].body
    assert "NM-2026-00007" in by_to[missing.candidate.email].body


@pytest.mark.django_db
def test_no_piece_reminder_before_j3(django_capture_on_commit_callbacks, monkeypatch):
    session = _session(closes_in=dt.timedelta(days=-2), pieces_in=dt.timedelta(days=4))
    _dossier(session, state=DossierState.REGISTERED, number="NM-2026-00011")
    monkeypatch.setattr(
        jobs, "missing_standard_pieces", lambda dossier, rules=None: [SimpleNamespace(label="Certificat")]
    )
    _run_twice(django_capture_on_commit_callbacks)
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_piece_reminder_names_the_pieces_the_rules_require(django_capture_on_commit_callbacks):
    # No monkeypatch: the académie's real requirement rules (domain.md §6) decide what is missing.
    session = _session(closes_in=dt.timedelta(days=-2), pieces_in=dt.timedelta(days=1))
    dossier = _dossier(session, state=DossierState.REGISTERED, number="NM-2026-00012")
    _run_twice(django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[dossier.candidate.email]]
    assert "identité" in mail.outbox[0].body
