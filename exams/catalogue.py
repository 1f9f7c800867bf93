"""Writes and reads of a session's catalogue: the specialties it opens, the notice's configuration,
and the roll-over to next year ("Préparer la session suivante")."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import DomainError

from . import catalogue_cache, catalogue_seeds
from .models import Departement, Epreuve, Session, SessionSpecialty, Specialty, SpecialtyOption

# Every per-session field the roll-over copies as is (the dates are shifted, the rest is copied).
COPIED_FIELDS = (
    "exam_id",
    "academie_id",
    "handicap_request_url",
    "handicap_request_channel",
    "handicap_request_address",
    "accepted_categories",
    "progressive_categories",
)
# What apps above exams attach to a session (documents' piece rules) is copied by the callables
# they register here at start-up (AppConfig.ready): exams never imports them.
AttachedCopier = Callable[[Session, Session], object]
_ATTACHED_COPIERS: list[AttachedCopier] = []


def register_attached_copier(copier: AttachedCopier) -> None:
    """``copier(previous, new)`` runs inside the roll-over's transaction."""
    if copier not in _ATTACHED_COPIERS:
        _ATTACHED_COPIERS.append(copier)


OPENING_FIELDS = (
    "gestionnaire_name",
    "gestionnaire_email",
    "gestionnaire_phone",
    "r408_annex4",
    "r408_annex5",
)


# --- reads ---------------------------------------------------------------------------------------


def opening_for(session: Session, specialty_id: int | None) -> SessionSpecialty | None:
    """The session's opening of a specialty (its options, contact, R408), or None when the session
    does not open it. Read from the catalogue cache (issue 15: the wizard's checks, the pieces
    page and the simulator ask it on every request), with the ids of its opened options
    (``opened_option_ids``)."""
    if specialty_id is None:
        return None
    return catalogue_cache.cached(
        "opening",
        lambda: _opening(session, specialty_id),
        vary=f"{session.pk}:{specialty_id}",
        in_process=True,  # read only by its callers
    )


def _opening(session: Session, specialty_id: int) -> SessionSpecialty | None:
    opening = (
        SessionSpecialty.objects.filter(session=session, specialty_id=specialty_id)
        .select_related("session__academie", "specialty")
        .first()
    )
    if opening is not None:
        opening.opened_option_ids = frozenset(opening.options.values_list("pk", flat=True))
    return opening


# A code asked by a request (the simulator's parameters) is looked up in the cache only when it
# looks like one of ours; anything else goes to the database, which finds nothing.
_CODE = re.compile(r"[\w.-]{1,100}")


def session_by_code(code: str) -> Session | None:
    """A session with its académie by its code, or None, cached (the simulator's parameter)."""
    if not _CODE.fullmatch(code):
        return Session.objects.select_related("academie").filter(code=code).first()
    return catalogue_cache.cached(
        "session_by_code",
        lambda: Session.objects.select_related("academie").filter(code=code).first(),
        vary=code,
    )


def specialty_by_code(code: str) -> Specialty | None:
    """A specialty with its options by its code, or None, cached (the simulator's parameter)."""
    if not _CODE.fullmatch(code):
        return Specialty.objects.prefetch_related("options").filter(code=code).first()
    return catalogue_cache.cached(
        "specialty_by_code",
        lambda: Specialty.objects.prefetch_related("options").filter(code=code).first(),
        vary=code,
    )


def departement(code: str) -> Departement | None:
    """A département with its académie, or None (a code of no académie of the portal), cached:
    the wizard's checks and the session tab ask it of every candidate's residence."""
    return catalogue_cache.cached(
        "departement",
        lambda: Departement.objects.select_related("academie").filter(pk=code).first(),
        vary=code,
        in_process=True,  # read only by its callers
    )


def session_row(session_id: int) -> Session | None:
    """A session with its académie and exam, by id, cached and kept in the process (read only):
    every page and every save of a dossier read it joined to the dossier row (issue 15)."""
    return catalogue_cache.cached(
        "session_row",
        lambda: Session.objects.select_related("academie", "exam").filter(pk=session_id).first(),
        vary=str(session_id),
        in_process=True,
    )


def specialty_row(specialty_id: int) -> Specialty | None:
    """A specialty by id, cached and kept in the process (read only), as ``session_row``."""
    return catalogue_cache.cached(
        "specialty_row",
        lambda: Specialty.objects.filter(pk=specialty_id).first(),
        vary=str(specialty_id),
        in_process=True,
    )


def specialty_option_ids(specialty_id: int) -> frozenset[int]:
    """The ids of a specialty's options (empty: a specialty without options), cached."""
    return catalogue_cache.cached(
        "specialty_options",
        lambda: frozenset(
            SpecialtyOption.objects.filter(specialty_id=specialty_id).values_list("pk", flat=True)
        ),
        vary=str(specialty_id),
        in_process=True,
    )


def specialty_has_compulsory_language(specialty_id: int | None) -> bool:
    """Whether the specialty has a compulsory language épreuve (tab 7 then asks for the LV)."""
    if specialty_id is None:
        return False
    return catalogue_cache.cached(
        "compulsory_language",
        lambda: Epreuve.objects.filter(
            specialty_id=specialty_id, is_language=True, is_optional=False
        ).exists(),
        vary=str(specialty_id),
        in_process=True,
    )


def opened_specialties(session: Session):
    return Specialty.objects.filter(openings__session=session).order_by("name")


def unopened_specialties(session: Session, specialties: Iterable[Specialty]) -> list[Specialty]:
    """Those of ``specialties`` the session does not open (a piece rule or an assignment for them
    would never apply)."""
    opened = set(SessionSpecialty.objects.filter(session=session).values_list("specialty_id", flat=True))
    return [s for s in specialties if s.pk not in opened]


# --- dates ---------------------------------------------------------------------------------------


def shift_one_year(instant: dt.datetime | None, zone: zoneinfo.ZoneInfo) -> dt.datetime | None:
    """The same wall-clock time one year later in the académie's zone (17:00 stays 17:00 across a
    change of summer time; a 29 February becomes the 28th)."""
    if instant is None:
        return None
    local = timezone.localtime(instant, zone).replace(tzinfo=None)
    try:
        moved = local.replace(year=local.year + 1)
    except ValueError:
        moved = local.replace(year=local.year + 1, day=28)
    return timezone.make_aware(moved, zone)


def _next_code(session: Session, year: int) -> str:
    code = session.code.replace(str(session.year), str(year))
    return code if code != session.code else f"{session.code}-{year}"


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def session_prepare_next(*, session: Session, by=None) -> Session:
    """ "Préparer la session suivante": a copy of the session one year later with everything attached
        (specialties opened with their options, contacts and R408, languages, route rules, aménagement
        channel, and what the apps above registered with ``register_attached_copier``: the piece
    rules). Every date moves by one year on
        the académie's clocks; the copy is unpublished until the manager has reviewed it. Refused when
        the académie already has that year's session."""
    session = Session.objects.select_for_update().select_related("academie", "exam").get(pk=session.pk)
    year = session.year + 1
    existing = Session.objects.filter(academie=session.academie, exam=session.exam, year=year).first()
    if existing is not None:
        raise DomainError(
            _("La session %(year)s de %(academie)s existe déjà (« %(code)s ») : rien n'a été créé.")
            % {"year": year, "academie": session.academie.name, "code": existing.code},
            code="duplicate",
        )
    code = _next_code(session, year)
    if Session.objects.filter(code=code).exists():
        raise DomainError(
            _("Le code « %(code)s » est déjà pris par une autre session : rien n'a été créé.")
            % {"code": code},
            code="duplicate",
        )
    zone = session.academie.tzinfo
    new = Session(code=code, year=year, is_published=False, previous_session=session)
    for name in COPIED_FIELDS:
        setattr(new, name, getattr(session, name))
    new.name = session.name.replace(str(session.year), str(year)) if session.name else ""
    for field in Session._meta.get_fields():
        if getattr(field, "get_internal_type", lambda: "")() == "DateTimeField":
            setattr(new, field.name, shift_one_year(getattr(session, field.name), zone))
    new.full_clean()
    new.save()
    new.optional_languages.set(session.optional_languages.all())
    new.mandatory_languages.set(session.mandatory_languages.all())
    for opening in session.openings.prefetch_related("options"):
        copy = SessionSpecialty.objects.create(
            session=new,
            specialty_id=opening.specialty_id,
            **{name: getattr(opening, name) for name in OPENING_FIELDS},
        )
        copy.options.set(opening.options.all())
    for copier in _ATTACHED_COPIERS:
        copier(session, new)
    return new


@transaction.atomic
def session_open_specialty(
    *, session: Session, specialty: Specialty, options=None, contact: dict | None = None, r408=(False, False)
) -> SessionSpecialty:
    """Open (or update) a specialty in a session; ``options`` None opens all its options."""
    opening, _created = SessionSpecialty.objects.update_or_create(
        session=session,
        specialty=specialty,
        defaults={
            **{f"gestionnaire_{k}": v for k, v in (contact or {}).items()},
            "r408_annex4": r408[0],
            "r408_annex5": r408[1],
        },
    )
    opening.full_clean()
    opening.options.set(specialty.options.all() if options is None else options)
    return opening


@transaction.atomic
def session_apply_notice(*, session: Session, contacts: dict[str, dict] | None = None) -> Session:
    """Configure a session from its académie's notice (exams.catalogue_seeds): route rules,
    aménagement channel, every specialty of the exam opened with all its options, the notice's R408
    list and the gestionnaire ``contacts`` given per specialty code (the académie's bureau
    otherwise)."""
    config = catalogue_seeds.configuration_for(session.academie.code)
    for name in (
        "progressive_categories",
        "accepted_categories",
        "handicap_request_channel",
        "handicap_request_url",
        "handicap_request_address",
    ):
        if name == "handicap_request_url" and session.handicap_request_url and not config[name]:
            continue
        setattr(session, name, config[name])
    session.full_clean()
    session.save()
    r408 = config["r408"]
    for specialty in Specialty.objects.filter(exam=session.exam).prefetch_related("options"):
        session_open_specialty(
            session=session,
            specialty=specialty,
            contact=(contacts or {}).get(specialty.code),
            r408=r408.get(specialty.code, (False, False)),
        )
    return session
