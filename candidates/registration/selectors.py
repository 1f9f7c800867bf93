"""Reads for the registration wizard and the candidate space: open sessions, a redoublant's previous
dossier, the bénéfices they earned, what a dossier still lacks and what to do next."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from candidates.dossier_catalogue import with_catalogue
from candidates.models import Dossier, DossierEpreuve, DossierState
from candidates.registration import rules
from exams import catalogue, catalogue_cache
from exams.models import Academie, Departement, Epreuve, Session

# The nine tabs, in order (issue 4). The slug is the URL segment and the key in completed_tabs.
TABS: list[tuple[str, str]] = [
    ("session", _("Académie et session")),
    ("identite", _("Identité")),
    ("contact", _("Coordonnées")),
    ("situation", _("Situation")),
    ("specialite", _("Spécialité et forme")),
    ("epreuves", _("Épreuves")),
    ("langues", _("Langues et options")),
    ("handicap", _("Handicap")),
    ("conditions", _("Conditions et enregistrement")),
]
TAB_SLUGS = [slug for slug, _label in TABS]
TAB_LABELS = dict(TABS)
# Tabs that must be saved before "Enregistrer" (tab 9 is the registration itself).
CHOICE_TABS = TAB_SLUGS[:-1]

# States reached only after a successful registration: their forme and grades count.
REGISTERED_STATES = {
    DossierState.REGISTERED,
    DossierState.SUBMITTED,
    DossierState.IN_REVIEW,
    DossierState.INCOMPLETE,
    DossierState.COMPLIANT,
    DossierState.NON_COMPLIANT,
    DossierState.CANCELLED,
}


def candidate_academie(user) -> Academie | None:
    """The académie of the candidate's département of residence (CF, TLS)."""
    profile = getattr(user, "profile", None)
    if profile is None or profile.departement_id is None:
        return None
    found = catalogue.departement(profile.departement_id)  # the catalogue cache's (issue 15)
    return found.academie if found else None


def residence_outside_portal(user) -> str:
    """The département code of a candidate whose postcode lies outside every académie of this
    portal (a Paris résident: 75), "" otherwise. They are told "not in this académie", not "no
    département" (CF, TLS: one registers in the académie of one's residence)."""
    from candidates.accounts.rules import departement_from_postcode

    profile = getattr(user, "profile", None)
    if profile is None or profile.departement_id is not None:
        return ""
    code = departement_from_postcode(profile.postcode) or ""
    if not code or Departement.objects.filter(pk=code).exists():
        return ""  # a département of ours: the profile only has to be completed
    return code


def outside_portal_message(code: str) -> str:
    return str(
        _(
            "Vous résidez dans le département %(code)s, qui ne relève d'aucune académie de ce portail : "
            "un candidat s'inscrit dans l'académie de sa résidence. Adressez-vous au service des examens "
            "de votre académie (son propre portail d'inscription), ou corrigez votre adresse dans votre "
            "profil si elle est erronée."
        )
    ) % {"code": code}


def open_sessions_for(user, *, at: dt.datetime | None = None) -> QuerySet[Session]:
    academie = candidate_academie(user)
    if academie is None:
        return Session.objects.none()
    return (
        Session.objects.open_at(at or timezone.now())
        .filter(academie=academie)
        .select_related("academie", "exam")
        .order_by("registration_closes_at")
    )


def earlier_dossiers(candidate, *, specialty_id: int | None = None, exclude_id: int | None = None):
    """The candidate's registered dossiers of earlier sessions, latest first. ``candidate``: the
    user or their id (a dossier's candidate_id: the user is not read again)."""
    qs = Dossier.objects.filter(candidate=candidate, state__in=REGISTERED_STATES, number__isnull=False)
    if specialty_id:
        qs = qs.filter(specialty_id=specialty_id)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.select_related("session", "specialty", "option").order_by("-session__year", "-registered_at")


def previous_dossier(candidate, *, before_year: int, specialty_id: int | None = None) -> Dossier | None:
    return (
        earlier_dossiers(candidate, specialty_id=specialty_id).filter(session__year__lt=before_year).first()
    )


def _earlier_of_specialty(dossier: Dossier) -> list[tuple[int, str]]:
    """(id, forme) of the candidate's registered dossiers of this specialty at earlier sessions,
    latest first: what the locked forme and the offered bénéfices both start from. issue 15: a save
    checks both (tabs 5 and 6), two queries of the same rows; read once per dossier instance and
    specialty (the instance lives for one request; a tab that changes the specialty reads again)."""
    key = (dossier.candidate_id, dossier.specialty_id, dossier.session.year)
    memo = getattr(dossier, "_earlier_of_specialty", None)
    if memo is None or memo[0] != key:
        rows = list(
            earlier_dossiers(dossier.candidate_id, specialty_id=dossier.specialty_id, exclude_id=dossier.pk)
            .filter(session__year__lt=dossier.session.year)
            .select_related(None)
            .values_list("pk", "forme")
        )
        memo = dossier._earlier_of_specialty = (key, rows)
    return memo[1]


def locked_forme(dossier: Dossier) -> str:
    """The forme chosen for this specialty at an earlier session: final (NM)."""
    if not dossier.specialty_id:
        return ""
    # Only the values (issue 15: the whole dossier and three joins were read for it).
    return next((forme for _pk, forme in _earlier_of_specialty(dossier) if forme), "")


def offered_benefices(dossier: Dossier) -> dict[int, DossierEpreuve]:
    """Grades the candidate carried or earned in earlier dossiers of this specialty, by épreuve id
    (latest first wins). A renounced bénéfice is returned too, marked: renouncing is final (AM)."""
    if not dossier.specialty_id:
        return {}
    # issue 15: the tab and every save's checks ask it, and most candidates have no earlier
    # dossier: their ids first (a light query, shared with locked_forme), the rows with their
    # joins only when there are.
    earlier = [pk for pk, _forme in _earlier_of_specialty(dossier)]
    if not earlier:
        return {}
    rows = (
        DossierEpreuve.objects.filter(dossier_id__in=earlier, grade__isnull=False)
        .select_related("dossier__session", "epreuve")
        .order_by("-dossier__session__year")
    )
    offered: dict[int, DossierEpreuve] = {}
    for row in rows:
        offered.setdefault(row.epreuve_id, row)
    return offered


def _compulsory_epreuves(specialty_id: int, option_id: int | None) -> list[Epreuve]:
    qs = Epreuve.objects.filter(specialty_id=specialty_id, is_optional=False)
    if option_id:
        qs = qs.filter(option__isnull=True) | qs.filter(option_id=option_id)
    else:
        qs = qs.filter(option__isnull=True)
    return list(qs.select_related("parent").order_by("order", "code"))


def wizard_epreuves(dossier: Dossier) -> list[Epreuve]:
    """The compulsory épreuves of the dossier's specialty and option (tab 6). Catalogue rows, read
    from the catalogue cache (issue 15: the tab and every save's re-checks read them)."""
    if not dossier.specialty_id:
        return []
    epreuves = catalogue_cache.cached(
        "compulsory_epreuves",
        lambda: _compulsory_epreuves(dossier.specialty_id, dossier.option_id),
        vary=f"{dossier.specialty_id}:{dossier.option_id or ''}",
        in_process=True,  # the forms and checks only read these rows
    )
    # An épreuve maîtresse is chosen through its units; it gets a row of its own only for the
    # candidates first registered in 2019-2021, who may keep a maîtresse grade (CF, AM).
    parents = {e.parent_id for e in epreuves if e.parent_id}
    keeps_maitresse = dossier.first_registration_year in rules.MAITRESSE_EXCEPTION_YEARS
    return [e for e in epreuves if e.pk not in parents or keeps_maitresse]


def optional_epreuves(dossier: Dossier) -> list[Epreuve]:
    """Facultative épreuves other than the optional LV (engagement étudiant...: CF, AM)."""
    if not dossier.specialty_id:
        return []
    return list(
        Epreuve.objects.filter(
            specialty_id=dossier.specialty_id, is_optional=True, is_language=False
        ).order_by("order", "code")
    )


def optional_language_epreuve(dossier: Dossier) -> Epreuve | None:
    if not dossier.specialty_id:
        return None
    return Epreuve.objects.filter(
        specialty_id=dossier.specialty_id, is_optional=True, is_language=True
    ).first()


def benefice_reference_date(session: Session) -> dt.date:
    """The day a bénéfice must still exist: the first written épreuve when the calendar has it,
    else the closing of registration."""
    instant = session.first_written_exam_at or session.registration_closes_at
    return session.academie.localtime(instant).date()


@dataclass(frozen=True)
class DossierStatus:
    missing: list[tuple[str, str]]  # (tab slug, label) still to save
    next_step: str
    next_url_tab: str | None
    is_open: bool
    closes_at: dt.datetime


def missing_tabs(dossier: Dossier) -> list[tuple[str, str]]:
    done = set(dossier.completed_tabs or [])
    wanted = TAB_SLUGS if dossier.state == DossierState.DRAFT else CHOICE_TABS
    return [(slug, TAB_LABELS[slug]) for slug in wanted if slug not in done]


def dossier_status(dossier: Dossier, *, at: dt.datetime | None = None) -> DossierStatus:
    """What the candidate space says about a dossier: what is missing and what to do next."""
    at = at or timezone.now()
    is_open = dossier.session.is_registration_open(at)
    missing = missing_tabs(dossier)
    first_missing = missing[0][0] if missing else None
    state = dossier.state
    if state == DossierState.DRAFT:
        if is_open:
            step = _("Terminez les onglets manquants puis cliquez sur « Enregistrer » (onglet 9).")
        else:
            step = _("Les inscriptions sont closes : ce brouillon ne sera pas enregistré.")
        tab = first_missing or "conditions"
    elif state == DossierState.REGISTERED:
        if dossier.signed_at:
            step = _("Déposez vos pièces justificatives avant la date limite, puis confirmez le dépôt.")
        else:
            step = _(
                "Téléchargez votre récapitulatif, signez-le et déposez-le avec vos pièces justificatives."
            )
        tab = None
    elif state in (DossierState.SUBMITTED, DossierState.IN_REVIEW):
        step = _("Votre dossier est en cours de traitement par le bureau des examens.")
        tab = None
    elif state == DossierState.INCOMPLETE:
        step = _("Remplacez la pièce signalée par le gestionnaire.")
        tab = None
    elif state == DossierState.COMPLIANT:
        published = dossier.session.convocations_published_at
        if published and at >= published:
            # The same instant as documents.recap.convocation_rows.convocations_published (issue 14).
            step = _("Votre dossier est conforme. Votre convocation est dans « Mes documents ».")
        else:
            step = _("Votre dossier est conforme. Votre convocation sera disponible dans votre espace.")
        tab = None
    elif state == DossierState.WITHDRAWN:
        step = _("Vous vous êtes désisté(e) de cette inscription : vous ne serez pas convoqué(e).")
        tab = None
    else:
        step = _("Ce dossier est clos.")
        tab = None
    return DossierStatus(
        missing=missing,
        next_step=str(step),
        next_url_tab=tab,
        is_open=is_open,
        closes_at=dossier.session.registration_closes_at,
    )


def dossiers_for_space(user) -> QuerySet[Dossier]:
    """The dossier cards of the space (candidates/_dossier_list.html): the session, its académie
    and exam, the specialty and option; no épreuve choices, which the cards do not show (issue
    15: their prefetch was a query and its rows on every visit). A list stays one query (joined),
    whatever the catalogue cache holds: candidates.dossier_catalogue is for one dossier's pages."""
    return (
        Dossier.objects.filter(candidate=user)
        .select_related("session__academie", "session__exam", "specialty", "option")
        .order_by("-created_at")
    )


def dossier_for_candidate(user, pk: int) -> Dossier:
    """The candidate's own dossier or Dossier.DoesNotExist (never someone else's)."""
    dossier = with_catalogue(Dossier.objects.get(pk=pk, candidate=user))
    dossier.candidate = user  # the request's user: not read again
    return dossier


def keepable_benefices(
    dossier: Dossier, *, today: dt.date | None = None, offered: dict[int, DossierEpreuve] | None = None
) -> set[int]:
    """Épreuve ids whose earlier grade the rules allow to keep now: tab 6 proposes them as
    bénéfices, the others as "taken" (the candidate still sees the grade). ``offered``: what
    offered_benefices already answered for this dossier (the tab reads it once)."""
    if offered is None:
        offered = offered_benefices(dossier)
    if not offered:
        return set()
    today = today or dossier.session.academie.localtime(timezone.now()).date()
    reference = benefice_reference_date(dossier.session)
    keep = set()
    for epreuve_id, row in offered.items():
        refusal = rules.benefice_refusal(
            grade=row.grade,
            obtained_on=row.obtained_on,
            reference_date=reference,
            today=today,
            session_year=dossier.session.year,
            is_unit=row.epreuve.is_unit,
            forme=dossier.forme,
            handicap=dossier.handicap,
            first_registration_year=dossier.first_registration_year,
            renounced_before=row.benefice_renounced,
        )
        if refusal is None:
            keep.add(epreuve_id)
    return keep
