"""A dossier's catalogue relations from the catalogue cache's copies in the process (issue 15).

Every page and every save of a dossier reads its session (with its académie and exam) and its
specialty. Joined to the dossier row they made a 96-column, four-table query to compile and turn
into four objects, on every tab and on every save; the catalogue cache (exams.catalogue_cache)
reads the catalogue's version once per request and keeps these rows in the process under it, so a
change of the catalogue shows at the next request. The objects are shared between requests: read
them, never change them. The other relations (option, languages, département) are read when a
page uses them.
"""

from __future__ import annotations

from exams import catalogue

from .models import Dossier


def with_catalogue(dossier: Dossier) -> Dossier:
    """``dossier`` with its session (its académie and exam) and specialty set from the catalogue
    cache; a row the cache cannot find is left to be read when used."""
    session = catalogue.session_row(dossier.session_id)
    if session is not None:
        dossier.session = session
    if dossier.specialty_id:
        specialty = catalogue.specialty_row(dossier.specialty_id)
        if specialty is not None:
            dossier.specialty = specialty
    return dossier
