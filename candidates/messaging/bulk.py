"""The staff write to a selection of dossiers (issue 14 item 1: «à un candidat ou à une sélection
filtrée»): the recipients are counted and previewed, then frozen in a ``MessageBatch`` when the
gestionnaire confirms, and a worker writes one message per dossier — each in the dossier's thread
(its history), each with the alert without the content (notify() and the outbox, TLS).

Only the dossiers in the author's scope are ever written to (``dossiers_visible_to``, asked when
the batch is made and again by the worker), drafts never (the thread is a registered dossier's).
A batch is idempotent: its key comes from the confirmation form (a second click makes nothing
more), and the worker skips the dossiers the batch already wrote to (a unique constraint backs it),
so a retried or duplicated task never sends a second message."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from celery import shared_task
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.messaging.models import DossierMessage, MessageBatch
from candidates.messaging.services import MAX_BODY
from candidates.models import Dossier, DossierState
from candidates.permissions import dossiers_visible_to, user_can_review
from notifications.services import notify
from portal.exceptions import DomainError
from portal.queueing import enqueue_on_commit

MAX_SUBJECT = 150
# Dossiers written per transaction by the worker: a failure loses at most one chunk's work,
# which the retry redoes (the ones written are skipped).
CHUNK = 200


def recipients(actor, queryset: QuerySet[Dossier] | None = None) -> QuerySet[Dossier]:
    """The dossiers of ``queryset`` a bulk message from ``actor`` reaches: in their scope,
    registered (drafts have no thread)."""
    return dossiers_visible_to(actor, queryset).exclude(state=DossierState.DRAFT)


def _check(actor, subject: str, body: str) -> tuple[str, str]:
    if not user_can_review(actor):
        raise DomainError(_("Vous n'avez pas le droit d'écrire aux candidats."), code="forbidden")
    subject, body = (subject or "").strip(), (body or "").strip()
    if not subject:
        raise DomainError(_("Indiquez l'objet du message."), field="subject", code="empty")
    if not body:
        raise DomainError(_("Écrivez votre message."), field="body", code="empty")
    if len(subject) > MAX_SUBJECT or len(body) > MAX_BODY:
        raise DomainError(_("Le message est trop long."), field="body", code="too_long")
    return subject, body


def message_batch_create(
    *, actor, subject: str, body: str, dossier_ids: Iterable[int], key: uuid.UUID
) -> tuple[MessageBatch, bool]:
    """Freeze the recipients (those of ``dossier_ids`` in the actor's scope, registered) and
    enqueue the worker. The same ``key`` twice returns the first batch (created=False)."""
    subject, body = _check(actor, subject, body)
    ids = sorted(
        recipients(actor, Dossier.objects.filter(pk__in=list(dossier_ids))).values_list("pk", flat=True)
    )
    if not ids:
        raise DomainError(_("Aucun dossier de votre périmètre dans cette sélection."), code="no_recipient")
    with transaction.atomic():
        batch, created = MessageBatch.objects.get_or_create(
            key=key, defaults={"author": actor, "subject": subject, "body": body, "dossier_ids": ids}
        )
        if created:
            enqueue_on_commit(send_message_batch, batch.pk)
    return batch, created


def _write_chunk(batch: MessageBatch, ids: list[int]) -> int:
    with transaction.atomic():
        # One worker at a time per batch: a duplicated delivery of the task waits here, then
        # finds the messages already written.
        MessageBatch.objects.select_for_update().filter(pk=batch.pk).first()
        done = set(
            DossierMessage.objects.filter(batch=batch, dossier_id__in=ids).values_list(
                "dossier_id", flat=True
            )
        )
        # The scope is asked again: an author who lost an académie since confirming writes nothing there.
        dossiers = list(
            recipients(batch.author, Dossier.objects.filter(pk__in=[pk for pk in ids if pk not in done]))
            .select_related("candidate", "session__academie", "session__exam", "specialty")
            .order_by("pk")
        )
        DossierMessage.objects.bulk_create(
            [
                DossierMessage(
                    dossier=d,
                    author=batch.author,
                    from_staff=True,
                    subject=batch.subject,
                    body=batch.body,
                    batch=batch,
                )
                for d in dossiers
            ]
        )
        for d in dossiers:
            notify(
                d.candidate,
                "conversation_from_bureau",
                {},
                dossier=d,
                link=reverse("candidates:thread", args=[d.pk]),
            )
        return len(dossiers)


def message_batch_send(*, batch_id: int) -> int:
    """Write the batch's messages not written yet; the number written by this run."""
    batch = MessageBatch.objects.select_related("author").filter(pk=batch_id).first()
    if batch is None or batch.author is None:
        return 0
    ids = list(batch.dossier_ids)
    written = 0
    for start in range(0, len(ids), CHUNK):
        written += _write_chunk(batch, ids[start : start + CHUNK])
    MessageBatch.objects.filter(pk=batch.pk).update(
        sent_count=DossierMessage.objects.filter(batch=batch).count(), finished_at=timezone.now()
    )
    return written


# Beside the service that enqueues it, under the name candidates.tasks re-exports.
# acks_late: a worker that dies mid-batch leaves the task to another, which skips what was written.
@shared_task(name="candidates.tasks.send_message_batch", acks_late=True)
def send_message_batch(batch_id: int) -> int:
    return message_batch_send(batch_id=batch_id)
