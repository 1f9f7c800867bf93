"""The input of each review action, validated by a Form before the service is called.

The fields are optional on purpose: what a decision needs (a reason, a message) is a rule of the
review services, which refuse with their French message; the form only turns the POST into typed
values. Rendered by templates/admin/candidates/dossier/change_form.html with the same names.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.review import exports
from documents.models import StaffDocumentKind
from documents.pieces.uploads import ACCEPT_ATTRIBUTE
from portal.exceptions import DomainError
from portal.forms import PortalForm, text_hygiene_error


class ReviewActionForm(forms.Form):
    """Every action carries the lock_version the page was built from."""

    lock_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def version(self) -> int:
        value = (self.cleaned_data.get("lock_version") or "").strip() if self.is_valid() else ""
        # A missing or garbled version is a stale page, never "any version" (isascii: "²".isdigit()
        # is True and int("²") raises).
        return int(value) if value.isascii() and value.isdigit() else -1


def _refuse_control_characters(text: str) -> str:
    # issue 12: PostgreSQL refuses NUL in text (a 500 after the click); a pasted control character
    # or bidi override would reach the candidate's e-mail. The portal's one rule (portal.forms),
    # raised as a DomainError so that the admin view shows it as a message.
    error = text_hygiene_error(text, multiline=True)
    if error:
        raise DomainError(error)
    return text


class CorrectionForm(ReviewActionForm):
    message = forms.CharField(label=_("Message au candidat"), required=False, widget=forms.Textarea)

    def text(self) -> str:
        # Django refuses a NUL before our check could word it: say why on the raw input first.
        _refuse_control_characters(str(self.data.get(self.add_prefix("message"), "")))
        return _refuse_control_characters(
            self.cleaned_data.get("message", "").strip() if self.is_valid() else ""
        )


class ReasonForm(ReviewActionForm):
    """A reason chosen from the list, or typed (the typed one wins)."""

    reason = forms.CharField(label=_("Motif"), required=False)
    reason_text = forms.CharField(label=_("Autre motif"), required=False)
    # "Conforme sous réserve des pièces tardives" (issue 14): their upload stays open.
    under_reservation = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def reserved(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["under_reservation"])

    def text(self) -> str:
        for name in ("reason_text", "reason"):
            _refuse_control_characters(str(self.data.get(self.add_prefix(name), "")))
        if not self.is_valid():
            return ""
        return _refuse_control_characters(
            self.cleaned_data["reason_text"].strip() or self.cleaned_data["reason"].strip()
        )


class ExportFormatForm(forms.Form):
    fmt = forms.ChoiceField(choices=[(fmt, fmt.upper()) for fmt in exports.FORMATS])


class StaffDocumentForm(PortalForm, forms.Form):
    """A decision the bureau attaches to a dossier (issue 14 item 5)."""

    error_summary_intro = _("Le document n'a pas été déposé : corrigez les champs signalés.")

    kind = forms.ChoiceField(label=_("Type de document"), choices=StaffDocumentKind.choices)
    file = forms.FileField(
        label=_("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)"),
        widget=forms.ClearableFileInput({"accept": ACCEPT_ATTRIBUTE}),
    )

    def add_domain_error(self, exc) -> None:
        if exc.field == "files":  # the upload checks' field name
            exc.field = "file"
        super().add_domain_error(exc)


class StaffDocumentRemoveForm(PortalForm, forms.Form):
    reason = forms.CharField(label=_("Motif du retrait"), max_length=200)


class StatisticsForm(PortalForm, forms.Form):
    """The session the statistics count (the sessions of the user's scope only)."""

    session = forms.ModelChoiceField(
        label=_("Session"),
        queryset=None,
        required=False,
        empty_label=_("Toutes les sessions de votre périmètre"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from candidates.permissions import catalogue_in_scope
        from exams.models import Session

        self.fields["session"].queryset = (
            catalogue_in_scope(user, Session).select_related("academie", "exam").order_by("-year", "pk")
        )
