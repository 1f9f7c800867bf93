"""The piece requirement rules of the notices, as plain data (no ORM), seeded per académie by
``documents.services.seed_piece_rules`` and used as the fallback for an académie without rules.

Sources (/work/shared/seeds): CF = Clermont-Ferrand 000 (R408 table, Maintenance des systèmes,
JDC 18-25 §8), TLS = Toulouse 001 annex 1, NM = Nancy-Metz 002 table, AM = Aix-Marseille 003 list,
NT = Nantes 004 (no table of its own). domain.md §6: an académie whose notice has no table of its own
(CF, NT, and any other such as Martinique) starts from the Toulouse table, the most detailed.

Each rule is a dict whose keys are the conditions declared in ``documents.pieces.rules`` (lists for the list
conditions; ``specialties`` are specialty codes) plus ``source``. ``label`` may be omitted: the piece's
standard label (PieceCode) is used.
"""

from __future__ import annotations

DISTANCE = ["distance_school", "distance_apprentice", "distance_continuing"]
FORMER = ["former_school", "former_apprentice", "former_continuing"]
MAINTENANCE_DES_SYSTEMES = "maintenance-des-systemes"

ALWAYS_RECAP = {
    "code": "recap_signed",
    "reason": "Demandé à tous les candidats : le récapitulatif d'inscription daté et signé.",
}
ALWAYS_IDENTITY = {
    "code": "identity",
    "reason": "Demandée à tous les candidats : carte d'identité, passeport ou titre de séjour en cours de validité.",
}
ENGAGEMENT = {
    "code": "engagement_form",
    "reason": "Vous avez choisi l'épreuve facultative « engagement étudiant ».",
    "when_engagement": True,
}
DISPENSES = {
    "code": "dispense_diploma",
    "reason": "Vous demandez des dispenses d'épreuves.",
    "when_dispenses": True,
}
BENEFICES_TRANSCRIPT = {
    "code": "previous_transcript",
    "reason": "Vous demandez à conserver des bénéfices de notes.",
    "when_benefices": True,
}
R408 = {
    "code": "r408",
    "reason": "Votre spécialité exige l'attestation de formation R408 (échafaudages de pied).",
    "when_r408": True,
}


def _ms(*, deadline_kind: str = "standard", source: str) -> list[dict]:
    """The four Maintenance des systèmes attestations (CF, NM)."""
    common = {"specialties": [MAINTENANCE_DES_SYSTEMES], "deadline_kind": deadline_kind, "source": source}
    return [
        {
            "code": "ms_electrical",
            "reason": "Demandée pour le BTS Maintenance des systèmes, toutes options.",
            **common,
        },
        {
            "code": "ms_first_aid",
            "reason": "Demandée pour le BTS Maintenance des systèmes, toutes options.",
            **common,
        },
        {
            "code": "ms_refrigerants",
            "reason": "Vous avez choisi l'option B de Maintenance des systèmes.",
            "options": ["B"],
            **common,
        },
        {
            "code": "ms_height",
            "reason": "Vous avez choisi l'option C ou D de Maintenance des systèmes.",
            "options": ["C", "D"],
            **common,
        },
    ]


# --- TLS annex 1: "Liste des pièces justificatives à téléverser sur Cyclades" --------------------
TLS_ANNEX_1: list[dict] = [
    {**ALWAYS_RECAP, "source": "TLS annexe 1, tous les candidats 1"},
    {**ALWAYS_IDENTITY, "source": "TLS annexe 1, tous les candidats 2"},
    # TLS annexe 1, tous les candidats 3 (JDC): national law, documents.pieces.rules.NATIONAL_RULES.
    {
        "code": "access_diploma",
        "reason": "Demandé à tous les candidats : le diplôme qui donne accès au BTS.",
        "source": "TLS annexe 1, tous les candidats 4",
    },
    {
        "code": "previous_transcript",
        "reason": "Vous avez présenté l'examen à une session précédente.",
        "categories": FORMER,
        "source": "TLS annexe 1, session précédente 1",
    },
    {
        "code": "internship_or_work_cert",
        "reason": "Vous avez présenté l'examen à une session précédente sans obtenir l'épreuve liée au stage.",
        "categories": FORMER,
        "source": "TLS annexe 1, session précédente 2",
    },
    {
        "code": "schooling_certs",
        "reason": "Vous êtes candidat scolaire de l'enseignement à distance.",
        "categories": ["distance_school"],
        "source": "TLS annexe 1, scolaires à distance 1",
    },
    {
        "code": "internship_certs",
        "reason": "Vous êtes candidat scolaire de l'enseignement à distance.",
        "categories": ["distance_school"],
        "source": "TLS annexe 1, scolaires à distance 2",
    },
    {
        "code": "training_attendance",
        "reason": "Vous êtes apprenti de l'enseignement à distance (1 350 heures de formation).",
        "categories": ["distance_apprentice"],
        "source": "TLS annexe 1, apprentis à distance 1",
    },
    {
        "code": "apprenticeship_contract",
        "reason": "Vous êtes apprenti de l'enseignement à distance.",
        "categories": ["distance_apprentice"],
        "source": "TLS annexe 1, apprentis à distance 2",
    },
    {
        "code": "employer_attestation",
        "reason": "Vous êtes apprenti de l'enseignement à distance.",
        "categories": ["distance_apprentice"],
        "source": "TLS annexe 1, apprentis à distance 3",
    },
    {
        "code": "training_attendance",
        "reason": "Vous êtes en formation continue à distance.",
        "categories": ["distance_continuing"],
        "source": "TLS annexe 1, formation continue à distance 1",
    },
    {
        "code": "employment_contract",
        "reason": "Vous êtes en formation continue à distance.",
        "categories": ["distance_continuing"],
        "source": "TLS annexe 1, formation continue à distance 2",
    },
    {
        "code": "internship_certs",
        "reason": "Vous êtes en formation continue à distance, en première formation ou en reconversion.",
        "categories": ["distance_continuing"],
        "continuing_situations": ["first_training", "reconversion"],
        "source": "TLS annexe 1, formation continue à distance 3",
    },
    {
        "code": "internship_or_work_cert",
        "reason": "Vous êtes en formation continue à distance, en perfectionnement.",
        "categories": ["distance_continuing"],
        "continuing_situations": ["improvement"],
        "source": "TLS annexe 1, formation continue à distance 4",
    },
    {
        "code": "work_certs",
        "reason": "Vous vous présentez au titre d'un an d'expérience professionnelle.",
        "categories": ["work_experience"],
        "source": "TLS annexe 1, expérience professionnelle",
    },
    {**ENGAGEMENT, "deadline_kind": "late", "source": "TLS annexe 1, engagement étudiant (15/01/2024)"},
    {**DISPENSES, "source": "TLS annexe 1, dispenses"},
    {**BENEFICES_TRANSCRIPT, "source": "TLS annexe 1, bénéfices"},
    {
        "code": "benefit_refusal",
        "reason": "Vous renoncez à un bénéfice de note (formulaire de refus, annexe 2).",
        "when_benefice_renounced": True,
        "source": "TLS annexe 1, bénéfices ; annexe 2",
    },
    {
        "code": "positioning_decision",
        "reason": "Vous avez déclaré une décision de positionnement ou de dérogation à la durée de stage.",
        "when_positioning_decision": True,
        "source": "TLS annexe 1, positionnement",
    },
    {
        "code": "language_training",
        "reason": "Votre langue vivante obligatoire n'est ni l'anglais ni l'espagnol.",
        "mandatory_language_not_in": ["en", "es"],
        "source": "domain.md §6 (TLS, AM)",
    },
    # TLS §3: "sauf pièces pouvant être à déposer ultérieurement : attestation R408".
    {**R408, "deadline_kind": "late", "source": "TLS annexe 1, attestations spécifiques 2"},
    *_ms(source="TLS annexe 1, attestations spécifiques 3"),
]


def _replace(rules: list[dict], code: str, new: dict) -> list[dict]:
    """The rules with every rule of ``code`` replaced by ``new`` (at the first one's place)."""
    out: list[dict] = []
    for rule in rules:
        if rule["code"] != code:
            out.append(rule)
        elif not any(r["code"] == code for r in out):
            out.append(new)
    return out


# --- CF: TLS annex 1 plus CF's own R408 table, Maintenance des systèmes and JDC 18-25 ------------
# CF §8 asks the JDC from 18 to 25; the national rule (under 25, documents.pieces.rules.NATIONAL_RULES)
# covers it in every académie.
CF_RULES: list[dict] = _replace(
    TLS_ANNEX_1,
    "r408",
    {
        **R408,
        "label": "Attestation de formation R408 (ou RQTH et certificat médical d'incompatibilité)",
        "source": "CF, tableau R408 (annexes 4 et 5)",
    },
)
CF_RULES = [r for r in CF_RULES if not r["code"].startswith("ms_")] + _ms(
    source="CF, BTS maintenance des systèmes (à partir de la session 2024)"
)

# --- NT: no table of its own -------------------------------------------------------------------
NT_RULES: list[dict] = [dict(rule) for rule in TLS_ANNEX_1]

# --- NM: "PIECES A DEPOSER SUR CYCLADES AVANT LE 20 NOVEMBRE 2024" -------------------------------
NM_RULES: list[dict] = [
    {**ALWAYS_RECAP, "source": "NM, tableau : confirmation d'inscription"},
    {**ALWAYS_IDENTITY, "source": "NM, tableau : identité"},
    {
        "code": "apprenticeship_contract",
        "reason": "Vous êtes apprenti ou ex-apprenti.",
        "categories": ["distance_apprentice", "former_apprentice"],
        "source": "NM, tableau : contrat d'apprentissage",
    },
    {
        "code": "employment_contract",
        "reason": "Vous êtes en formation continue ou ex-formation continue.",
        "categories": ["distance_continuing", "former_continuing"],
        "source": "NM, tableau : contrat de professionnalisation ou de travail",
    },
    {
        "code": "work_certs",
        "label": "Certificats de travail avec fiche de poste détaillée",
        "reason": "Vous vous présentez au titre de l'expérience professionnelle.",
        "categories": ["work_experience"],
        "source": "NM, tableau : certificats de travail",
    },
    {**ENGAGEMENT, "source": "NM, tableau : formulaire engagement étudiant"},
    {**DISPENSES, "source": "NM, tableau : diplôme ouvrant droit à dispenses"},
    {**BENEFICES_TRANSCRIPT, "source": "NM, tableau : relevé de notes (bénéfices)"},
    {**R408, "deadline_kind": "late", "source": "NM, tableau : R408 (avant le 17 janvier 2025)"},
    *_ms(deadline_kind="late", source="NM, tableau : maintenance des systèmes (avant le 17 janvier 2025)"),
]

# --- AM: "PIÈCES A TELEVERSER DANS VOTRE ESPACE CYCLADES" ----------------------------------------
AM_RULES: list[dict] = [
    {**ALWAYS_RECAP, "source": "AM, pour tous les candidats"},
    {**ALWAYS_IDENTITY, "source": "AM, pour tous les candidats"},
    {
        "code": "schooling_certs",
        "reason": "Vous suivez une formation à distance.",
        "categories": DISTANCE,
        "source": "AM, formation à distance",
    },
    {
        "code": "access_diploma",
        "reason": "Vous suivez une formation à distance.",
        "categories": DISTANCE,
        "source": "AM, formation à distance",
    },
    {
        "code": "positioning_decision",
        "reason": "Vous avez déclaré une décision d'aménagement de la durée de formation.",
        "when_positioning_decision": True,
        "source": "AM, formation à distance",
    },
    {
        "code": "work_certs",
        "reason": "Vous vous présentez au titre de l'expérience professionnelle.",
        "categories": ["work_experience"],
        "source": "AM, expérience professionnelle",
    },
    {
        "code": "previous_transcript",
        "reason": "Vous avez présenté le BTS à une session précédente.",
        "categories": FORMER,
        "source": "AM, candidats redoublants",
    },
    {**BENEFICES_TRANSCRIPT, "source": "AM, bénéfices de notes"},
    {**DISPENSES, "source": "AM, candidats avec un acquis de dispense"},
    {**ENGAGEMENT, "source": "domain.md §6 (épreuve facultative)"},
    {
        "code": "language_training",
        "reason": "Votre langue vivante obligatoire est une langue « rare » (ni anglais ni espagnol).",
        "mandatory_language_not_in": ["en", "es"],
        "source": "AM §4, langues dites rares",
    },
    {**R408, "source": "AM, remarque importante R408"},
]

PIECE_RULES: dict[str, list[dict]] = {
    "toulouse": TLS_ANNEX_1,
    "clermont-ferrand": CF_RULES,
    "nantes": NT_RULES,
    "nancy-metz": NM_RULES,
    "aix-marseille": AM_RULES,
}
DEFAULT_RULES = TLS_ANNEX_1


def rules_for_academie(code: str) -> list[dict]:
    """The notice's rules of an académie, or Toulouse's table when its notice has none."""
    return PIECE_RULES.get(code, DEFAULT_RULES)
