"""The conversation of a dossier: messages between the candidate and the bureau des examens
(issue 14). Imported by candidates/models.py so the app label stays `candidates`."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _attachment_upload_to(instance, filename: str) -> str:
    # A random stored name; the original one is kept in a field, never on disk (pretix).
    return f"messages/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


def _quarantine_upload_to(instance, filename: str) -> str:
    # The pieces' quarantine prefix (documents.models): the same storage, the same orphan sweep.
    return f"{settings.UPLOAD_QUARANTINE_PREFIX}{uuid.uuid4().hex}"


class AttachmentStatus(models.TextChoices):
    """Where a message's attachment is (issue 12): received into quarantine, scanned by clamd and
    disarmed by a worker, then accepted (the file is served) or refused (nothing is kept)."""

    NONE = "", _("Aucune pièce jointe")
    CHECKING = "checking", _("En cours d'analyse")
    ACCEPTED = "accepted", _("Analysée")
    REFUSED = "refused", _("Refusée")


class MessageBatch(models.Model):
    """One message the staff sent to a selection of dossiers (issue 14): the recipients frozen
    when the gestionnaire confirmed, written one message per dossier by a worker. ``key`` is the
    confirmation form's: a second click or a retried task never writes a second batch nor a
    second message to a dossier (the unique constraint of DossierMessage)."""

    key = models.UUIDField(unique=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    subject = models.CharField(_("objet"), max_length=150)
    body = models.TextField(_("message"))
    dossier_ids = models.JSONField(_("dossiers destinataires"), default=list)
    created_at = models.DateTimeField(_("confirmé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    sent_count = models.PositiveIntegerField(_("messages écrits"), default=0)

    class Meta:
        verbose_name = _("envoi groupé")
        verbose_name_plural = _("envois groupés")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.subject} ({len(self.dossier_ids)})"


class DossierMessage(models.Model):
    """One message of a dossier's thread, kept for good (the dossier's history)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dossier = models.ForeignKey(
        "candidates.Dossier", on_delete=models.PROTECT, related_name="thread", verbose_name=_("dossier")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    from_staff = models.BooleanField(_("du bureau des examens"), default=False)
    # A bulk message (issue 14) carries its subject and its batch; a reply has neither.
    subject = models.CharField(_("objet"), max_length=150, blank=True)
    batch = models.ForeignKey(
        MessageBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    body = models.TextField(_("message"))
    attachment = models.FileField(upload_to=_attachment_upload_to, max_length=200, blank=True)
    # issue 12: the attachment waits in quarantine until a worker has scanned and disarmed it.
    attachment_status = models.CharField(
        _("état de la pièce jointe"), max_length=10, choices=AttachmentStatus.choices, blank=True, default=""
    )
    attachment_refusal = models.TextField(_("motif du refus de la pièce jointe"), blank=True)
    quarantined = models.FileField(upload_to=_quarantine_upload_to, max_length=200, blank=True)
    attachment_attempts = models.PositiveSmallIntegerField(default=0)
    attachment_claimed_at = models.DateTimeField(null=True, blank=True)
    attachment_last_error = models.CharField(max_length=200, blank=True)
    attachment_name = models.CharField(_("pièce jointe"), max_length=255, blank=True)
    attachment_type = models.CharField(max_length=60, blank=True)
    attachment_size = models.PositiveBigIntegerField(null=True, blank=True)
    attachment_sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)
    # Read by the other side: the candidate for the bureau's messages, the bureau for the candidate's.
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message du dossier")
        verbose_name_plural = _("messages des dossiers")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["dossier", "from_staff", "read_at"]),
            models.Index(fields=["attachment_status", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "dossier"],
                condition=models.Q(batch__isnull=False),
                name="one_message_per_batch_and_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.created_at:%d/%m/%Y %H:%M}"
