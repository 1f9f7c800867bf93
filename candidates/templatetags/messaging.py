"""The gestionnaire's unread count of candidates' messages, on the admin index (issue 14)."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from candidates.messaging.selectors import unread_for_staff
from candidates.permissions import user_can_review

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_unread_messages(context):
    user = context["request"].user
    if not user_can_review(user):
        return ""
    count = unread_for_staff(user)
    if not count:
        return format_html('<p class="review-messages">Aucun message de candidat non lu.</p>')
    url = reverse("admin:candidates_dossier_changelist") + "?messages_non_lus=1"
    return format_html(
        '<p class="review-messages"><a href="{}"><strong>{} message{} de candidat non lu{}</strong></a></p>',
        url,
        count,
        "s" if count > 1 else "",
        "s" if count > 1 else "",
    )
