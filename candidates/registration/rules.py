"""Pure rules of registration (domain.md §3, §4): plain data in, a French refusal (or None) out.

No ORM here: services call these with values read from the models, and tests table-test them.
Each function cites the notice it comes from (CF, TLS, NM, AM, NT).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

# --- §3 categories ---------------------------------------------------------------------------------

ALLOWED_CATEGORIES = (
    "distance_school",
    "distance_apprentice",
    "distance_continuing",
    "former_school",
    "former_apprentice",
    "former_continuing",
    "work_experience",
)
# Routes a person may pick in the form only to be told where to go instead (CF, NT).
ESTABLISHMENT = "establishment"
VAE = "vae"
FORMER_CATEGORIES = ("former_school", "former_apprentice", "former_continuing")
CONTINUING_CATEGORIES = ("distance_continuing", "former_continuing")


def category_refusal(category: str, accepted: tuple[str, ...] | list[str] | None = None) -> str | None:
    """Why this route cannot register here, or None (CF, NT: a candidate in an establishment
    registers through it; VAE is a separate service). ``accepted`` is the session's list of
    accepted routes (Session.accepted_categories); None accepts every route."""
    if category == ESTABLISHMENT:
        return _(
            "Vous êtes inscrit(e) dans un établissement (lycée, CFA, centre de formation) : c'est votre "
            "établissement qui procède à votre inscription. Adressez-vous à son secrétariat."
        )
    if category == VAE:
        return _(
            "La validation des acquis de l'expérience (VAE) relève d'un service distinct : adressez-vous "
            "au dispositif académique de validation des acquis (DAVA) et non à ce portail."
        )
    if category not in ALLOWED_CATEGORIES:
        return _("Choisissez votre situation dans la liste.")
    if accepted is not None and category not in accepted:
        return _(
            "Cette session n'accepte pas les candidats de cette catégorie : contactez le bureau des examens."
        )
    return None


def previous_number_required(category: str, *, keeps_benefice: bool = False) -> bool:
    """Former candidates give their previous session and candidate number: "IMPERATIVEMENT" (CF).
    Keeping a bénéfice makes the candidate a former candidate, whatever the route (CF: «devront
    IMPERATIVEMENT saisir leur n° de candidat»; TLS likewise)."""
    return category in FORMER_CATEGORIES or keeps_benefice


# --- §3 forme de passage -------------------------------------------------------------------------

GLOBAL = "global"
PROGRESSIVE = "progressive"


# NM 002 l. 39, the default when a session says nothing: ex-scolaires and ex-apprentis global only.
NM_PROGRESSIVE_CATEGORIES = tuple(
    c for c in ALLOWED_CATEGORIES if c not in ("former_school", "former_apprentice")
)


def allowed_formes(category: str, progressive_categories=NM_PROGRESSIVE_CATEGORIES) -> tuple[str, ...]:
    """Who may choose the forme progressive differs by académie, so the session says it
    (Session.progressive_categories): NM distance routes, continuing education and work
    experience; TLS «seuls les candidats de la formation professionnelle continue»; CF «seuls les
    candidats du C.N.E.D. ou de la promotion sociale». Everyone else passes in global form."""
    if category not in ALLOWED_CATEGORIES:
        return ()
    if category in progressive_categories:
        return (GLOBAL, PROGRESSIVE)
    return (GLOBAL,)


def forme_refusal(
    *, category: str, forme: str, previous_forme: str = "", progressive_categories=NM_PROGRESSIVE_CATEGORIES
) -> str | None:
    """Why this forme is refused, or None. The choice is final once made for a specialty (NM, TLS,
    AM «DÉFINITIF dès la première inscription»), so a forme chosen at an earlier session is kept."""
    if previous_forme and forme != previous_forme:
        return _(
            "Vous avez choisi la %(previous)s lors d'une session précédente pour cette spécialité : "
            "ce choix est définitif."
        ) % {"previous": _FORME_LABELS.get(previous_forme, previous_forme)}
    if forme not in (GLOBAL, PROGRESSIVE):
        return _("Choisissez une forme de passage.")
    if forme not in allowed_formes(category, progressive_categories):
        return _(
            "Dans cette session, les candidats de votre catégorie se présentent obligatoirement en forme globale."
        )
    return None


_FORME_LABELS = {GLOBAL: "forme globale", PROGRESSIVE: "forme progressive"}


# --- §4 bénéfices --------------------------------------------------------------------------------

BENEFICE_YEARS = 5
UNITS_ONLY_SINCE_SESSION = 2022
MAITRESSE_EXCEPTION_YEARS = (2019, 2020, 2021)
PASSING_GRADE = Decimal("10")


def add_years(day: dt.date, years: int) -> dt.date:
    """The same date ``years`` later ("date à date"). A 29 February lands on 1 March of a common
    year: the candidate keeps the grade through 28 February, never a day less than five years."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def benefice_expires_on(obtained_on: dt.date) -> dt.date:
    """First day on which the bénéfice no longer exists (CF, NM: "cinq ans, date à date, à compter
    de la date d'obtention")."""
    return add_years(obtained_on, BENEFICE_YEARS)


def benefice_is_valid_on(obtained_on: dt.date, on: dt.date) -> bool:
    return obtained_on <= on < benefice_expires_on(obtained_on)


def benefice_refusal(
    *,
    grade: Decimal | None,
    obtained_on: dt.date | None,
    reference_date: dt.date,
    today: dt.date,
    session_year: int,
    is_unit: bool,
    forme: str,
    handicap: bool | None,
    first_registration_year: int | None,
    renounced_before: bool = False,
) -> tuple[str, str] | None:
    """Why a bénéfice cannot be kept, as (field, message), or None.

    - grade ≥ 10 kept 5 years date to date (CF, TLS, NM, AM; D643-15);
    - below 10 only in progressive form (NM) or with a recognised handicap (TLS, D613-26);
    - since session 2022 only on units, except a candidate first registered in 2019-2021 keeping a
      maîtresse grade obtained before 2022 until it expires (CF, AM);
    - renouncing a bénéfice is final (CF, AM).
    ``reference_date`` is the day the bénéfice must still exist (the session's first written
    épreuve when known). ``handicap`` is None while the handicap question (tab 8) is not answered:
    a grade below 10 is then accepted pending that answer, and checked again once it is given, so
    the order of the tabs never decides the rule.
    """
    if renounced_before:
        return "choice", _(
            "Vous avez renoncé à ce bénéfice lors d'une session précédente : le renoncement est définitif."
        )
    if grade is None:
        return "grade", _("Indiquez la note obtenue.")
    if not Decimal("0") <= grade <= Decimal("20"):
        return "grade", _("La note doit être comprise entre 0 et 20.")
    if obtained_on is None:
        return "obtained_on", _("Indiquez la date d'obtention de la note.")
    if obtained_on > today:
        return "obtained_on", _("La date d'obtention ne peut pas être dans le futur.")
    if not benefice_is_valid_on(obtained_on, reference_date):
        return "obtained_on", _(
            "Ce bénéfice a expiré le %(date)s : une note se conserve cinq ans, date à date."
        ) % {"date": benefice_expires_on(obtained_on).strftime("%d/%m/%Y")}
    if grade < PASSING_GRADE and forme != PROGRESSIVE and handicap is False:
        return "grade", _(
            "Seules les notes égales ou supérieures à 10/20 se conservent, sauf en forme progressive "
            "ou pour un candidat en situation de handicap (article D613-26)."
        )
    if not is_unit and session_year >= UNITS_ONLY_SINCE_SESSION:
        exception = (
            first_registration_year in MAITRESSE_EXCEPTION_YEARS
            and obtained_on.year < UNITS_ONLY_SINCE_SESSION
        )
        if not exception:
            return "choice", _(
                "Depuis la session 2022, les bénéfices ne portent que sur les unités, pas sur une "
                "épreuve maîtresse (sauf candidats inscrits pour la première fois en 2019, 2020 ou 2021)."
            )
    return None


def units_covered_by_kept_maitresse(epreuves: list[tuple[int, int | None]], kept_ids: set[int]) -> set[int]:
    """The units whose épreuve maîtresse is kept as a bénéfice: under the 2019-2021 exception the
    kept mark (E3) is the average of its units (E31, E32), which are then neither taken nor kept
    separately (CF: «le résultat de la moyenne ... des sous-épreuves»). ``epreuves`` are
    (id, parent id) pairs; ``kept_ids`` the épreuves chosen as bénéfice."""
    return {pk for pk, parent in epreuves if parent is not None and parent in kept_ids}


# --- §4 dispenses --------------------------------------------------------------------------------

DISPENSE_DIPLOMAS = ("bts", "dut", "level5")


def dispense_refusal(
    *, is_professional: bool, is_general_culture: bool, dispensable: bool, dispense_diploma: str
) -> str | None:
    """Why a dispense cannot be asked, or None (NM): never on a professional épreuve; CGE for a
    holder of a BTS, DUT or level-5 diploma; other units only where the referential allows it, for
    a holder of a level-5 national diploma."""
    if is_professional:
        return _("Une épreuve professionnelle ne peut jamais faire l'objet d'une dispense.")
    if dispense_diploma not in DISPENSE_DIPLOMAS:
        return _(
            "Une dispense suppose un diplôme national de niveau 5 ou plus (BTS, DUT...) : indiquez-le "
            "dans l'onglet « Situation »."
        )
    if is_general_culture or dispensable:
        return None
    return _("Le référentiel de la spécialité ne prévoit pas de dispense pour cette épreuve.")


# --- §2, §4 languages ----------------------------------------------------------------------------


def optional_language_refusal(*, language_code: str, open_codes: set[str] | frozenset[str]) -> str | None:
    """The optional LV is chosen only from the session's list; the mandatory LV may be any language
    (CF: one not taught in the académie is examined by video or elsewhere)."""
    if language_code and language_code not in open_codes:
        return _("Cette langue n'est pas proposée en épreuve facultative pour cette session.")
    return None


def languages_refusal(*, mandatory_code: str, optional_code: str) -> str | None:
    if mandatory_code and optional_code and mandatory_code == optional_code:
        return _("La langue facultative doit être différente de la langue obligatoire.")
    return None
