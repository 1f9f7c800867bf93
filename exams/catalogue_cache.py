"""The catalogue's version in the shared cache (Redis in production), so pages can cache what they
read of the catalogue under that version (issue 15: the home page's public calendar): each value
is stored with the version it was built under and is current only while that version is.

Every save or delete of a catalogue row (académie, département, exam, session, language,
specialty, option, opening, épreuve, piece rule) bumps the version explicitly
(``CatalogueVersioned``, below: the admin, the catalogue services, the seeds and the tests'
factories all save through the model), at once and again when the transaction commits, so a reader
between the write and the commit cannot keep the old rows under the new version. A many-to-many
change (a session's languages, an opening's options, a piece rule's specialties) saves no row of
the model: ``bump_on_m2m_change`` is connected to those relations (exams.apps, documents.apps),
whoever changes them (the admin's save_related, a service, a test). Cached values also expire after ``TTL`` seconds, which bounds what a write
outside the models (a data migration, ``loaddata``) could leave stale.

Redis away (issue 17) never breaks a page or a save: reads then go to the database, and a bump that
cannot reach the cache is logged (the cache is gone, and what it held with it).
"""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
TTL = 300


def version() -> int | None:
    """The current version, or None when the cache cannot be reached."""
    try:
        current = cache.get(VERSION_KEY)
        if current is None:
            # A version the cache never held (the key was evicted or Redis restarted): nothing
            # cached under an earlier number can be read back as current.
            cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
            current = cache.get(VERSION_KEY)
    except Exception:  # Redis away: the callers read the database
        logger.warning("catalogue cache unavailable", exc_info=True)
        return None
    return current


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read starts a new one
        pass
    except Exception:
        logger.warning("catalogue cache unavailable: version not bumped", exc_info=True)


def cached(name: str, build, *, vary: str = ""):
    """``build()`` cached under the catalogue's version (and ``vary``); built afresh, and not
    cached, when the cache cannot be reached. The value is stored with the version it was built
    under and read together with the current version in one round trip (issue 15: a version read
    and then a value read were two, twelve per wizard save); a value of another version is built
    again, as a versioned key would be missed."""
    key = f"catalogue:{name}:{vary}"
    try:
        found = cache.get_many([VERSION_KEY, key])
    except Exception:  # Redis away: the callers read the database
        logger.warning("catalogue cache unavailable", exc_info=True)
        return build()
    current = found.get(VERSION_KEY)
    if current is None:
        current = version()  # starts a version the cache never held
        if current is None:
            return build()
    stored = found.get(key)
    if stored is not None and stored[0] == current:
        return stored[1]
    value = build()
    if value is None:
        # Nothing found is not kept (as before): the keys stay those of the catalogue's rows,
        # whatever codes a request asks for.
        return value
    try:
        cache.set(key, (current, value), TTL)
    except Exception:
        logger.warning("catalogue cache unavailable", exc_info=True)
    return value


def bump_on_m2m_change(sender, action: str, **kwargs) -> None:
    """m2m_changed receiver of the catalogue's many-to-many relations."""
    if action in ("post_add", "post_remove", "post_clear"):
        bump()
        transaction.on_commit(bump)


class CatalogueVersioned:
    """Mixed into the catalogue's models: a write changes the catalogue's version."""

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        bump()
        transaction.on_commit(bump)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        bump()
        transaction.on_commit(bump)
        return result
