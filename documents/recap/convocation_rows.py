"""Reads of the convocations (issue 14; domain.md §8 "convocation: épreuves, dates, centres"): what
a dossier is convoked to, and whether the candidate may see it now. No writes; the PDF's context,
the publication, "Mes documents" and the .ics all ask here."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.utils import timezone

from candidates.models import Dossier, DossierState, EpreuveChoice
from exams.models import Epreuve, EpreuveSitting

# A convocation is issued to a dossier declared conforme (a "conforme sous réserve des pièces
# tardives" is conforme: its late pieces are due before the épreuves).
CONVOKED_STATES = (DossierState.COMPLIANT,)


@dataclass(frozen=True)
class ConvocationRow:
    epreuve: Epreuve
    sitting: EpreuveSitting | None  # None: the bureau has not set its date yet


def convocation_rows(dossier: Dossier) -> list[ConvocationRow]:
    """The épreuves the candidate sits at this session, each with its date and centre: the
    dossier's épreuves "présentées", never a bénéfice kept, a dispense or one not taken this
    session (forme progressive). An épreuve maîtresse whose units are sat is not listed itself
    unless it has its own sitting (its units are)."""
    choices = list(
        dossier.epreuve_choices.filter(choice=EpreuveChoice.TAKEN)
        .select_related("epreuve")
        .order_by("epreuve__order", "epreuve__code")
    )
    taken_ids = {c.epreuve_id for c in choices}
    sittings = {
        s.epreuve_id: s
        for s in EpreuveSitting.objects.filter(session_id=dossier.session_id, epreuve_id__in=taken_ids)
    }
    parents_with_units = {c.epreuve.parent_id for c in choices if c.epreuve.parent_id in taken_ids}
    rows = [
        ConvocationRow(c.epreuve, sittings.get(c.epreuve_id))
        for c in choices
        if c.epreuve_id in sittings or c.epreuve_id not in parents_with_units
    ]
    far = timezone.make_aware(dt.datetime.max - dt.timedelta(days=2), dt.UTC)
    return sorted(rows, key=lambda r: (r.sitting.starts_at if r.sitting else far, r.epreuve.order))


def rows_digest(rows: list[ConvocationRow]) -> str:
    """What a convocation says, as one short hash: a changed date or centre gives a new version."""
    parts = [
        "|".join(
            [
                row.epreuve.code,
                row.sitting.starts_at.isoformat() if row.sitting else "",
                row.sitting.ends_at.isoformat() if row.sitting else "",
                row.sitting.centre_name if row.sitting else "",
                row.sitting.centre_address if row.sitting else "",
                row.sitting.instructions if row.sitting else "",
            ]
        )
        for row in rows
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def convocations_published(session, at: dt.datetime | None = None) -> bool:
    """The calendar's answer, on the server (TLS, NT: "mise à disposition" on a date): from the
    publication instant included, an aware instant (the académie's wall clock when typed)."""
    at = at or timezone.now()
    published = session.convocations_published_at
    return published is not None and at >= published


def convocation_visible(dossier: Dossier, at: dt.datetime | None = None) -> bool:
    """The one answer to "may the candidate see their convocation now?": a conforme dossier, from
    the publication instant. "Mes documents", the PDF download and the .ics all ask it."""
    return dossier.state in CONVOKED_STATES and convocations_published(dossier.session, at)
