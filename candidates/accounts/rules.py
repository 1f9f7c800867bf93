"""Pure rules of the candidate's account and profile (domain.md §5): no ORM, table-tested."""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

import phonenumbers
from phonenumbers import geocoder

# --- Postcode → département ---------------------------------------------------------------------


def departement_from_postcode(postcode: str) -> str | None:
    """The département code of a French postcode, or None when it maps to none (CF, NT:
    "département de résidence", derived rather than typed so it cannot contradict the address).

    Corsica's 20xxx postcodes split into 2A (200xx-201xx, Corse-du-Sud) and 2B (202xx-206xx,
    Haute-Corse); overseas postcodes 971xx-976xx give the three-digit code 971-976. 980xx (Monaco)
    and unknown ranges map to nothing.
    """
    postcode = (postcode or "").strip()
    if not re.fullmatch(r"\d{5}", postcode):
        return None
    head = postcode[:2]
    if head == "00":
        return None
    if head == "20":
        third = int(postcode[2])
        if third in (0, 1):
            return "2A"
        if 2 <= third <= 6:
            return "2B"
        return None
    if head == "97":
        code = postcode[:3]
        return code if "971" <= code <= "976" else None
    if head == "98":
        return None
    if int(head) > 95:
        return None
    return head


# --- E-mail domain typos ------------------------------------------------------------------------

#: The domains most candidates use; a typo close to one of them is suggested (issue 3 item 7).
COMMON_EMAIL_DOMAINS = (
    "gmail.com",
    "hotmail.fr",
    "hotmail.com",
    "outlook.fr",
    "outlook.com",
    "live.fr",
    "yahoo.fr",
    "yahoo.com",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "sfr.fr",
    "laposte.net",
    "icloud.com",
    "protonmail.com",
    "proton.me",
    "bbox.fr",
    "neuf.fr",
    "aol.com",
    "gmx.fr",
)

#: Frequent typos of the top-level part, fixed before comparing with the list.
_TLD_TYPOS = {"con": "com", "cmo": "com", "ocm": "com", "vom": "com", "comm": "com", "rf": "fr", "frr": "fr"}


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment): a swap of two letters counts as one edit,
    which is the most common typo ("gmial")."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[-1][-1]


def suggest_email(email: str) -> str | None:
    """A corrected address when the domain looks like a typo of a common one ("gmial.com" →
    "gmail.com"), else None. Only a suggestion: the candidate may keep what they typed."""
    email = (email or "").strip().lower()
    local, sep, domain = email.rpartition("@")
    if not sep or not local or not domain:
        return None
    if domain in COMMON_EMAIL_DOMAINS:
        return None
    name, dot, tld = domain.rpartition(".")
    if dot and tld in _TLD_TYPOS:
        domain = f"{name}.{_TLD_TYPOS[tld]}"
    elif not dot and domain + ".com" in COMMON_EMAIL_DOMAINS:
        return f"{local}@{domain}.com"
    if domain in COMMON_EMAIL_DOMAINS:
        return f"{local}@{domain}"
    best, best_distance = None, 3
    for candidate in COMMON_EMAIL_DOMAINS:
        distance = _distance(domain, candidate)
        # Short domains ("sfr.fr") tolerate one edit only, otherwise "ffr.fr" and "free.fr" clash.
        limit = 1 if len(candidate) <= 7 else 2
        if distance <= limit and distance < best_distance:
            best, best_distance = candidate, distance
    return f"{local}@{best}" if best else None


# --- Names --------------------------------------------------------------------------------------


def collapse_spaces(value: str) -> str:
    """Trim and collapse runs of white space (a pasted "  Jean   Pierre " becomes "Jean Pierre")."""
    return " ".join((value or "").split())


def normalise_birth_name(value: str) -> str:
    """The birth name in capitals, as on the identity document (NT), spaces collapsed."""
    return collapse_spaces(value).upper()


def normalise_usage_name(value: str) -> str:
    return collapse_spaces(value).upper()


def normalise_first_name(value: str) -> str:
    """First names keep the candidate's capitalisation (accents and "Marie-Ève" must survive);
    only an all-lower or all-upper entry is title-cased."""
    value = collapse_spaces(value)
    if value and (value.islower() or value.isupper()):
        value = "-".join(part.capitalize() for part in value.split("-"))
        value = " ".join(word[:1].upper() + word[1:] for word in value.split(" "))
    return value


# --- Birth date ---------------------------------------------------------------------------------

MIN_AGE = 14
MAX_AGE = 100


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def birth_date_error(birth_date: dt.date, today: dt.date) -> str | None:
    """None when the birth date is plausible for a BTS candidate, else the French reason."""
    if birth_date > today:
        return "La date de naissance ne peut pas être dans le futur."
    age = age_on(birth_date, today)
    if age < MIN_AGE:
        return f"La date de naissance indique moins de {MIN_AGE} ans : vérifiez l'année."
    if age > MAX_AGE:
        return f"La date de naissance indique plus de {MAX_AGE} ans : vérifiez l'année."
    return None


# --- Mobile phone -------------------------------------------------------------------------------

_MOBILE_TYPES = {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalise_mobile_phone(raw: str, default_region: str = "FR") -> str:
    """The number in E.164 ("+33612345678") when it is a valid mobile number (CF: "téléphone
    portable obligatoire"), French (06, 07) or international with its +prefix. Raises ValueError
    with the French reason otherwise."""
    raw = (raw or "").strip()
    if not raw:
        raise ValueError("Indiquez un numéro de téléphone mobile.")
    try:
        number = phonenumbers.parse(raw, default_region or "FR")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(
            "Ce numéro n'est pas reconnu. Exemple : 06 12 34 56 78 ou +32 470 12 34 56."
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Ce numéro de téléphone n'existe pas : vérifiez les chiffres.")
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        raise ValueError("Indiquez un numéro de téléphone mobile (06 ou 07 en France), pas un fixe.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_for_display(e164: str) -> str:
    """ "+33612345678" → "06 12 34 56 78"; a foreign number keeps its international form."""
    try:
        number = phonenumbers.parse(e164, "FR")
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 33
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


# --- Countries ----------------------------------------------------------------------------------

_EXTRA_COUNTRY_NAMES = {"XK": "Kosovo"}
_SKIPPED_REGIONS = {"AC", "TA", "001"}


@cache
def country_choices() -> tuple[tuple[str, str], ...]:
    """ISO 3166 alpha-2 codes with their French names, France first then alphabetical. The names
    come from phonenumbers' bundled French locale data, so no further dependency is needed."""
    names: dict[str, str] = {}
    for code in phonenumbers.SUPPORTED_REGIONS:
        if code in _SKIPPED_REGIONS:
            continue
        names[code] = geocoder._region_display_name(code, "fr", None, None) or _EXTRA_COUNTRY_NAMES.get(
            code, code
        )
    import unicodedata

    def sort_key(item: tuple[str, str]) -> str:
        return unicodedata.normalize("NFKD", item[1]).encode("ascii", "ignore").decode().lower()

    others = sorted(((c, n) for c, n in names.items() if c != "FR"), key=sort_key)
    return (("FR", names.get("FR", "France")), *others)


def country_name(code: str) -> str:
    return dict(country_choices()).get(code, code)
