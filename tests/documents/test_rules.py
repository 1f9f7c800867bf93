"""The requirement rules of each académie of the demo catalogue, as a table: one row per case,
citing the notice (CF 000, TLS 001 annex 1, NM 002 table, AM 003 list, NT 004, Martinique: none)."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields, replace

import pytest

from documents.pieces import catalogue as piece_rules_catalogue
from documents.pieces.rules import (
    CONDITION_NAMES,
    CONDITIONS,
    RequirementProfile,
    RuleData,
    age_on,
    required_pieces,
    rule_applies,
)
from documents.pieces.selectors import rule_data_from_dict

CLOSING = dt.date(2023, 11, 15)
STD = dt.datetime(2023, 11, 22, 23, 59, tzinfo=dt.UTC)
LATE = dt.datetime(2024, 1, 15, 23, 59, tzinfo=dt.UTC)
DEADLINES = {"standard": STD, "late": LATE}

BASE = RequirementProfile(
    category="distance_school",
    specialty_code="comptabilite-et-gestion",
    nationality="FR",
    birth_date=dt.date(2001, 5, 14),  # 22 at closing
    mandatory_language="en",
)
MS = "maintenance-des-systemes"
ALWAYS = {"recap_signed", "identity"}
TLS_ALL = ALWAYS | {"jdc", "access_diploma"}
# The JDC is national law (documents.pieces.rules.NATIONAL_RULES): asked in NM and AM too, though
# their tables omit it.
NM_ALL = ALWAYS | {"jdc"}


def codes(academie: str, profile: RequirementProfile) -> set[str]:
    rules = [rule_data_from_dict(r) for r in piece_rules_catalogue.rules_for_academie(academie)]
    return {p.code for p in required_pieces(profile, rules, closing_day=CLOSING, deadlines=DEADLINES)}


def p(**changes) -> RequirementProfile:
    return replace(BASE, **changes)


ROWS = [
    # (académie, profile, expected codes, source)
    (
        "toulouse",
        p(),
        TLS_ALL | {"schooling_certs", "internship_certs"},
        "TLS annexe 1: tous + scolaires à distance",
    ),
    (
        "toulouse",
        p(birth_date=dt.date(1998, 11, 15)),
        ALWAYS | {"access_diploma", "schooling_certs", "internship_certs"},
        "TLS: 25 ans le jour de la clôture, plus de JDC",
    ),
    (
        "toulouse",
        p(birth_date=dt.date(1998, 11, 16)),
        TLS_ALL | {"schooling_certs", "internship_certs"},
        "TLS: 24 ans la veille de ses 25 ans, JDC",
    ),
    (
        "toulouse",
        p(birth_date=dt.date(2007, 1, 1)),
        TLS_ALL | {"schooling_certs", "internship_certs"},
        "TLS: JDC dès moins de 18 ans (recensement)",
    ),
    (
        "toulouse",
        p(nationality="DE"),
        ALWAYS | {"access_diploma", "schooling_certs", "internship_certs"},
        "TLS: JDC pour les Français seulement",
    ),
    (
        "toulouse",
        p(category="distance_apprentice"),
        TLS_ALL | {"training_attendance", "apprenticeship_contract", "employer_attestation"},
        "TLS annexe 1: apprentis à distance",
    ),
    (
        "toulouse",
        p(category="distance_continuing", continuing_situation="first_training"),
        TLS_ALL | {"training_attendance", "employment_contract", "internship_certs"},
        "TLS annexe 1: FC à distance, 1re formation",
    ),
    (
        "toulouse",
        p(category="distance_continuing", continuing_situation="reconversion"),
        TLS_ALL | {"training_attendance", "employment_contract", "internship_certs"},
        "TLS annexe 1: FC à distance, reconversion",
    ),
    (
        "toulouse",
        p(category="distance_continuing", continuing_situation="improvement"),
        TLS_ALL | {"training_attendance", "employment_contract", "internship_or_work_cert"},
        "TLS annexe 1: FC à distance, perfectionnement",
    ),
    (
        "toulouse",
        p(category="former_school"),
        TLS_ALL | {"previous_transcript", "internship_or_work_cert"},
        "TLS annexe 1: session précédente",
    ),
    (
        "toulouse",
        p(category="former_apprentice"),
        TLS_ALL | {"previous_transcript", "internship_or_work_cert"},
        "TLS annexe 1: session précédente",
    ),
    (
        "toulouse",
        p(category="work_experience"),
        TLS_ALL | {"work_certs"},
        "TLS annexe 1: expérience professionnelle",
    ),
    (
        "toulouse",
        p(category="work_experience", engagement=True),
        TLS_ALL | {"work_certs", "engagement_form"},
        "TLS annexe 1: engagement étudiant",
    ),
    (
        "toulouse",
        p(category="work_experience", dispenses=True),
        TLS_ALL | {"work_certs", "dispense_diploma"},
        "TLS annexe 1: dispenses",
    ),
    (
        "toulouse",
        p(category="work_experience", benefices=True),
        TLS_ALL | {"work_certs", "previous_transcript"},
        "TLS annexe 1: bénéfices",
    ),
    (
        "toulouse",
        p(category="work_experience", benefice_renounced=True),
        TLS_ALL | {"work_certs", "benefit_refusal"},
        "TLS annexe 2: refus de bénéfice",
    ),
    (
        "toulouse",
        p(category="work_experience", positioning_decision=True),
        TLS_ALL | {"work_certs", "positioning_decision"},
        "TLS annexe 1: positionnement",
    ),
    (
        "toulouse",
        p(category="work_experience", mandatory_language="de"),
        TLS_ALL | {"work_certs", "language_training"},
        "domain §6 (TLS, AM): LV autre qu'anglais/espagnol",
    ),
    (
        "toulouse",
        p(category="work_experience", mandatory_language="es"),
        TLS_ALL | {"work_certs"},
        "domain §6: espagnol, pas d'attestation",
    ),
    (
        "toulouse",
        p(category="work_experience", specialty_code="batiment", specialty_r408=True),
        TLS_ALL | {"work_certs", "r408"},
        "TLS annexe 1: attestations spécifiques 2 (R408)",
    ),
    (
        "toulouse",
        p(category="work_experience", specialty_code=MS, option_code="A"),
        TLS_ALL | {"work_certs", "ms_electrical", "ms_first_aid"},
        "TLS annexe 1: attestations spécifiques 3, option A",
    ),
    (
        "toulouse",
        p(category="work_experience", specialty_code=MS, option_code="B"),
        TLS_ALL | {"work_certs", "ms_electrical", "ms_first_aid", "ms_refrigerants"},
        "CF/NM détail MS: option B",
    ),
    (
        "toulouse",
        p(category="work_experience", specialty_code=MS, option_code="C"),
        TLS_ALL | {"work_certs", "ms_electrical", "ms_first_aid", "ms_height"},
        "CF/NM détail MS: options C, D",
    ),
    (
        "toulouse",
        p(category="work_experience", handicap=True),
        TLS_ALL | {"work_certs"},
        "TLS: le handicap ne demande pas de pièce ici (demande au médecin)",
    ),
    # CF: the Toulouse table plus its own R408 and MS (its JDC 18-25 is covered by the national rule).
    (
        "clermont-ferrand",
        p(birth_date=dt.date(2006, 11, 16)),
        TLS_ALL | {"schooling_certs", "internship_certs"},
        "CF §8 asks 18-25; the national rule (under 25) asks it at 16 too",
    ),
    (
        "clermont-ferrand",
        p(birth_date=dt.date(2005, 11, 15)),
        TLS_ALL | {"schooling_certs", "internship_certs"},
        "CF §8: 18 ans le jour de la clôture",
    ),
    (
        "clermont-ferrand",
        p(birth_date=dt.date(1998, 11, 15)),
        ALWAYS | {"access_diploma", "schooling_certs", "internship_certs"},
        "CF §8: 25 ans, plus de JDC",
    ),
    (
        "clermont-ferrand",
        p(specialty_code="travaux-publics", specialty_r408=True),
        TLS_ALL | {"schooling_certs", "internship_certs", "r408"},
        "CF tableau R408",
    ),
    (
        "clermont-ferrand",
        p(specialty_code=MS, option_code="D"),
        TLS_ALL | {"schooling_certs", "internship_certs", "ms_electrical", "ms_first_aid", "ms_height"},
        "CF maintenance des systèmes, option D",
    ),
    # NT: no table, Toulouse's.
    ("nantes", p(), TLS_ALL | {"schooling_certs", "internship_certs"}, "NT: pas de tableau, celui de TLS"),
    (
        "nantes",
        p(category="former_continuing"),
        TLS_ALL | {"previous_transcript", "internship_or_work_cert"},
        "NT → TLS annexe 1: session précédente",
    ),
    # NM's own table: no access diploma; the JDC comes from the national rule.
    ("nancy-metz", p(), NM_ALL, "NM tableau: scolaire, confirmation et identité seulement (+ JDC national)"),
    (
        "nancy-metz",
        p(category="distance_apprentice"),
        NM_ALL | {"apprenticeship_contract"},
        "NM tableau: contrat d'apprentissage",
    ),
    (
        "nancy-metz",
        p(category="former_apprentice"),
        NM_ALL | {"apprenticeship_contract"},
        "NM tableau: ex-apprentis",
    ),
    (
        "nancy-metz",
        p(category="former_continuing"),
        NM_ALL | {"employment_contract"},
        "NM tableau: ex-formation continue",
    ),
    (
        "nancy-metz",
        p(category="work_experience"),
        NM_ALL | {"work_certs"},
        "NM tableau: certificats de travail + fiche de poste",
    ),
    (
        "nancy-metz",
        p(benefices=True, dispenses=True, engagement=True),
        NM_ALL | {"previous_transcript", "dispense_diploma", "engagement_form"},
        "NM tableau: bénéfices, dispenses, engagement",
    ),
    (
        "nancy-metz",
        p(specialty_code="fluides-energies-domotique", specialty_r408=True, option_code="A"),
        NM_ALL | {"r408"},
        "NM tableau: R408",
    ),
    (
        "nancy-metz",
        p(specialty_code=MS, option_code="B"),
        NM_ALL | {"ms_electrical", "ms_first_aid", "ms_refrigerants"},
        "NM tableau: maintenance des systèmes",
    ),
    ("nancy-metz", p(mandatory_language="ar"), NM_ALL, "NM: pas d'attestation de langue"),
    # AM's list.
    ("aix-marseille", p(), NM_ALL | {"schooling_certs", "access_diploma"}, "AM: formation à distance"),
    (
        "aix-marseille",
        p(category="distance_continuing"),
        NM_ALL | {"schooling_certs", "access_diploma"},
        "AM: formation à distance (toutes)",
    ),
    (
        "aix-marseille",
        p(category="work_experience"),
        NM_ALL | {"work_certs"},
        "AM: expérience professionnelle",
    ),
    (
        "aix-marseille",
        p(category="former_school"),
        NM_ALL | {"previous_transcript"},
        "AM: candidats redoublants",
    ),
    (
        "aix-marseille",
        p(category="work_experience", mandatory_language="ar"),
        NM_ALL | {"work_certs", "language_training"},
        "AM §4: langues rares",
    ),
    (
        "aix-marseille",
        p(category="work_experience", specialty_code="batiment", specialty_r408=True),
        NM_ALL | {"work_certs", "r408"},
        "AM: remarque R408",
    ),
    (
        "aix-marseille",
        p(category="work_experience", specialty_code=MS, option_code="B"),
        NM_ALL | {"work_certs"},
        "AM (session 2023): pas d'attestations MS",
    ),
    (
        "aix-marseille",
        p(category="work_experience", positioning_decision=True, dispenses=True),
        NM_ALL | {"work_certs", "positioning_decision", "dispense_diploma"},
        "AM: décision d'aménagement, dispense",
    ),
    # Martinique: no notice, Toulouse's table.
    (
        "martinique",
        p(),
        TLS_ALL | {"schooling_certs", "internship_certs"},
        "domain §6: sans notice, tableau de TLS",
    ),
]


@pytest.mark.parametrize(
    ("academie", "profile", "expected", "source"), ROWS, ids=[f"{r[0]}:{r[3]}" for r in ROWS]
)
def test_it_requires_the_pieces_of_the_notice(academie, profile, expected, source):
    assert codes(academie, profile) == expected, source


@pytest.mark.parametrize(
    ("academie", "profile", "code", "kind"),
    [
        ("toulouse", p(engagement=True), "engagement_form", "late"),  # TLS: 15/01/2024
        ("toulouse", p(specialty_code="batiment", specialty_r408=True), "r408", "late"),  # TLS §3
        ("nancy-metz", p(specialty_code="batiment", specialty_r408=True), "r408", "late"),  # NM: 17/01/2025
        ("nancy-metz", p(specialty_code=MS, option_code="C"), "ms_height", "late"),  # NM: 17/01/2025
        ("nancy-metz", p(engagement=True), "engagement_form", "standard"),  # NM: avant le 20/11
        ("clermont-ferrand", p(specialty_code="batiment", specialty_r408=True), "r408", "standard"),  # CF
        ("aix-marseille", p(specialty_code="batiment", specialty_r408=True), "r408", "standard"),  # AM
    ],
)
def test_it_gives_each_piece_its_deadline_kind(academie, profile, code, kind):
    rules = [rule_data_from_dict(r) for r in piece_rules_catalogue.rules_for_academie(academie)]
    piece = next(
        x for x in required_pieces(profile, rules, closing_day=CLOSING, deadlines=DEADLINES) if x.code == code
    )
    assert piece.deadline_kind == kind
    assert piece.deadline == (LATE if kind == "late" else STD)


def test_it_lists_a_piece_asked_twice_once_with_both_reasons():
    # TLS: a former candidate keeping a bénéfice is asked the transcript by two rows.
    rules = [rule_data_from_dict(r) for r in piece_rules_catalogue.TLS_ANNEX_1]
    pieces = required_pieces(
        p(category="former_school", benefices=True), rules, closing_day=CLOSING, deadlines=DEADLINES
    )
    transcript = [x for x in pieces if x.code == "previous_transcript"]
    assert len(transcript) == 1
    assert "session précédente" in transcript[0].reason and "bénéfices" in transcript[0].reason


def test_the_standard_deadline_wins_when_two_rules_disagree():
    rules = [
        RuleData(code="r408", label="R408", reason="a", deadline_kind="late"),
        RuleData(code="r408", label="R408", reason="b", deadline_kind="standard"),
    ]
    (piece,) = required_pieces(p(nationality="DE"), rules, closing_day=CLOSING, deadlines=DEADLINES)
    assert piece.deadline_kind == "standard" and piece.deadline == STD


def test_it_asks_age_bound_pieces_when_the_birth_date_is_unknown():
    rules = [RuleData(code="jdc", label="JDC", reason="r", nationality="FR", max_age=25)]
    assert [
        x.code for x in required_pieces(p(birth_date=None), rules, closing_day=CLOSING, deadlines=DEADLINES)
    ] == ["jdc"]


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        (dt.date(2000, 11, 15), dt.date(2023, 11, 15), 23),
        (dt.date(2000, 11, 16), dt.date(2023, 11, 15), 22),
        (dt.date(2004, 2, 29), dt.date(2023, 2, 28), 18),
        (dt.date(2004, 2, 29), dt.date(2023, 3, 1), 19),
    ],
)
def test_it_computes_the_age_on_the_closing_day(birth, day, age):
    assert age_on(birth, day) == age


def test_every_catalogue_rule_names_a_piece_code_of_domain_md():
    from documents.models import PieceCode

    for academie, rules in piece_rules_catalogue.PIECE_RULES.items():
        for rule in rules:
            assert rule["code"] in PieceCode.values, (academie, rule)
            assert rule["source"], (academie, rule)


def test_no_language_attestation_is_asked_before_the_language_is_chosen():
    # TLS, AM: the attestation proves the training in the chosen language; none chosen yet.
    assert "language_training" not in codes("toulouse", p(mandatory_language=""))
    assert "language_training" in codes("toulouse", p(mandatory_language="ar"))


# --- the conditions are declared once (documents.pieces.rules.CONDITIONS) -------------------------
RULE_KEYS = {"code", "label", "reason", "deadline_kind", "order", "source"}


def test_the_model_has_one_field_per_declared_condition():
    from documents.models import PieceRule

    model_fields = {f.name for f in PieceRule._meta.get_fields()}
    assert set(CONDITION_NAMES) <= model_fields
    # A condition added to the model but not to the declaration would be ignored by the matcher.
    assert {name for name in model_fields if name.startswith("when_")} <= set(CONDITION_NAMES)


def test_every_condition_reads_a_field_of_the_profile():
    profile_fields = {f.name for f in fields(RequirementProfile)}
    assert {c.reads for c in CONDITIONS} <= profile_fields


def test_the_catalogue_spells_only_declared_conditions():
    for academie, rules in piece_rules_catalogue.PIECE_RULES.items():
        for rule in rules:
            assert set(rule) <= RULE_KEYS | set(CONDITION_NAMES), (academie, rule)


def test_the_admin_offers_every_declared_condition():
    from documents.admin import PieceRuleAdmin

    shown = set()
    for _title, options in PieceRuleAdmin.fieldsets:
        for row in options["fields"]:
            shown.update(row if isinstance(row, tuple) else [row])
    assert set(CONDITION_NAMES) <= shown


@pytest.mark.django_db
def test_a_seeded_rule_reads_back_as_the_catalogue_rule():
    from documents.models import PieceRule
    from documents.pieces.selectors import rule_data_from_model
    from documents.pieces.services import piece_rules_seed_session
    from tests.factories import AcademieFactory, SessionFactory, SpecialtyFactory, open_specialty

    session = SessionFactory(academie=AcademieFactory(code="toulouse"))
    open_specialty(session, SpecialtyFactory(code=MS))
    assert piece_rules_seed_session(session=session) > 0
    seeded = PieceRule.objects.filter(session=session).prefetch_related("specialties").order_by("order")
    expected = [
        rule_data_from_dict({**r, "order": i * 10})
        for i, r in enumerate(piece_rules_catalogue.rules_for_academie("toulouse"))
        if not r.get("specialties") or MS in r["specialties"]
    ]
    assert [rule_data_from_model(rule) for rule in seeded] == expected


@pytest.mark.parametrize(
    ("condition", "value", "profile", "applies"),
    [
        ("categories", frozenset({"former_school"}), p(), False),
        ("categories", frozenset({"distance_school"}), p(), True),
        ("options", frozenset({"B"}), p(option_code="B"), True),
        ("nationality", "FR", p(nationality="fr"), True),
        ("nationality", "not_FR", p(nationality="FR"), False),
        ("nationality", "not_FR", p(nationality="DE"), True),
        ("min_age", 23, p(), False),  # 22 at closing
        ("min_age", 22, p(), True),
        ("max_age", 22, p(), False),
        ("continuing_situations", frozenset({"employee"}), p(continuing_situation="employee"), True),
        ("mandatory_language_not_in", frozenset({"EN"}), p(mandatory_language="en"), False),
        ("when_handicap", True, p(), False),
        ("when_handicap", True, p(handicap=True), True),
        ("when_r408", True, p(specialty_r408=True), True),
    ],
)
def test_each_condition_kind_holds_as_the_notices_say(condition, value, profile, applies):
    rule = RuleData(code="identity", label="x", reason="y", **{condition: value})
    assert rule_applies(rule, profile, closing_day=CLOSING) is applies
