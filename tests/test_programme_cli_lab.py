"""``setara target`` and ``setara optimise``: targeting comparison, optimal allocations and the
budget verdict from the command line, with user errors as one line and exit code 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest

from setara.cli import main

GROSH = "id,income\n1,6\n2,8\n3,11\n4,15\n5,21\n6,25\n7,30\n8,40\n9,50\n10,100\n"
REGISTRY = ["--household", "id", "--welfare", "income", "--poverty-line", "20",
            "--welfare-period", "year"]  # fmt: skip
TARGET = ["target", "demo:10000", "--budget", "5e12", "--proxy", "members", "--proxy", "urban"]
COMPARE_COLUMNS = {
    "method", "selected", "selected_share", "exclusion_error", "inclusion_error",
    "targeting_differential", "cgh", "headcount_after", "gap_reduction", "cost_benefit_ratio",
    "gini_change", "rule", "cv_r2", "auc",
}  # fmt: skip


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def grosh(tmp_path: Path) -> Path:
    path = tmp_path / "grosh.csv"
    path.write_text(GROSH)
    return path


def test_target_csv_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "target.csv"
    code, _, _ = run([*TARGET, "--categorical", "any(age < 7) or head_female", "--format", "csv",
                      "--output", str(out)], capsys)  # fmt: skip
    assert code == 0
    table = pl.read_csv(out)
    assert set(table.columns) >= COMPARE_COLUMNS
    assert table["method"].to_list() == ["pmt", "categorical", "geographic", "universal"]
    assert table.filter(method="universal")["exclusion_error"][0] == 0.0
    code, text, _ = run([*TARGET, "--target", "bottom", "--format", "json"], capsys)
    records = json.loads(text)
    assert [r["method"] for r in records] == ["pmt", "geographic", "universal"]
    assert 0.5 < records[0]["auc"] < 1 and records[1]["auc"] is None


def test_optimise_allocations(grosh: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, text, _ = run(["optimise", str(grosh), *REGISTRY, "--budget", "30", "--format", "csv"],
                        capsys)  # fmt: skip
    assert code == 0
    table = pl.read_csv(io.StringIO(text))
    assert table.columns == ["objective", "budget", "spent", "households", "before", "after",
                             "reduction", "status", "bound", "method", "gap"]  # fmt: skip
    fgt0 = table.filter(objective="fgt0").row(0, named=True)
    # smallest gaps first: persons 4, 3, 2 (5 + 9 + 12 = 26), headcount 0.40 -> 0.10
    assert (fgt0["spent"], fgt0["households"]) == (26.0, 3.0)
    assert fgt0["after"] == pytest.approx(0.1)
    code, text, _ = run(["optimise", str(grosh), *REGISTRY, "--budget", "30", "--objective",
                         "coverage", "--benefit", "10", "--format", "json"], capsys)  # fmt: skip
    (coverage,) = json.loads(text)
    assert coverage["households"] == 3.0 and coverage["after"] == pytest.approx(0.25)


def test_optimise_verdict_of_grosh_s2(
    grosh: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty, s2 = tmp_path / "none.yaml", tmp_path / "s2.yaml"
    empty.write_text("programmes: []\n")
    s2.write_text(
        "scenario: S2\nprogrammes:\n  - id: s2\n    eligibility: 'id in [2, 3]'\n"
        "    benefit: {type: flat, amount: 15}\n"
    )
    code, text, err = run(["optimise", str(grosh), *REGISTRY, "--programme", str(empty),
                           "--scenario", str(s2), "--format", "json"], capsys)  # fmt: skip
    assert code == 0, err
    verdict = {r["objective"]: r for r in json.loads(text)}
    assert verdict["fgt1"]["budget"] == 30.0
    assert verdict["fgt1"]["achievement"] == pytest.approx(0.70, abs=1e-12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([*TARGET, "--share", "1.5"], "share must be in (0, 1], not 1.5"),
        ([*TARGET, "--target", "middle"], "Invalid value for '--target'"),
        ([*TARGET, "--proxy", "nope"], "unknown variable 'nope'"),
        (["target", "demo:10000", "--budget", "1"], "Missing option '--proxy'"),
        (["target", "demo:x", "--budget", "1", "--proxy", "members"], "demo size must be"),
        (["optimise", "demo:10000"], "--budget is required"),
        (
            ["optimise", "demo:10000", "--budget", "1", "--objective", "coverage"],
            "coverage needs a positive benefit",
        ),
        (["optimise", "demo:10000", "--scenario", "s.yaml"], "--scenario needs --programme"),
    ],
)
def test_user_errors_exit_2_with_one_line(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err
