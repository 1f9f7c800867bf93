"""Fixed-window counters in the cache (Redis in production), shared by every rate limit.

When the cache is unreachable the limits fail open to a counter in this process (issue 17: with
Redis down, sign-up, password reset, a new activation link and the recap's signature answered
500): still a limit per address and per IP, only not shared between the web processes, for the
minutes Redis is away.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

_local_lock = threading.Lock()
_local: dict[str, tuple[float, int]] = {}  # key -> (window end, count)
_LOCAL_MAX_KEYS = 10_000


def _local_hit(key: str, window: int) -> int:
    now = time.monotonic()
    with _local_lock:
        if len(_local) > _LOCAL_MAX_KEYS:
            for stale in [k for k, (end, _c) in _local.items() if end <= now]:
                del _local[stale]
        end, count = _local.get(key, (0.0, 0))
        if end <= now:
            end, count = now + window, 0
        count += 1
        _local[key] = (end, count)
        return count


def _local_count(key: str) -> int:
    with _local_lock:
        end, count = _local.get(key, (0.0, 0))
        return count if end > time.monotonic() else 0


def hit(key: str, limit: int, window: int) -> bool:
    """Count one event under ``key``; False once more than ``limit`` happened in the window.
    The window starts with the first event (cache.add), so waiting it out always unblocks."""
    try:
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)
            count = 1
    except Exception:
        logger.warning("Cache unavailable: rate limit %s counted in this process.", key, exc_info=True)
        count = _local_hit(key, window)
    return count <= limit


def exhausted(key: str, limit: int) -> bool:
    """True when ``limit`` events were already counted under ``key`` in its current window."""
    try:
        return (cache.get(key) or 0) >= limit
    except Exception:
        logger.warning("Cache unavailable: rate limit %s read from this process.", key, exc_info=True)
        return _local_count(key) >= limit
