"""Input validators of "Mes documents": signing the recap and verifying a recap PDF."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from documents.pieces.uploads import human_size
from portal.forms import PortalForm


class SignForm(PortalForm, forms.Form):
    """Signing the recap: the password again and the certification (NM: the signature makes the
    choices final)."""

    error_summary_intro = _("Le récapitulatif n'a pas été signé :")

    document_id = forms.IntegerField(widget=forms.HiddenInput)
    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    certify = forms.BooleanField(
        label=_(
            "Je certifie l'exactitude des informations figurant sur ce récapitulatif et je comprends "
            "que la signature rend mes choix définitifs."
        ),
        required=False,
    )


class VerifyForm(PortalForm, forms.Form):
    error_summary_intro = _("Le fichier n'a pas pu être vérifié :")

    file = forms.FileField(
        label=_("Document à vérifier : récapitulatif ou convocation (PDF)"),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        # issue 12: the streaming handler stopped writing at the limit (``oversized``).
        if getattr(f, "oversized", False) or f.size > settings.UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("Le fichier dépasse la taille maximale de %(limit)s : un récapitulatif pèse bien moins.")
                % {"limit": human_size(settings.UPLOAD_MAX_BYTES)}
            )
        return f
