"""Reads of the documents app: the rules of an académie, the pieces a dossier requires, who may
see a dossier's files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from candidates.models import Dossier, EpreuveChoice
from documents.models import Piece, PieceCode, PieceRule, PieceState
from documents.pieces import catalogue as piece_rules_catalogue
from documents.pieces.rules import RequiredPiece, RequirementProfile, RuleData, required_pieces
from exams.models import Academie, PieceDeadlineKind, Session


def _label(code: str, label: str) -> str:
    if label:
        return label
    return str(PieceCode(code).label) if code in PieceCode.values else code


def rule_data_from_dict(rule: dict) -> RuleData:
    return RuleData(
        code=rule["code"],
        label=_label(rule["code"], rule.get("label", "")),
        reason=rule["reason"],
        deadline_kind=rule.get("deadline_kind", PieceDeadlineKind.STANDARD),
        categories=frozenset(rule.get("categories", ())),
        specialties=frozenset(rule.get("specialties", ())),
        options=frozenset(rule.get("options", ())),
        nationality=rule.get("nationality", ""),
        min_age=rule.get("min_age"),
        max_age=rule.get("max_age"),
        continuing_situations=frozenset(rule.get("continuing_situations", ())),
        mandatory_language_not_in=frozenset(rule.get("mandatory_language_not_in", ())),
        when_benefices=rule.get("when_benefices", False),
        when_dispenses=rule.get("when_dispenses", False),
        when_engagement=rule.get("when_engagement", False),
        when_handicap=rule.get("when_handicap", False),
        when_r408=rule.get("when_r408", False),
        when_positioning_decision=rule.get("when_positioning_decision", False),
        when_benefice_renounced=rule.get("when_benefice_renounced", False),
        order=rule.get("order", 0),
    )


def rule_data_from_model(rule: PieceRule) -> RuleData:
    return RuleData(
        code=rule.code,
        label=_label(rule.code, rule.label),
        reason=rule.reason,
        deadline_kind=rule.deadline_kind,
        categories=frozenset(rule.categories or ()),
        specialties=frozenset(s.code for s in rule.specialties.all()),
        options=frozenset(rule.options or ()),
        nationality=rule.nationality,
        min_age=rule.min_age,
        max_age=rule.max_age,
        continuing_situations=frozenset(rule.continuing_situations or ()),
        mandatory_language_not_in=frozenset(rule.mandatory_language_not_in or ()),
        when_benefices=rule.when_benefices,
        when_dispenses=rule.when_dispenses,
        when_engagement=rule.when_engagement,
        when_handicap=rule.when_handicap,
        when_r408=rule.when_r408,
        when_positioning_decision=rule.when_positioning_decision,
        when_benefice_renounced=rule.when_benefice_renounced,
        order=rule.order,
    )


def rules_for_academie(academie: Academie) -> list[RuleData]:
    """The académie's rules as its managers edited them; an académie that has none yet gets the
    notices' table (Toulouse's when its notice has none: domain.md §6), so it is never without."""
    if PieceRule.objects.filter(academie=academie).exists():
        rules = PieceRule.objects.filter(academie=academie, is_active=True).prefetch_related("specialties")
        return [rule_data_from_model(rule) for rule in rules]
    return [
        rule_data_from_dict({**rule, "order": i})
        for i, rule in enumerate(piece_rules_catalogue.rules_for_academie(academie.code))
    ]


def session_closing_day(session: Session) -> dt.date:
    """Ages are taken on the day registration closes, on the académie's calendar (domain.md §6)."""
    return session.academie.localtime(session.registration_closes_at).date()


def session_deadlines(session: Session) -> dict[str, dt.datetime]:
    return {kind: session.piece_deadline(kind) for kind in PieceDeadlineKind.values}


def required_pieces_for_profile(
    session: Session, profile: RequirementProfile, *, rules: list[RuleData] | None = None
) -> list[RequiredPiece]:
    """The one entry point of the simulator and the dossier page. A batch job over one session
    passes the académie's ``rules`` once instead of reading them again for every dossier."""
    return required_pieces(
        profile,
        rules_for_academie(session.academie) if rules is None else rules,
        closing_day=session_closing_day(session),
        deadlines=session_deadlines(session),
    )


def requirement_profile_for_dossier(dossier: Dossier) -> RequirementProfile:
    choices = list(dossier.epreuve_choices.select_related("epreuve"))
    specialty = dossier.specialty
    return RequirementProfile(
        category=dossier.category,
        specialty_code=specialty.code if specialty else "",
        specialty_r408=bool(specialty and specialty.requires_r408),
        option_code=dossier.option.code if dossier.option_id else "",
        nationality=dossier.nationality or "",
        birth_date=dossier.birth_date,
        benefices=any(c.choice == EpreuveChoice.BENEFICE and not c.benefice_renounced for c in choices),
        dispenses=any(c.choice == EpreuveChoice.DISPENSE for c in choices),
        engagement=any(c.epreuve.is_student_engagement and c.choice == EpreuveChoice.TAKEN for c in choices),
        mandatory_language=dossier.mandatory_language.code if dossier.mandatory_language_id else "",
        handicap=dossier.handicap,
        continuing_situation=dossier.continuing_situation,
        positioning_decision=dossier.positioning_decision,
        benefice_renounced=any(c.benefice_renounced for c in choices),
        r408_rqth_alternative=dossier.r408_rqth_alternative,
    )


def required_pieces_for_dossier(
    dossier: Dossier, *, rules: list[RuleData] | None = None
) -> list[RequiredPiece]:
    return required_pieces_for_profile(dossier.session, requirement_profile_for_dossier(dossier), rules=rules)


def is_present(piece: Piece | None) -> bool:
    """A piece counts as provided once deposited, until a gestionnaire invalidates it."""
    return piece is not None and piece.state in (PieceState.DEPOSITED, PieceState.ACCEPTED)


def missing_pieces(
    dossier: Dossier, *, kind: str | None = None, rules: list[RuleData] | None = None
) -> list[RequiredPiece]:
    pieces = {p.code: p for p in dossier.pieces.all()}
    return [
        r
        for r in required_pieces_for_dossier(dossier, rules=rules)
        if (kind is None or r.deadline_kind == kind) and not is_present(pieces.get(r.code))
    ]


def missing_standard_pieces(dossier: Dossier, *, rules: list[RuleData] | None = None) -> list[RequiredPiece]:
    """The required pieces of the standard deadline not provided (or invalidated): the lock is
    refused while any is missing, and the dossier is cancelled at the deadline (TLS, NT)."""
    return missing_pieces(dossier, kind=PieceDeadlineKind.STANDARD, rules=rules)


@dataclass(frozen=True)
class BlockingPiece:
    code: str
    label: str


def pieces_blocking_submission(
    dossier: Dossier, *, required: list[RequiredPiece] | None = None, pieces: dict[str, Piece] | None = None
) -> list[BlockingPiece]:
    """What stops "J'ai fourni toutes mes pièces" (TLS): every required piece of the standard
    deadline not provided, and every piece a gestionnaire invalidated and not yet replaced (late
    ones included). The page, the lock and the deadline job all ask here."""
    pieces = {p.code: p for p in dossier.pieces.all()} if pieces is None else pieces
    required = required_pieces_for_dossier(dossier) if required is None else required
    blocking = [
        BlockingPiece(r.code, r.label)
        for r in required
        if r.deadline_kind == PieceDeadlineKind.STANDARD and not is_present(pieces.get(r.code))
    ]
    seen = {b.code for b in blocking}
    blocking += [
        BlockingPiece(code, str(piece))
        for code, piece in pieces.items()
        if piece.state == PieceState.INVALIDATED and code not in seen
    ]
    return blocking


def invalidated_pieces_for_user(user) -> list[Piece]:
    """Pieces a gestionnaire invalidated, for the alert at the top of the candidate space."""
    return list(
        Piece.objects.filter(dossier__candidate=user, state=PieceState.INVALIDATED)
        .select_related("dossier__session__academie")
        .order_by("dossier_id", "code")
    )
