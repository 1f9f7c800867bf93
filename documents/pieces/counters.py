"""The dossier's piece counters (``Dossier.pieces_total`` / ``pieces_accepted``), recounted in one
UPDATE after every save or delete of a piece, whichever service or admin action wrote it (issue 15).
A queryset ``.update()`` of pieces would bypass this: the piece services never do one."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from candidates.models import Dossier
from documents.models import Piece, PieceState


def _count(**filters):
    pieces = (
        Piece.objects.filter(dossier=OuterRef("pk"), **filters)
        .order_by()
        .values("dossier")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(pieces, output_field=IntegerField()), Value(0))


def dossier_recount_pieces(*, dossier_ids) -> int:
    """Recount the pieces of these dossiers (the data migration does the same for all)."""
    return Dossier.objects.filter(Q(pk__in=list(dossier_ids))).update(
        pieces_total=_count(), pieces_accepted=_count(state=PieceState.ACCEPTED)
    )


@receiver(post_save, sender=Piece, dispatch_uid="piece_counters_save")
@receiver(post_delete, sender=Piece, dispatch_uid="piece_counters_delete")
def _piece_changed(sender, instance: Piece, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures
    dossier_recount_pieces(dossier_ids=[instance.dossier_id])
