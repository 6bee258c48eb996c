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


def test_measure_output_chains_into_the_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``setara measure --by cname`` writes direct county means; ``setara sae fh`` reads that
    file (``--measure``, ``--se``), joins a covariates file on the county, and predicts a county
    only the covariates file has. The in-sample rows equal the library on the same join."""
    from setara.sae import fh_estimates

    direct = tmp_path / "direct.csv"
    main(
        [
            *("measure", str(DATA / "apistrat.csv"), "--income", "api00", "--weight", "pw"),
            *("--strata", "stype", "--by", "cname", "--format", "csv", "--output", str(direct)),
        ]
    )
    # counties with one sampled school have SE 0: the user leaves them to the model
    pl.read_csv(direct).filter(pl.col("se") > 0).write_csv(direct)
    survey = pl.read_csv(DATA / "apistrat.csv")
    covariates = survey.group_by("cname").agg(pl.col("meals").mean(), pl.col("ell").mean())
    covariates = pl.concat(
        [covariates, pl.DataFrame({"cname": ["Nowhere"], "meals": [50.0], "ell": [20.0]})]
    )
    cov_path = tmp_path / "covariates.csv"
    covariates.write_csv(cov_path)
    rows = _run(
        capsys, "sae", "fh", str(direct), "--measure", "mean", "--direct", "estimate",
        "--se", "se", "--area", "cname", "--covariates-file", str(cov_path),
        "--covariate", "meals", "--covariate", "ell",
    )  # fmt: skip
    by_area = {r["area"]: r for r in rows}
    assert len(rows) == covariates.height and by_area["Nowhere"]["in_sample"] is False
    means = pl.read_csv(direct).filter(pl.col("measure") == "mean")
    joined = means.with_columns(vardir=pl.col("se") ** 2).join(covariates, on="cname")
    expected, _ = fh_estimates(
        joined,
        direct="estimate", vardir="vardir", area="cname", covariates=["meals", "ell"],
    )  # fmt: skip
    sampled = [r for r in rows if r["in_sample"]]
    assert len(sampled) == expected.height
    for row in expected.iter_rows(named=True):
        assert by_area[row["area"]]["estimate"] == pytest.approx(row["estimate"], rel=1e-12)


def test_variances_of_few_psu_areas_are_smoothed(
    milk: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    frame = pl.read_csv(milk).with_columns(psu=(pl.col("ni") // 60).cast(pl.Int64))
    path = tmp_path / "milk_psu.csv"
    frame.write_csv(path)
    args = ["sae", "fh", str(path), "--direct", "yi", "--vardir", "vardir", "--area", "SmallArea"]
    rows = _run(capsys, *args, "--smooth", "loglinear", "--n", "ni", "--psu", "psu")
    few = (frame["psu"] < 5).to_list()
    assert [r["vardir_smoothed"] for r in rows] == few and any(few)


def test_model_output_holds_the_fit_and_its_diagnostics(
    milk: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model = tmp_path / "model.json"
    args = ["sae", "fh", str(milk), "--direct", "yi", "--vardir", "vardir", "--area", "SmallArea"]
    _run(capsys, *args, "--factor", "MajorArea", "--model-output", str(model))
    fitted = json.loads(model.read_text(encoding="utf-8"))
    reml = EXPECTED.filter(pl.col("method") == "REML")
    assert fitted["refvar"] == pytest.approx(
        reml.filter(pl.col("quantity") == "refvar")["value"][0], rel=1e-12
    )
    assert list(fitted["fixed"]) == ["(Intercept)", "MajorArea2", "MajorArea3", "MajorArea4"]
    assert fitted["fixed"]["MajorArea4"] == pytest.approx(
        reml.filter(pl.col("quantity") == "beta:Xas.factor(MajorArea)4")["value"][0], rel=1e-12
    )
    assert fitted["diagnostics"]["became_reliable"] == [28, 31]


def test_ebp_command_rows_and_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``setara sae ebp``: one row per area and measure with a bootstrap MSE, the fitted model
    as JSON, the same numbers as the library with the same seed, and areas only the census has
    predicted too."""
    import numpy as np

    from setara.sae.ebp import ebp, parse_indicator

    rng = np.random.default_rng(3)
    codes = np.repeat(np.arange(12), 300)
    x = rng.normal(size=codes.size)
    welfare = np.exp(9 + 0.4 * x + rng.normal(0, 0.3, 12)[codes] + rng.normal(0, 0.5, codes.size))
    census = pl.DataFrame({"kab": [f"K{c:02d}" for c in codes], "x": x})
    take = (rng.random(codes.size) < 0.1) & (codes < 10)
    survey = census.filter(pl.Series(take)).with_columns(income=pl.Series(welfare[take]))
    census.write_csv(tmp_path / "census.csv")
    survey.write_csv(tmp_path / "survey.csv")
    model = tmp_path / "model.json"
    rows = _run(
        capsys, "sae", "ebp", str(tmp_path / "survey.csv"), "--population",
        str(tmp_path / "census.csv"), "--welfare", "income", "--area", "kab", "--covariate", "x",
        "--measure", "fgt:alpha=0,line=7000", "--measure", "gini", "--transform", "log",
        "--mc", "20", "--bootstrap", "5", "--seed", "11", "--model-output", str(model),
    )  # fmt: skip
    assert len(rows) == 24 and list(rows[0])[:4] == ["area", "measure", "method", "estimate"]
    fitted = json.loads(model.read_text(encoding="utf-8"))
    assert set(fitted) >= {"fixed", "refvar", "errorvar", "transform", "parameter"}
    assert list(fitted["fixed"]) == ["(Intercept)", "x"] and fitted["transform"] == "log"
    library = ebp(
        welfare[take], np.column_stack([np.ones(take.sum()), x[take]]), codes[take],
        np.column_stack([np.ones(codes.size), x]), codes,
        [parse_indicator("fgt:alpha=0,line=7000"), parse_indicator("gini")],
        rng=np.random.default_rng(11), mc=20, bootstrap=5, transform_kind="log",
    )  # fmt: skip
    poverty = [r["estimate"] for r in rows if r["measure"].startswith("fgt")]
    assert poverty == pytest.approx(library.estimate[:, 0].tolist(), rel=1e-12)
    assert [r["in_sample"] for r in rows[:12]] == [c < 10 for c in range(12)]
    assert all(r["mse"] > 0 and r["reliability"] for r in rows)
