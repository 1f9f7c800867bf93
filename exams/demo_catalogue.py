"""Demo catalogue: plain data (no ORM), loaded by ``exams.demo.seed_catalogue``.

Sources are the five notices in ``/work/shared/seeds`` (CF = Clermont-Ferrand 000, TLS = Toulouse 001,
NM = Nancy-Metz 002, AM = Aix-Marseille 003, NT = Nantes 004) and docs/domain.md §2. Where a notice is
silent (an address, an épreuve tree) the values are plausible demo values, never presented as official.

Dates are naive wall-clock tuples ``(year, month, day, hour, minute)`` in the académie's time zone,
or a deadline as the notice words it («le vendredi 24 novembre 2023 à minuit»), converted by
``exams.deadlines.deadline_from_notice``; the loader makes them aware in the académie's zone.
"""

from __future__ import annotations

EXAM = {"code": "bts", "name": "Brevet de technicien supérieur"}

# --- Académies and their départements (domain.md §2) -------------------------------------------
ACADEMIES: list[dict] = [
    {
        "code": "clermont-ferrand",
        "name": "Clermont-Ferrand",
        "time_zone": "Europe/Paris",
        # CF: "bureau des BTS de la Division des Examens et Concours (ce.dec3bts@ac-clermont.fr)".
        "contact_email": "ce.dec3bts@ac-clermont.fr",
        "contact_phone": "",
        "address": "",
        "website": "https://www.ac-clermont.fr",
        "departements": [("03", "Allier"), ("15", "Cantal"), ("43", "Haute-Loire"), ("63", "Puy-de-Dôme")],
    },
    {
        "code": "toulouse",
        "name": "Toulouse",
        "time_zone": "Europe/Paris",
        # TLS: "Adresse électronique du bureau des examens Post-Bac : dec5@ac-toulouse.fr".
        "contact_email": "dec5@ac-toulouse.fr",
        "contact_phone": "",
        "address": "",
        "website": "https://www.ac-toulouse.fr",
        "departements": [
            ("09", "Ariège"),
            ("12", "Aveyron"),
            ("31", "Haute-Garonne"),
            ("32", "Gers"),
            ("46", "Lot"),
            ("65", "Hautes-Pyrénées"),
            ("81", "Tarn"),
            ("82", "Tarn-et-Garonne"),
        ],
    },
    {
        "code": "nancy-metz",
        "name": "Nancy-Metz",
        "time_zone": "Europe/Paris",
        # NM, "CONTACTS".
        "contact_email": "ce.dec-bts@ac-nancy-metz.fr",
        "contact_phone": "03.83.86.20.50",
        "address": (
            "Rectorat de l'Académie de Nancy-Metz\n"
            "DEC2 – Bureau des examens d'enseignement supérieur et spécialisé\n"
            "9 rue des Brice – rond-point Marguerite\n"
            "CO n°30013 - 54035 NANCY Cedex"
        ),
        "website": "https://www.ac-nancy-metz.fr",
        "departements": [("54", "Meurthe-et-Moselle"), ("55", "Meuse"), ("57", "Moselle"), ("88", "Vosges")],
    },
    {
        "code": "aix-marseille",
        "name": "Aix-Marseille",
        "time_zone": "Europe/Paris",
        # AM gives no e-mail, phone or address for the bureau: only the académie's site.
        "contact_email": "",
        "contact_phone": "",
        "address": "",
        "website": "https://www.ac-aix-marseille.fr",
        "departements": [
            ("04", "Alpes-de-Haute-Provence"),
            ("05", "Hautes-Alpes"),
            ("13", "Bouches-du-Rhône"),
            ("84", "Vaucluse"),
        ],
    },
    {
        "code": "nantes",
        "name": "Nantes",
        "time_zone": "Europe/Paris",
        # NT letterhead: "Bureau DEC 4-1 ... 02 40 37 38 38 ... BP 72616 44326 NANTES Cedex 3"
        # (the only e-mail given is a named person's: not reused here).
        "contact_email": "",
        "contact_phone": "02 40 37 38 38",
        "address": "Rectorat de l'académie de Nantes\nBureau DEC 4-1\nBP 72616\n44326 NANTES Cedex 3",
        "website": "https://www.ac-nantes.fr",
        "departements": [
            ("44", "Loire-Atlantique"),
            ("49", "Maine-et-Loire"),
            ("53", "Mayenne"),
            ("72", "Sarthe"),
            ("85", "Vendée"),
        ],
    },
    {
        # Not in the notices: an overseas académie whose deadlines are its own local 17:00 (domain.md §2).
        "code": "martinique",
        "name": "Martinique",
        "time_zone": "America/Martinique",
        "contact_email": "",
        "contact_phone": "",
        "address": "",
        "website": "https://www.ac-martinique.fr",
        "departements": [("972", "Martinique")],
    },
]

# --- Languages (ISO 639-1) ---------------------------------------------------------------------
LANGUAGES: list[tuple[str, str]] = [
    ("en", "Anglais"),
    ("es", "Espagnol"),
    ("de", "Allemand"),
    ("it", "Italien"),
    ("pt", "Portugais"),
    ("ar", "Arabe"),
    ("zh", "Chinois"),
    ("ru", "Russe"),
    ("nl", "Néerlandais"),
    ("ja", "Japonais"),
]

# Optional LV opened per session (CF: "la langue facultative se choisit dans la liste").
DEFAULT_OPTIONAL_LANGUAGES = ["de", "es", "it", "pt"]
OPTIONAL_LANGUAGES_BY_ACADEMIE = {"martinique": ["es", "pt"]}

# --- Sessions of the notices, to the minute, local time ----------------------------------------
NOTICE_SESSIONS: list[dict] = [
    {
        # CF: "du jeudi 12 octobre 2023 à 09 heures au mercredi 15 novembre 2023 à 17 heures";
        # pieces "avant le 21 novembre 2023"; handicap file "au plus tard ... le mercredi 15 novembre 2023".
        "academie": "clermont-ferrand",
        "year": 2024,
        "registration_opens_at": (2023, 10, 12, 9, 0),
        "registration_closes_at": "le mercredi 15 novembre 2023 à 17 heures",  # 000 l. 11
        "pieces_deadline": "avant le 21 novembre 2023",  # 000 l. 108-110: the whole day counts
        "handicap_request_deadline": "le mercredi 15 novembre 2023 à 17 heures",  # 000 l. 321-323
        "convocations_published_at": (2024, 4, 15, 9, 0),
        "first_written_exam_at": (2024, 5, 13, 8, 0),
    },
    {
        # TLS: "Du mercredi 11 octobre 2023 à 14h00 au mercredi 15 novembre 2023 à 17h00"; pieces
        # "au plus tard le mercredi 22 novembre 2023"; incomplete dossiers notified "au plus tard
        # mi-décembre"; decisions "au plus tard le mercredi 10 janvier 2024"; engagement-étudiant
        # form late (15 January 2024); convocations "mi-avril", written épreuves in May; handicap
        # requests "au plus tard à la date limite d'inscription".
        "academie": "toulouse",
        "year": 2024,
        "registration_opens_at": (2023, 10, 11, 14, 0),
        "registration_closes_at": "au mercredi 15 novembre 2023 à 17h00",  # 001 l. 10
        "pieces_deadline": "jusqu'au 22 novembre 2023 au plus tard",  # 001 l. 88
        "late_pieces_deadline": "le 15 janvier 2024",  # 001 annexe 1, engagement étudiant
        "incompleteness_notice_by": "le 15 décembre 2023",  # 001 l. 101: «au plus tard mi-décembre»
        "review_deadline": "au plus tard le mercredi 10 janvier 2024",  # 001 l. 99
        "handicap_request_deadline": "le mercredi 15 novembre 2023 à 17h00",  # 001 l. 127
        "convocations_published_at": (2024, 4, 15, 9, 0),
        "first_written_exam_at": (2024, 5, 13, 8, 0),
    },
    {
        # NM: 14 October 2024 09:00 → 13 November 2024 17:00; pieces "avant le 20 novembre 2024";
        # R408 and Maintenance des systèmes attestations "avant le 17 janvier 2025"; INCLUSCOL
        # "du 14 octobre 2024 au 8 décembre 2024"; convocations ≥ 15 days before the épreuves.
        "academie": "nancy-metz",
        "year": 2025,
        "registration_opens_at": (2024, 10, 14, 9, 0),
        "registration_closes_at": "au mercredi 13 novembre 2024 à 17h",  # 002 l. 9
        "pieces_deadline": "avant le 20 novembre 2024",  # 002 table title
        "late_pieces_deadline": "avant le 17 janvier 2025",  # 002 l. 119, 121
        "handicap_request_deadline": "au 8 décembre 2024",  # 002 l. 80
        "handicap_request_url": "https://www.ac-nancy-metz.fr/demande-d-amenagements-d-epreuves-122438",
        "convocations_published_at": (2025, 4, 14, 9, 0),
        "first_written_exam_at": (2025, 5, 12, 8, 0),
    },
    {
        # AM: "DU MARDI 18 OCTOBRE 2022 A 8H AU LUNDI 21 NOVEMBRE 2022 A 18H"; pieces "dimanche
        # 4 décembre 2022"; AMEX "au plus tard le lundi 21 novembre 2022"; convocations mi-avril.
        "academie": "aix-marseille",
        "year": 2023,
        "registration_opens_at": (2022, 10, 18, 8, 0),
        "registration_closes_at": "le lundi 21 novembre 2022 à 18h",  # 003 l. 14, 41
        "pieces_deadline": "fixée au dimanche 4 décembre 2022",  # 003 l. 47
        "handicap_request_deadline": "le lundi 21 novembre 2022 à 18h",  # 003 l. 134: «date de clôture»
        "handicap_request_url": "https://appli.ac-aix-marseille.fr/amex/",
        "convocations_published_at": (2023, 4, 17, 9, 0),
        "first_written_exam_at": (2023, 5, 15, 8, 0),
    },
    {
        # NT: "du lundi 16 octobre au mercredi 15 novembre 2023"; pieces by 24 November 2023 23:59.
        "academie": "nantes",
        "year": 2024,
        "registration_opens_at": (2023, 10, 16, 0, 0),
        "registration_closes_at": "jusqu'au 15 novembre 2023",  # 004 l. 21, 58
        "pieces_deadline": "le vendredi 24 novembre 2023 à minuit",  # 004 l. 62
        "handicap_request_url": "https://www.ac-nantes.fr/amenagement-d-epreuves-handicap-incapacite-temporaire-121583",
        "convocations_published_at": (2024, 4, 15, 9, 0),
        "first_written_exam_at": (2024, 5, 13, 8, 0),
    },
]

# The always-open demo session of each académie, relative to ``now`` (days and local times).
OPEN_SESSION = {
    "opens_days_before": 10,
    "opens_at": (9, 0),
    "closes_days_after": 20,
    "closes_at": (17, 0),
    "pieces_days_after_closing": 7,
    "incompleteness_days_after_closing": 30,
    "review_days_after_closing": 55,
    "late_pieces_days_after_closing": 60,
    "convocations": (4, 15, 9, 0),  # mid-April of the session year (TLS, AM)
    "convocations_min_days_after_review": 14,
    "first_written_exam_days_after_convocations": 28,  # May; ≥ 2 weeks (TLS, NM, NT)
}

# The centre where the demo open session of each académie sits its épreuves (issue 14, convocations):
# every unit of every specialty opened, from the first written épreuve on, two a working day.
DEMO_CENTRES = {
    "clermont-ferrand": ("Lycée Roger Claustres", "127 rue Docteur Hospital\n63100 Clermont-Ferrand"),
    "toulouse": ("Lycée Déodat de Séverac", "26 boulevard Déodat de Séverac\n31076 Toulouse"),
    "nancy-metz": ("Lycée Henri Loritz", "29 rue des Jardiniers\n54000 Nancy"),
    "aix-marseille": ("Lycée Diderot", "23 boulevard Laveran\n13013 Marseille"),
    "nantes": ("Lycée Livet", "16 rue Dufour\n44000 Nantes"),
    "martinique": ("Lycée de Bellevue", "Rue Marie-Thérèse Gertrude\n97200 Fort-de-France"),
}
DEMO_SITTING_SLOTS = [((8, 0), (12, 0)), ((14, 0), (18, 0))]

# --- Specialties --------------------------------------------------------------------------------
# Shared épreuve blocks. Keys: code, unit_code, title, coefficient (str), order, optional
# parent (épreuve code), option (option code) and boolean flags named as on ``Epreuve``.
CGE = {
    "code": "E1",
    "unit_code": "U1",
    "title": "Culture générale et expression",
    "coefficient": "3",
    "order": 10,
    "is_general_culture": True,
    "dispensable": True,
    "control_allowed": True,
}
LV_ANGLAIS = {
    "code": "E2",
    "unit_code": "U2",
    "title": "Langue vivante étrangère : anglais",
    "coefficient": "2",
    "order": 20,
    "is_language": True,
    "dispensable": True,
    "control_allowed": True,
}
LV1 = {
    "code": "E2",
    "unit_code": "U2",
    "title": "Communication en langue vivante étrangère (LV1)",
    "coefficient": "3",
    "order": 20,
    "is_language": True,
    "dispensable": True,
}
MATHS_SCIENCES = [
    {
        "code": "E3",
        "unit_code": "",
        "title": "Mathématiques et sciences physiques",
        "coefficient": "4",
        "order": 30,
        "is_unit": False,
    },
    {
        "code": "E31",
        "unit_code": "U31",
        "title": "Mathématiques",
        "coefficient": "2",
        "order": 31,
        "parent": "E3",
        "dispensable": True,
        "control_allowed": True,
    },
    {
        "code": "E32",
        "unit_code": "U32",
        "title": "Physique-chimie",
        "coefficient": "2",
        "order": 32,
        "parent": "E3",
        "dispensable": True,
    },
]
CEJM = {
    "code": "E3",
    "unit_code": "U3",
    "title": "Culture économique, juridique et managériale",
    "coefficient": "3",
    "order": 30,
    "dispensable": True,
    "control_allowed": True,
}
OPTIONAL = [
    {
        "code": "EF1",
        "unit_code": "UF1",
        "title": "Langue vivante facultative",
        "coefficient": "1",
        "order": 90,
        "is_optional": True,
        "is_language": True,
    },
    {
        "code": "EF2",
        "unit_code": "UF2",
        "title": "Engagement étudiant",
        "coefficient": "1",
        "order": 91,
        "is_optional": True,
        "is_student_engagement": True,
    },
]
INDUSTRIAL_GENERAL = [CGE, LV_ANGLAIS, *MATHS_SCIENCES]
TERTIARY_GENERAL = [CGE, LV1, CEJM]


def _pro(code: str, title: str, coefficient: str, order: int, **flags) -> dict:
    """A professional épreuve (never dispensed: NM)."""
    return {
        "code": code,
        "unit_code": flags.pop("unit_code", "U" + code[1:]),
        "title": title,
        "coefficient": coefficient,
        "order": order,
        "is_professional": True,
        **flags,
    }


def _building(e4: str, e5: str, e6: str) -> list[dict]:
    """The building-trades tree: general block, three professional épreuves, E6 on dossier."""
    return [
        *INDUSTRIAL_GENERAL,
        _pro("E4", e4, "4", 40),
        _pro("E5", e5, "5", 50),
        _pro("E6", e6, "4", 60, needs_dossier=True),
        *OPTIONAL,
    ]


# Gestionnaire contacts of Toulouse's bureau (TLS annex 3: phones; names and e-mails are fictitious
# demo values). They are Toulouse's: exams.demo opens them in Toulouse's sessions only.
def _gestionnaire(slug: str, name: str, phone: str) -> dict:
    return {
        "gestionnaire_name": name,
        "gestionnaire_email": f"gestionnaire.bts-{slug}@ac-toulouse.fr",
        "gestionnaire_phone": phone,
    }


SPECIALTIES: list[dict] = [
    # R408 table (CF §7; also TLS annex 1, NM, AM).
    {
        "code": "architectures-en-metal-conception-et-realisation",
        "name": "Architectures en métal : conception et réalisation",
        "abbreviation": "AM-CR",
        **_gestionnaire("amcr", "Mme Hélène Roux", "05 36 25 71 20"),
        "options": [],
        "epreuves": _building(
            "Conception d'une structure métallique",
            "Préparation et suivi de la réalisation",
            "Projet de conception-réalisation en entreprise",
        ),
    },
    {
        "code": "batiment",
        "name": "Bâtiment",
        "abbreviation": "BAT",
        **_gestionnaire("batiment", "M. Julien Fabre", "05 36 25 71 08"),
        "options": [],
        "epreuves": _building(
            "Étude technique et économique",
            "Préparation et gestion de chantier",
            "Projet de fin d'études et rapport de stage",
        ),
    },
    {
        "code": "enveloppe-des-batiments-conception-et-realisation",
        "name": "Enveloppe des bâtiments : conception et réalisation",
        "abbreviation": "EB",
        **_gestionnaire("enveloppe", "Mme Nathalie Castan", "05 36 25 71 39"),
        "options": [],
        "epreuves": _building(
            "Conception et définition de l'enveloppe",
            "Organisation et suivi de la réalisation",
            "Rapport d'activités en entreprise",
        ),
    },
    {
        "code": "finitions-amenagement-des-batiments-conception-et-realisation",
        "name": "Finitions, aménagement des bâtiments : conception et réalisation",
        "abbreviation": "FAB",
        **_gestionnaire("finitions", "M. Julien Fabre", "05 36 25 71 08"),
        "options": [],
        "epreuves": _building(
            "Conception et étude technique des finitions",
            "Préparation et pilotage des travaux",
            "Rapport d'activités en entreprise",
        ),
    },
    {
        "code": "fluides-energies-domotique",
        "name": "Fluides-énergies-domotique",
        "abbreviation": "FED",
        **_gestionnaire("fed", "Mme Sandrine Puech", "05 36 25 71 09"),
        "options": [
            ("A", "Génie climatique et fluidique"),
            ("B", "Froid et conditionnement d'air"),
            ("C", "Domotique et bâtiments communicants"),
        ],
        "epreuves": [
            *INDUSTRIAL_GENERAL,
            _pro("E4", "Analyse et définition d'un système", "4", 40),
            _pro("E5A", "Conception d'une installation de génie climatique", "5", 50, option="A"),
            _pro("E5B", "Conception d'une installation frigorifique", "5", 51, option="B"),
            _pro("E5C", "Conception d'une installation domotique", "5", 52, option="C"),
            _pro("E6", "Projet et rapport de stage", "4", 60, needs_dossier=True),
            *OPTIONAL,
        ],
    },
    {
        "code": "management-economique-de-la-construction",
        "name": "Management économique de la construction",
        "abbreviation": "MEC",
        **_gestionnaire("mec", "Mme Nathalie Castan", "05 36 25 71 39"),
        "options": [],
        "epreuves": _building(
            "Étude économique d'un projet de construction",
            "Management de l'opération de construction",
            "Rapport d'activités en entreprise",
        ),
    },
    {
        "code": "systemes-constructifs-bois-et-habitat",
        "name": "Systèmes constructifs bois et habitat",
        "abbreviation": "SCBH",
        **_gestionnaire("scbh", "M. Julien Fabre", "05 36 25 71 08"),
        "options": [],
        "epreuves": _building(
            "Conception et étude d'un ouvrage bois",
            "Préparation et suivi de la fabrication et de la mise en œuvre",
            "Projet et rapport de stage",
        ),
    },
    {
        "code": "travaux-publics",
        "name": "Travaux publics",
        "abbreviation": "TP",
        **_gestionnaire("tp", "M. Julien Fabre", "05 36 25 71 08"),
        "options": [],
        "epreuves": _building(
            "Étude technique d'un ouvrage",
            "Préparation et conduite de chantier",
            "Rapport d'activités en entreprise",
        ),
    },
    # Maintenance des systèmes: attestations by option (CF §7, NM late deadline).
    {
        "code": "maintenance-des-systemes",
        "name": "Maintenance des systèmes",
        "abbreviation": "MS",
        **_gestionnaire("ms", "Mme Hélène Roux", "05 36 25 71 20"),
        "options": [
            ("A", "Systèmes de production"),
            ("B", "Systèmes énergétiques et fluidiques"),
            ("C", "Systèmes éoliens"),
            ("D", "Systèmes ferroviaires"),
        ],
        "epreuves": [
            *INDUSTRIAL_GENERAL,
            _pro("E4", "Analyse technique en vue de l'intégration d'un bien", "4", 40),
            _pro("E5A", "Intervention sur un système de production", "5", 50, option="A"),
            _pro("E5B", "Intervention sur un système énergétique et fluidique", "5", 51, option="B"),
            _pro("E5C", "Intervention sur un système éolien", "5", 52, option="C"),
            _pro("E5D", "Intervention sur un système ferroviaire", "5", 53, option="D"),
            _pro("E6", "Activités de maintenance en entreprise", "4", 60, needs_dossier=True),
            *OPTIONAL,
        ],
    },
    {
        "code": "electrotechnique",
        "name": "Électrotechnique",
        "abbreviation": "ET",
        **_gestionnaire("electrotechnique", "M. Julien Fabre", "05 36 25 71 08"),
        "options": [],
        "epreuves": [
            *INDUSTRIAL_GENERAL,
            _pro("E4", "Étude d'un système technique industriel", "6", 40),
            _pro("E5", "Conduite de projet, de chantier", "5", 50),
            _pro("E6", "Projet technique et rapport d'activités", "4", 60, needs_dossier=True),
            *OPTIONAL,
        ],
    },
    {
        "code": "systemes-numeriques",
        "name": "Systèmes numériques",
        "abbreviation": "SN",
        **_gestionnaire("sn", "Mme Nathalie Castan", "05 36 25 71 39"),
        "options": [("A", "Informatique et réseaux"), ("B", "Électronique et communications")],
        "epreuves": [
            *INDUSTRIAL_GENERAL,
            _pro("E4A", "Étude d'un système numérique et d'information", "5", 40, option="A"),
            _pro("E4B", "Étude d'un système numérique et électronique", "5", 41, option="B"),
            _pro("E5", "Intervention sur un système numérique", "5", 50),
            _pro("E6", "Projet technique", "5", 60, needs_dossier=True),
            *OPTIONAL,
        ],
    },
    {
        "code": "services-informatiques-aux-organisations",
        "name": "Services informatiques aux organisations",
        "abbreviation": "SIO",
        **_gestionnaire("sio", "M. Thomas Marty", "05 36 25 71 12"),
        "options": [
            ("A", "Solutions d'infrastructure, systèmes et réseaux (SISR)"),
            ("B", "Solutions logicielles et applications métiers (SLAM)"),
        ],
        "epreuves": [
            CGE,
            {**LV_ANGLAIS, "title": "Expression et communication en langue anglaise"},
            {
                "code": "E3",
                "unit_code": "",
                "title": "Mathématiques pour l'informatique",
                "coefficient": "3",
                "order": 30,
                "is_unit": False,
            },
            {
                "code": "E31",
                "unit_code": "U31",
                "title": "Mathématiques",
                "coefficient": "2",
                "order": 31,
                "parent": "E3",
                "dispensable": True,
            },
            {
                "code": "E32",
                "unit_code": "U32",
                "title": "Algorithmique appliquée",
                "coefficient": "1",
                "order": 32,
                "parent": "E3",
                "dispensable": True,
            },
            _pro(
                "E4", "Support et mise à disposition de services informatiques", "4", 40, needs_dossier=True
            ),
            _pro("E5A", "Administration des systèmes et des réseaux", "4", 50, option="A"),
            _pro("E5B", "Conception et développement d'applications", "4", 51, option="B"),
            _pro("E6", "Cybersécurité des services informatiques", "4", 60),
            *OPTIONAL,
        ],
    },
    # Tertiary specialties: E3 is CEJM, a unit; MCO's E4 is an épreuve maîtresse.
    {
        "code": "comptabilite-et-gestion",
        "name": "Comptabilité et gestion",
        "abbreviation": "CG",
        **_gestionnaire("cg", "Mme Hélène Roux", "05 36 25 71 20"),
        "options": [],
        "epreuves": [
            {**CGE, "coefficient": "4"},
            LV1,
            {**CEJM, "coefficient": "6"},
            _pro("E4", "Traitement et contrôle des opérations comptables, fiscales et sociales", "9", 40),
            _pro("E5", "Situations de contrôle de gestion et d'analyse financière", "8", 50),
            _pro("E6", "Parcours de professionnalisation", "5", 60, needs_dossier=True),
            *OPTIONAL,
        ],
    },
    {
        "code": "negociation-et-digitalisation-de-la-relation-client",
        "name": "Négociation et digitalisation de la relation client",
        "abbreviation": "NDRC",
        **_gestionnaire("ndrc", "Mme Émilie Dupuy", "05 36 25 71 28"),
        "options": [],
        "epreuves": [
            *TERTIARY_GENERAL,
            _pro("E4", "Relation client et négociation-vente", "5", 40, needs_dossier=True),
            _pro("E5", "Relation client à distance et digitalisation", "4", 50),
            _pro("E6", "Relation client et animation de réseaux", "3", 60, needs_dossier=True),
            *OPTIONAL,
        ],
    },
    {
        "code": "management-commercial-operationnel",
        "name": "Management commercial opérationnel",
        "abbreviation": "MCO",
        **_gestionnaire("mco", "M. Laurent Azéma", "05 36 25 71 13"),
        "options": [],
        "epreuves": [
            *TERTIARY_GENERAL,
            {
                "code": "E4",
                "unit_code": "",
                "title": "Relation client et animation de l'offre commerciale",
                "coefficient": "6",
                "order": 40,
                "is_unit": False,
                "is_professional": True,
            },
            _pro(
                "E41",
                "Développement de la relation client et vente conseil",
                "3",
                41,
                parent="E4",
                needs_dossier=True,
            ),
            _pro(
                "E42",
                "Animation et dynamisation de l'offre commerciale",
                "3",
                42,
                parent="E4",
                needs_dossier=True,
            ),
            _pro("E5", "Gestion opérationnelle", "3", 50),
            _pro("E6", "Management de l'équipe commerciale", "3", 60),
            *OPTIONAL,
        ],
    },
    {
        "code": "gestion-de-la-pme",
        "name": "Gestion de la PME",
        "abbreviation": "GPME",
        **_gestionnaire("gpme", "Mme Nathalie Castan", "05 36 25 71 39"),
        "options": [],
        "epreuves": [
            CGE,
            LV1,
            {**CEJM, "coefficient": "6"},
            _pro(
                "E4",
                "Gérer la relation avec les clients et les fournisseurs de la PME",
                "6",
                40,
                needs_dossier=True,
            ),
            _pro("E5", "Gérer le personnel et contribuer à la GRH de la PME", "4", 50),
            _pro("E6", "Soutenir le fonctionnement et le développement de la PME", "6", 60),
            *OPTIONAL,
        ],
    },
]

# --- Demo accounts ------------------------------------------------------------------------------
DEMO_PASSWORD = "demo-Examens-2026"
ADMIN_EMAIL = "admin@demo.examens.fr"
MANAGER = {"email": "responsable@demo.examens.fr", "academie": "nancy-metz"}
GESTIONNAIRE_EMAIL = "gestionnaire.{academie}@demo.examens.fr"
CANDIDATE = {
    "email": "candidat@demo.examens.fr",
    "profile": {
        "birth_name": "DUPONT",
        "usage_name": "",
        "first_name_1": "Camille",
        "first_name_2": "Marie",
        "first_name_3": "",
        "sex": "F",
        "birth_date": (2001, 5, 14),
        "birth_commune": "Nancy",
        "birth_country": "FR",
        "nationality": "FR",
        "address_line1": "12 rue Stanislas",
        "address_line2": "",
        "postcode": "54000",
        "city": "Nancy",
        "country": "FR",
        "departement": "54",
        "mobile_phone": "+33612345678",
        "consent_press": False,
        "consent_commercial": False,
        "consent_local_authorities": False,
    },
}
