"""`make bench`: the portal on the machine's PostgreSQL and Redis, gunicorn and real Celery workers as
docker-compose.yml runs them, started and stopped here. Prints one table and writes
bench-results.json (docs/performance.md says what each figure means and the goals).

    BENCH_QUICK=1         short version (about 3 minutes on an idle 2-core machine): a smoke test
                          of every phase, not the issue's sizes
    BENCH_RUSH=500        virtual candidates of the rush (quick: 10)
    BENCH_CONNECTIONS=16,64  wrk connections (quick: 16)
    BENCH_RUSH_CONCURRENCY=32  candidates at once
    BENCH_ADMIN_DOSSIERS=100000  dossiers generated for the admin (quick: 5000)
    BENCH_ADMIN_ROUNDS=15  timed requests per admin URL (quick: 3)
    BENCH_SECONDS=5       duration of each wrk run (quick: 1)
    BENCH_ONLY=rush,pages,admin,pdf  a subset
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432  the server (database BENCH_DB=bench is dropped and created;
                          BENCH_DB_TEMPLATE=0: no template database kept beside it)
    BENCH_REDIS=redis://127.0.0.1:6379, BENCH_REDIS_DB=9  the Redis DB (flushed)
    BENCH_PORT=8765       gunicorn's port; BENCH_KEEP=1 keeps the logs in /tmp/portal-bench-*
    BENCH_OUTPUT=bench-results.json
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0", "false")
RUSH_N = int(os.environ.get("BENCH_RUSH", 10 if QUICK else 500))
RUSH_CONCURRENCY = int(os.environ.get("BENCH_RUSH_CONCURRENCY", 32))
ADMIN_N = int(os.environ.get("BENCH_ADMIN_DOSSIERS", 5_000 if QUICK else 100_000))
ADMIN_ROUNDS = int(os.environ.get("BENCH_ADMIN_ROUNDS", 3 if QUICK else 15))
SECONDS = float(os.environ.get("BENCH_SECONDS", 1 if QUICK else 5))
CONNECTIONS = [int(c) for c in os.environ.get("BENCH_CONNECTIONS", "16" if QUICK else "16,64").split(",")]
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "rush,pages,admin,pdf").split(",")))
OUTPUT = Path(os.environ.get("BENCH_OUTPUT", ROOT / "bench-results.json"))
# The environment as it was given: the stack's (DEBUG off, the stopped SMTP sink and clamd) must not
# reach the PDF benchmark, which runs the embedded default on its own SQLite database.
BASE_ENV = dict(os.environ)


def machine() -> dict:
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().split()[1]
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "load_before": os.getloadavg()[0],
    }


def _cookie(browser) -> str:
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items())


def build_pages(stack, rush_journeys, drafts, registered) -> tuple[dict, list]:
    from urllib.parse import urlencode

    from client import forms_of
    from rush import phone_jpeg

    from candidates.models import Dossier

    users = [j for j in rush_journeys if j.dossier_id][:16]
    ceiling = [{"path": "/_bench/plafond/", "headers": {"Cookie": _cookie(j.browser)}} for j in users]

    def per_user(path_of, journeys):
        return [{"path": path_of(j), "headers": {"Cookie": _cookie(j.browser)}} for j in journeys]

    dossier = Dossier.objects.select_related("session", "specialty").get(pk=users[0].dossier_id)
    simulator = "/simulateur/?" + urlencode(
        {
            "session": dossier.session.code,
            "category": dossier.category,
            "specialty": dossier.specialty.code,
            "nationality": "FR",
            "birth_date": "2001-05-14",
        }
    )
    pages = {
        "home (anonyme)": [{"path": "/"}],
        "/mon-espace/": per_user(lambda j: "/mon-espace/", users),
        "onglet Épreuves GET": per_user(lambda j: f"/inscription/{j.dossier_id}/epreuves/", drafts),
        "/mes-justificatifs/<id>/": per_user(lambda j: f"/mes-justificatifs/{j.dossier_id}/", users),
        "/mes-documents/": per_user(lambda j: "/mes-documents/", users),
        "/mes-messages/": per_user(lambda j: "/mes-messages/", users),
        "simulateur JSON": [{"path": simulator, "headers": {"Accept": "application/json"}}],
    }
    posts = []
    for j in drafts:
        page = j.browser.get(f"/inscription/{j.dossier_id}/situation/")
        form = next(f for f in forms_of(page.text) if f.method == "post" and "deconnexion" not in f.action)
        pairs = [(k, v) for k, vs in form.values().items() for v in vs]
        posts.append(
            {
                "method": "POST",
                "path": f"/inscription/{j.dossier_id}/situation/",
                "headers": {
                    "Cookie": _cookie(j.browser),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
                "body": urlencode(pairs),
            }
        )
    pages["onglet POST (identique)"] = posts
    photo = phone_jpeg(4000, 3000, quality=92)
    uploads = []
    for j in registered:
        page = j.browser.get(f"/mes-justificatifs/{j.dossier_id}/")
        form = next(f for f in forms_of(page.text) if "/deposer/" in f.action)
        fields = form.values()
        prefix = form.files[0].rsplit("-", 1)[0]
        fields[f"{prefix}-replace"] = ["on"]
        from client import _multipart

        body, content_type = _multipart(fields, {form.files[0]: ("photo.jpg", photo, "image/jpeg")})
        uploads.append(
            {
                "method": "POST",
                "path": form.action,
                "headers": {"Cookie": _cookie(j.browser), "Content-Type": content_type},
                "body": body,
            }
        )
    pages[f"dépôt JPEG {len(photo) / 1e6:.1f} Mo"] = uploads
    return pages, ceiling


def prepare_pdf() -> subprocess.Popen:
    """The PDF step's migrated SQLite database, built in the background while the stack starts
    (nothing is measured then); kept between runs (benchmarks/recap.py)."""
    return subprocess.Popen(
        [sys.executable, str(HERE / "recap.py"), "prepare"], env=BASE_ENV, stdout=subprocess.DEVNULL
    )


def run_pdf() -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        path = f.name
    # Quick: the RSS check after 5 warm-up renders and 10 more (the full run: 20 and 200).
    rounds, renders, warm = ("3", "10", "5") if QUICK else ("15", "200", "20")
    subprocess.run(
        [sys.executable, str(HERE / "recap.py"), rounds, renders, warm],
        check=True,
        env={**BASE_ENV, "BENCH_RECAP_JSON": path},
    )
    return json.loads(Path(path).read_text())


def main() -> int:
    import signal

    from stack import Stack

    # A timeout or ^C stops the stack too (gunicorn and the workers run in sessions of their own).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    started = time.monotonic()
    results: dict = {
        "quick": QUICK,
        "machine": machine(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    stack = Stack(quick=QUICK)
    phases: dict[str, float] = {}
    results["phase_seconds"] = phases
    phase_start = [started]

    def mark(phase: str) -> None:
        now = time.monotonic()
        phases[phase] = round(now - phase_start[0], 1)
        phase_start[0] = now

    pdf_prepared = prepare_pdf() if "pdf" in ONLY else None
    try:
        if ONLY & {"rush", "pages", "admin"}:
            print(f"== stack: PostgreSQL database {stack.database_url}, Redis {stack.redis_url}", flush=True)
            stack.prepare()
            stack.start_worker()
            stack.start_web()
            stack.setup_django()
            from rush import check_rush, run_rush

            results["gunicorn"] = " ".join(__import__("stack").compose_command("web"))
            results["celery"] = [
                " ".join(__import__("stack").compose_command(w)) for w in __import__("stack").CELERY_WORKERS
            ]
            if pdf_prepared is not None:
                pdf_prepared.wait()  # before the rush: it must not share the cores with it
            print(f"   ready in {time.monotonic() - started:.0f} s", flush=True)
            mark("stack")

            print(f"== rush: {RUSH_N} candidates, {RUSH_CONCURRENCY} at once", flush=True)
            rush = run_rush(stack, RUSH_N, RUSH_CONCURRENCY)
            check = check_rush(stack, [j.email for j in rush["journeys"]])
            results.update(
                rush_candidates=RUSH_N,
                rush_submitted=check["submitted"],
                rush_errors=len(rush["errors"]),
                rush_seconds=round(rush["seconds"], 1),
                rush_check=check,
                rush_requests=rush["requests"],
                rush_web_cpu_s_per_candidate=round(rush["web_cpu_seconds"] / RUSH_N, 3),
                rush_journey_p50_s=round(rush["journey_p50_s"], 1),
                rush_error_samples=rush["errors"][:5],
            )
            print(
                f"   {check['submitted']}/{RUSH_N} submitted in {rush['seconds']:.0f} s, {len(rush['errors'])} errors; "
                f"files {check['files']} (missing {check['files_missing']}), e-mails {check['emails']} "
                f"(unsent {check['emails_unsent']}, received {check['emails_received']})",
                flush=True,
            )
            for sample in rush["errors"][:3]:
                print("   !", sample[:500], flush=True)
            journeys = [j for j in rush["journeys"] if j.dossier_id]
            mark("rush")

            if "pages" in ONLY and journeys:
                from web import page_benchmark, slow_uploaders

                print("== pages: preparing drafts and registered dossiers", flush=True)
                # Quick: half as many users per page (the requests are the same kind).
                n_drafts, n_registered = (4, 2) if QUICK else (8, 4)
                extra_drafts = run_rush(stack, n_drafts, n_drafts, prefix="brouillon", until="tabs")
                extra_registered = run_rush(
                    stack, n_registered, n_registered, prefix="enregistre", until="register"
                )
                drafts = [j for j in extra_drafts["journeys"] if j.dossier_id]
                registered = [j for j in extra_registered["journeys"] if j.dossier_id]
                stack.wait_for_queue()
                pages, ceiling = build_pages(stack, journeys, drafts, registered)
                print(f"== pages: wrk {SECONDS:g} s per run, connections {CONNECTIONS}", flush=True)
                page_results = page_benchmark(
                    stack, pages, ceiling, connections=CONNECTIONS, seconds=SECONDS, warm_together=QUICK
                )
                results["pages"] = page_results
                results["portal_rps"] = {
                    p: {c: r["page"]["rps"] for c, r in v.items()} for p, v in page_results.items()
                }
                results["ceiling_rps"] = {
                    p: {c: r["ceiling"]["rps"] for c, r in v.items()} for p, v in page_results.items()
                }
                results["ratio"] = {
                    p: {c: round(r["ratio"], 3) for c, r in v.items()} for p, v in page_results.items()
                }
                results["cpu_ratio"] = {
                    p: {c: round(r["cpu_ratio"], 2) for c, r in v.items()} for p, v in page_results.items()
                }
                results["p99_ms"] = {
                    p: {c: r["page"]["p99_ms"] for c, r in v.items()} for p, v in page_results.items()
                }
                results["errors"] = sum(
                    r["page"]["errors"] for v in page_results.values() for r in v.values()
                )
                stack.wait_for_queue()
                print("== slow uploaders (3 × 3 MB at 2 Mbit/s) beside the home page", flush=True)
                results["slow_uploaders"] = slow_uploaders(stack, seconds=3.0 if QUICK else 6.0)
                print(f"   {results['slow_uploaders']}", flush=True)
                mark("pages")

            if "admin" in ONLY and journeys:
                from admin_bench import generate, measure

                from candidates.models import Dossier, DossierState
                from exams.models import StaffAssignment

                template = (
                    Dossier.objects.filter(state=DossierState.SUBMITTED).select_related("session").first()
                )
                print(f"== admin: generating {ADMIN_N} dossiers", flush=True)
                admin_load = [os.getloadavg()[0]]
                gen_seconds = generate(ADMIN_N, template_dossier_id=template.pk)
                print(f"   generated in {gen_seconds:.0f} s", flush=True)
                staff = StaffAssignment.objects.filter(academie=template.session.academie).select_related(
                    "user"
                )
                staff = staff.exclude(user__is_superuser=True).first()
                from exams import demo_catalogue

                last = Dossier.objects.filter(number__contains="-GEN-").order_by("-pk").first()
                # The page of a dossier with a possible duplicate (every 100th generated one).
                twin = Dossier.objects.filter(number__contains="-GEN-", number__endswith="00").first()
                admin = measure(
                    stack.base_url,
                    email=staff.user.email,
                    password=demo_catalogue.DEMO_PASSWORD,
                    rounds=ADMIN_ROUNDS,
                    search_terms={"nom": "DUPONT", "courriel": last.candidate.email, "numéro": last.number},
                    change_id=twin.pk,
                    cpu=stack.web_cpu,
                )
                admin_load.append(os.getloadavg()[0])
                results["admin_load_average"] = admin_load  # at the generation's start, at the end
                results["admin_generation_seconds"] = round(gen_seconds, 1)
                results["admin_dossiers"] = Dossier.objects.count()
                results["admin"] = admin
                list_pages = {k: v for k, v in admin.items() if k != "change page"}
                results["admin_p95_ms"] = max(v["p95_ms"] for v in list_pages.values())
                results["admin_p50_ms"] = max(v["p50_ms"] for v in list_pages.values())
                mark("admin")
            results["worker_rss_mb_after_rush"] = [
                round(__import__("stack").rss_mb(p)) for p in stack.worker_processes()
            ]
            results["web_rss_mb"] = [round(__import__("stack").rss_mb(p)) for p in stack.web_workers()]
    except Exception:
        # What was measured so far is still written (and the stack still stopped).
        results["failed"] = traceback.format_exc()[-3000:]
        OUTPUT.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
        raise
    finally:
        stack.stop()
    if "pdf" in ONLY:
        print("== PDFs (benchmarks/recap.py, SQLite, one process)", flush=True)
        pdf_prepared.wait()
        results.update(run_pdf())
        mark("pdf")
    results["seconds"] = round(time.monotonic() - started, 1)
    OUTPUT.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print_table(results)
    print(f"(written to {OUTPUT}; {results['seconds']:.0f} s)")
    return 0


def print_table(r: dict) -> None:
    rows = []
    for page, by_c in r.get("pages", {}).items():
        for c, x in by_c.items():
            rows.append(
                (
                    f"{page} c={c}",
                    f"{x['page']['rps']:.0f} req/s vs {x['ceiling']['rps']:.0f} (ratio {x['ratio']:.2f})",
                    f"CPU {x['page']['cpu_ms_per_request'] or 0:.1f} ms/req = {x['cpu_ratio'] or 0:.1f}× plafond, p99 {x['page']['p99_ms'] or 0:.0f} ms, {x['page']['errors']} err.",
                )
            )
    if "rush_candidates" in r:
        rows.append(
            (
                f"rush {r['rush_candidates']} candidats",
                f"{r['rush_submitted']} déposés en {r['rush_seconds']:.0f} s, {r['rush_errors']} erreurs",
                f"{r['rush_web_cpu_s_per_candidate']:.2f} s CPU web+PG par candidat, fichiers manquants {r['rush_check']['files_missing']}, courriels non envoyés {r['rush_check']['emails_unsent']}",
            )
        )
    if "slow_uploaders" in r:
        s = r["slow_uploaders"]
        rows.append(
            (
                "3 dépôts lents",
                f"accueil {s['home_ms_before']:.0f} → {s['home_ms_during_p50']:.0f} ms (max {s['home_ms_during_max']:.0f})",
                "",
            )
        )
    for label, x in r.get("admin", {}).items():
        rows.append(
            (
                f"admin {label}",
                f"p50 {x['p50_ms']:.0f} ms",
                f"p95 {x['p95_ms']:.0f} ms"
                + (f", CPU {x['cpu_ms']:.0f} ms/req" if x.get("cpu_ms") is not None else "")
                + f" ({r['admin_dossiers']} dossiers)",
            )
        )
    if "recap_render_ms" in r:
        rows.append(("PDF une page", f"{r['minimal_pdf_ms']:.1f} ms", ""))
        rows.append(
            ("récapitulatif", f"{r['recap_render_ms']:.1f} ms", f"{r['recap_vs_minimal']:.1f}× la page")
        )
        rows.append(("scellement", f"{r['seal_ms']:.1f} ms", ""))
        rows.append(("récapitulatifs/s/worker", f"{r['recaps_per_second_per_worker']:.1f}", ""))
        rows.append(
            (
                "RSS worker",
                f"{r['worker_rss_warm_mb']:.0f} → {r['worker_rss_after_renders_mb']:.0f} Mo",
                f"après {r['worker_rss_renders']} rendus",
            )
        )
    width = [max(len(row[i]) for row in rows) for i in range(3)] if rows else [0, 0, 0]
    print()
    for row in rows:
        print("  ".join(cell.ljust(width[i]) for i, cell in enumerate(row)))


if __name__ == "__main__":
    sys.exit(main())
