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

Within one request the version is read once, with the first value (issue 15: a wizard save asked
the cache six times, each a round trip and an unpickling of catalogue rows). The values a caller only
reads (``in_process=True``: frozen rules, id sets, catalogue rows never changed by their readers) are
also kept in this process's memory under the version they were read under, and served from there for
the rest of that version to the requests that read it. Every request reads the version afresh, so a
change made on another node shows at the next request, as before; a bump in this process forgets
the request's version at once. Outside a request (a task, a command, a test's own code) every read
asks the cache, as before.
"""

from __future__ import annotations

import logging
import time

from asgiref.local import Local
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

VERSION_KEY = "catalogue:version"
TTL = 300

# The version the current request reads the catalogue under: absent outside a request, None in a
# request that has not read it yet (signals connected in exams.apps).
_request = Local()


class _Copies:
    """This process's copies of values read under one version (the latest this process saw)."""

    def __init__(self, version: int | None = None) -> None:
        self.version = version
        self.values: dict[str, object] = {}


_copies = _Copies()


def request_started(**kwargs) -> None:
    _request.version = None


def request_finished(**kwargs) -> None:
    if hasattr(_request, "version"):
        del _request.version


def _request_version() -> int | None:
    return getattr(_request, "version", None)


def _read_under(current: int) -> None:
    """The request (if any) reads the rest of the catalogue under ``current``."""
    if hasattr(_request, "version"):
        _request.version = current


def _keep(current: int, key: str, value) -> None:
    global _copies
    copies = _copies
    if copies.version != current:
        # Another version: the copies of the one before are of no more use (replaced at once, so a
        # thread reading the old object meanwhile still finds a consistent one).
        copies = _copies = _Copies(current)
    copies.values[key] = value


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
    if hasattr(_request, "version"):
        _request.version = None  # this request's next read takes the new version
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read starts a new one
        pass
    except Exception:
        logger.warning("catalogue cache unavailable: version not bumped", exc_info=True)


def cached(name: str, build, *, vary: str = "", in_process: bool = False):
    """``build()`` cached under the catalogue's version (and ``vary``); built afresh, and not
    cached, when the cache cannot be reached. The value is stored with the version it was built
    under and read together with the current version in one round trip (issue 15: a version read
    and then a value read were two, twelve per wizard save); a value of another version is built
    again, as a versioned key would be missed.

    ``in_process``: the value is also kept in this process (see the module's docstring) and the
    same object is handed to every request that reads it under its version: only for values that
    no caller changes."""
    key = f"catalogue:{name}:{vary}"
    if in_process:
        copies = _copies
        if key in copies.values:
            current = _request_version()
            if current is None and hasattr(_request, "version"):
                # The request's first read, of a value this process holds: the version alone
                # (a small round trip; the value is not unpickled again).
                current = version()
                if current is not None:
                    _read_under(current)
            if current is not None and copies.version == current:
                return copies.values[key]
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
    _read_under(current)
    stored = found.get(key)
    if stored is not None and stored[0] == current:
        if in_process:
            _keep(current, key, stored[1])
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
    if in_process:
        _keep(current, key, value)
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
