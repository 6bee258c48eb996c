"""``setara sae fh``: the exact row contract, R's values through the CLI, benchmarking, and one
clear error line for a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from setara.cli import main
from tests.conftest import DATA

EXPECTED = pl.read_csv(DATA / "sae" / "expected_fh_milk.csv")
COLUMNS = ["area", "method", "estimate", "mse", "se", "ci_low", "ci_high", "rse", "reliability"]


@pytest.fixture
def milk(tmp_path: Path) -> Path:
    path = tmp_path / "milk.csv"
    pl.read_csv(DATA / "sae" / "milk.csv").with_columns(vardir=pl.col("SD") ** 2).write_csv(path)
    return path


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> list[dict[str, object]]:
    main([*argv, "--format", "json"])
    rows: list[dict[str, object]] = json.loads(capsys.readouterr().out)
    return rows


@pytest.mark.parametrize("method", ["reml", "ml", "fh"])
def test_json_rows_carry_r_sae_values(
    milk: Path, capsys: pytest.CaptureFixture[str], method: str
) -> None:
    args = ["sae", "fh", str(milk), "--direct", "yi", "--vardir", "vardir", "--area", "SmallArea"]
    rows = _run(capsys, *args, "--factor", "MajorArea", "--method", method)
    assert list(rows[0])[: len(COLUMNS)] == COLUMNS
    assert {"direct", "direct_se"} <= set(rows[0])
    r = EXPECTED.filter(pl.col("method") == method.upper())
    for quantity in ("eblup", "mse"):
        expected = r.filter(pl.col("quantity") == quantity).sort(pl.col("area").cast(pl.Int64))
        column = "estimate" if quantity == "eblup" else "mse"
        got = [row[column] for row in rows]
        assert got == pytest.approx(expected["value"].to_list(), rel=1e-12)


def test_benchmark_file_aligns_each_major_area(
    milk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    targets = tmp_path / "targets.csv"
    pl.DataFrame({"MajorArea": [1, 2, 3, 4], "target": [1.0, 1.1, 1.2, 0.7]}).write_csv(targets)
    args = ["sae", "fh", str(milk), "--direct", "yi", "--vardir", "vardir", "--area", "SmallArea"]
    rows = _run(
        capsys, *args, "--factor", "MajorArea", "--benchmark", str(targets),
        "--benchmark-weight", "ni",
    )  # fmt: skip
    frame = pl.read_csv(milk).with_columns(estimate=pl.Series([r["estimate"] for r in rows]))
    means = frame.group_by("MajorArea").agg(
        (pl.col("estimate") * pl.col("ni")).sum() / pl.col("ni").sum()
    )
    got = dict(zip(means["MajorArea"], means["estimate"], strict=True))
    assert got == pytest.approx({1: 1.0, 2: 1.1, 3: 1.2, 4: 0.7}, rel=1e-12)
    assert {r["benchmark"] for r in rows} == {"ratio"}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--covariate", "nope"], "covariate column(s) not in the file: nope"),
        (["--covariate", "MajorArea", "--transform", "arcsine"], "arcsine transform needs"),
    ],
)
def test_a_bad_request_is_one_error_line(
    milk: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    args = ["sae", "fh", str(milk), "--direct", "yi", "--vardir", "vardir", "--area", "SmallArea"]
    with pytest.raises(SystemExit) as exit_info:
        main([*args, *extra])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1
