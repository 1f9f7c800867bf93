"""What production settings must hold before the portal serves anyone: a secret key nobody else
knows and a cache shared by every process. Plain functions of plain values, so settings.py (at
import, before Django is set up) and the system checks (`check --deploy`) ask the same questions."""

from __future__ import annotations

from pathlib import Path

# Keys that are public: they are in this repository. The example's is re-read from the file so the
# two can never drift apart (a test checks it is refused).
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
EXAMPLE_SECRET_KEY = "change-me-to-a-long-random-value-of-at-least-forty-characters"
MIN_SECRET_KEY_LENGTH = 40
# secrets.token_urlsafe(50) has about 40 distinct characters; a key typed by hand or a repeated
# pattern has few. Django's own check asks for 5; 20 still leaves room for any generated key.
MIN_SECRET_KEY_DISTINCT = 20
_PUBLIC_MARKERS = ("change-me", "changeme", "insecure", "do-not-use", "example", "secret-key")

KEY_HINT = "python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def _example_file_keys(base_dir: Path) -> set[str]:
    keys = set()
    example = base_dir / ".env.example"
    if example.exists():
        for line in example.read_text(encoding="utf-8").splitlines():
            name, _, value = line.partition("=")
            if name.strip() == "SECRET_KEY" and value.strip():
                keys.add(value.strip())
    return keys


def secret_key_problem(key: str, *, base_dir: Path | None = None) -> str | None:
    """Why ``key`` must not sign production links (activation, reset, e-mail change, sessions), or
    None. Anyone holding the key forges those links for any account (user ids are sequential)."""
    public = {DEV_SECRET_KEY, EXAMPLE_SECRET_KEY}
    if base_dir is not None:
        public |= _example_file_keys(base_dir)
    if not key:
        return f"SECRET_KEY must be set when DEBUG is off ({KEY_HINT})."
    if key in public:
        return (
            "SECRET_KEY must be set to a long random value of your own when DEBUG is off: the one "
            f"configured is published in this repository (.env.example or the development default). {KEY_HINT}"
        )
    lowered = key.lower()
    if any(marker in lowered for marker in _PUBLIC_MARKERS):
        return f"SECRET_KEY must be set to a random value, not a placeholder ({KEY_HINT})."
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return (
            f"SECRET_KEY must be set to at least {MIN_SECRET_KEY_LENGTH} random characters "
            f"(it has {len(key)}). {KEY_HINT}"
        )
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT:
        return (
            f"SECRET_KEY must be set to a random value: it uses only {len(set(key))} distinct characters "
            f"(at least {MIN_SECRET_KEY_DISTINCT} expected). {KEY_HINT}"
        )
    return None


def shared_cache_problem(caches: dict) -> str | None:
    """Rate limits (account e-mails, e-mail change, uploads) count in the default cache; a
    per-process cache lets gunicorn's three workers each count on their own (9 reset e-mails
    instead of 3), so production needs a shared one (Redis)."""
    backend = caches.get("default", {}).get("BACKEND", "")
    if backend.endswith(("LocMemCache", "DummyCache")):
        return (
            "REDIS_URL must be set when DEBUG is off: rate limits need a cache shared by every web "
            "process (the local-memory cache counts per process, so each gunicorn worker would allow "
            "the limit again)."
        )
    return None
