"""Benchmark (not a test): median time to render and to sign one recap, beside a one-page
WeasyPrint document rendered in the same run, and recaps per second for one worker.

Runs against a throw-away SQLite database and a temporary certificate, so it needs nothing
installed and touches no data: `python benchmarks/recap.py [rounds] [renders] [warm-up renders]`
or `make bench`. The migrated database is kept between runs as a file named after the migrations
(migrating SQLite took 20–40 s of the quick run); `recap.py prepare` only builds it, which
`make bench` starts in the background beside the stack's start-up.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def migrated_template() -> Path:
    """Where the migrated database is kept, named after what shapes it (as the stack's PostgreSQL
    template): any change of a migration makes a new one."""
    digest = hashlib.sha1()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(path.read_bytes())
    return Path(tempfile.gettempdir()) / f"portal-bench-recap-{digest.hexdigest()[:10]}.sqlite3"


def _setup(tmp: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    # The embedded default, whatever the caller's environment says (make bench's stack runs with
    # DEBUG off, an SMTP sink and a clamd that are gone by the time this runs).
    os.environ["DEBUG"] = "true"
    for key in ("EMAIL_URL", "CLAMD_URL", "STORAGE_URL", "CELERY_BROKER_URL", "SECRET_KEY"):
        os.environ.pop(key, None)
    os.environ["DATA_DIR"] = str(tmp / "data")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["SIGNING_CERT_PATH"] = str(tmp / "signing.p12")
    os.environ["SIGNING_CERT_PASSWORD"] = ""
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # fontTools fallback notice, per render
    # Nothing to apply when the kept database was copied in (migrate then only checks).
    call_command("migrate", verbosity=0)
    call_command("ensure_signing_certificate", verbosity=0, stdout=open(os.devnull, "w"))


def prepare() -> Path:
    """The migrated database, built once (into a temporary file renamed into place, so a run that
    stops half-way leaves nothing half-migrated)."""
    template = migrated_template()
    if not template.exists():
        with tempfile.TemporaryDirectory() as tmp:
            _setup(Path(tmp))
            from django.db import connections

            connections.close_all()
            partial = template.with_suffix(f".{os.getpid()}.partial")
            shutil.copyfile(Path(tmp) / "bench.sqlite3", partial)
            partial.replace(template)
    return template


WALL: dict[str, float] = {}


def _median_ms(fn, rounds: int, label: str = "") -> float:
    """Median CPU time of ``fn`` in this process (stable on a shared machine, where wall time is
    mostly waiting for a core); the median wall time goes to WALL[label]."""
    fn()  # warm-up: fonts, templates, certificate load
    times, walls = [], []
    for _ in range(rounds):
        start, wall = time.process_time(), time.perf_counter()
        fn()
        times.append((time.process_time() - start) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    if label:
        WALL[label] = statistics.median(walls)
    return statistics.median(times)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main(rounds: int = 15, rss_renders: int = 200, warm_renders: int = 20) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        if migrated_template().exists():
            shutil.copyfile(migrated_template(), Path(tmp) / "bench.sqlite3")
        _setup(Path(tmp))
        setup_seconds = time.perf_counter() - started
        from weasyprint import HTML

        from documents.models import DocumentKind, GeneratedDocument
        from documents.recap import services as recap
        from documents.recap.pdf import render_pdf
        from documents.recap.signing import seal_pdf
        from tests.documents.conftest import make_dossier

        dossier = make_dossier()
        document = GeneratedDocument.objects.create(
            dossier=dossier, kind=DocumentKind.RECAP, version=1, choices_version=dossier.choices_version
        )
        context = recap.document_context(document)
        one_page = "<h1>Une page</h1>" + "<p>Texte de référence, une page A4.</p>" * 20

        baseline = _median_ms(lambda: HTML(string=one_page).write_pdf(), rounds, "minimal_pdf")
        render = _median_ms(
            lambda: render_pdf(recap.TEMPLATES[DocumentKind.RECAP], context), rounds, "recap_render"
        )
        pdf = render_pdf(recap.TEMPLATES[DocumentKind.RECAP], context)
        sign = _median_ms(lambda: seal_pdf(pdf, reason="benchmark"), rounds, "seal")

        # What one worker does per recap: load the rows, render, store, hash (document_render).
        def full_task():
            doc = GeneratedDocument.objects.create(
                dossier=dossier,
                kind=DocumentKind.RECAP,
                version=GeneratedDocument.objects.filter(dossier=dossier).count() + 1,
                choices_version=dossier.choices_version,
            )
            recap.document_render(document_id=doc.pk)

        task = _median_ms(full_task, rounds, "render_task")
        # Worker memory: after a warm-up of ``warm_renders`` renders, then after ``rss_renders`` more.
        for _ in range(warm_renders):
            full_task()
        rss_warm = _rss_mb()
        for _ in range(rss_renders):
            full_task()
        rss_after = _rss_mb()
        print(
            f"Recap benchmark ({rounds} rounds, medians of CPU time, one process; set-up {setup_seconds:.0f} s)"
        )
        print(f"  one-page WeasyPrint document : {baseline:7.1f} ms")
        print(
            f"  render one recap (PDF only)  : {render:7.1f} ms  ({render / baseline:.1f}x the one-page document)"
        )
        print(f"  sign one recap (PAdES seal)  : {sign:7.1f} ms")
        print(f"  render task (DB + PDF + file): {task:7.1f} ms")
        print(f"  recaps per second, one worker: {1000 / task:7.1f}")
        print(
            f"  worker RSS after warm-up      : {rss_warm:7.1f} MB, after {rss_renders} more renders {rss_after:.1f} MB"
        )
        return {
            "minimal_pdf_ms": baseline,
            "recap_render_ms": render,
            "recap_vs_minimal": render / baseline,
            "seal_ms": sign,
            "render_task_ms": task,
            "recaps_per_second_per_worker": 1000 / task,
            "worker_rss_warm_mb": rss_warm,
            "worker_rss_after_renders_mb": rss_after,
            "worker_rss_renders": rss_renders,
            "worker_rss_warm_renders": warm_renders,
            "pdf_wall_ms": WALL,
            "pdf_setup_seconds": round(setup_seconds, 1),
        }


if __name__ == "__main__":
    if sys.argv[1:] == ["prepare"]:
        print(f"recap database: {prepare()}")
        sys.exit(0)
    args = [int(a) for a in sys.argv[1:4]]
    figures = main(*args)
    if os.environ.get("BENCH_RECAP_JSON"):  # benchmarks/run.py reads them back
        import json

        Path(os.environ["BENCH_RECAP_JSON"]).write_text(json.dumps(figures))
