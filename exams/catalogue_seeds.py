"""What each académie's notice says about its session, as plain data (no ORM): route rules, R408
list, aménagement channel and the gestionnaire contacts. Loaded by exams.catalogue.session_apply_notice
(seed_demo) and copied from year to year by the roll-over; docs/catalogue.md cites each line.

Notices (/work/shared/seeds): CF = 000 (Clermont-Ferrand 2024), TLS = 001 (Toulouse 2024),
NM = 002 (Nancy-Metz 2025), AM = 003 (Aix-Marseille 2023), NT = 004 (Nantes 2024).
National rules (JDC, professional épreuves never dispensed, five-year bénéfice) are not here: they
are code (documents.pieces.rules.NATIONAL_RULES, candidates rules) that no académie can switch off.
"""

from __future__ import annotations

DISTANCE = ["distance_school", "distance_apprentice", "distance_continuing"]
ALL_ROUTES = [*DISTANCE, "former_school", "former_apprentice", "former_continuing", "work_experience"]
# NM 002 l. 39: «voie scolaire ou ... apprentissage présentent obligatoirement l'examen sous la forme
# globale»; continuing education, distance (any status) and work experience choose.
NM_PROGRESSIVE = [
    "distance_school",
    "distance_apprentice",
    "distance_continuing",
    "former_continuing",
    "work_experience",
]

# The CF table (000 l. 255-269): annexe 4 / annexe 5 per specialty.
CF_R408 = {
    "architectures-en-metal-conception-et-realisation": (True, True),
    "batiment": (False, True),
    "enveloppe-des-batiments-conception-et-realisation": (False, True),
    "finitions-amenagement-des-batiments-conception-et-realisation": (True, False),
    "fluides-energies-domotique": (False, True),
    "management-economique-de-la-construction": (False, True),
    "systemes-constructifs-bois-et-habitat": (True, True),
    "travaux-publics": (False, True),
}


def _r408(*codes: str) -> dict[str, tuple[bool, bool]]:
    """A notice that lists the specialties without the annexes: the annexes of the CF table
    (the national arrêté of 13 July 2023 it quotes), annexe 5 for one the CF table lacks."""
    return {code: CF_R408.get(code, (False, True)) for code in codes}


NOTICE_CONFIGURATION: dict[str, dict] = {
    "clermont-ferrand": {
        # 000 l. 184: «Seuls les candidats du C.N.E.D. ou de la promotion sociale ont le choix».
        "progressive_categories": [*DISTANCE, "former_continuing"],
        "accepted_categories": ALL_ROUTES,
        "r408": CF_R408,
        # 000 l. 317-318, 321-323: the académie's form, sent to the CDAPH doctor by the closing day.
        "handicap_request_channel": (
            "Constituez la demande d'aménagement à l'aide du dossier académique téléchargeable sur "
            "www.ac-clermont.fr (Examens – BTS – Aménagements des épreuves d'examens) et transmettez-la "
            "au médecin désigné par la CDAPH au plus tard à la date limite d'inscription."
        ),
        "handicap_request_url": "https://www.ac-clermont.fr",
        "handicap_request_address": "",
    },
    "toulouse": {
        # 001 l. 123: «Seuls les candidats de la formation professionnelle continue ont le choix».
        "progressive_categories": ["distance_continuing", "former_continuing"],
        "accepted_categories": ALL_ROUTES,
        # 001 l. 206 (annexe 1, attestations spécifiques 2).
        "r408": _r408(
            "architectures-en-metal-conception-et-realisation",
            "batiment",
            "enveloppe-des-batiments-conception-et-realisation",
            "fluides-energies-domotique",
            "systemes-constructifs-bois-et-habitat",
            "travaux-publics",
        ),
        # 001 l. 127, 135: to the CDAPH doctor by the closing day, «par voie postale uniquement».
        "handicap_request_channel": (
            "La demande d'aménagement d'épreuves se transmet par voie postale uniquement au médecin "
            "désigné par la CDAPH, au plus tard à la date limite d'inscription."
        ),
        "handicap_request_url": "",
        "handicap_request_address": "Médecin désigné par la CDAPH de votre département (adresse sur www.ac-toulouse.fr)",
    },
    "nancy-metz": {
        "progressive_categories": NM_PROGRESSIVE,
        "accepted_categories": ALL_ROUTES,
        # 002 l. 118.
        "r408": _r408(
            "architectures-en-metal-conception-et-realisation",
            "batiment",
            "enveloppe-des-batiments-conception-et-realisation",
            "management-economique-de-la-construction",
            "fluides-energies-domotique",
            "systemes-constructifs-bois-et-habitat",
            "travaux-publics",
        ),
        # 002 l. 80-84: the INCLUSCOL portal, from 14 October to 8 December 2024.
        "handicap_request_channel": (
            "Adressez votre demande via le portail INCLUSCOL et cochez « Aménagement d'épreuve demandé "
            "au titre du handicap » dans votre inscription."
        ),
        "handicap_request_url": "https://www.ac-nancy-metz.fr/demande-d-amenagements-d-epreuves-122438",
        "handicap_request_address": "",
    },
    "aix-marseille": {
        # 003 l. 77, 88: the choice exists and is final; the notice does not say who: the national
        # regulation, as NM states it (002 l. 39).
        "progressive_categories": NM_PROGRESSIVE,
        "accepted_categories": ALL_ROUTES,
        # 003 l. 154, 160, 166: «Bâtiment, CM, EB, EEC, FED, SCBH, TP» (CM: the metal structures BTS,
        # EEC: économie de la construction).
        "r408": _r408(
            "batiment",
            "architectures-en-metal-conception-et-realisation",
            "enveloppe-des-batiments-conception-et-realisation",
            "management-economique-de-la-construction",
            "fluides-energies-domotique",
            "systemes-constructifs-bois-et-habitat",
            "travaux-publics",
        ),
        # 003 l. 130: «saisies en ligne par le biais de l'application AMEX».
        "handicap_request_channel": "Saisissez votre demande en ligne dans l'application AMEX du rectorat.",
        "handicap_request_url": "https://appli.ac-aix-marseille.fr/amex/",
        "handicap_request_address": "",
    },
    "nantes": {
        # 004: no rule on the forme: the national regulation (002 l. 39).
        "progressive_categories": NM_PROGRESSIVE,
        "accepted_categories": ALL_ROUTES,
        # 004 has no R408 list: the CF table (domain.md §6).
        "r408": CF_R408,
        # 004 l. 84-92: the académie's page; an aménagement granted last session is renewed.
        "handicap_request_channel": (
            "Consultez la page « Aménagements d'épreuves » du site académique. Un candidat ajourné qui "
            "se représente garde l'aménagement accordé (cochez « Handicap : OUI »)."
        ),
        "handicap_request_url": "https://www.ac-nantes.fr/amenagement-d-epreuves-handicap-incapacite-temporaire-121583",
        "handicap_request_address": "",
    },
}

# An académie without a notice here (Martinique...) starts from the national regulation and the
# CF R408 table; its managers edit the rest.
DEFAULT_CONFIGURATION: dict = {
    "progressive_categories": NM_PROGRESSIVE,
    "accepted_categories": ALL_ROUTES,
    "r408": CF_R408,
    "handicap_request_channel": "",
    "handicap_request_url": "",
    "handicap_request_address": "",
}


def configuration_for(academie_code: str) -> dict:
    return NOTICE_CONFIGURATION.get(academie_code, DEFAULT_CONFIGURATION)
