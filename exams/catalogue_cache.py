"""The catalogue's version in the shared cache (Redis in production), so pages can cache what they
read of the catalogue under a versioned key (issue 15: the home page's public calendar).

Every save or delete of a catalogue row the public calendar shows (académie, département, exam,
session) bumps the version explicitly (``CatalogueVersioned``, below: the admin, the catalogue
services, the seeds and the tests' factories all save through the model), at once and again when
the transaction commits, so a reader between the write and the commit cannot keep the old rows
under the new version. Cached values also expire after ``TTL`` seconds, which bounds what a write
outside the models (a data migration, ``loaddata``) could leave stale.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "catalogue:version"
TTL = 300


def version() -> int:
    current = cache.get(VERSION_KEY)
    if current is None:
        # A version the cache never held (the key was evicted or Redis restarted): nothing cached
        # under an earlier number can be read back as current.
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        current = cache.get(VERSION_KEY) or 0
    return current


def bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet: the next read starts a new one
        version()


def key(name: str) -> str:
    return f"catalogue:{name}:v{version()}"


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
