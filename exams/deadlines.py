"""What a notice's deadline wording means as an instant (domain.md §7): the one converter.

Every deadline is stored as the first instant at which it is too late, and compared with
``at < deadline``. So:

- «le vendredi 24 novembre 2023 à minuit» (NT 004 l. 62) is accepted through 23:59:59 local time:
  the instant is 25 November 00:00 local;
- «le mercredi 15 novembre 2023 à 17 heures» (CF 000 l. 11), «17h00» (TLS 001 l. 10), «17h»
  (NM 002 l. 9): 17:00:00 local is already late;
- «jusqu'au 22 novembre 2023» with no hour (TLS 001 l. 88) means the whole day: like «à minuit».

The local time is the académie's (Martinique's 17:00 is not Paris's).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from django.utils import timezone

MONTHS = {
    "janvier": 1,
    "fevrier": 2,
    "février": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "aout": 8,
    "août": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "decembre": 12,
    "décembre": 12,
}

_DATE = re.compile(r"(?P<day>\d{1,2})(?:er)?\s+(?P<month>[a-zéèûô]+)\s+(?P<year>\d{4})")
_NUMERIC_DATE = re.compile(r"(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4})")
_HOUR = re.compile(r"(?P<hour>\d{1,2})\s*(?:h|heures?|:)\s*(?P<minute>\d{2})?")
_MIDNIGHT = re.compile(r"minuit|23\s*h\s*59|23:59|fin de journée")


class DeadlineWordingError(ValueError):
    pass


def end_of_day(day: dt.date, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """«le <day> à minuit»: the first instant of the next local day (the day itself is accepted
    through 23:59:59)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0)), zone)


def at_local(day: dt.date, hour: int, minute: int, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """«le <day> à 17 h»: 17:00:00 local is late."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), zone)


def deadline_from_notice(wording: str, zone: zoneinfo.ZoneInfo | str) -> dt.datetime:
    """The instant a notice's deadline means, in the académie's ``zone``.

    >>> deadline_from_notice("le vendredi 24 novembre 2023 à minuit", "Europe/Paris")
    datetime.datetime(2023, 11, 25, 0, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    """
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    text = " ".join(wording.lower().replace("\u00a0", " ").split())
    match = _DATE.search(text)
    if match and match["month"] in MONTHS:
        day = dt.date(int(match["year"]), MONTHS[match["month"]], int(match["day"]))
    else:
        match = _NUMERIC_DATE.search(text)
        if not match:
            raise DeadlineWordingError(f"No date in {wording!r}")
        day = dt.date(int(match["year"]), int(match["month"]), int(match["day"]))
    rest = text[match.end() :]
    if _MIDNIGHT.search(rest):
        return end_of_day(day, zone)
    hour = _HOUR.search(rest)
    if hour is None:
        # No hour: the whole day counts («jusqu'au 22 novembre 2023 au plus tard»).
        return end_of_day(day, zone)
    h, m = int(hour["hour"]), int(hour["minute"] or 0)
    if not (0 <= h <= 24 and 0 <= m < 60):
        raise DeadlineWordingError(f"Bad hour in {wording!r}")
    if h == 24:
        return end_of_day(day, zone)
    return at_local(day, h, m, zone)


def deadline_wording(instant: dt.datetime, zone: zoneinfo.ZoneInfo | str) -> str:
    """How to say an instant back to people, in the académie's zone: a deadline at local 00:00 is
    «le 24/11/2023 à minuit» (the day before), any other «le 15/11/2023 à 17 h 00»."""
    if isinstance(zone, str):
        zone = zoneinfo.ZoneInfo(zone)
    local = timezone.localtime(instant, zone)
    if local.time() == dt.time(0, 0):
        return f"le {(local.date() - dt.timedelta(days=1)).strftime('%d/%m/%Y')} à minuit"
    return f"le {local.strftime('%d/%m/%Y')} à {local.hour} h {local.minute:02d}"
