"""Which pieces a candidate must provide and why (domain.md §6): plain functions of plain data.

The dossier page, the lock, the cancellation job and the public simulator all call
``required_pieces``; nothing else decides what is required.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

STANDARD = "standard"
LATE = "late"


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


@dataclass(frozen=True)
class RuleData:
    """One requirement rule (the plain form of documents.models.PieceRule)."""

    code: str
    label: str
    reason: str
    deadline_kind: str = STANDARD
    categories: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()
    nationality: str = ""  # "", "FR" or "not_FR"
    min_age: int | None = None  # inclusive
    max_age: int | None = None  # exclusive: "under 25" is 25
    continuing_situations: frozenset[str] = frozenset()
    mandatory_language_not_in: frozenset[str] = frozenset()
    when_benefices: bool = False
    when_dispenses: bool = False
    when_engagement: bool = False
    when_handicap: bool = False
    when_r408: bool = False
    when_positioning_decision: bool = False
    when_benefice_renounced: bool = False
    order: int = 0


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


def rule_applies(rule: RuleData, profile: RequirementProfile, *, closing_day: dt.date) -> bool:
    """True when every condition of the rule holds for the profile."""
    if rule.categories and profile.category not in rule.categories:
        return False
    if rule.specialties and profile.specialty_code not in rule.specialties:
        return False
    if rule.options and profile.option_code not in rule.options:
        return False
    nationality = (profile.nationality or "").upper()
    if rule.nationality == "FR" and nationality != "FR":
        return False
    if rule.nationality == "not_FR" and nationality == "FR":
        return False
    if rule.min_age is not None or rule.max_age is not None:
        # An unknown birth date asks for the piece: better one piece too many than a dossier
        # cancelled for a missing one.
        if profile.birth_date is not None:
            age = age_on(profile.birth_date, closing_day)
            if rule.min_age is not None and age < rule.min_age:
                return False
            if rule.max_age is not None and age >= rule.max_age:
                return False
    if rule.continuing_situations and profile.continuing_situation not in rule.continuing_situations:
        return False
    if rule.mandatory_language_not_in and (
        # No language chosen yet: nothing to prove.
        not profile.mandatory_language
        or profile.mandatory_language.lower() in {code.lower() for code in rule.mandatory_language_not_in}
    ):
        return False
    flags = (
        (rule.when_benefices, profile.benefices),
        (rule.when_dispenses, profile.dispenses),
        (rule.when_engagement, profile.engagement),
        (rule.when_handicap, profile.handicap),
        (rule.when_r408, profile.specialty_r408),
        (rule.when_positioning_decision, profile.positioning_decision),
        (rule.when_benefice_renounced, profile.benefice_renounced),
    )
    return all(have for wanted, have in flags if wanted)


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
    """
    found: dict[str, tuple[RuleData, list[str], str]] = {}
    for rule in sorted(rules, key=lambda r: r.order):
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
