"""Which pieces a candidate must provide and why (domain.md §6): plain functions of plain data.

The dossier page, the lock, the cancellation job and the public simulator all call
``required_pieces``; nothing else decides what is required.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

STANDARD = "standard"
LATE = "late"
# The code a mandatory language typed in «autre langue» stands for (never one of the listed ones,
# so a rule "mandatory language not in [en, es]" applies to it).
OTHER_LANGUAGE = "autre"


@dataclass(frozen=True)
class RequirementProfile:
    """What the rules look at, built from a dossier (documents.selectors) or the simulator form."""

    category: str = ""
    specialty_code: str = ""
    specialty_r408: bool = False
    option_code: str = ""
    nationality: str = "FR"  # ISO 3166 alpha-2
    birth_date: dt.date | None = None
    benefices: bool = False
    dispenses: bool = False
    engagement: bool = False
    mandatory_language: str = "en"  # ISO 639-1
    handicap: bool = False
    continuing_situation: str = ""
    positioning_decision: bool = False
    benefice_renounced: bool = False
    r408_rqth_alternative: bool = False


# --- the conditions, declared once --------------------------------------------------------------
# A rule's conditions are the fields of RuleData carrying a ``condition`` kind. The matcher
# (rule_applies), the conversions from the catalogue and from the model (documents.pieces.selectors),
# the seeder (documents.pieces.services) and the admin's fieldset read CONDITIONS; the model
# (documents.models.PieceRule) has one field per condition, and tests/documents/test_rules.py fails
# when the two drift apart. A new condition is one line here, one model field and its migration.
ONE_OF = "one_of"  # empty: always; else the profile's value is one of the list
NATIONALITY = "nationality"  # "": always; "FR": French; "not_FR": not French
MIN_AGE = "min_age"  # inclusive, on the closing day; unknown birth date: holds
MAX_AGE = "max_age"  # exclusive ("under 25" is 25); unknown birth date: holds
LANGUAGE_NOT_IN = "language_not_in"  # empty: always; else a language was chosen, outside the list
FLAG = "flag"  # False: always; True: the profile's flag is set
SET_KINDS = frozenset({ONE_OF, LANGUAGE_NOT_IN})


def _condition(kind: str, reads: str, default: Any) -> Any:
    return field(default=default, metadata={"condition": kind, "reads": reads})


@dataclass(frozen=True)
class RuleData:
    """One requirement rule (the plain form of documents.models.PieceRule)."""

    code: str
    label: str
    reason: str
    deadline_kind: str = STANDARD
    order: int = 0
    categories: frozenset[str] = _condition(ONE_OF, "category", frozenset())
    specialties: frozenset[str] = _condition(ONE_OF, "specialty_code", frozenset())  # codes
    options: frozenset[str] = _condition(ONE_OF, "option_code", frozenset())
    nationality: str = _condition(NATIONALITY, "nationality", "")
    min_age: int | None = _condition(MIN_AGE, "birth_date", None)
    max_age: int | None = _condition(MAX_AGE, "birth_date", None)
    continuing_situations: frozenset[str] = _condition(ONE_OF, "continuing_situation", frozenset())
    mandatory_language_not_in: frozenset[str] = _condition(LANGUAGE_NOT_IN, "mandatory_language", frozenset())
    when_benefices: bool = _condition(FLAG, "benefices", False)
    when_dispenses: bool = _condition(FLAG, "dispenses", False)
    when_engagement: bool = _condition(FLAG, "engagement", False)
    when_handicap: bool = _condition(FLAG, "handicap", False)
    when_r408: bool = _condition(FLAG, "specialty_r408", False)
    when_positioning_decision: bool = _condition(FLAG, "positioning_decision", False)
    when_benefice_renounced: bool = _condition(FLAG, "benefice_renounced", False)


@dataclass(frozen=True)
class Condition:
    name: str  # the RuleData field, and the PieceRule field of the same name
    kind: str
    reads: str  # the RequirementProfile attribute it looks at


CONDITIONS: tuple[Condition, ...] = tuple(
    Condition(f.name, f.metadata["condition"], f.metadata["reads"])
    for f in fields(RuleData)
    if "condition" in f.metadata
)
CONDITION_NAMES: tuple[str, ...] = tuple(c.name for c in CONDITIONS)


def conditions_from(values: Mapping[str, Any]) -> dict[str, Any]:
    """The conditions found in ``values`` (a catalogue dict, a model's fields), in their plain
    form: lists become frozensets, a missing or null list is empty."""
    found = {}
    for condition in CONDITIONS:
        if condition.kind in SET_KINDS:
            found[condition.name] = frozenset(values.get(condition.name) or ())
        elif condition.name in values:
            found[condition.name] = values[condition.name]
    return found


@dataclass(frozen=True)
class RequiredPiece:
    code: str
    label: str
    reason: str
    deadline: dt.datetime
    deadline_kind: str
    reasons: tuple[str, ...] = field(default=(), compare=False)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Age in whole years on ``day`` (domain.md §6: "ages are taken on the day registration
    closes"). Someone born on 29 February turns a year older on 1 March of a common year."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _holds(kind: str, wanted: Any, have: Any, closing_day: dt.date) -> bool:
    if kind == ONE_OF:
        return not wanted or have in wanted
    if kind == NATIONALITY:
        nationality = (have or "").upper()
        if wanted == "FR":
            return nationality == "FR"
        if wanted == "not_FR":
            return nationality != "FR"
        return True
    if kind in (MIN_AGE, MAX_AGE):
        # An unknown birth date asks for the piece: better one piece too many than a dossier
        # cancelled for a missing one.
        if wanted is None or have is None:
            return True
        age = age_on(have, closing_day)
        return age >= wanted if kind == MIN_AGE else age < wanted
    if kind == LANGUAGE_NOT_IN:
        # No language chosen yet: nothing to prove.
        return not wanted or (bool(have) and have.lower() not in {code.lower() for code in wanted})
    if kind == FLAG:
        return not wanted or bool(have)
    raise ValueError(f"unknown condition kind {kind!r}")


def rule_applies(rule: RuleData, profile: RequirementProfile, *, closing_day: dt.date) -> bool:
    """True when every condition of the rule holds for the profile (AND; a list is an OR)."""
    return all(
        _holds(c.kind, getattr(rule, c.name), getattr(profile, c.reads), closing_day) for c in CONDITIONS
    )


# National law no académie can switch off: these rules apply in every session, whatever its own
# rules say (an académie's rule for the same piece only adds its reason).
NATIONAL_RULES: tuple[RuleData, ...] = (
    RuleData(
        code="jdc",
        label="Certificat JDC, exemption ou attestation de recensement",
        reason=(
            "Vous êtes de nationalité française et avez moins de 25 ans à la clôture des inscriptions "
            "(Code du service national, articles L113-4 et L114-6)."
        ),
        nationality="FR",
        max_age=25,
        order=15,  # after the recap (0) and the identity (10) of the seeded tables, as TLS lists it
    ),
)


R408 = "r408"
RQTH_MEDICAL = "rqth_medical"


def rqth_instead_of_r408(rule: RuleData, profile: RequirementProfile) -> RuleData:
    """A handicapped candidate of an R408 specialty may give a RQTH and a medical certificate of
    incompatibility instead of the R408 attestation (CF, tableau R408: «ou RQTH et certificat
    médical»): the answer of tab 8 swaps that piece, with the same deadline."""
    if rule.code != R408 or not profile.r408_rqth_alternative:
        return rule
    return RuleData(
        code=RQTH_MEDICAL,
        label="Reconnaissance de la qualité de travailleur handicapé (RQTH) et certificat médical",
        reason=(
            "Vous avez choisi de fournir une RQTH et un certificat médical d'incompatibilité au lieu "
            "de l'attestation de formation R408."
        ),
        deadline_kind=rule.deadline_kind,
        order=rule.order,
    )


def required_pieces(
    profile: RequirementProfile,
    rules: Sequence[RuleData],
    *,
    closing_day: dt.date,
    deadlines: Mapping[str, dt.datetime],
) -> list[RequiredPiece]:
    """The pieces the profile must provide, one per code, in the rules' order.

    Several rules may ask for the same piece (TLS asks the transcript of a former candidate and of
    anyone keeping a bénéfice): the piece is listed once with every reason, and the standard
    deadline wins over the late one (the earlier deadline is the one that binds).
    ``deadlines`` maps "standard" and "late" to the session's instants (Session.piece_deadline).
    NATIONAL_RULES always apply (JDC: Code du service national L113-4, L114-6), at their order.
    """
    found: dict[str, tuple[RuleData, list[str], str]] = {}
    for rule in sorted([*NATIONAL_RULES, *rules], key=lambda r: r.order):
        if not rule_applies(rule, profile, closing_day=closing_day):
            continue
        rule = rqth_instead_of_r408(rule, profile)
        if rule.code in found:
            first, reasons, kind = found[rule.code]
            if rule.reason not in reasons:
                reasons.append(rule.reason)
            found[rule.code] = (first, reasons, STANDARD if STANDARD in (kind, rule.deadline_kind) else kind)
        else:
            found[rule.code] = (rule, [rule.reason], rule.deadline_kind)
    pieces = []
    for code, (rule, reasons, kind) in found.items():
        deadline = deadlines.get(kind) or deadlines[STANDARD]
        pieces.append(
            RequiredPiece(
                code=code,
                label=rule.label,
                reason=" ; ".join(reasons),
                deadline=deadline,
                deadline_kind=kind,
                reasons=tuple(reasons),
            )
        )
    return pieces
