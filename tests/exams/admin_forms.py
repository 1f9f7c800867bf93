"""Build the POST of an admin change form from the page Django rendered (its form and inlines), so a
test changes one value the way a manager would and submits everything else as shown."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.utils import timezone


def _field_data(prefix_name: str, bound, zone) -> dict:
    field, value = bound.field, bound.value()
    if isinstance(field, forms.SplitDateTimeField):
        if not value:
            return {f"{prefix_name}_0": "", f"{prefix_name}_1": ""}
        if isinstance(value, list):
            return {f"{prefix_name}_0": value[0], f"{prefix_name}_1": value[1]}
        local = timezone.localtime(value, zone) if isinstance(value, dt.datetime) else value
        return {
            f"{prefix_name}_0": local.strftime("%d/%m/%Y"),
            f"{prefix_name}_1": local.strftime("%H:%M:%S"),
        }
    if isinstance(field, forms.BooleanField):
        return {prefix_name: "on"} if value else {}
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return {prefix_name: [str(getattr(v, "pk", v)) for v in (value or [])]}
    if isinstance(field, forms.JSONField):
        return {prefix_name: value if isinstance(value, str) else json.dumps(value)}
    if value is None:
        return {prefix_name: ""}
    return {prefix_name: str(getattr(value, "pk", value))}


def change_form_data(response, zone=None) -> dict:
    """Everything the rendered change form would post, inlines (and their management forms) included."""
    zone = zone or timezone.get_current_timezone()
    data: dict = {}
    form = response.context["adminform"].form
    for bound in form:
        data.update(_field_data(bound.html_name, bound, zone))
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for bound in management:
            data[bound.html_name] = str(bound.value())
        for sub in formset.forms:
            for bound in sub:
                data.update(_field_data(bound.html_name, bound, zone))
    return data
