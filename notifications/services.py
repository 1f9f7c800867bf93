"""notify(): the one entry point every app uses to tell a candidate something."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone

from .models import EmailStatus, Message, OutgoingEmail

logger = logging.getLogger(__name__)


def _render(kind: str, name: str, context: dict[str, Any]) -> str:
    return render_to_string(f"notifications/{kind}/{name}", context).strip()


@transaction.atomic
def notify(
    candidate,
    kind: str,
    context: dict[str, Any] | None = None,
    *,
    dossier=None,
    link: str = "",
    inbox: bool = True,
    email: bool = True,
    to: str | None = None,
) -> Message | None:
    """Store the inbox message and the outgoing e-mail in the caller's transaction, and enqueue
    the delivery once it commits (a rolled-back change sends nothing).

    Templates: notifications/<kind>/subject.txt, body.txt (inbox and e-mail text), optionally
    email.txt (a shorter e-mail pointing to the space) and email.html.

    ``to`` overrides the recipient address (issue 3: the confirmation link of an e-mail change goes
    to the new address before it becomes the account's).
    """
    context = {
        "candidate": candidate,
        "dossier": dossier,
        "link": link,
        "SITE_URL": settings.SITE_URL,
        **(context or {}),
    }
    subject = " ".join(_render(kind, "subject.txt", context).split())
    body = _render(kind, "body.txt", context)
    message = None
    if inbox:
        message = Message.objects.create(
            recipient=candidate, kind=kind, subject=subject, body=body, link=link, dossier=dossier
        )
    if email:
        try:
            text = _render(kind, "email.txt", {**context, "body": body})
        except TemplateDoesNotExist:
            text = render_to_string(
                "notifications/email_base.txt", {**context, "body": body, "subject": subject}
            )
        try:
            html = _render(kind, "email.html", {**context, "body": body})
        except TemplateDoesNotExist:
            html = render_to_string(
                "notifications/email_base.html", {**context, "body": text, "subject": subject}
            )
        outgoing = OutgoingEmail.objects.create(
            message=message,
            kind=kind,
            to=to or candidate.email,
            subject=subject,
            text_body=text,
            html_body=html,
        )
        from .tasks import deliver_email

        deliver_email.delay_on_commit(outgoing.pk)
    return message


def email_deliver(*, email_id: int) -> bool:
    """Send one outgoing e-mail if it is still pending. Returns True when it was sent now.

    The row is locked while sending, so two workers that received the same task (a retry, the
    sweeper) never both send it.
    """
    with transaction.atomic():
        outgoing = OutgoingEmail.objects.select_for_update().filter(pk=email_id).first()
        if outgoing is None or outgoing.status != EmailStatus.PENDING:
            return False
        outgoing.attempts += 1
        outgoing.last_attempt_at = timezone.now()
        message = EmailMultiAlternatives(
            subject=outgoing.subject,
            body=outgoing.text_body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[outgoing.to],
            headers={
                "Message-ID": f"<{outgoing.uuid}@{settings.SITE_URL.split('//')[-1].split(':')[0] or 'portail'}>"
            },
        )
        if outgoing.html_body:
            message.attach_alternative(outgoing.html_body, "text/html")
        try:
            message.send()
        except Exception as exc:
            outgoing.last_error = f"{exc.__class__.__name__}: {exc}"[:2000]
            outgoing.save(update_fields=["attempts", "last_attempt_at", "last_error"])
            raise
        outgoing.status = EmailStatus.SENT
        outgoing.sent_at = timezone.now()
        outgoing.last_error = ""
        outgoing.save(update_fields=["attempts", "last_attempt_at", "last_error", "status", "sent_at"])
    return True
