"""make bench's quick version (issue 15: under 3 minutes): what it shortens still runs every page
and every request; the PDF step's migrated database is kept under the migrations' hash."""

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _runs(monkeypatch, **kwargs) -> list[tuple[int, float, list]]:
    web = _load("web")
    runs = []

    def wrk(stack, requests, *, connections, seconds):
        runs.append((connections, seconds, requests))
        return {"rps": 10.0, "cpu_ms_per_request": 5.0, "p99_ms": 1.0, "errors": 0}

    monkeypatch.setattr(web, "wrk", wrk)
    ceiling = [{"path": "/_bench/plafond/"}]
    pages = {"home": [{"path": "/"}], "space": [{"path": "/mon-espace/"}, {"path": "/mon-espace/?x"}]}
    results = web.page_benchmark(None, pages, ceiling, connections=[16], seconds=1, **kwargs)
    assert set(results) == set(pages)
    return runs


def test_the_quick_warm_up_sends_every_request_in_one_run(monkeypatch):
    full = _runs(monkeypatch)
    quick = _runs(monkeypatch, warm_together=True)
    warm_full, warm_quick = full[:3], quick[:1]
    assert [r for _c, _s, reqs in warm_full for r in reqs] == warm_quick[0][2]
    # The measured runs are the same: the ceiling then the page, for each page.
    assert full[3:] == quick[1:] and len(quick[1:]) == 4


def test_the_recap_database_is_kept_under_the_migrations_hash(monkeypatch, tmp_path):
    recap = _load("recap")
    name = recap.migrated_template()
    assert name == recap.migrated_template() and name.name.startswith("portal-bench-recap-")
    before = name.name
    monkeypatch.setattr(recap, "ROOT", tmp_path)
    (tmp_path / "app" / "migrations").mkdir(parents=True)
    (tmp_path / "app" / "migrations" / "0001_initial.py").write_text("# a migration")
    assert recap.migrated_template().name != before
