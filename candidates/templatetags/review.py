"""The review dashboard of the admin index (issue 7)."""

from django import template
from django.utils import timezone

from candidates.permissions import user_can_review
from candidates.review.selectors import DASHBOARD_STATES, review_dashboard
from notifications.models import Message

register = template.Library()

SHORT_LABELS = {
    "registered": "Enregistrés",
    "submitted": "À traiter",
    "in_review": "En examen",
    "incomplete": "Incomplets",
    "compliant": "Conformes",
    "non_compliant": "Non conformes",
}


@register.inclusion_tag("admin/candidates/review_dashboard.html", takes_context=True)
def review_dashboard_panel(context):
    request = context["request"]
    user = request.user
    now = timezone.now()
    rows = review_dashboard(user) if user.has_perm("candidates.view_dossier") else []
    for row in rows:
        row.waiting_days = (now - row.oldest_waiting).days if row.oldest_waiting else None
    return {
        "rows": rows,
        "states": [(state, SHORT_LABELS[state]) for state in DASHBOARD_STATES],
        "can_review": user_can_review(user),
        "exports": list(
            Message.objects.filter(recipient=user, kind="export_ready").order_by("-created_at")[:5]
        ),
        "shown": user.has_perm("candidates.view_dossier"),
    }
