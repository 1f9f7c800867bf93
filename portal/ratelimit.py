"""Fixed-window counters in the cache (Redis in production), shared by every rate limit."""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, limit: int, window: int) -> bool:
    """Count one event under ``key``; False once more than ``limit`` happened in the window.
    The window starts with the first event (cache.add), so waiting it out always unblocks."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def exhausted(key: str, limit: int) -> bool:
    """True when ``limit`` events were already counted under ``key`` in its current window."""
    return (cache.get(key) or 0) >= limit
