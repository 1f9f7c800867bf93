"""`make bench`: runs every benchmark of the project in turn (each prints its own results)."""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["recap.py", "worker_memory.py"]

if __name__ == "__main__":
    for name in BENCHMARKS:
        print(f"== {name}", flush=True)
        sys.argv = [str(HERE / name)]
        runpy.run_path(str(HERE / name), run_name="__main__")
