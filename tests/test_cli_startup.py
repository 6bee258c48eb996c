"""Start-up cost of the ``setara`` command (issue 8, point 9): ``--help`` must not load the
estimation stack, ``measure`` must not load SciPy or the programme lab, and importing the
command line stays within a loose time budget. Each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DATA

SRC = Path(__file__).resolve().parents[1] / "src"
# Cumulative import time of setara.cli, microseconds, from ``python -X importtime``. Before
# issue 8 it was 1.6-2 s on the 2-core development machine when idle (scipy.stats alone about
# 1 s) and 7 s under load; lazy imports bring it to 0.1-0.3 s. The bound is generous so that
# a busy machine does not fail the test, and still catches scipy.stats coming back.
IMPORT_BUDGET_US = 1_000_000
HEAVY = ("scipy", "polars", "numpy", "pandas", "pyarrow", "setara.programmes")


def _fresh(code: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(SRC.parent)])}
    return subprocess.run(
        [sys.executable, *args, "-c", code], capture_output=True, text=True, env=env, check=True
    )


def _loaded_after(argv: list[str]) -> set[str]:
    """Top modules (and setara subpackages) loaded by running ``setara ARGV``."""
    code = (
        "import contextlib, io, json, sys\n"
        "from setara.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        f"        main({argv!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    modules = json.loads(_fresh(code).stdout.strip().splitlines()[-1])
    return {m for m in modules if m.startswith(HEAVY) or m.startswith("setara.")}


def _top(modules: set[str]) -> set[str]:
    return {h for h in HEAVY if any(m == h or m.startswith(h + ".") for m in modules)}


def test_help_loads_no_numerical_library() -> None:
    loaded = _loaded_after(["--help"])
    assert _top(loaded) == set()
    assert "setara.estimation" not in loaded


def test_measure_loads_neither_scipy_nor_the_programme_lab() -> None:
    csv = str(DATA / "apistrat.csv")
    loaded = _loaded_after(
        # a relative poverty line, domains at p = 0: they once asked SciPy for t (NaN df)
        [
            *("measure", csv, "--income", "api00", "--weight", "pw", "--strata", "stype"),
            *("--by", "stype", "--measure", "gini", "--measure", "fgt:alpha=0,line=0.6*median"),
        ]
    )
    assert "setara.estimation" in loaded  # the command really ran
    assert _top(loaded) == {"numpy", "polars"}


def test_import_time_within_budget() -> None:
    report = _fresh("import setara.cli", "-X", "importtime").stderr
    match = re.search(r"^import time:\s+\d+ \|\s+(\d+) \| setara\.cli$", report, re.MULTILINE)
    assert match is not None, report[-500:]
    assert int(match.group(1)) < IMPORT_BUDGET_US


def _run_program(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``setara ARGV`` as the installed script runs it (``setara.cli:run``), in a fresh process
    with an ``atexit`` handler that prints ``teardown`` if the interpreter's normal exit runs;
    :func:`os._exit` is wrapped to print whether the collector was on when the program ended."""
    code = (
        "import atexit, gc, os, sys\n"
        "atexit.register(lambda: print('teardown', file=sys.stderr))\n"
        "_exit = os._exit\n"
        "def _report(status):\n"
        "    print('collector', gc.isenabled(), file=sys.stderr, flush=True)\n"
        "    _exit(status)\n"
        "os._exit = _report\n"
        "from setara.cli import run\n"
        f"sys.argv = ['setara', *{argv!r}]\n"
        "run()\n"
        "print('returned', file=sys.stderr)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), str(SRC.parent)])}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )


def test_the_program_ends_at_once_and_keeps_output_and_exit_codes(tmp_path: Path) -> None:
    """``run`` ends the process as soon as the command is done, skipping the interpreter's
    teardown of NumPy's and Polars' modules (0.2 s of a small ``measure``): no ``atexit`` work
    runs and ``run`` does not return. It answers exactly as ``main``: the same rows on stdout,
    the same complete ``--output`` file, one error line with exit code 2."""
    args = ["measure", str(DATA / "apistrat.csv"), "--income", "api00", "--weight", "pw"]
    done = _run_program([*args, "--strata", "stype", "--format", "csv"])
    assert done.returncode == 0, done.stderr
    assert "teardown" not in done.stderr and "returned" not in done.stderr
    assert re.findall(r"^collector (True|False)$", done.stderr, re.MULTILINE) == ["True"]
    in_process = _fresh(
        f"from setara.cli import main\nmain([*{args!r}, '--strata', 'stype', '--format', 'csv'])\n"
    )
    assert done.stdout == in_process.stdout and done.stdout.startswith("measure,")
    out = tmp_path / "rows.csv"
    written = _run_program([*args, "--strata", "stype", "--format", "csv", "--output", str(out)])
    assert written.returncode == 0, written.stderr
    assert out.read_text(encoding="utf-8") == in_process.stdout
    refused = _run_program([*args, "--strata", "no_such_column"])
    assert refused.returncode == 2
    assert refused.stderr.startswith("error: ") and "no_such_column" in refused.stderr
    assert "Traceback" not in refused.stderr and "teardown" not in refused.stderr


def test_the_installed_program_is_run() -> None:
    pyproject = (SRC.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^setara = "setara\.cli:run"$', pyproject, re.MULTILINE)


@pytest.mark.parametrize(
    "argv",
    [
        [
            *("gap", "apistrat.csv", "--outcome", "api00", "--group", "stype", "--weight", "pw"),
            *("--comparison", "E", "--reference", "H"),
        ],
        ["decompose", "ge", "apistrat.csv", "--income", "api00", "--group", "stype"],
        ["simulate", "programmes.yaml", "demo:10000"],
    ],
)
def test_every_kind_of_command_computes_with_the_collector_on(argv: list[str]) -> None:
    """The commands that read data through another path than ``measure`` resume it too."""
    programmes = SRC / "setara" / "programmes" / "templates" / "sembako.yaml"
    paths = {"apistrat.csv": DATA / "apistrat.csv", "programmes.yaml": programmes}
    done = _run_program([str(paths.get(a, a)) for a in argv])
    assert done.returncode == 0, done.stderr
    assert re.findall(r"^collector (True|False)$", done.stderr, re.MULTILINE) == ["True"]
