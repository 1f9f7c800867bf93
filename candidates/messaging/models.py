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
    body = models.TextField(_("message"))
    attachment = models.FileField(upload_to=_attachment_upload_to, max_length=200, blank=True)
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
        indexes = [models.Index(fields=["dossier", "from_staff", "read_at"])]

    def __str__(self) -> str:
        return f"{self.dossier} – {self.created_at:%d/%m/%Y %H:%M}"
