"""Start-up cost of the ``setara`` command line (issue 8, point 9); prints wall and CPU time.

Targets on the 2-core development machine: ``setara --help`` under 0.3 s and ``setara measure``
on a small CSV (R survey's ``apistrat``, 200 rows) under 0.6 s wall. Each command runs in a
fresh interpreter ``--runs`` times after one warm-up, the commands in turn (A B C A B C ...) so
that a change in the machine's load reaches all of them alike. Printed: the median and the
90th percentile of wall time, the median CPU time (user + system of the child: the steadier
figure for comparing two versions on a shared machine), and beside them the floor, a fresh
interpreter that only imports NumPy and Polars, measured in the same run, once with the
interpreter's normal teardown and once ended by ``os._exit`` as ``setara.cli:run`` ends.

The commands run the way the installed ``setara`` script does (``setara.cli:run``). Whether the
library's modules have bytecode next to them changes the figures (compiling them takes about
0.1 s): ``make`` installs it with ``compileall``; the line above the table says what is there.

Run: ``.venv/bin/python benchmarks/bench_cli.py [--runs N]`` from the repository root (the
library is imported from ``src/``).
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
SMALL_CSV = ROOT / "tests" / "data" / "apistrat.csv"
CLI = "import sys; from setara.cli import run; sys.exit(run())"
MEASURE = ["measure", str(SMALL_CSV), "--income", "api00", "--weight", "pw", "--strata", "stype"]
CASES = [
    ("python -c pass (interpreter)", ["-c", "pass"], None),
    ("import numpy, polars (the floor)", ["-c", "import numpy, polars"], None),
    ("  the same, ended by os._exit", ["-c", "import os, numpy, polars; os._exit(0)"], None),
    ("setara --help", ["-c", CLI, "--help"], 0.3),
    ("setara measure apistrat.csv (200 rows)", ["-c", CLI, *MEASURE, "--format", "csv"], 0.6),
]


def run_once(args: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh interpreter running ``args``."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, *args], env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def bytecode_state() -> str:
    """How many of the library's modules have up-to-date bytecode beside them."""
    sources = sorted(SRC.rglob("*.py"))
    fresh = 0
    for source in sources:
        cached = Path(importlib.util.cache_from_source(str(source)))
        fresh += cached.exists() and cached.stat().st_mtime >= source.stat().st_mtime
    return f"{fresh} of {len(sources)} library modules have bytecode"


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by the nearest-rank rule."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    runs = parser.parse_args().runs
    print(
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, {runs} runs each; "
        f"{bytecode_state()}; PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE')}"
    )
    for _label, args, _target in CASES:
        run_once(args)  # warm-up: the page cache
    walls: dict[str, list[float]] = {label: [] for label, _, _ in CASES}
    cpus: dict[str, list[float]] = {label: [] for label, _, _ in CASES}
    for _ in range(runs):
        for label, args, _target in CASES:
            wall, cpu = run_once(args)
            walls[label].append(wall)
            cpus[label].append(cpu)
    print(f"{'command':40} {'wall median':>11} {'p90':>6} {'cpu median':>11} {'target':>12}")
    for label, _args, target in CASES:
        wall = statistics.median(walls[label])
        verdict = "" if target is None else f"{target:.1f} {'met' if wall < target else 'MISSED'}"
        print(
            f"{label:40} {wall:>10.3f}s {percentile(walls[label], 0.9):>5.3f}s "
            f"{statistics.median(cpus[label]):>10.3f}s {verdict:>12}"
        )
    print(f"load average {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
