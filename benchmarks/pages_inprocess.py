"""Candidate pages against the ceiling view in one process (issue 15): CPU per request of the
Django process plus its PostgreSQL backend, through Django's test client, with the settings of
production (DEBUG off, Redis cache, the manifest static storage). Lighter than `make bench` on a
shared machine and steadier (no HTTP, no wrk, the two views interleaved in one process), so it is
the A/B tool for a page's code; `make bench` stays the figure of record.

    python benchmarks/pages_inprocess.py setup            # database + candidates, once (~1-2 min)
    python benchmarks/pages_inprocess.py measure [page…]  # × ceiling per page
    python benchmarks/pages_inprocess.py profile <page> [n]  # cProfile of n requests

    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432  BENCH_INPROC_DB=bench_inproc (dropped by setup)
    BENCH_REDIS=redis://127.0.0.1:6379  BENCH_REDIS_DB=9 (the cache; flushed by setup)
    BENCH_INPROC_DIR=/tmp/portal-bench-inproc (files, PDFs, the signing key, static files)
    BENCH_ROUNDS=7  BENCH_BATCH=20 (requests per batch; batches of the ceiling and the page alternate)

The data is the rush's (benchmarks/rush.py): the demo catalogue (seed_demo), candidates who went
through the profile and the nine tabs, some registered, signed, with two pieces deposited and
locked, as the pages part of `make bench` has them.
"""

from __future__ import annotations

import io
import os
import re
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BENCH_INPROC_DB", "bench_inproc")
REDIS = f"{os.environ.get('BENCH_REDIS', 'redis://127.0.0.1:6379')}/{os.environ.get('BENCH_REDIS_DB', '9')}"
WORKDIR = Path(os.environ.get("BENCH_INPROC_DIR", "/tmp/portal-bench-inproc"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 7))
BATCH = int(os.environ.get("BENCH_BATCH", 20))
PASSWORD = "Rush-du-dernier-soir-2026"
CANDIDATES = 12  # signed, deposited and locked (the bench's "users")
DRAFTS = 6  # through the tabs only (the Épreuves tab, the POST)
FORM = "application/x-www-form-urlencoded"


def _environment(*, production: bool) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DATABASE_URL=f"{PG}/{DB}",
        DATA_DIR=str(WORKDIR / "data"),
        SIGNING_CERT_PATH=str(WORKDIR / "data" / "keys" / "signing.p12"),
        SIGNING_CERT_PASSWORD="",
        STATIC_ROOT=str(WORKDIR / "static"),
        BENCH_VIEWS="true",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("TEST_DATABASE_NAME", None)
    if production:
        # As gunicorn runs in compose (benchmarks/stack.py): DEBUG off, the shared cache. No upload
        # is measured here, so clamd is never asked.
        os.environ.update(
            DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            SECURE_SSL_REDIRECT="false",
            SECURE_HSTS_SECONDS="0",
            REDIS_URL=REDIS,
            CLAMD_URL="tcp://127.0.0.1:9",
        )
    else:
        # The data is made with eager tasks (recaps rendered, uploads checked in this process).
        os.environ.update(DEBUG="true")
        os.environ.pop("REDIS_URL", None)
        os.environ.pop("CLAMD_URL", None)
    import django

    django.setup()


class _Page:
    """What benchmarks/client.fill reads of a page."""

    def __init__(self, response, url: str) -> None:
        self.text = response.content.decode()
        self.url = url
        self.status = response.status_code


def _get(client, url: str) -> _Page:
    response = client.get(url, follow=True)
    final = response.redirect_chain[-1][0] if response.redirect_chain else url
    assert response.status_code == 200, (url, response.status_code)
    return _Page(response, final)


def _submit(client, page: _Page, overrides=None, *, match: str = "", what: str = "", files=None) -> _Page:
    from client import fill

    action, pairs = fill(page, overrides, match=match)
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    if files:
        data.update(files)
    response = client.post(action, data)
    if response.status_code not in (302, 303):
        errors = re.findall(r"invalid-feedback[^>]*>(.*?)</div", response.content.decode(), re.S)
        raise RuntimeError(f"{what}: {response.status_code} {errors[:3]}")
    return _get(client, response["Location"])


def _blobs() -> list[tuple[str, bytes, str]]:
    """The rush's two files (a phone photo of the identity card, a PDF), made once."""
    if not hasattr(_blobs, "made"):
        from rush import phone_jpeg, small_pdf

        _blobs.made = [
            ("piece-identite.jpg", phone_jpeg(1600, 1200), "image/jpeg"),
            ("attestation.pdf", small_pdf(), "application/pdf"),
        ]
    return _blobs.made


def _journey(index: int, *, until: str) -> int:
    """One candidate as benchmarks/rush.py drives one (the account made active directly: the
    activation e-mail is not what is measured here). Returns the dossier id."""
    from client import forms_of
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from candidates.models import User

    email = f"inproc-{until}-{index}@example.org"
    user = User.objects.create_user(email, PASSWORD, is_active=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = _get(client, "/mon-espace/profil/modifier/")
    _submit(
        client,
        page,
        {
            "birth_name": "Rush",
            "first_name_1": "Camille",
            "sex": "F",
            "birth_date": "2001-05-14",
            "birth_commune": "Nancy",
            "address_line1": "12 rue Stanislas",
            "postcode": "54000",
            "city": "Nancy",
            "mobile_phone": "06 12 34 56 78",
            "consent_press": "false",
            "consent_commercial": "false",
            "consent_local_authorities": "true",
        },
        what="profile",
    )
    page = _submit(client, _get(client, "/inscription/"), {"session": "__first__"}, what="start")
    dossier_id = int(re.search(r"/inscription/(\d+)/", page.url).group(1))
    tabs = [
        ("identite", {}),
        ("contact", {}),
        ("situation", {"category": "distance_school", "access_diploma": "Baccalauréat STI2D 2022"}),
        ("specialite", {"specialty": "__first__", "forme": "global"}),
        ("epreuves", {}),
        ("langues", {"mandatory_language": "__first__"}),
        ("handicap", {}),
    ]
    for tab, overrides in tabs:
        if f"/{tab}/" not in page.url:
            page = _get(client, f"/inscription/{dossier_id}/{tab}/")
        page = _submit(client, page, overrides, what=f"tab {tab}")
    if until == "tabs":
        return dossier_id
    if "/conditions/" not in page.url:
        page = _get(client, f"/inscription/{dossier_id}/conditions/")
    _submit(client, page, {"certify": "on"}, what="register")
    page = _get(client, f"/mes-documents/dossier/{dossier_id}/signer/")
    _submit(client, page, {"password": PASSWORD, "certify": "on"}, what="sign")
    page = _get(client, f"/mes-justificatifs/{dossier_id}/")
    codes = list(dict.fromkeys(re.findall(rf"/mes-justificatifs/{dossier_id}/deposer/([\w-]+)/", page.text)))
    blobs = _blobs()
    for code, (name, data, content_type) in zip(codes, blobs, strict=False):
        form = next(f for f in forms_of(page.text) if f"/deposer/{code}/" in f.action)
        upload = SimpleUploadedFile(name, data, content_type=content_type)
        fields = form.values()
        fields[form.files[0]] = upload
        response = client.post(form.action, fields)
        assert response.status_code in (302, 303), (code, response.status_code)
        page = _get(client, response["Location"])
    page = _get(client, f"/mes-justificatifs/{dossier_id}/")
    _submit(client, page, match="verrouiller", what="lock")
    return dossier_id


def setup() -> None:
    import psycopg
    import redis

    redis.Redis.from_url(REDIS).flushdb()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB}"')
    _environment(production=False)
    from django.core.management import call_command

    started = time.monotonic()
    call_command("migrate", verbosity=0, interactive=False)
    call_command("seed_demo", verbosity=0)
    call_command("ensure_signing_certificate", verbosity=0)
    for i in range(CANDIDATES):
        _journey(i, until="lock")
    for i in range(DRAFTS):
        _journey(i, until="tabs")
    print(f"set up in {time.monotonic() - started:.0f} s: {CANDIDATES} locked dossiers, {DRAFTS} drafts")


def _collectstatic() -> None:
    if not (WORKDIR / "static" / "staticfiles.json").exists():
        from django.core.management import call_command

        call_command("collectstatic", verbosity=0, interactive=False)


def _clients():
    """A logged-in client per candidate (their session in the cache, as in production)."""
    from django.test import Client

    from candidates.models import Dossier, DossierState

    clients = {}
    for dossier in Dossier.objects.select_related("candidate").order_by("pk"):
        client = Client()
        client.force_login(dossier.candidate)
        clients[dossier.pk] = (client, dossier)
    locked = [(c, d) for c, d in clients.values() if d.state != DossierState.DRAFT]
    drafts = [(c, d) for c, d in clients.values() if d.state == DossierState.DRAFT]
    return locked, drafts


def _post_situation(client, dossier_id: int):
    from client import fill

    page = _get(client, f"/inscription/{dossier_id}/situation/")
    action, pairs = fill(page)
    data: dict[str, list[str]] = {}
    for key, value in pairs:
        data.setdefault(key, []).append(value)
    return action, data


def pages() -> dict:
    """name -> list of zero-argument callables, each one request (cycled over the candidates)."""
    from candidates.models import Dossier

    locked, drafts = _clients()
    anonymous = __import__("django.test", fromlist=["Client"]).Client()
    first = Dossier.objects.select_related("session", "specialty").get(pk=locked[0][1].pk)
    simulator = "/simulateur/?" + urlencode(
        {
            "session": first.session.code,
            "category": first.category,
            "specialty": first.specialty.code,
            "nationality": "FR",
            "birth_date": "2001-05-14",
        }
    )
    posts = []
    for client, dossier in drafts:
        action, data = _post_situation(client, dossier.pk)
        # With the CSRF check on, as a browser posts (the token of the page just read).
        posts.append((client, action, data))

    def get(client, url, **extra):
        def call():
            response = client.get(url, **extra)
            assert response.status_code == 200, (url, response.status_code)

        return call

    def post(client, action, data):
        def call():
            # Form-encoded, as a browser posts a form without a file (and as make bench's wrk).
            response = client.post(action, urlencode(data, doseq=True), content_type=FORM)
            assert response.status_code == 302, (action, response.status_code)
            # As wrk sends the same cookies every time: the "Onglet enregistré" message set by
            # this answer is not carried into the next request.
            client.cookies.pop("messages", None)

        return call

    return {
        "plafond": [get(c, "/_bench/plafond/") for c, _d in locked],
        "home (anonyme)": [get(anonymous, "/")],
        "/mon-espace/": [get(c, "/mon-espace/") for c, _d in locked],
        "onglet Épreuves GET": [get(c, f"/inscription/{d.pk}/epreuves/") for c, d in drafts],
        "/mes-justificatifs/<id>/": [get(c, f"/mes-justificatifs/{d.pk}/") for c, d in locked],
        "/mes-documents/": [get(c, "/mes-documents/") for c, _d in locked],
        "/mes-messages/": [get(c, "/mes-messages/") for c, _d in locked],
        "simulateur JSON": [get(anonymous, simulator, HTTP_ACCEPT="application/json")],
        "onglet POST (identique)": [post(*p) for p in posts],
    }


def _backend_cpu() -> float:
    """CPU seconds of this process's PostgreSQL backend (read from /proc, as the bench does)."""
    from django.db import connection
    from stack import cpu_seconds

    connection.ensure_connection()
    pid = getattr(_backend_cpu, "pid", None)
    if pid is None or getattr(_backend_cpu, "conn", None) is not connection.connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        _backend_cpu.pid, _backend_cpu.conn = pid, connection.connection
    return cpu_seconds(pid)


def _batch(calls, n: int) -> float:
    """CPU ms per request of n requests (this process + its PostgreSQL backend)."""
    _backend_cpu()
    t0, b0 = time.process_time(), _backend_cpu()
    for i in range(n):
        calls[i % len(calls)]()
    django_ms, pg_ms = (time.process_time() - t0) * 1000 / n, (_backend_cpu() - b0) * 1000 / n
    if os.environ.get("BENCH_SPLIT"):
        print(f"   {django_ms:6.1f} ms Django + {pg_ms:5.1f} ms PostgreSQL")
    return django_ms + pg_ms


def measure(names: list[str]) -> dict:
    _environment(production=True)
    _collectstatic()
    every = pages()
    ceiling = every.pop("plafond")
    chosen = names or list(every)
    results = {}
    print(f"load average {os.getloadavg()[0]:.1f}; {ROUNDS} rounds of {BATCH} requests, interleaved")
    for name in chosen:
        calls = every[name]
        for call in (*ceiling, *calls):  # warm-up: templates compiled, caches filled
            call()
        ratios, page_ms, ceiling_ms = [], [], []
        for _round in range(ROUNDS):
            c = _batch(ceiling, BATCH)
            p = _batch(calls, BATCH)
            ceiling_ms.append(c)
            page_ms.append(p)
            ratios.append(p / c)
        results[name] = {
            "cpu_ms": round(statistics.median(page_ms), 2),
            "ceiling_ms": round(statistics.median(ceiling_ms), 2),
            "cpu_ratio": round(statistics.median(ratios), 2),
            "cpu_ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
        }
        r = results[name]
        print(
            f"{name:28s} {r['cpu_ms']:6.1f} ms/req   ceiling {r['ceiling_ms']:5.1f} ms   "
            f"{r['cpu_ratio']:5.2f}× ({r['cpu_ratio_range'][0]:.2f}–{r['cpu_ratio_range'][1]:.2f})",
            flush=True,
        )
    print(f"load average {os.getloadavg()[0]:.1f}")
    return results


def profile(name: str, n: int) -> None:
    import cProfile
    import pstats

    _environment(production=True)
    _collectstatic()
    calls = pages()[name]
    for call in calls:
        call()
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for i in range(n):
        calls[i % len(calls)]()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
    stats.print_stats(int(os.environ.get("LINES", 60)))
    stats.sort_stats("tottime").print_stats(30)
    print(out.getvalue())
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        calls[0]()
    print(f"{len(queries)} queries:")
    for q in queries.captured_queries:
        print("  ", q["sql"][:300])


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "measure"
    if command == "setup":
        setup()
    elif command == "measure":
        measure(sys.argv[2:])
    elif command == "profile":
        profile(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 30)
    else:
        sys.exit(__doc__)
