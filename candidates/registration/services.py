"""Writes of the registration: start a dossier, save one wizard tab, register it (number), and
expire the drafts of closed sessions (domain.md §3, §4, §7). Every rule is checked here, on the
server clock, whatever the page showed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from candidates.accounts import identity
from candidates.accounts import rules as account_rules
from candidates.dossier_catalogue import with_catalogue
from candidates.models import (
    CONSENT_FIELD_NAMES,
    CONTACT_FIELD_NAMES,
    IDENTITY_FIELD_NAMES,
    Dossier,
    DossierEpreuve,
    DossierNumberCounter,
    DossierState,
    EpreuveChoice,
    Profile,
    User,
)
from candidates.registration import rules, selectors
from candidates.registration.selectors import CHOICE_TABS, TAB_LABELS
from candidates.states import EDITABLE_STATES, transition
from documents.recap.services import dossier_request_documents
from exams import catalogue
from exams.catalogue import opening_for, specialty_option_ids
from exams.models import Session
from portal.exceptions import DomainError

IDENTITY_FIELDS = list(IDENTITY_FIELD_NAMES)
CONTACT_FIELDS = list(CONTACT_FIELD_NAMES)
CONSENT_FIELDS = list(CONSENT_FIELD_NAMES)
SITUATION_FIELDS = [
    "category",
    "continuing_situation",
    "previous_session_year",
    "previous_candidate_number",
    "first_registration_year",
    "access_diploma",
    "dispense_diploma",
    "positioning_decision",
]
SPECIALTY_FIELDS = ["specialty", "option", "forme"]
LANGUAGE_FIELDS = ["mandatory_language", "mandatory_language_other", "optional_language"]
HANDICAP_FIELDS = ["handicap", "accommodation_requested", "r408_rqth_alternative"]
# The fields whose change makes the recap stale (domain.md §7).
TRACKED_FIELDS = (
    IDENTITY_FIELDS + CONTACT_FIELDS + SITUATION_FIELDS + SPECIALTY_FIELDS + LANGUAGE_FIELDS + HANDICAP_FIELDS
)


# --- helpers -------------------------------------------------------------------------------------


def _now(at: dt.datetime | None) -> dt.datetime:
    return at or timezone.now()


def _closing_text(session: Session) -> str:
    return session.academie.localtime(session.registration_closes_at).strftime("%d/%m/%Y à %H:%M")


def _require_open(session: Session, at: dt.datetime) -> None:
    """ "Aucune inscription hors délai" (TLS, AM): the server clock decides, at the minute."""
    if session.is_registration_open(at):
        return
    if at < session.registration_opens_at:
        raise DomainError(
            _("Les inscriptions à cette session ne sont pas encore ouvertes (ouverture le %(date)s).")
            % {
                "date": session.academie.localtime(session.registration_opens_at).strftime("%d/%m/%Y à %H:%M")
            },
            code="not_open",
        )
    raise DomainError(
        _(
            "Les inscriptions sont closes depuis le %(date)s (heure de l'académie) : aucune modification "
            "n'est plus acceptée. Ce qui avait été enregistré avant la clôture est conservé."
        )
        % {"date": _closing_text(session)},
        code="closed",
    )


def _lock(dossier_id: int, candidate=None) -> Dossier:
    """The dossier row locked until commit, with the relations every tab's check reads (its
    session and specialty: candidates.dossier_catalogue)."""
    qs = Dossier.objects.select_for_update().filter(pk=dossier_id)
    if candidate is not None:
        qs = qs.filter(candidate=candidate)
    dossier = qs.first()
    if dossier is None:
        raise DomainError(_("Ce dossier n'existe pas."), code="not_found")
    with_catalogue(dossier)
    if candidate is not None:
        dossier.candidate = candidate  # the request's user (its profile read once per request)
    # The outermost transaction that holds the row lock (see _still_locked): a new Atomic per
    # `with transaction.atomic()`, so a dossier locked in a transaction that has ended never passes.
    blocks = transaction.get_connection().atomic_blocks
    dossier._locked_in = blocks[0] if blocks else None
    return dossier


def dossier_lock_for_edit(*, dossier_id: int, candidate) -> Dossier:
    """The candidate's own dossier, its row locked until the caller's transaction commits: the
    wizard's POST builds and checks its form on it, then hands it to ``dossier_save_tab``
    (``locked=``), which then does not read it again (issue 15: the view read the dossier and the
    service read it once more to lock it, two four-table queries per save). Call it inside
    ``transaction.atomic()``. DomainError(code="not_found") for anyone else's."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("dossier_lock_for_edit outside a transaction: the lock would end at once")
    return _lock(dossier_id, candidate=candidate)


def _still_locked(dossier: Dossier | None, dossier_id: int, candidate) -> bool:
    """``dossier`` comes from ``_lock`` for this candidate and a transaction is open (the
    caller's, which holds the lock). Anything else is locked and read again: a dossier read
    without its lock is never saved."""
    blocks = transaction.get_connection().atomic_blocks
    return (
        dossier is not None
        and blocks
        and getattr(dossier, "_locked_in", None) is blocks[0]
        and dossier.pk == dossier_id
        and dossier.candidate_id == getattr(candidate, "pk", None)
    )


SIGNED_MESSAGE = (
    "Votre confirmation d'inscription est signée : vos choix sont définitifs. Seul le bureau des "
    "examens peut désormais les modifier : écrivez-lui depuis « Mes messages »."
)


def dossier_edit_refusal(dossier: Dossier, *, at: dt.datetime | None = None) -> DomainError | None:
    """The one answer to "may the candidate change this dossier's choices now?" (None: yes). The
    wizard shows its tabs read-only with this message; dossier_save_tab refuses with the same.
    Choices change until closing, only in the draft and registered states, and never once the
    confirmation is signed, whichever way: in the portal or on paper, deposited as the
    `recap_signed` piece (CF, NM: «Il n'est jamais possible de modifier son inscription après le
    retour de la confirmation»)."""
    if dossier.state not in EDITABLE_STATES:
        return DomainError(
            _("Ce dossier est à l'état « %(state)s » : il ne peut plus être modifié.")
            % {"state": DossierState(dossier.state).label},
            code="not_editable",
        )
    if dossier.signed_at:
        return DomainError(_(SIGNED_MESSAGE), code="signed")
    try:
        _require_open(dossier.session, _now(at))
    except DomainError as exc:
        return exc
    return None


def _require_editable(dossier: Dossier, at: dt.datetime) -> None:
    refusal = dossier_edit_refusal(dossier, at=at)
    if refusal is not None:
        raise refusal


def _read_choices(dossier: Dossier) -> None:
    """The dossier's épreuve rows read once into ``dossier.epreuve_choices.all()``, for the
    snapshot and every tab's check (issue 15: three queries of the same rows on each save)."""
    dossier._prefetched_objects_cache = getattr(dossier, "_prefetched_objects_cache", {})
    dossier._prefetched_objects_cache.pop("epreuve_choices", None)
    prefetch_related_objects([dossier], "epreuve_choices")


def _snapshot(dossier: Dossier) -> tuple:
    """The choices as they stand: the tracked fields and the épreuve rows (as _read_choices read
    them)."""
    fields = tuple(getattr(dossier, f + "_id" if f in _FK_FIELDS else f) for f in TRACKED_FIELDS)
    rows = tuple(
        sorted(
            (c.epreuve_id, c.choice, c.grade, c.obtained_on, c.benefice_renounced)
            for c in dossier.epreuve_choices.all()
        )
    )
    return fields, rows


_FK_FIELDS = {"departement", "specialty", "option", "mandatory_language", "optional_language"}


def _row(dossier: Dossier) -> dict[str, Any]:
    """Every column of the dossier but its timestamps and counters, to tell a save that changes
    nothing."""
    skip = {"updated_at", *Dossier.PIECE_COUNTERS}
    return {
        f.attname: getattr(dossier, f.attname) for f in Dossier._meta.concrete_fields if f.name not in skip
    }


def _required(data: dict[str, Any], field: str, message: str | None = None) -> Any:
    value = data.get(field)
    if value in (None, "", []):
        raise DomainError(message or _("Ce champ est obligatoire."), field=field, code="required")
    return value


# --- tab checks: each validates the dossier as it stands (used on save and at registration) -----


def _check_identity_values(dossier: Dossier, at: dt.datetime, names, required) -> None:
    """The identity module's checks (the profile's), on the académie's calendar."""
    values = {name: getattr(dossier, name) for name in names}
    found = identity.problems(values, required=required, today=dossier.session.academie.localtime(at).date())
    if found:
        field, message = found[0]
        raise DomainError(message, field=field)
    if "mobile_phone" in values:
        dossier.mobile_phone = values["mobile_phone"]


def _check_identite(dossier: Dossier, at: dt.datetime) -> None:
    _check_identity_values(dossier, at, IDENTITY_FIELDS, identity.IDENTITY_REQUIRED)


def _check_contact(dossier: Dossier, at: dt.datetime) -> None:
    """The département of residence is derived from the postcode, never chosen: a candidate
    registers only in the académie where they live (CF, TLS)."""
    _check_identity_values(
        dossier, at, [f for f in CONTACT_FIELDS if f != "departement"], identity.CONTACT_REQUIRED
    )
    code = account_rules.departement_from_postcode(dossier.postcode)
    dossier.departement = catalogue.departement(code) if code else None
    if dossier.departement is None:
        raise DomainError(
            _("Ce code postal ne correspond à aucun département de nos académies : vérifiez-le."),
            field="postcode",
        )
    if dossier.departement.academie_id != dossier.session.academie_id:
        raise DomainError(
            _(
                "Le code postal %(postcode)s (département %(dep)s) ne relève pas de l'académie de %(academie)s : "
                "on s'inscrit dans l'académie de sa résidence."
            )
            % {
                "postcode": dossier.postcode,
                "dep": dossier.departement,
                "academie": dossier.session.academie.name,
            },
            field="postcode",
        )


BENEFICE_NEEDS_NUMBER = (
    "Vous conservez une note (bénéfice) : vous êtes donc un ancien candidat et devez "
    "IMPÉRATIVEMENT indiquer l'année de votre dernière session et votre numéro de candidat "
    "(onglet « Situation »)."
)


def _keeps_benefice(dossier: Dossier) -> bool:
    # .all(): the rows dossier_save_tab read once for every check (issue 15), else one query.
    return bool(dossier.pk) and any(c.choice == EpreuveChoice.BENEFICE for c in dossier.epreuve_choices.all())


def _check_situation(dossier: Dossier, at: dt.datetime) -> None:
    refusal = rules.category_refusal(dossier.category, dossier.session.accepted_categories)
    if refusal:
        raise DomainError(refusal, field="category", code="category_refused")
    if dossier.category in rules.CONTINUING_CATEGORIES and not dossier.continuing_situation:
        raise DomainError(_("Précisez votre situation en formation continue."), field="continuing_situation")
    year = dossier.session.year
    keeps = _keeps_benefice(dossier)
    if rules.previous_number_required(dossier.category, keeps_benefice=keeps):
        why = _(BENEFICE_NEEDS_NUMBER) if dossier.category not in rules.FORMER_CATEGORIES else None
        _required(
            {"previous_session_year": dossier.previous_session_year},
            "previous_session_year",
            why
            or _(
                "Indiquez l'année de votre dernière session : elle est obligatoire pour un ancien candidat."
            ),
        )
        _required(
            {"previous_candidate_number": dossier.previous_candidate_number},
            "previous_candidate_number",
            why or _("Indiquez IMPÉRATIVEMENT votre numéro de candidat de la session précédente."),
        )
    if dossier.previous_session_year and not 1990 <= dossier.previous_session_year < year:
        raise DomainError(
            _("La session précédente doit être antérieure à celle-ci."), field="previous_session_year"
        )
    if dossier.first_registration_year and not 1990 <= dossier.first_registration_year <= year:
        raise DomainError(
            _("L'année de première inscription ne peut être postérieure à cette session."),
            field="first_registration_year",
        )
    _required({"access_diploma": dossier.access_diploma}, "access_diploma")


def _check_specialite(dossier: Dossier, at: dt.datetime) -> None:
    if dossier.specialty_id is None:
        raise DomainError(_("Choisissez une spécialité."), field="specialty")
    if dossier.specialty.exam_id != dossier.session.exam_id:
        raise DomainError(_("Cette spécialité n'appartient pas à l'examen de la session."), field="specialty")
    opening = opening_for(dossier.session, dossier.specialty_id)
    if opening is None:
        raise DomainError(_("Cette spécialité n'est pas ouverte à cette session."), field="specialty")
    options = specialty_option_ids(dossier.specialty_id)
    if options and dossier.option_id is None:
        raise DomainError(_("Cette spécialité comporte des options : choisissez la vôtre."), field="option")
    if dossier.option_id and dossier.option_id not in options:
        raise DomainError(_("Cette option n'appartient pas à la spécialité choisie."), field="option")
    if dossier.option_id and dossier.option_id not in opening.opened_option_ids:
        raise DomainError(_("Cette option n'est pas ouverte à cette session."), field="option")
    if not dossier.category:
        raise DomainError(_("Renseignez d'abord votre situation (onglet 4)."), field="forme")
    refusal = rules.forme_refusal(
        category=dossier.category,
        forme=dossier.forme,
        previous_forme=selectors.locked_forme(dossier),
        progressive_categories=dossier.session.progressive_categories,
    )
    if refusal:
        raise DomainError(refusal, field="forme")


def _check_epreuves(dossier: Dossier, at: dt.datetime) -> None:
    if dossier.specialty_id is None:
        raise DomainError(_("Choisissez d'abord votre spécialité (onglet 5)."))
    rows = {r.epreuve_id: r for r in dossier.epreuve_choices.all()}
    offered = selectors.offered_benefices(dossier)
    today = dossier.session.academie.localtime(at).date()
    reference = selectors.benefice_reference_date(dossier.session)
    taken = 0
    epreuves = selectors.wizard_epreuves(dossier)
    covered = rules.units_covered_by_kept_maitresse(
        [(e.pk, e.parent_id) for e in epreuves],
        {pk for pk, r in rows.items() if r.choice == EpreuveChoice.BENEFICE},
    )
    for epreuve in epreuves:
        row = rows.get(epreuve.pk)
        field = f"choice_{epreuve.pk}"
        if epreuve.pk in covered:
            if row is not None:
                raise DomainError(
                    _("L'unité %(code)s est couverte par le bénéfice de son épreuve maîtresse.")
                    % {"code": epreuve.code},
                    field=field,
                )
            continue
        if row is None:
            raise DomainError(
                _("Indiquez votre choix pour l'épreuve %(code)s.") % {"code": epreuve.code}, field=field
            )
        if row.choice == EpreuveChoice.NOT_TAKEN and dossier.forme != rules.PROGRESSIVE:
            raise DomainError(
                _(
                    "En forme globale, toutes les épreuves se présentent à la même session (sauf bénéfice ou dispense)."
                ),
                field=field,
            )
        if row.choice == EpreuveChoice.TAKEN:
            taken += 1
        if row.choice == EpreuveChoice.BENEFICE:
            previous = offered.get(epreuve.pk)
            refused = rules.benefice_refusal(
                grade=row.grade,
                obtained_on=row.obtained_on,
                reference_date=reference,
                today=today,
                session_year=dossier.session.year,
                is_unit=epreuve.is_unit,
                forme=dossier.forme,
                handicap=dossier.handicap if "handicap" in dossier.completed_tabs else None,
                first_registration_year=dossier.first_registration_year,
                renounced_before=bool(previous and previous.benefice_renounced),
            )
            if refused:
                name, message = refused
                raise DomainError(message, field=f"{name}_{epreuve.pk}", code="benefice_refused")
        if row.choice == EpreuveChoice.DISPENSE:
            refusal = rules.dispense_refusal(
                is_professional=epreuve.is_professional,
                is_general_culture=epreuve.is_general_culture,
                dispensable=epreuve.dispensable,
                dispense_diploma=dossier.dispense_diploma,
            )
            if refusal:
                raise DomainError(refusal, field=field, code="dispense_refused")
    if any(r.choice == EpreuveChoice.BENEFICE for r in rows.values()) and not (
        dossier.previous_session_year and dossier.previous_candidate_number
    ):
        # Said here, on the tab where the bénéfice is chosen, rather than silently unsetting
        # tab 4 (the order of the tabs never decides a rule).
        raise DomainError(_(BENEFICE_NEEDS_NUMBER), code="previous_number_required")
    if dossier.forme == rules.PROGRESSIVE and taken == 0 and rows:
        raise DomainError(
            _("En forme progressive, choisissez au moins une unité à présenter à cette session.")
        )


def _check_langues(dossier: Dossier, at: dt.datetime) -> None:
    needs_lv = catalogue.specialty_has_compulsory_language(dossier.specialty_id)
    if dossier.mandatory_language_id and dossier.mandatory_language_other:
        raise DomainError(
            _("Choisissez une langue dans la liste ou saisissez-en une autre, pas les deux."),
            field="mandatory_language_other",
        )
    if needs_lv and dossier.mandatory_language_id is None and not dossier.mandatory_language_other:
        raise DomainError(
            _("Choisissez la langue vivante obligatoire, ou saisissez-la si elle n'est pas dans la liste."),
            field="mandatory_language",
        )
    if dossier.optional_language_id:
        open_codes = set(dossier.session.optional_languages.values_list("code", flat=True))
        refusal = rules.optional_language_refusal(
            language_code=dossier.optional_language.code, open_codes=open_codes
        )
        if refusal:
            raise DomainError(refusal, field="optional_language")
        refusal = rules.languages_refusal(
            mandatory_code=dossier.mandatory_language.code if dossier.mandatory_language_id else "",
            optional_code=dossier.optional_language.code,
        )
        if refusal:
            raise DomainError(refusal, field="optional_language")


def _check_handicap(dossier: Dossier, at: dt.datetime) -> None:
    if dossier.accommodation_requested and not dossier.handicap:
        raise DomainError(
            _("Un aménagement d'épreuves se demande en situation de handicap : cochez d'abord « handicap »."),
            field="accommodation_requested",
        )
    if dossier.r408_rqth_alternative and not (
        dossier.handicap
        and (opening := opening_for(dossier.session, dossier.specialty_id))
        and opening.requires_r408
    ):
        raise DomainError(
            _(
                "L'alternative RQTH à l'attestation R408 concerne les candidats en situation de handicap d'une spécialité soumise à la R408."
            ),
            field="r408_rqth_alternative",
        )


def _check_session(dossier: Dossier, at: dt.datetime) -> None:
    academie = selectors.candidate_academie(dossier.candidate)
    if academie is not None and academie.pk != dossier.session.academie_id:
        raise DomainError(
            _("Cette session n'est pas celle de l'académie de votre résidence."), field="session"
        )


CHECKS = {
    "session": _check_session,
    "identite": _check_identite,
    "contact": _check_contact,
    "situation": _check_situation,
    "specialite": _check_specialite,
    "epreuves": _check_epreuves,
    "langues": _check_langues,
    "handicap": _check_handicap,
}


# --- tab appliers: copy the cleaned data onto the dossier (rules are in the checks) -----------


def _apply_fields(dossier: Dossier, data: dict[str, Any], fields: list[str]) -> None:
    for field in fields:
        if field in data:
            value = data[field]
            if value is None and isinstance(getattr(dossier, field), str):
                value = ""  # an emptied text field is blank, never NULL
            setattr(dossier, field, value)


def _apply_identite(dossier: Dossier, data: dict[str, Any]) -> None:
    # Normalised by the identity module, as the profile is: the same typed name is stored the same.
    _apply_fields(dossier, identity.normalise(data), IDENTITY_FIELDS)


def _apply_contact(dossier: Dossier, data: dict[str, Any]) -> None:
    data = identity.normalise(data)
    _apply_fields(dossier, data, [f for f in CONTACT_FIELDS if f != "departement"])
    for field in CONSENT_FIELDS:
        if data.get(field) is None:
            raise DomainError(identity.CONSENT_REQUIRED_MESSAGE, field=field)
    # The three answers belong to the account (CF), kept for the next registrations; written
    # only when one changed (issue 15: a tab saved again with the same data writes nothing).
    profile, created = Profile.objects.get_or_create(user=dossier.candidate)
    if created or any(getattr(profile, field) != data[field] for field in CONSENT_FIELDS):
        for field in CONSENT_FIELDS:
            setattr(profile, field, data[field])
        profile.save()


def _apply_situation(dossier: Dossier, data: dict[str, Any]) -> None:
    _apply_fields(dossier, data, SITUATION_FIELDS)
    if dossier.category not in rules.CONTINUING_CATEGORIES:
        dossier.continuing_situation = ""


def _apply_specialite(dossier: Dossier, data: dict[str, Any]) -> None:
    specialty = data.get("specialty")
    if specialty is not None and specialty.pk != dossier.specialty_id:
        if (
            Dossier.objects.filter(candidate=dossier.candidate, session=dossier.session, specialty=specialty)
            .exclude(pk=dossier.pk)
            .exists()
        ):
            raise DomainError(
                _("Vous avez déjà un dossier pour cette spécialité à cette session."), field="specialty"
            )
        # Choices of another specialty's épreuves mean nothing any more.
        dossier.epreuve_choices.exclude(epreuve__specialty=specialty).delete()
        changed_specialty = True
    else:
        changed_specialty = False
    _apply_fields(dossier, data, SPECIALTY_FIELDS)
    if changed_specialty:
        if dossier.state == DossierState.DRAFT:
            dossier.completed_tabs = [t for t in dossier.completed_tabs if t not in ("epreuves", "langues")]
        else:
            # A registered dossier stays complete: every épreuve of the new specialty is taken,
            # a valid choice in both formes, which the candidate may then refine in tab 6.
            for epreuve in selectors.wizard_epreuves(dossier):
                DossierEpreuve.objects.get_or_create(
                    dossier=dossier, epreuve=epreuve, defaults={"choice": EpreuveChoice.TAKEN}
                )
    locked = selectors.locked_forme(dossier)
    if locked and not data.get("forme"):
        dossier.forme = locked


def _apply_epreuves(dossier: Dossier, data: dict[str, Any]) -> None:
    """data["rows"]: {epreuve_id: {"choice", "grade", "obtained_on"}} for the tab's épreuves."""
    given = data.get("rows") or {}
    offered = selectors.offered_benefices(dossier)
    keep: set[int] = set()
    epreuves = selectors.wizard_epreuves(dossier)
    covered = rules.units_covered_by_kept_maitresse(
        [(e.pk, e.parent_id) for e in epreuves],
        {pk for pk, row in given.items() if row and row.get("choice") == EpreuveChoice.BENEFICE},
    )
    for epreuve in epreuves:
        row = given.get(epreuve.pk)
        if not row or not row.get("choice") or epreuve.pk in covered:
            # A unit of a kept maîtresse is neither taken nor kept on its own (CF): no row.
            continue
        choice = row["choice"]
        if choice not in EpreuveChoice.values:
            raise DomainError(_("Choix inconnu."), field=f"choice_{epreuve.pk}")
        values: dict[str, Any] = {
            "choice": choice,
            "grade": None,
            "obtained_on": None,
            "obtained_session_year": None,
            "benefice_renounced": False,
        }
        previous = offered.get(epreuve.pk)
        if choice == EpreuveChoice.BENEFICE:
            obtained_on = row.get("obtained_on")
            values.update(
                grade=row.get("grade"),
                obtained_on=obtained_on,
                obtained_session_year=obtained_on.year if obtained_on else None,
            )
        elif (
            previous is not None
            and choice in (EpreuveChoice.TAKEN, EpreuveChoice.NOT_TAKEN)
            and previous.grade is not None
        ):
            # Taking the épreuve again renounces its bénéfice, for good (AM); the refusal form (TLS
            # annex 2) needs the grade renounced.
            values.update(
                grade=previous.grade,
                obtained_on=previous.obtained_on,
                obtained_session_year=previous.obtained_session_year or previous.dossier.session.year,
                benefice_renounced=choice == EpreuveChoice.TAKEN,
            )
        DossierEpreuve.objects.update_or_create(dossier=dossier, epreuve=epreuve, defaults=values)
        keep.add(epreuve.pk)
    dossier.epreuve_choices.filter(epreuve__is_optional=False).exclude(epreuve_id__in=keep).delete()


def _apply_langues(dossier: Dossier, data: dict[str, Any]) -> None:
    _apply_fields(dossier, data, LANGUAGE_FIELDS)
    wanted = {e.pk for e in data.get("optional_epreuves") or []}
    allowed = {e.pk for e in selectors.optional_epreuves(dossier)}
    if wanted - allowed:
        raise DomainError(
            _("Cette épreuve facultative n'existe pas pour votre spécialité."), field="optional_epreuves"
        )
    lv = selectors.optional_language_epreuve(dossier)
    if lv is not None and dossier.optional_language_id:
        wanted.add(lv.pk)
        allowed.add(lv.pk)
    elif lv is not None:
        allowed.add(lv.pk)
    for pk in wanted:
        DossierEpreuve.objects.update_or_create(
            dossier=dossier, epreuve_id=pk, defaults={"choice": EpreuveChoice.TAKEN}
        )
    dossier.epreuve_choices.filter(epreuve_id__in=allowed - wanted).delete()


APPLIERS = {
    "identite": _apply_identite,
    "contact": _apply_contact,
    "situation": _apply_situation,
    "specialite": _apply_specialite,
    "epreuves": _apply_epreuves,
    "langues": _apply_langues,
    "handicap": lambda d, data: _apply_fields(d, data, HANDICAP_FIELDS),
}


# The tabs whose applier writes épreuve rows (read again after it); the others leave them.
ROW_TABS = frozenset({"specialite", "epreuves", "langues"})


def _changed(dossier: Dossier, before: tuple) -> bool:
    """Bump the version when a choice changed: the recap becomes stale (domain.md §7). The row is
    locked (select_for_update), so a plain increment is safe and the history row gets the value."""
    if _snapshot(dossier) == before:
        return False
    dossier.choices_version += 1
    return True


# --- services ------------------------------------------------------------------------------------


def _prefill(dossier: Dossier) -> None:
    profile = getattr(dossier.candidate, "profile", None)
    if profile is not None:
        for field in IDENTITY_FIELDS + CONTACT_FIELDS:
            setattr(dossier, field, getattr(profile, field))
    previous = selectors.previous_dossier(dossier.candidate, before_year=dossier.session.year)
    if previous is None:
        return
    # A redoublant: identity as registered last time, same specialty, the forme (final: NM) and
    # their previous candidate number (CF: "IMPERATIVEMENT").
    if profile is None:
        for field in IDENTITY_FIELDS:
            setattr(dossier, field, getattr(previous, field))
    taken = Dossier.objects.filter(
        candidate=dossier.candidate, session=dossier.session, specialty_id=previous.specialty_id
    ).exists()
    if not taken:
        dossier.specialty_id = previous.specialty_id
        dossier.option_id = previous.option_id
        dossier.forme = previous.forme
    dossier.category = previous.category if previous.category in rules.ALLOWED_CATEGORIES else ""
    dossier.previous_session_year = previous.session.year
    dossier.previous_candidate_number = previous.number or ""
    first = (
        Dossier.objects.filter(candidate=dossier.candidate, specialty_id=previous.specialty_id)
        .exclude(first_registration_year=None)
        .order_by("first_registration_year")
        .values_list("first_registration_year", flat=True)
        .first()
    )
    dossier.first_registration_year = first or previous.session.year
    dossier.access_diploma = previous.access_diploma
    dossier.mandatory_language_id = previous.mandatory_language_id
    dossier.mandatory_language_other = previous.mandatory_language_other
    # A candidate adjourned with an aménagement keeps it (NT).
    dossier.handicap = previous.handicap
    dossier.accommodation_requested = previous.accommodation_requested


@transaction.atomic
def dossier_start(*, candidate, session: Session, acting_user=None, at: dt.datetime | None = None) -> Dossier:
    """Tab 1: open a draft for an open session of the candidate's académie (CF, TLS), pre-filled
    from the profile and, for a redoublant, from their previous dossier. A draft not yet bound to
    a specialty is reused, so a double click never makes two drafts."""
    at = _now(at)
    academie = selectors.candidate_academie(candidate)
    if academie is None and selectors.residence_outside_portal(candidate):
        raise DomainError(
            selectors.outside_portal_message(selectors.residence_outside_portal(candidate)),
            field="session",
            code="outside_portal",
        )
    if academie is None:
        raise DomainError(
            _(
                "Renseignez d'abord votre département de résidence dans votre profil : il détermine votre académie."
            ),
            field="session",
        )
    if session.academie_id != academie.pk:
        raise DomainError(
            _(
                "Vous résidez dans l'académie de %(mine)s : vous ne pouvez vous inscrire qu'à une session "
                "de cette académie, pas de %(other)s."
            )
            % {"mine": academie.name, "other": session.academie.name},
            field="session",
        )
    try:
        _require_open(session, at)
    except DomainError as exc:
        exc.field = "session"
        raise
    # Concurrent starts of one candidate queue here (a double click, two tabs of the browser).
    list(User.objects.select_for_update().filter(pk=candidate.pk).values_list("pk", flat=True))
    for existing in Dossier.objects.filter(candidate=candidate, session=session, state=DossierState.DRAFT):
        if existing.specialty_id is None or existing.completed_tabs == ["session"]:
            return existing
    dossier = Dossier(candidate=candidate, session=session, completed_tabs=["session"])
    _prefill(dossier)
    dossier._history_user = acting_user or candidate
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        # The other click won the race on the unique constraints: use its draft.
        found = (
            Dossier.objects.filter(candidate=candidate, session=session, state=DossierState.DRAFT)
            .order_by("-pk")
            .first()
        )
        if found is None:
            raise DomainError(
                _("Vous avez déjà un dossier pour cette spécialité à cette session."), field="session"
            ) from None
        return found
    return dossier


def dossier_save_tab(
    *,
    dossier_id: int,
    tab: str,
    data: dict[str, Any],
    acting_user,
    at: dt.datetime | None = None,
    locked: Dossier | None = None,
) -> Dossier:
    """Save one tab (2-8). Refused after the closing minute, after signature and outside the
    editable states; a field at fault is named in the DomainError. A change bumps
    choices_version and, on a registered dossier, makes a new recap version (domain.md §7).
    ``locked``: the dossier the caller locked with ``dossier_lock_for_edit`` in its open
    transaction (the wizard's POST), used as is instead of being read and locked again; the save
    then runs in that transaction without a savepoint of its own (issue 15: two round trips per
    save), so a refusal (DomainError) rolls the caller's whole transaction back when it ends: the
    caller answers it without another query in that transaction."""
    with transaction.atomic(savepoint=locked is None):
        return _save_tab_in_transaction(
            dossier_id=dossier_id, tab=tab, data=data, acting_user=acting_user, at=at, locked=locked
        )


def _save_tab_in_transaction(
    *, dossier_id: int, tab: str, data: dict[str, Any], acting_user, at, locked: Dossier | None
) -> Dossier:
    at = _now(at)
    if tab not in APPLIERS:
        raise DomainError(_("Onglet inconnu."), code="unknown_tab")
    if _still_locked(locked, dossier_id, acting_user):
        dossier = locked
    else:
        dossier = _lock(
            # Registration is "un acte personnel" (CF, TLS): only the candidate edits their own dossier.
            dossier_id,
            candidate=acting_user,
        )
    _require_editable(dossier, at)
    _read_choices(dossier)
    before = _snapshot(dossier)
    before_row = _row(dossier)
    APPLIERS[tab](dossier, data)
    if tab in ROW_TABS:
        _read_choices(dossier)  # as the applier left them
    CHECKS[tab](dossier, at)
    completed = [t for t in dossier.completed_tabs if t != tab] + [tab]
    # The re-checks below see this tab as answered (tab 8's handicap settles a bénéfice of tab 6).
    dossier.completed_tabs = [t for t in selectors.TAB_SLUGS if t in completed]
    # A change here may break a tab saved earlier (a new category forbids the chosen forme...).
    broken: list[tuple[str, DomainError]] = []
    for other in CHOICE_TABS:
        if other != tab and other in completed:
            try:
                CHECKS[other](dossier, at)
            except DomainError as exc:
                broken.append((other, exc))
    if broken and dossier.state != DossierState.DRAFT:
        other, exc = broken[0]
        # A registered dossier stays valid as a whole: the candidate fixes the other tab first.
        raise DomainError(
            _("Ce changement rend l'onglet « %(tab)s » invalide (%(why)s). Modifiez d'abord cet onglet.")
            % {"tab": TAB_LABELS[other], "why": exc.message},
        )
    completed = [t for t in completed if t not in {o for o, _e in broken}]
    dossier.completed_tabs = [t for t in selectors.TAB_SLUGS if t in completed]
    # The page says which earlier tab this change undid, and why (never silently).
    dossier.broken_tabs = [(other, exc.message) for other, exc in broken]
    changed = _changed(dossier, before)
    if not changed and _row(dossier) == before_row:
        # issue 15: the same tab saved again with the same data writes nothing (no history row,
        # no new updated_at): "Enregistrer et continuer" is clicked again and again on deadline day.
        return dossier
    dossier._history_user = acting_user
    dossier.save()
    if changed and dossier.state == DossierState.REGISTERED:
        # domain.md §7: every change of the choices makes a new recap version (on commit).
        dossier_request_documents(dossier=dossier)
    return dossier


def _next_number(session: Session) -> str:
    """`<year>-<ACADEMIE>-<6 digits>`, unique per session. The UPDATE locks the counter row until
    commit, so concurrent registrations queue on it and each reads its own value."""
    DossierNumberCounter.objects.get_or_create(session=session)
    DossierNumberCounter.objects.filter(session=session).update(last_number=F("last_number") + 1)
    n = DossierNumberCounter.objects.filter(session=session).values_list("last_number", flat=True).get()
    return f"{session.year}-{session.academie.code.upper()}-{n:06d}"


@transaction.atomic
def dossier_register(
    *, dossier_id: int, acting_user, certified: bool, at: dt.datetime | None = None
) -> Dossier:
    """Tab 9, "Enregistrer": check every tab, assign the number, move draft → registered, tell
    documents (recap) and the candidate (CF: "vous recevrez immédiatement un mél").

    Idempotent: the dossier row is locked, so a second click waits and then finds it registered
    with its number, and returns it unchanged.
    """
    at = _now(at)
    dossier = _lock(
        # Registration is "un acte personnel" (CF, TLS): only the candidate edits their own dossier.
        dossier_id,
        candidate=acting_user,
    )
    if dossier.state == DossierState.REGISTERED and dossier.number:
        return dossier
    if dossier.state != DossierState.DRAFT:
        transition(dossier, DossierState.REGISTERED, save=False)  # raises IllegalTransition with why
    _require_open(dossier.session, at)
    if not certified:
        raise DomainError(
            _(
                "Cochez la case certifiant l'exactitude des renseignements pour enregistrer votre inscription."
            ),
            field="certify",
        )
    missing = [
        label for slug, label in selectors.TABS if slug in CHOICE_TABS and slug not in dossier.completed_tabs
    ]
    if missing:
        raise DomainError(
            _("Inscription non enregistrée : complétez d'abord %(tabs)s.")
            % {"tabs": ", ".join(str(m) for m in missing)},
            code="incomplete",
        )
    for slug in CHOICE_TABS:
        try:
            CHECKS[slug](dossier, at)
        except DomainError as exc:
            raise DomainError(
                _("Onglet « %(tab)s » : %(why)s") % {"tab": TAB_LABELS[slug], "why": exc.message},
                code=exc.code,
            ) from exc
    dossier.number = _next_number(dossier.session)
    dossier.certified_at = at
    dossier.registered_at = at
    dossier.completed_tabs = list(selectors.TAB_SLUGS)
    dossier.choices_version += 1
    dossier._history_user = acting_user
    transition(dossier, DossierState.REGISTERED)
    dossier_request_documents(dossier=dossier)
    from notifications.services import notify

    link = reverse("registration:detail", args=[dossier.pk])
    notify(
        dossier.candidate,
        "registration_saved",
        {
            "number": dossier.number,
            "session": dossier.session,
            "specialty": dossier.specialty,
            "pieces_deadline": dossier.session.local(dossier.session.pieces_deadline),
            "closes_at": dossier.session.local(dossier.session.registration_closes_at),
        },
        dossier=dossier,
        link=link,
    )
    return dossier


def dossier_expire_closed(*, at: dt.datetime | None = None) -> int:
    """Periodic: drafts of sessions whose registration has closed become expired (domain.md §7).
    Each dossier in its own transaction, locked, so a late "Enregistrer" and the job never both
    win. Returns how many expired; running it twice expires nothing more."""
    at = _now(at)
    ids = list(
        Dossier.objects.filter(state=DossierState.DRAFT, session__registration_closes_at__lte=at).values_list(
            "pk", flat=True
        )
    )
    count = 0
    for pk in ids:
        with transaction.atomic():
            dossier = Dossier.objects.select_for_update().filter(pk=pk, state=DossierState.DRAFT).first()
            if dossier is None:
                continue
            transition(dossier, DossierState.EXPIRED)
            from notifications.services import notify

            notify(
                dossier.candidate,
                "registration_expired",
                {
                    "session": dossier.session,
                    "closes_at": dossier.session.local(dossier.session.registration_closes_at),
                },
                dossier=dossier,
            )
            count += 1
    return count
