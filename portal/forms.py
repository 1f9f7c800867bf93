"""The one form system of the portal: every form mixes in PortalForm, renders through crispy-forms
(crispy-bootstrap5 and our overrides in templates/bootstrap5/), and every text field refuses the
characters nobody types (issue 11 item 2, issue 12: input hygiene in one place).

Accessibility lives in the templates, once: Django ties help and errors to the control
(``aria-describedby``, ``aria-invalid``), templates/bootstrap5/field.html puts radios and
checkboxes in a fieldset with a legend, templates/bootstrap5/errors.html is the summary at the top
with a link to each faulty field, and static/js/forms.js moves the focus to it.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Callable

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from portal.exceptions import DomainError

#: Explicit bidirectional embeddings, overrides and isolates: they make "ABC" display as "CBA"
#: (a name that reads differently on screen and in the database).
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_MULTILINE_ALLOWED = frozenset("\n\r\t")


def refused_character(value: str, *, multiline: bool = False) -> str | None:
    """The first character of ``value`` that no candidate types (NUL and other control
    characters, bidi overrides), or None. A multi-line text keeps its line breaks and tabs."""
    for char in value:
        if char in BIDI_CONTROLS:
            return char
        if unicodedata.category(char) == "Cc" and not (multiline and char in _MULTILINE_ALLOWED):
            return char
    return None


def text_hygiene_error(value: str, *, multiline: bool = False) -> str | None:
    """The French refusal of a text holding such a character, else None (for services too)."""
    char = refused_character(value, multiline=multiline)
    if char is None:
        return None
    return str(
        _(
            "Ce texte contient un caractère invisible ou de contrôle (U+%(code)04X) : retapez-le "
            "sans copier-coller."
        )
        % {"code": ord(char)}
    )


class TextHygieneValidator:
    """Refuses control characters and bidi overrides; added to every text field by PortalForm."""

    def __init__(self, *, multiline: bool = False):
        self.multiline = multiline

    def __call__(self, value) -> None:
        if isinstance(value, str):
            error = text_hygiene_error(value, multiline=self.multiline)
            if error:
                raise ValidationError(error, code="control_character")

    def __eq__(self, other) -> bool:
        return isinstance(other, TextHygieneValidator) and other.multiline == self.multiline


class NormalisedCharField(forms.CharField):
    """A text field whose value is normalised in ``to_python``, so that ``max_length`` is checked
    on what will be stored ("ß" upper-cased is "SS": 100 of them make 200 characters)."""

    def __init__(self, *, normalise: Callable[[str], str] | None = None, **kwargs):
        self.normalise = normalise
        super().__init__(**kwargs)
        for validator in self.validators:
            if isinstance(validator, MaxLengthValidator):
                validator.message = _(
                    "Ce champ compte %(show_value)d caractères une fois mis en forme (espaces réduits, "
                    "majuscules) : "
                    "%(limit_value)d au plus."
                )

    def to_python(self, value):
        value = super().to_python(value)
        if value and self.normalise and refused_character(value) is None:
            value = self.normalise(value)
        return value


class PortalFormHelper(FormHelper):
    """Our one helper: the page writes the <form> tag, its CSRF token and its buttons; crispy
    renders the summary and the fields."""

    def __init__(self, form=None, layout=None):
        super().__init__(form)
        self.form_tag = False
        self.disable_csrf = True
        self.include_media = False
        if layout is not None:
            self.layout = layout


class PortalForm:
    """Mixed into every form of the portal (before forms.Form / AuthenticationForm...)."""

    #: The first line of the error summary; a form may say what was (not) saved.
    error_summary_intro = _("Le formulaire n'a pas été pris en compte : corrigez les champs signalés.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                validator = TextHygieneValidator(multiline=isinstance(field.widget, forms.Textarea))
                if validator not in field.validators:
                    field.validators.append(validator)
        self.helper = self.build_helper()

    #: Radio fields whose few choices sit on one line (Oui / Non, Féminin / Masculin).
    inline_radios: tuple[str, ...] = ()

    def build_helper(self) -> PortalFormHelper:
        """Override to give a layout (fieldsets, columns); the default lists the fields in order."""
        return PortalFormHelper(
            self,
            Layout(*(InlineRadios(name) if name in self.inline_radios else name for name in self.fields)),
        )

    def add_domain_error(self, exc: DomainError) -> None:
        """Show a service's refusal on its field, or in the summary when it names none."""
        self.add_error(exc.field if exc.field in self.fields else None, exc.message)

    @property
    def error_fields(self) -> list[forms.BoundField]:
        """The visible fields refused, in page order, for the error summary's links."""
        return [bound for bound in self.visible_fields() if bound.errors]


# --- Fields written by one template loop (issue 15) ---------------------------------------------
# A page with many fields (tab 6: three per épreuve) spent half its CPU in field.html and one widget
# template per input. The layout templates that loop over such rows (bootstrap5/layout/
# epreuve_rows.html) get each field as plain values computed here, once, from Django's own
# attribute logic (BoundField.build_widget_attrs: id, required, disabled, aria-invalid,
# aria-describedby), and write field.html's markup around them: the same label or legend, help,
# error block and ids, so the error summary's links and the browser tests see one markup.


def flat_attrs(attrs: dict) -> SafeString:
    """Django's flatatt (`` name="value"``, a True value as the bare name, False and None left
        out), without its format_html machinery: a tenth of the time, the same escaping (Django's escape()
    is html.escape)."""
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(f" {name}")
        elif value is not False and value is not None:
            parts.append(f' {name}="{html.escape(str(value))}"')
    return mark_safe("".join(parts))


def _widget_attrs(bound: forms.BoundField, css_class: str) -> dict:
    """The attributes Django's widget would render, with crispy_field's classes (the widget's
    class name, then ``css_class``, then ``is-invalid`` on a refused field)."""
    widget = bound.field.widget
    attrs = bound.build_widget_attrs({}, widget)
    if bound.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", bound.auto_id)
    attrs = widget.build_attrs(widget.attrs, attrs)
    classes = [*attrs.get("class", "").split(), widget.__class__.__name__.lower(), *css_class.split()]
    if bound.errors:
        classes.append("is-invalid")
    attrs["class"] = " ".join(dict.fromkeys(c for c in classes if c))
    return attrs


def _common(bound: forms.BoundField) -> dict:
    return {
        "id": bound.auto_id,
        "name": bound.html_name,
        "label": bound.label,
        "required": bound.field.required,
        "help_text": bound.help_text,
        "errors": bound.errors,
    }


def input_parts(bound: forms.BoundField, css_class: str = "form-control") -> dict:
    """An <input> (text, number, date...) as values: type, name, formatted value, attributes."""
    widget = bound.field.widget
    attrs = _widget_attrs(bound, css_class)
    attrs.pop("id", None)  # written by the template, next to its label's ``for``
    return {
        **_common(bound),
        "type": widget.input_type,
        "value": widget.format_value(bound.value()),
        "attrs": flat_attrs(attrs),
    }


def choice_parts(bound: forms.BoundField, css_class: str = "form-check-input") -> dict:
    """A radio (or checkbox) list as values: the group's aria-describedby and one entry per
    option (value, label, its own attributes with ``checked``), from the widget's optgroups."""
    widget = bound.field.widget
    attrs = bound.build_widget_attrs({"id": bound.auto_id} if bound.auto_id else {}, widget)
    options = []
    for _group, group_options, _index in widget.optgroups(
        bound.html_name, widget.format_value(bound.value()), attrs
    ):
        for option in group_options:
            option_attrs = dict(option["attrs"])
            option_id = option_attrs.pop("id", "")
            option_attrs["class"] = css_class + (" is-invalid" if bound.errors else "")
            options.append(
                {
                    "id": option_id,
                    "type": option["type"],
                    "value": option["value"],
                    "label": option["label"],
                    "attrs": flat_attrs(option_attrs),
                }
            )
    return {**_common(bound), "describedby": bound.aria_describedby, "options": options}
