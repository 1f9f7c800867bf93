"""{% load pieces %}{% invalidated_pieces_alert %}: the "Remplacer" alert at the top of the
candidate space (domain.md §6, TLS)."""

from django import template

from documents.pieces.selectors import invalidated_pieces_for_user

register = template.Library()


@register.inclusion_tag("documents/_space_pieces.html", takes_context=True)
def invalidated_pieces_alert(context, dossiers=None):
    """``dossiers``: the user's dossiers when the page already holds them all (the space)."""
    user = context.get("user")
    pieces = invalidated_pieces_for_user(user, dossiers=dossiers) if user and user.is_authenticated else []
    return {"invalidated_pieces": pieces}


@register.filter
def human_size(value) -> str:
    """{{ size|human_size }}: "2,5 Mo" rather than Django's "2,5 Mio"."""
    from documents.pieces.uploads import human_size as _human_size

    return _human_size(int(value or 0))
