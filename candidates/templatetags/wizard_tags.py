"""Template helpers of the candidate space: a dossier's status (what is missing, what next)."""

from django import template

from candidates.registration import selectors

register = template.Library()


@register.simple_tag
def dossier_status(dossier):
    return selectors.dossier_status(dossier)
