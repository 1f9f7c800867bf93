"""Pure checks of an épreuve's sitting (no ORM): the model's clean() and the CSV import ask them."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

# TLS, NT: the convocations are available at least two weeks before the first written épreuve
# (the same rule as Session.clean).
CONVOCATION_NOTICE = dt.timedelta(days=14)


def sitting_window(session) -> tuple[dt.datetime, int]:
    """A sitting belongs to its session when it comes at least two weeks after the convocations
    are published (without that date, after registration closes) and in the session's year, on the
    académie's clocks."""
    if session.convocations_published_at:
        return session.convocations_published_at + CONVOCATION_NOTICE, session.year
    return session.registration_closes_at, session.year


def sitting_problems(
    *, session, specialty_opened: bool, starts_at: dt.datetime | None, ends_at: dt.datetime | None
) -> dict[str, list[str]]:
    """What is wrong with a sitting, per field (French), or an empty dict."""
    problems: dict[str, list[str]] = {}
    if not specialty_opened:
        problems.setdefault("epreuve", []).append(
            _("Cette épreuve est d'une spécialité que la session « %(session)s » n'ouvre pas.")
            % {"session": session}
        )
    if starts_at and ends_at and not starts_at < ends_at:
        problems.setdefault("ends_at", []).append(_("La fin de l'épreuve doit suivre son début."))
    if starts_at:
        after, year = sitting_window(session)
        local = session.academie.localtime(starts_at)
        if local.year != year or (after and starts_at < after):
            problems.setdefault("starts_at", []).append(
                _(
                    "Le %(date)s est hors de la session %(year)s : une épreuve a lieu dans l'année de la "
                    "session, au plus tôt deux semaines après la mise à disposition des convocations "
                    "(soit le %(after)s)."
                )
                % {
                    "date": local.strftime("%d/%m/%Y %H:%M"),
                    "year": year,
                    "after": session.academie.localtime(after).strftime("%d/%m/%Y %H:%M") if after else "—",
                }
            )
    return problems
