"""Pure decisions of the recap's wording (no ORM)."""

from __future__ import annotations


def language_epreuve_title(title: str, *, language: str) -> str:
    """The title of the compulsory language épreuve as this dossier takes it: the candidate's
    language, never the one the catalogue's wording names ("Langue vivante étrangère : anglais"
    for a candidate whose E2 is in Japanese, issue 18 item 7). NM, CF: the candidate chooses the
    language of E2 among those the session opens."""
    if not language:
        return title
    head, sep, _named = title.partition(" : ")
    if sep:
        return f"{head} : {language.lower()}"
    return f"{title} – {language.lower()}"
