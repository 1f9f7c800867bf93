"""Writes of the conversation (issue 14): the candidate writes to the bureau (text and one
attachment, through the pieces' quarantine: clamd, then the same disarm), the gestionnaire answers; both sides
are alerted by e-mail without the content (TLS: «vous recevrez une alerte … en cas de message à
votre attention», the message itself is read after logging in)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.messaging.attachments import attachment_receive
from candidates.messaging.models import DossierMessage
from candidates.models import Dossier, DossierState
from candidates.permissions import dossiers_visible_to, user_can_review
from exams.catalogue import opening_for
from notifications.services import notify, unread_count_forget
from portal.exceptions import DomainError

MAX_BODY = 5000


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise DomainError(_("Écrivez votre message."), field="body", code="empty")
    if len(body) > MAX_BODY:
        raise DomainError(
            _("Un message compte au plus %(n)d caractères.") % {"n": MAX_BODY}, field="body", code="too_long"
        )
    return body


def _bureau_email(dossier: Dossier) -> str:
    """The gestionnaire of the session's opening of the specialty, else the académie's bureau."""
    opening = opening_for(dossier.session, dossier.specialty_id)
    return opening.contact_email if opening else dossier.session.academie.contact_email


def _alert(dossier: Dossier, *, from_staff: bool) -> None:
    """The other side's alert, without the text (TLS): a link to log in and read it."""
    if from_staff:
        notify(
            dossier.candidate,
            "conversation_from_bureau",
            {},
            dossier=dossier,
            link=reverse("candidates:thread", args=[dossier.pk]),
        )
    elif bureau := _bureau_email(dossier):
        # The bureau's alert goes to the gestionnaire's address, without the text.
        notify(
            dossier.candidate,
            "conversation_from_candidate",
            {},
            dossier=dossier,
            link=reverse("candidates:staff_thread", args=[dossier.pk]),
            inbox=False,
            to=bureau,
        )


@transaction.atomic
def _post(*, dossier: Dossier, author, body: str, attachment, from_staff: bool) -> DossierMessage:
    # issue 12: the attachment waits in quarantine for the antivirus and the disarm (a worker);
    # the text is posted at once and stays whatever the scan finds.
    message = DossierMessage.objects.create(dossier=dossier, author=author, body=body, from_staff=from_staff)
    if attachment:
        attachment_receive(message, attachment)
    _alert(dossier, from_staff=from_staff)
    return message


def message_post_candidate(*, dossier_id: int, candidate, body: str, attachment=None) -> DossierMessage:
    """The candidate writes to the bureau about one of their registered dossiers."""
    body = _clean_body(body)
    dossier = (
        Dossier.objects.select_related("specialty", "session__academie")
        .filter(pk=dossier_id, candidate=candidate)
        .first()
    )
    if dossier is None:
        raise DomainError(_("Ce dossier n'existe pas."), code="not_found")
    if dossier.state == DossierState.DRAFT:
        raise DomainError(
            _("Enregistrez d'abord votre inscription : la messagerie concerne un dossier enregistré."),
            code="draft",
        )
    return _post(dossier=dossier, author=candidate, body=body, attachment=attachment, from_staff=False)


def message_post_staff(*, dossier_id: int, actor, body: str, attachment=None) -> DossierMessage:
    """A gestionnaire answers (or writes first) in a dossier of their scope."""
    body = _clean_body(body)
    if not user_can_review(actor) or not dossiers_visible_to(actor).filter(pk=dossier_id).exists():
        raise DomainError(_("Vous n'avez pas accès à ce dossier."), code="forbidden")
    dossier = Dossier.objects.select_related("candidate", "session__academie", "specialty").get(pk=dossier_id)
    return _post(dossier=dossier, author=actor, body=body, attachment=attachment, from_staff=True)


def thread_mark_read(*, dossier: Dossier, by_staff: bool, at: dt.datetime | None = None) -> int:
    """Opening the thread reads the other side's messages (and, for the candidate, the inbox
    alerts that announced them)."""
    at = at or timezone.now()
    if not by_staff:
        from notifications.models import Message

        Message.objects.filter(
            recipient_id=dossier.candidate_id, dossier=dossier, kind="conversation_from_bureau", read_at=None
        ).update(read_at=at)
        unread_count_forget(dossier.candidate_id)  # a queryset update sends no post_save
    return DossierMessage.objects.filter(dossier=dossier, from_staff=not by_staff, read_at=None).update(
        read_at=at
    )
