"""The admin's "publish the convocations now" reaches documents (above exams) through a callable
documents registers at start-up (as the roll-over's piece-rule copier does): exams never imports
documents."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from portal.exceptions import DomainError

_publisher: Callable | None = None


def register_convocation_publisher(publisher: Callable) -> None:
    global _publisher
    _publisher = publisher


def convocations_request_publication(*, session, at=None) -> None:
    if _publisher is None:
        raise DomainError(_("La publication des convocations n'est pas disponible."), code="unavailable")
    _publisher(session=session, at=at)
