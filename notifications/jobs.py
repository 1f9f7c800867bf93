"""The periodic reminders (domain.md §7; CF, TLS: "vous recevrez une alerte"): drafts J-7 and J-1
before registration closes, missing pieces J-3 before the pieces deadline.

Each job is idempotent: a ReminderSent row, unique per (dossier, kind, key), is written in the same
transaction as the message, so a rerun (or two beats running at once) sends nothing twice. Dossiers
are read in keyset batches, so a session with 40,000 candidates never sits in memory at once.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from candidates.models import Dossier, DossierState
from documents.pieces.selectors import missing_standard_pieces, rules_for_session
from exams.models import PieceDeadlineKind, Session

from .models import ReminderSent
from .services import notify

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
# (key prefix, how long before closing). Ordered from the earliest: only the latest one due is sent,
# so a job that was down for a week does not send J-7 and J-1 at once.
DRAFT_REMINDERS = [("J-7", dt.timedelta(days=7)), ("J-1", dt.timedelta(days=1))]
PIECES_REMINDER = ("J-3", dt.timedelta(days=3))


def _key(prefix: str, deadline: dt.datetime) -> str:
    # The deadline is part of the key: if the office moves it, the reminder is due again.
    return f"{prefix}@{deadline.astimezone(dt.UTC):%Y-%m-%dT%H:%MZ}"


def _batches(queryset) -> Iterator[list[Dossier]]:
    last_pk = 0
    while True:
        batch = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:BATCH_SIZE])
        if not batch:
            return
        yield batch
        last_pk = batch[-1].pk


def _remind_once(dossier: Dossier, kind: str, key: str, context: dict, link: str) -> bool:
    """Write the reminder and its message in one transaction; False if it was already sent."""
    try:
        with transaction.atomic():
            _row, created = ReminderSent.objects.get_or_create(dossier=dossier, kind=kind, key=key)
            if not created:
                return False
            notify(dossier.candidate, kind, context, dossier=dossier, link=link)
    except IntegrityError:
        # Another run inserted the same reminder between our read and our write.
        return False
    return True


def remind_drafts(*, now: dt.datetime | None = None) -> int:
    """Candidates whose dossier is still a draft, J-7 and J-1 before registration closes (CF: a
    draft not registered at closing is lost). Only drafts that existed at the reminder's moment."""
    now = now or timezone.now()
    horizon = max(delta for _p, delta in DRAFT_REMINDERS)
    sent = 0
    sessions = Session.objects.filter(
        registration_opens_at__lte=now,
        registration_closes_at__gt=now,
        registration_closes_at__lte=now + horizon,
    ).select_related("academie")
    for session in sessions:
        if not session.is_registration_open(now):
            continue
        due = [(p, session.registration_closes_at - d) for p, d in DRAFT_REMINDERS]
        due = [(p, moment) for p, moment in due if moment <= now]
        if not due:
            continue
        prefix, moment = due[-1]
        key = _key(prefix, session.registration_closes_at)
        drafts = (
            Dossier.objects.filter(session=session, state=DossierState.DRAFT, created_at__lt=moment)
            .exclude(reminders_sent__kind="reminder_draft", reminders_sent__key=key)
            .select_related("candidate", "specialty")
        )
        for batch in _batches(drafts):
            for dossier in batch:
                context = {"session": session, "deadline": session.registration_closes_at, "offset": prefix}
                if _remind_once(dossier, "reminder_draft", key, context, reverse("candidates:space")):
                    sent += 1
    if sent:
        logger.info("Sent %s draft reminder(s).", sent)
    return sent


def remind_missing_pieces(*, now: dt.datetime | None = None) -> int:
    """Candidates whose registered (or incomplete) dossier still lacks standard pieces, J-3 before
    the pieces deadline: at the deadline such a dossier is cancelled (NT)."""
    now = now or timezone.now()
    prefix, delta = PIECES_REMINDER
    sent = 0
    sessions = Session.objects.filter(
        pieces_deadline__gt=now, pieces_deadline__lte=now + delta
    ).select_related("academie")
    for session in sessions:
        deadline = session.piece_deadline(PieceDeadlineKind.STANDARD)
        if not session.may_deposit_piece(PieceDeadlineKind.STANDARD, now):
            continue
        key = _key(prefix, deadline)
        rules = rules_for_session(session)  # once per session, not per dossier
        dossiers = (
            Dossier.objects.filter(
                session=session, state__in=[DossierState.REGISTERED, DossierState.INCOMPLETE]
            )
            .exclude(reminders_sent__kind="reminder_pieces", reminders_sent__key=key)
            .select_related("candidate", "specialty", "option", "mandatory_language", "session__academie")
        )
        for batch in _batches(dossiers):
            for dossier in batch:
                missing = missing_standard_pieces(dossier, rules=rules)
                if not missing:
                    continue  # complete, or unknown: ask again next hour
                context = {
                    "session": session,
                    "deadline": deadline,
                    "offset": prefix,
                    "missing": [piece.label for piece in missing],
                }
                if _remind_once(dossier, "reminder_pieces", key, context, reverse("candidates:space")):
                    sent += 1
    if sent:
        logger.info("Sent %s piece reminder(s).", sent)
    return sent
