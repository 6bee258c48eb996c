"""The CLI contract of issue 2: every reference row through ``setara measure``, and user
errors as one line on stderr with exit code 2."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest

from setara.cli import main
from tests.conftest import DATA
from tests.test_reference_convey import RTOL, spec_for

EXPECTED = pl.read_csv(DATA / "expected.csv")
DESIGN_A = ["--weight", "rb050", "--strata", "db040", "--psu", "rb030"]


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def check_rows(rows: list[dict[str, object]], result: pl.DataFrame, by: str | None) -> None:
    for row in rows:
        spec = spec_for(str(row["measure"]), row["params"])  # type: ignore[arg-type]
        name, _, params = spec.partition(":")
        hit = result.filter(pl.col("measure") == {"median": "quantile"}.get(name, name))
        if by:
            hit = hit.filter(pl.col(by) == row["domain"])
        if name == "fgt":
            kv = dict(p.split("=", 1) for p in params.split(","))
            hit = hit.filter(pl.col("params") == f"alpha={kv['alpha']},line={kv['line']}")
        if name in ("atkinson", "ge"):
            hit = hit.filter(pl.col("params") == params)
        assert hit.height == 1, (row, hit)
        assert hit["estimate"][0] == pytest.approx(row["estimate"], rel=RTOL)
        assert hit["se"][0] == pytest.approx(row["se"], rel=RTOL)


def test_linearized_rows_through_cli(capsys: pytest.CaptureFixture[str]) -> None:
    rows = EXPECTED.filter((pl.col("design") == "A") & (pl.col("domain") == "all")).to_dicts()
    specs = sorted({spec_for(r["measure"], r["params"]) for r in rows})
    args = ["measure", str(DATA / "eusilc.csv"), "--income", "eqincome", *DESIGN_A]
    for spec in specs:
        args += ["--measure", spec]
    code, out, err = run([*args, "--format", "csv"], capsys)
    assert code == 0, err
    check_rows(rows, pl.read_csv(io.StringIO(out)), None)


def test_domain_rows_through_cli_json(capsys: pytest.CaptureFixture[str]) -> None:
    rows = EXPECTED.filter((pl.col("design") == "A") & (pl.col("domain") != "all")).to_dicts()
    args = ["measure", str(DATA / "eusilc.csv"), "--income", "eqincome", *DESIGN_A]
    args += ["--measure", "gini:method=osier", "--measure", "fgt:alpha=0,line=10000"]
    code, out, err = run([*args, "--by", "db040", "--format", "json"], capsys)
    assert code == 0, err
    records = json.loads(out)
    assert {"measure", "params", "db040", "estimate", "se", "ci_low", "ci_high", "n", "rse"} <= set(
        records[0]
    )
    check_rows(rows, pl.DataFrame(records), "db040")


def test_bootstrap_rows_through_cli(
    capsys: pytest.CaptureFixture[str], eusilc_with_replicates: pl.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "eusilc_reps.parquet"
    eusilc_with_replicates.write_parquet(path)
    meta = json.loads((DATA / "eusilc_bootstrap_weights.json").read_text())
    rows = EXPECTED.filter(pl.col("design") == "A-bootstrap50").to_dicts()
    args = ["measure", str(path), "--income", "eqincome", *DESIGN_A]
    args += ["--replicate-weights", "rep*", "--replicate-type", "bootstrap"]
    args += ["--replicate-scale", repr(meta["scale"]), "--replicate-rscales", "1"]
    for spec in sorted({spec_for(r["measure"], r["params"]) for r in rows}):
        args += ["--measure", spec]
    code, _, err = run([*args, "--format", "csv", "--output", str(tmp_path / "o.csv")], capsys)
    assert code == 0, err
    check_rows(rows, pl.read_csv(tmp_path / "o.csv"), None)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--income", "eqincomx"], "welfare column 'eqincomx' is not in the data"),
        (["--income", "eqincome", "--weight", "db040"], "weight column 'db040' has"),
        (["--income", "eqincome", "--measure", "ginny"], "unknown measure 'ginny'"),
        (["--income", "eqincome", "--measure", "fgt:alpha=0"], "fgt needs a poverty line"),
        (["--income", "eqincome", "--measure", "fgt:alpha=0,line=@nope"], "'nope' is not in"),
        (["--income", "rb090"], "welfare column 'rb090' has 14,827 in 14,827 rows that are not"),
    ],
)
def test_user_errors_exit_2_with_one_line(
    extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["measure", str(DATA / "eusilc.csv"), *extra], capsys)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert message in err
    assert "Traceback" not in err


def test_missing_file_and_bad_format(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["measure", str(tmp_path / "nope.csv"), "--income", "y"], capsys)
    assert code == 2 and "does not exist" in err
    bad = tmp_path / "data.txt"
    bad.write_text("y\n1\n")
    code, _, err = run(["measure", str(bad), "--income", "y"], capsys)
    assert code == 2 and "unsupported type .txt" in err


def test_negative_weights_message(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    frame = pl.DataFrame({"y": [1.0, 2.0, 3.0, 4.0], "w": [1.0, -2.0, None, -1.0]})
    path = tmp_path / "w.csv"
    frame.write_csv(path)
    code, _, err = run(["measure", str(path), "--income", "y", "--weight", "w"], capsys)
    assert code == 2
    assert "weight column 'w' has 1 missing and 2 negative values in 4 rows (first at row 2)" in err


def test_created_replicates_and_table(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["measure", str(DATA / "apistrat.csv"), "--income", "api00", "--weight", "pw"]
    args += ["--strata", "stype", "--replicates", "jkn", "--measure", "mean"]
    code, out, err = run(args, capsys)
    assert code == 0, err
    assert "mean" in out and "reliable" in out


def test_csv_codes_stay_text(tmp_path) -> None:
    """kode wilayah 11.10 and 32.01 must not become the numbers 11.1 and 32.01."""
    from setara.io import read_survey

    path = tmp_path / "codes.csv"
    path.write_text("regency_code,hh_id,weight\n11.10,007,1.5\n32.01,010,2\n")
    frame = read_survey(path)
    assert frame["regency_code"].to_list() == ["11.10", "32.01"]
    assert frame["hh_id"].to_list() == ["007", "010"]
    assert frame["weight"].to_list() == [1.5, 2.0]
