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
