"""Publishing the convocations (issue 14; domain.md §2, §8: "mise à disposition des convocations",
mid-April, at least two weeks before the first written épreuve, TLS, NT).

From the session's `convocations_published_at` (an instant of the calendar, typed on the académie's
clocks), each dossier declared conforme that has épreuves to sit gets a convocation: a new
GeneratedDocument rendered and sealed by a PDF worker, and one message + e-mail (without the
content, a link to log in: TLS). Run by a periodic job and on demand from the admin; idempotent:
a ReminderSent row per (dossier, what the convocation says) is written with the message, so a rerun
sends nothing twice, a dossier declared conforme later gets its convocation on the next run, and
a date or centre changed after publication gives a new version and a message saying so.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from celery import shared_task
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.models import Dossier
from documents.models import DocumentKind, GeneratedDocument
from documents.recap.convocation_rows import (
    CONVOKED_STATES,
    convocation_rows,
    convocations_published,
    rows_digest,
)
from documents.recap.services import render_document
from exams.models import EpreuveSitting, Session
from notifications.models import ReminderSent
from notifications.services import notify
from portal.exceptions import DomainError
from portal.queueing import enqueue_on_commit

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MARKER = "convocation"  # ReminderSent.kind


@dataclass
class PublishReport:
    issued: int = 0  # first convocations
    updated: int = 0  # new versions after a date or centre changed
    unchanged: int = 0
    without_epreuves: int = 0  # conformes with nothing to sit this session (all bénéfices, dispenses)


def convocations_publish_refusal(session: Session, at: dt.datetime | None = None) -> DomainError | None:
    """The one answer to "may the convocations of this session be published now?" (the admin's
    action and the service): never before the calendar's instant, checked by the server."""
    at = at or timezone.now()
    if session.convocations_published_at is None:
        return DomainError(
            _("Renseignez d'abord la date de mise à disposition des convocations de la session."),
            code="no_date",
        )
    if not convocations_published(session, at):
        local = session.academie.localtime(session.convocations_published_at)
        return DomainError(
            _("Les convocations de cette session se publient le %(date)s (heure de %(academie)s), pas avant.")
            % {"date": local.strftime("%d/%m/%Y à %H:%M"), "academie": session.academie.name},
            code="too_early",
        )
    if not EpreuveSitting.objects.filter(session=session).exists():
        return DomainError(
            _("Aucune date d'épreuve n'est saisie pour cette session : importez-les avant de publier."),
            code="no_sittings",
        )
    return None


def convocation_issue(*, dossier: Dossier) -> str:
    """Give one conforme dossier its convocation if it has none for what it would say now.
    Returns "issued", "updated", "unchanged" or "without_epreuves"."""
    rows = convocation_rows(dossier)
    if not any(row.sitting for row in rows):
        return "without_epreuves"
    key = rows_digest(rows)
    if ReminderSent.objects.filter(dossier=dossier, kind=MARKER, key=key).exists():
        return "unchanged"
    try:
        with transaction.atomic():
            locked = (
                Dossier.objects.select_for_update(of=("self",))
                .select_related("candidate", "session__academie", "specialty")
                .get(pk=dossier.pk)
            )
            if locked.state not in CONVOKED_STATES:
                return "unchanged"
            ReminderSent.objects.create(dossier=locked, kind=MARKER, key=key)
            latest = (
                GeneratedDocument.objects.filter(dossier=locked, kind=DocumentKind.CONVOCATION)
                .order_by("-version")
                .first()
            )
            document = GeneratedDocument.objects.create(
                dossier=locked,
                kind=DocumentKind.CONVOCATION,
                version=(latest.version if latest else 0) + 1,
                choices_version=locked.choices_version,
                enqueued_at=timezone.now(),
            )
            enqueue_on_commit(render_document, document.pk)
            notify(
                locked.candidate,
                "convocation_updated" if latest else "convocation_available",
                {"document": document, "first_sitting": next(r.sitting for r in rows if r.sitting)},
                dossier=locked,
                link=reverse("recap:documents"),
            )
    except IntegrityError:
        # Another run wrote the same convocation between our read and our write.
        return "unchanged"
    return "updated" if latest else "issued"


def convocations_publish(*, session: Session, at: dt.datetime | None = None) -> PublishReport:
    """Issue the convocations of one session (see the module). Refused before the calendar's date."""
    at = at or timezone.now()
    refusal = convocations_publish_refusal(session, at)
    if refusal is not None:
        raise refusal
    report = PublishReport()
    dossiers = Dossier.objects.filter(session=session, state__in=CONVOKED_STATES, number__isnull=False)
    last_pk = 0
    while True:
        batch = list(dossiers.filter(pk__gt=last_pk).order_by("pk")[:BATCH_SIZE])
        if not batch:
            break
        last_pk = batch[-1].pk
        for dossier in batch:
            outcome = convocation_issue(dossier=dossier)
            setattr(report, outcome, getattr(report, outcome) + 1)
    if report.issued or report.updated:
        logger.info("Convocations of %s: %s issued, %s updated.", session.code, report.issued, report.updated)
    return report


def convocations_publish_due(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The periodic job: every session whose publication instant has come and whose épreuves are
    not all past. Returns the convocations issued or updated per session code."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(convocations_published_at__lte=now, sittings__ends_at__gt=now)
        .select_related("academie")
        .distinct()
    )
    done = {}
    for session in sessions:
        report = convocations_publish(session=session, at=now)
        done[session.code] = report.issued + report.updated
    return done


def convocations_request_publication(*, session: Session, at: dt.datetime | None = None) -> None:
    """The admin's "Publier les convocations maintenant": checked here, run by a worker (a session
    has thousands of dossiers). Registered with exams.sittings, which cannot import documents."""
    refusal = convocations_publish_refusal(session, at)
    if refusal is not None:
        raise refusal
    enqueue_on_commit(publish_convocations, session.pk)


# Enqueued by the admin's action: defined beside the service under its task name, re-exported by
# documents.tasks (which imports this module). Idempotent, so a redelivery sends nothing twice.
@shared_task(name="documents.tasks.publish_convocations", acks_late=True)
def publish_convocations(session_id: int) -> int:
    session = Session.objects.select_related("academie").filter(pk=session_id).first()
    if session is None:
        return 0
    report = convocations_publish(session=session)
    return report.issued + report.updated
