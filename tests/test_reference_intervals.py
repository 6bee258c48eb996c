"""Intervals and national comparisons against R survey 4.1-1 (tests/data/r_ci_expected.csv,
made by tests/data/r_ci_reference.R): ``svyciprop`` logit and beta (Korn–Graubard) intervals
overall and in domains (each with its own df), and the SE of a domain minus the nation from
``svycontrast`` (linearized designs) or from replicate estimates (JK1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

import setara
from tests.conftest import DATA
from tests.test_reference_designs import design_for

RTOL = 1e-6  # the same formulas as R survey; only summation order and quantile routines differ

EXPECTED = pl.read_csv(DATA / "r_ci_expected.csv", null_values=["NA"])


def _results(case: str, variable: str, method: str) -> pl.DataFrame:
    frame, design = design_for(case)
    frame = frame.with_columns(
        (pl.col("api00") > 700).cast(pl.Float64).alias("hi700"),
        (pl.col("sch.wide") == "Yes").cast(pl.Float64).alias("wide"),
    )
    measure = "mean" if variable == "api00" else "proportion"
    res = setara.estimate(
        frame,
        design,
        welfare=variable,
        measures=[measure],
        by="stype",
        overall=True,
        ci_method=method,
    )
    return res.frame.with_columns(pl.col("stype").fill_null("all"))


def _row(row: dict[str, Any]) -> dict[str, Any]:
    method = "logit" if row["kind"] == "diff" else row["kind"]
    got = _results(row["case"], row["variable"], method).filter(pl.col("stype") == row["domain"])
    assert got.height == 1
    return got.to_dicts()[0]


INTERVALS = [r for r in EXPECTED.to_dicts() if r["kind"] != "diff"]
DIFFERENCES = [r for r in EXPECTED.to_dicts() if r["kind"] == "diff"]


def _id(r: dict[str, Any]) -> str:
    return f"{r['case']}-{r['kind']}-{r['variable']}-{r['domain']}"


@pytest.mark.parametrize("row", INTERVALS, ids=_id)
def test_interval_equals_svyciprop(row: dict[str, Any]) -> None:
    got = _row(row)
    expected = [row["estimate"], row["se"], row["ci_low"], row["ci_high"]]
    observed = [got["estimate"], got["se"], got["ci_low"], got["ci_high"]]
    np.testing.assert_allclose(observed, expected, rtol=RTOL)


@pytest.mark.parametrize("row", DIFFERENCES, ids=_id)
def test_difference_from_national_equals_r(row: dict[str, Any]) -> None:
    got = _row(row)
    np.testing.assert_allclose(
        [got["diff_national"], got["diff_se"]], [row["estimate"], row["se"]], rtol=RTOL
    )


def test_reference_covers_every_case() -> None:
    """The reference file has what the tests above claim: both methods, domains, diffs."""
    cases = set(zip(EXPECTED["case"], EXPECTED["kind"], strict=True))
    for case in ("clus1", "strat", "clus2"):
        assert {(case, "logit"), (case, "beta"), (case, "diff")} <= cases
    assert {("jk1", "beta"), ("jk1", "diff")} <= cases
    assert len(INTERVALS) == 50 and len(DIFFERENCES) == 24


@pytest.mark.parametrize("method", ["logit", "beta"])
def test_cli_ci_method_gives_the_r_interval(
    method: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """``setara measure --ci-method`` reaches the same svyciprop interval (clus1, by stype)."""
    from tests.test_cli import run

    frame = design_for("clus1")[0].with_columns(
        (pl.col("api00") > 700).cast(pl.Float64).alias("hi700")
    )
    path = tmp_path / "clus1.csv"
    frame.write_csv(path)
    args = ["measure", str(path), "--income", "hi700", "--weight", "pw", "--psu", "dnum"]
    args += ["--fpc", "fpc", "--measure", "proportion", "--by", "stype", "--overall"]
    code, out, _ = run([*args, "--ci-method", method, "--format", "csv", "--quiet"], capsys)
    assert code == 0
    got = pl.read_csv(out.encode()).with_columns(pl.col("stype").fill_null("all"))
    expected = EXPECTED.filter(
        (pl.col("case") == "clus1") & (pl.col("kind") == method) & (pl.col("variable") == "hi700")
    )
    joined = expected.join(got, left_on="domain", right_on="stype", suffix="_got")
    assert joined.height == 4
    np.testing.assert_allclose(joined["ci_low_got"], joined["ci_low"], rtol=RTOL)
    np.testing.assert_allclose(joined["ci_high_got"], joined["ci_high"], rtol=RTOL)
    assert joined.filter(pl.col("domain") != "all")["diff_se"].null_count() == 0
