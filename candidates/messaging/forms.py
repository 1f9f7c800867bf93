"""Input validator of a message (the rules are in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.messaging.services import MAX_BODY
from documents.pieces.uploads import ACCEPT_ATTRIBUTE
from portal.forms import PortalForm


class MessageForm(PortalForm, forms.Form):
    body = forms.CharField(
        label=_("Votre message"),
        max_length=MAX_BODY,
        widget=forms.Textarea({"rows": 5}),
    )
    attachment = forms.FileField(
        label=_("Pièce jointe (facultative : PDF, JPEG ou PNG, 10 Mo au plus)"),
        required=False,
        widget=forms.ClearableFileInput({"accept": ACCEPT_ATTRIBUTE}),
    )

    def add_domain_error(self, exc) -> None:
        # The upload checks name their field "files" (the pieces' form); here it is the attachment.
        if exc.field == "files":
            exc.field = "attachment"
        super().add_domain_error(exc)


class BulkMessageForm(PortalForm, forms.Form):
    """A message to a selection of dossiers (issue 14): what the candidates read, and, hidden, the
    selection it goes to (ids, or the list's filters) and the confirmation's key."""

    error_summary_intro = _("Le message n'a pas été envoyé : corrigez les champs signalés.")

    subject = forms.CharField(label=_("Objet"), max_length=150)
    body = forms.CharField(
        label=_("Message"),
        max_length=MAX_BODY,
        widget=forms.Textarea({"rows": 8}),
        help_text=_(
            "Chaque candidat le lit dans la messagerie de son dossier ; l'alerte par courriel ne "
            "contient pas ce texte."
        ),
    )
    ids = forms.CharField(required=False, widget=forms.HiddenInput)
    liste = forms.CharField(required=False, widget=forms.HiddenInput)  # "1": the list as filtered
    filtres = forms.CharField(required=False, widget=forms.HiddenInput)
    key = forms.UUIDField(required=False, widget=forms.HiddenInput)


def parse_ids(raw) -> list[int]:
    """ "12,15,20" as posted by the list's action; anything else is ignored (never an error)."""
    parts = (part.strip() for part in str(raw or "").split(","))
    return [int(part) for part in parts if part.isascii() and part.isdigit()][:10000]
