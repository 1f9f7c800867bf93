"""Admin pieces shared by the apps for scoping (issue 12)."""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin


class ScopedHistoryAdmin(SimpleHistoryAdmin):
    """django-simple-history's history pages read the historical table directly: an object outside
    the admin's queryset (another académie's piece rule) still showed its whole history. Here the
    history of an object is shown only to those whose queryset holds it."""

    def _in_scope(self, request, object_id) -> None:
        pk_name = self.model._meta.pk.attname
        if not self.get_queryset(request).filter(**{pk_name: unquote(object_id)}).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)
