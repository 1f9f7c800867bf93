"""Reads of the documents app: the rules of an académie, the pieces a dossier requires, who may
see a dossier's files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from candidates.models import Dossier, EpreuveChoice
from documents.models import Piece, PieceCode, PieceRule, PieceState, RequirementSnapshot
from documents.pieces import catalogue as piece_rules_catalogue
from documents.pieces.rules import (
    CONDITION_NAMES,
    OTHER_LANGUAGE,
    RequiredPiece,
    RequirementProfile,
    RuleData,
    conditions_from,
    required_pieces,
)
from exams import catalogue_cache
from exams.catalogue import opening_for
from exams.models import PieceDeadlineKind, Session


def _label(code: str, label: str) -> str:
    if label:
        return label
    return str(PieceCode(code).label) if code in PieceCode.values else code


def rule_data_from_dict(rule: dict) -> RuleData:
    """A catalogue rule (documents.pieces.catalogue) in its plain form."""
    return RuleData(
        code=rule["code"],
        label=_label(rule["code"], rule.get("label", "")),
        reason=rule["reason"],
        deadline_kind=rule.get("deadline_kind", PieceDeadlineKind.STANDARD),
        order=rule.get("order", 0),
        **conditions_from(rule),
    )


def rule_data_from_model(rule: PieceRule) -> RuleData:
    """An academy manager's rule in its plain form; a related condition (the specialties) is read
    as the codes of its rows (prefetch it)."""
    values = {}
    for name in CONDITION_NAMES:
        if PieceRule._meta.get_field(name).many_to_many:
            values[name] = [related.code for related in getattr(rule, name).all()]
        else:
            values[name] = getattr(rule, name)
    return RuleData(
        code=rule.code,
        label=_label(rule.code, rule.label),
        reason=rule.reason,
        deadline_kind=rule.deadline_kind,
        order=rule.order,
        **conditions_from(values),
    )


def rules_for_session(session: Session) -> list[RuleData]:
    """The session's rules as its académie's managers edited them (next year's edits never change
    this year's: issue 13); a session that has none yet gets its académie's notice table
    (Toulouse's when its notice has none: domain.md §6), so it is never without. Read from the
    catalogue cache (issue 15: the simulator and every pieces page read them): a rule's save or
    delete and a change of its specialties bump the catalogue's version (exams.catalogue_cache)."""
    return catalogue_cache.cached(
        "piece_rules",
        lambda: _rules_for_session(session),
        vary=str(session.pk),
        in_process=True,  # frozen
    )


def _rules_for_session(session: Session) -> list[RuleData]:
    if PieceRule.objects.filter(session=session).exists():
        rules = PieceRule.objects.filter(session=session, is_active=True).prefetch_related("specialties")
        return [rule_data_from_model(rule) for rule in rules]
    return [
        rule_data_from_dict({**rule, "order": i * 10})  # as seeded (piece_rules_seed_session)
        for i, rule in enumerate(piece_rules_catalogue.rules_for_academie(session.academie.code))
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
        rules_for_session(session) if rules is None else rules,
        closing_day=session_closing_day(session),
        deadlines=session_deadlines(session),
    )


def requirement_profile_for_dossier(dossier: Dossier) -> RequirementProfile:
    choices = list(dossier.epreuve_choices.select_related("epreuve"))
    specialty = dossier.specialty
    opening = opening_for(dossier.session, dossier.specialty_id)
    return RequirementProfile(
        category=dossier.category,
        specialty_code=specialty.code if specialty else "",
        specialty_r408=bool(opening and opening.requires_r408),
        option_code=dossier.option.code if dossier.option_id else "",
        nationality=dossier.nationality or "",
        birth_date=dossier.birth_date,
        benefices=any(c.choice == EpreuveChoice.BENEFICE and not c.benefice_renounced for c in choices),
        dispenses=any(c.choice == EpreuveChoice.DISPENSE for c in choices),
        engagement=any(c.epreuve.is_student_engagement and c.choice == EpreuveChoice.TAKEN for c in choices),
        mandatory_language=(
            dossier.mandatory_language.code
            if dossier.mandatory_language_id
            else (OTHER_LANGUAGE if dossier.mandatory_language_other else "")
        ),
        handicap=dossier.handicap,
        continuing_situation=dossier.continuing_situation,
        positioning_decision=dossier.positioning_decision,
        benefice_renounced=any(c.benefice_renounced for c in choices),
        r408_rqth_alternative=dossier.r408_rqth_alternative,
    )


# required_pieces_for_dossier's snapshot not read by the caller (None means: there is none).
UNREAD = object()


def required_pieces_for_dossier(
    dossier: Dossier, *, rules: list[RuleData] | None = None, snapshot=UNREAD
) -> list[RequiredPiece]:
    """What the dossier must provide: once its pieces were locked, the requirements it was locked
    (and then decided) on, whatever the session's rules became since (issue 13). ``snapshot``:
    the dossier's RequirementSnapshot or None, when the caller read it with the dossier in the
    same request (the pieces page, issue 15); read here otherwise."""
    if snapshot is UNREAD:
        snapshot = RequirementSnapshot.objects.filter(dossier_id=dossier.pk).first() if dossier.pk else None
    if snapshot is not None:
        deadlines = session_deadlines(dossier.session)
        return [
            RequiredPiece(
                code=p["code"],
                label=p["label"],
                reason=p["reason"],
                deadline=deadlines.get(p["deadline_kind"]) or deadlines[PieceDeadlineKind.STANDARD],
                deadline_kind=p["deadline_kind"],
                reasons=tuple(p.get("reasons", ())),
            )
            for p in snapshot.pieces
        ]
    return required_pieces_for_profile(dossier.session, requirement_profile_for_dossier(dossier), rules=rules)


def freeze_requirements(
    dossier: Dossier, *, at: dt.datetime, required: list[RequiredPiece] | None = None
) -> None:
    """Store the requirements at the lock: the review and the decision rest on them."""
    if RequirementSnapshot.objects.filter(dossier_id=dossier.pk).exists():
        return
    required = required_pieces_for_dossier(dossier) if required is None else required
    RequirementSnapshot.objects.create(
        dossier=dossier,
        taken_at=at,
        pieces=[
            {
                "code": r.code,
                "label": r.label,
                "reason": r.reason,
                "deadline_kind": r.deadline_kind,
                "reasons": list(r.reasons),
            }
            for r in required
        ],
    )


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


def invalidated_pieces_for_user(user, *, dossiers=None) -> list[Piece]:
    """Pieces a gestionnaire invalidated, for the alert at the top of the candidate space.
    ``dossiers``: all of the user's, already read (the space's list). issue 15: the pieces are then
    read alone (the alert shows a dossier's number only, which the list holds), and not at all
    when no dossier has a piece (``pieces_total``, kept by documents.pieces.counters)."""
    if dossiers is None:
        return list(
            Piece.objects.filter(dossier__candidate=user, state=PieceState.INVALIDATED)
            .select_related("dossier")
            .order_by("dossier_id", "code")
        )
    by_id = {d.pk: d for d in dossiers if d.pieces_total}
    if not by_id:
        return []
    pieces = list(
        Piece.objects.filter(dossier_id__in=by_id, state=PieceState.INVALIDATED).order_by(
            "dossier_id", "code"
        )
    )
    for piece in pieces:
        piece.dossier = by_id[piece.dossier_id]
    return pieces
