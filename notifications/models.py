"""Notifications: the candidate's inbox and the outbox of e-mails to deliver (domain.md §7)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """A message in the candidate's space ("Mes messages")."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("type"), max_length=40)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("message"))
    link = models.CharField(_("lien"), max_length=300, blank=True)
    dossier = models.ForeignKey(
        "candidates.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    created_at = models.DateTimeField(_("reçu le"), auto_now_add=True)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.subject


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("À envoyer")
    # Claimed by a worker that is talking to the SMTP server; the claim is a lease: once
    # claimed_at is older than NOTIFICATIONS_EMAIL_LEASE_SECONDS the worker is presumed dead.
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    FAILED = "failed", _("Échec définitif")


class OutgoingEmail(models.Model):
    """An e-mail written in the same transaction as the change that caused it (an outbox), then
    delivered by a worker. The row is the truth: a lost task is found again by the sweeper."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    kind = models.CharField(_("type"), max_length=40)
    to = models.EmailField(_("destinataire"))
    subject = models.CharField(_("objet"), max_length=200)
    text_body = models.TextField(_("texte"))
    html_body = models.TextField(_("HTML"), blank=True)
    status = models.CharField(
        _("état"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_attempt_at = models.DateTimeField(_("dernière tentative"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    claimed_at = models.DateTimeField(
        _("pris en charge le"),
        null=True,
        blank=True,
        help_text=_("Début de l'envoi en cours ; passé le bail, un autre worker le reprend."),
    )
    next_attempt_at = models.DateTimeField(
        _("prochaine reprise au plus tôt"),
        null=True,
        blank=True,
        help_text=_("Le balayeur ne renvoie pas ce courriel avant cette date (délai de nouvelle tentative)."),
    )

    class Meta:
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            # The sweeper's two questions: pending rows that are due, sending rows whose lease expired.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="outgoing_due_idx",
                condition=models.Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.to}"

    @property
    def message_id_header(self) -> str:
        """A stable Message-ID: every attempt of this row carries the same one, so a receiver (or
        the test's SMTP server) can recognise a duplicate sent in the crash window."""
        from urllib.parse import urlsplit

        host = urlsplit(settings.SITE_URL).hostname or "portail.localhost"
        return f"<{self.uuid}@{host}>"


class ReminderSent(models.Model):
    """A reminder already written for a dossier: the unique constraint makes the periodic jobs
    idempotent (running them twice sends nothing twice)."""

    dossier = models.ForeignKey("candidates.Dossier", on_delete=models.CASCADE, related_name="reminders_sent")
    kind = models.CharField(_("type"), max_length=40)
    # Which occurrence: the offset and the deadline it was computed from ("J-7@2026-12-01T16:00Z"), so
    # a deadline moved by the office yields a new reminder while a rerun yields none.
    key = models.CharField(_("occurrence"), max_length=60)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("relance envoyée")
        verbose_name_plural = _("relances envoyées")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "kind", "key"], name="one_reminder_per_occurrence")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} – {self.dossier}"
