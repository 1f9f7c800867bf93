"""Benchmark (not a test): the resident memory of one process rendering recaps one after the other,
as a PDF worker's pool child does, to choose `--max-tasks-per-child` / `--max-memory-per-child`
(docker-compose.yml, docs/operations.md; issue 17).

Same throw-away SQLite database as benchmarks/recap.py: `python benchmarks/worker_memory.py [renders]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.recap import _setup  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(renders: int = 200, every: int = 50) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        _setup(Path(tmp))
        from documents.models import DocumentKind, GeneratedDocument
        from documents.recap import services as recap
        from tests.documents.conftest import make_dossier

        dossier = make_dossier()
        print(f"Resident memory of one process rendering {renders} recaps (MB)")
        print(f"  before the first render: {rss_mb():7.1f}")
        started = time.perf_counter()
        first = None
        for i in range(1, renders + 1):
            doc = GeneratedDocument.objects.create(
                dossier=dossier, kind=DocumentKind.RECAP, version=i, choices_version=dossier.choices_version
            )
            recap.document_render(document_id=doc.pk)
            if i == 1:
                first = rss_mb()
                print(f"  after render 1         : {first:7.1f}")
            if i % every == 0:
                print(f"  after render {i:<10}: {rss_mb():7.1f}")
        grown = rss_mb() - first
        print(
            f"  growth after the first : {grown:7.1f} MB over {renders - 1} renders ({grown / (renders - 1) * 1000:.0f} kB each)"
        )
        print(f"  {renders / (time.perf_counter() - started):.1f} renders per second")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
