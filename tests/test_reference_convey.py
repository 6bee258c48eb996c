"""Every row of the R survey/convey reference (tests/data/expected.csv) through the Python API.

Source: R 4.2, survey 4.1-1, convey 1.0.1, laeken 0.5.2 (tests/data/REFERENCE_README.md).
"""

from __future__ import annotations

import json

import polars as pl
import pytest

import setara
from tests.conftest import DATA

# Relative tolerance required by the issue: the estimators are the same formulas as the
# reference, so only floating-point summation order separates the two.
RTOL = 1e-6

EXPECTED = pl.read_csv(DATA / "expected.csv")


def spec_for(measure: str, params: str | None) -> str:
    """Translate a reference row to a Setara measure specification."""
    kv = dict(item.split("=", 1) for item in (params or "").split(";") if item)
    if measure == "gini":
        return "gini:method=osier"  # convey's Gini is Osier's estimator
    if measure == "fgt":
        return f"fgt:alpha={kv['g']},line={kv['line']}"
    if kv:
        return measure + ":" + ",".join(f"{k}={v}" for k, v in kv.items())
    return measure


@pytest.fixture(scope="module")
def designs(eusilc: pl.DataFrame, eusilc_with_replicates: pl.DataFrame) -> dict[str, object]:
    meta = json.loads((DATA / "eusilc_bootstrap_weights.json").read_text())
    linear = setara.survey_design(eusilc, weight="rb050", strata="db040", psu="rb030")
    boot = setara.survey_design(
        eusilc_with_replicates,
        weight="rb050",
        strata="db040",
        psu="rb030",
        replicate_weights="rep*",
        replicate_type=meta["type"],
        replicate_scale=meta["scale"],
        replicate_rscales=meta["rscales"],
        mse=meta["mse"],
    )
    return {"A": (eusilc, linear), "A-bootstrap50": (eusilc_with_replicates, boot)}


@pytest.mark.parametrize(
    "row",
    EXPECTED.to_dicts(),
    ids=lambda r: f"{r['design']}-{r['measure']}-{r['params']}-{r['domain']}",
)
def test_reference_row(row: dict[str, object], designs: dict[str, object]) -> None:
    frame, design = designs[str(row["design"])]  # type: ignore[misc]
    by = None if row["domain"] == "all" else "db040"
    res = setara.estimate(
        frame, design, welfare="eqincome", measures=[spec_for(row["measure"], row["params"])], by=by
    ).frame
    if by:
        res = res.filter(pl.col("db040") == row["domain"])
    assert res.height == 1
    assert res["estimate"][0] == pytest.approx(row["estimate"], rel=RTOL)
    assert res["se"][0] == pytest.approx(row["se"], rel=RTOL)


def test_midrank_gini_equals_laeken(eusilc: pl.DataFrame) -> None:
    """laeken::gini(eqincome, rb050) prints 26.48962 (README); the R value to 15 digits."""
    design = setara.survey_design(eusilc, weight="rb050")
    res = setara.estimate(eusilc, design, welfare="eqincome", measures=["gini"]).frame
    assert res["estimate"][0] == pytest.approx(0.264896192113229, rel=1e-12)


def test_laeken_figures(eusilc: pl.DataFrame) -> None:
    """laeken's Eurostat indicators on eusilc (weights only): arpt, arpr, qsr, median."""
    design = setara.survey_design(eusilc, weight="rb050")
    res = setara.estimate(
        eusilc, design, welfare="eqincome", measures=["arpt", "arpr", "qsr", "median"]
    ).frame
    values = dict(zip(res["measure"], res["estimate"], strict=True))
    assert values["arpt"] == pytest.approx(10859.236, rel=1e-9)
    assert values["arpr"] == pytest.approx(0.144442181675336, rel=1e-9)
    assert values["qsr"] == pytest.approx(3.97000432603667, rel=1e-9)
    assert values["quantile"] == pytest.approx(18098.7266666667, rel=1e-9)
