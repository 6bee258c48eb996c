"""Start-up cost of the ``setara`` command line (issue 8, point 9); prints wall and CPU time.

Targets on the 2-core development machine: ``setara --help`` under 0.3 s and ``setara measure``
on a small CSV (R survey's ``apistrat``, 200 rows) under 0.6 s wall. Each command runs in a
fresh interpreter ``--runs`` times after one warm-up; the median is printed with the spread,
and the load average beside them, since on a shared machine wall time follows the load. CPU
time (user + system of the child) is the steadier figure for comparing two versions.

Run: ``.venv/bin/python benchmarks/bench_cli.py [--runs N]`` from the repository root (the
library is imported from ``src/``). ``farm-bench`` gives the same figures from outside.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SMALL_CSV = ROOT / "tests" / "data" / "apistrat.csv"
CLI = "from setara.cli import main; main()"
CASES = [
    ("python -c pass (interpreter floor)", ["-c", "pass"], None),
    ("import setara.cli", ["-c", "import setara.cli"], None),
    ("setara --help", ["-c", CLI, "--help"], 0.3),
    (
        "setara measure apistrat.csv (200 rows)",
        [
            "-c",
            CLI,
            "measure",
            str(SMALL_CSV),
            "--income",
            "api00",
            "--weight",
            "pw",
            "--strata",
            "stype",
            "--format",
            "csv",
        ],
        0.6,
    ),
]


def run_once(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh interpreter running ``args``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {runs} runs each")
    print(f"{'command':42} {'wall median (min-max)':>24} {'cpu median':>11} {'target':>7}")
    for label, args, target in CASES:
        run_once(args)  # warm-up: bytecode caches and the page cache
        walls, cpus = zip(*(run_once(args) for _ in range(runs)), strict=True)
        wall = statistics.median(walls)
        spread = f"{wall:.3f} ({min(walls):.3f}-{max(walls):.3f})"
        verdict = "" if target is None else f"{target:.1f} {'met' if wall < target else 'MISSED'}"
        print(f"{label:42} {spread:>24} {statistics.median(cpus):>10.3f}s {verdict:>7}")


if __name__ == "__main__":
    main()
