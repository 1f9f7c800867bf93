"""Input validator of a message (the rules are in services)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.messaging.services import MAX_BODY
from documents.pieces.uploads import ACCEPT_ATTRIBUTE


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Votre message"),
        max_length=MAX_BODY,
        widget=forms.Textarea({"rows": 5, "class": "form-control"}),
    )
    attachment = forms.FileField(
        label=_("Pièce jointe (facultative : PDF, JPEG ou PNG, 10 Mo au plus)"),
        required=False,
        widget=forms.ClearableFileInput({"accept": ACCEPT_ATTRIBUTE, "class": "form-control"}),
    )

    def decorate(self) -> MessageForm:
        """Errors tied to their field for screen readers (aria-invalid, aria-describedby)."""
        for name, field in self.fields.items():
            if self.errors.get(name):
                field.widget.attrs["aria-invalid"] = "true"
                field.widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"
                field.widget.attrs["class"] = "form-control is-invalid"
        return self
