"""Pure: the identity key under which dossiers of one session are compared for duplicates (issue 14)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata


def identity_key(birth_name: str, first_name: str, birth_date: dt.date | None) -> str:
    """The key under which two dossiers of one session are flagged as the same person (issue 14):
    birth name, first name and birth date, without accents, case, spaces, hyphens or apostrophes
    ("Éloïse D'ARCY-LEFÈVRE" = "eloise darcy lefevre"). "" while the identity is incomplete:
    nothing to compare. Flagging never blocks: the gestionnaire decides."""
    if not (birth_name or "").strip() or not (first_name or "").strip() or birth_date is None:
        return ""

    def fold(text: str) -> str:
        text = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
        return re.sub(r"[^a-z0-9]+", "", text.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss"))

    return f"{fold(birth_name)}|{fold(first_name)}|{birth_date.isoformat()}"
