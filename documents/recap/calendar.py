"""The candidate's own épreuves as an iCalendar file (RFC 5545, the `icalendar` library): one event
per épreuve with its date, on the académie's clocks (TZID and its VTIMEZONE), the centre as LOCATION.
Offered beside the convocation in "Mes documents" (issue 14)."""

from __future__ import annotations

import datetime as dt

import icalendar
from django.conf import settings
from django.utils import timezone

from candidates.models import Dossier
from documents.recap.convocation_rows import convocation_rows

PRODID = "-//Portail des examens//Convocations//FR"


def _host() -> str:
    return settings.SITE_URL.split("://", 1)[-1].split("/", 1)[0] or "portail-examens"


def convocation_calendar(dossier: Dossier, *, now: dt.datetime | None = None) -> bytes:
    """The .ics of the dossier's épreuves that have a date (one without a date yet is left out:
    an agenda entry needs a time)."""
    now = now or timezone.now()
    academie = dossier.session.academie
    zone = academie.tzinfo
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add(
        "x-wr-calname", f"Épreuves {dossier.session.exam.name} {dossier.session.year} – {dossier.number}"
    )
    calendar.add("x-wr-timezone", academie.time_zone)
    for row in convocation_rows(dossier):
        if row.sitting is None:
            continue
        sitting = row.sitting
        event = icalendar.Event()
        # Stable across downloads, so an agenda updates the event rather than adding a second one.
        event.add("uid", f"sitting-{sitting.pk}-dossier-{dossier.pk}@{_host()}")
        event.add("dtstamp", now.astimezone(dt.UTC))
        event.add("last-modified", sitting.updated_at.astimezone(dt.UTC))
        event.add("dtstart", sitting.starts_at.astimezone(zone))
        event.add("dtend", sitting.ends_at.astimezone(zone))
        event.add("summary", f"{row.epreuve.code} – {row.epreuve.title} ({dossier.specialty})")
        address = " ".join(sitting.centre_address.split())
        event.add("location", f"{sitting.centre_name}, {address}")
        description = [
            f"Dossier n° {dossier.number}. Présentez votre convocation et une pièce d'identité.",
        ]
        if sitting.instructions:
            description.append(sitting.instructions)
        event.add("description", "\n".join(description))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
