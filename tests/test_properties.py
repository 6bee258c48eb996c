"""Properties every estimator must have, checked with Hypothesis on random samples."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import setara

INEQUALITY = ["gini", "gini:method=osier", "theil", "mld", "atkinson:epsilon=1", "ge:alpha=2"]
SCALE_FREE = [*INEQUALITY, "fgt:alpha=1,line=0.6*median", "qsr", "palma", "cv"]
TOL = 1e-9  # pure floating-point noise: the identities are exact


@st.composite
def samples(draw: st.DrawFn, min_size: int = 8) -> pl.DataFrame:
    n = draw(st.integers(min_value=min_size, max_value=60))
    seed = draw(st.integers(min_value=0, max_value=2**31 - 1))
    rng = np.random.default_rng(seed)
    return pl.DataFrame(
        {
            "y": np.round(rng.lognormal(8.0, 0.8, n), 2),
            "w": rng.uniform(0.5, 5.0, n),
            "stratum": np.arange(n) % 2,
            "psu": np.arange(n),
            "region": rng.integers(0, 3, n),
        }
    )


def run(frame: pl.DataFrame, measures: list[str], weight: str = "w", by: str | None = None):
    design = setara.survey_design(frame, weight=weight, strata="stratum", psu="psu")
    return setara.estimate(frame, design, welfare="y", measures=measures, by=by).frame


@settings(max_examples=30, deadline=None)
@given(samples(), st.floats(min_value=0.01, max_value=1000.0))
def test_rescaling_weights_changes_nothing(frame: pl.DataFrame, factor: float) -> None:
    base = run(frame, SCALE_FREE)
    scaled = run(frame.with_columns((pl.col("w") * factor).alias("w")), SCALE_FREE)
    midrank = base["params"] != "method=osier"  # Osier's Gini is not scale invariant (README)
    np.testing.assert_allclose(
        scaled["estimate"].to_numpy()[midrank.to_numpy()],
        base["estimate"].to_numpy()[midrank.to_numpy()],
        rtol=TOL,
    )
    # SEs too, except where convey's kernel bandwidth h = sd * N^(-1/5) uses the weight total
    # (quantile-based measures) and Osier's Gini: documented definitional choices of convey.
    smooth = ~base["measure"].is_in(["fgt", "qsr", "palma"]).to_numpy() & midrank.to_numpy()
    np.testing.assert_allclose(
        scaled["se"].to_numpy()[smooth], base["se"].to_numpy()[smooth], rtol=1e-7
    )


@settings(max_examples=30, deadline=None)
@given(samples())
def test_duplicating_with_half_weight_changes_no_midrank_estimate(frame: pl.DataFrame) -> None:
    measures = ["gini", "theil", "mld", "atkinson:epsilon=2", "mean", "fgt:alpha=0,line=3000"]
    doubled = pl.concat([frame, frame]).with_columns((pl.col("w") / 2).alias("w"))
    doubled = doubled.with_columns(pl.Series("psu", np.arange(doubled.height)))
    np.testing.assert_allclose(
        run(doubled, measures)["estimate"].to_numpy(),
        run(frame, measures)["estimate"].to_numpy(),
        rtol=TOL,
    )


@settings(max_examples=30, deadline=None)
@given(samples(), st.floats(min_value=0.05, max_value=0.45))
def test_rich_to_poor_transfer_lowers_inequality(frame: pl.DataFrame, share: float) -> None:
    y = frame["y"].to_numpy().copy()
    rich, poor = int(np.argmax(y)), int(np.argmin(y))
    if y[rich] <= y[poor] * 1.01:
        return
    amount = share * (y[rich] - y[poor]) / 2  # keeps the ranking of the two
    y[rich] -= amount
    y[poor] += amount
    measures = ["gini", "theil", "atkinson:epsilon=1"]
    before = run(frame, measures)["estimate"].to_numpy()
    after = run(frame.with_columns(pl.Series("y", y)), measures)["estimate"].to_numpy()
    assert (after < before).all()


@settings(max_examples=20, deadline=None)
@given(samples(min_size=20))
def test_domain_estimate_ignores_other_domains(frame: pl.DataFrame) -> None:
    measures = ["gini", "mean", "median", "atkinson:epsilon=0.5"]
    base = run(frame, measures, by="region").filter(pl.col("region") == 0)
    changed = frame.with_columns(
        pl.when(pl.col("region") != 0).then(pl.col("y") * 7.0 + 11.0).otherwise(pl.col("y"))
    )
    other = run(changed, measures, by="region").filter(pl.col("region") == 0)
    np.testing.assert_allclose(other["estimate"].to_numpy(), base["estimate"].to_numpy(), rtol=TOL)
    np.testing.assert_allclose(other["se"].to_numpy(), base["se"].to_numpy(), rtol=1e-9)


def test_nonpositive_welfare_is_reported_not_silent() -> None:
    frame = pl.DataFrame({"y": [0.0, -5.0, 10.0, 20.0, 30.0, 40.0], "psu": range(6)})
    design = setara.survey_design(frame, psu="psu")
    res = setara.estimate(frame, design, welfare="y", measures=["atkinson:epsilon=1", "gini"])
    assert res.frame["n"].to_list() == [4, 6]
    assert any("2 rows with zero or negative" in note for note in res.notes)


def test_empty_and_single_psu_domains_are_flagged() -> None:
    frame = pl.DataFrame(
        {"y": [1.0, 2.0, 3.0, 4.0, 5.0], "psu": [1, 1, 2, 3, 4], "g": ["a", "a", "b", "b", "b"]}
    )
    design = setara.survey_design(frame, psu="psu")
    res = setara.estimate(frame, design, welfare="y", measures=["mean"], by="g").frame
    assert res.filter(pl.col("g") == "a")["reliability"][0] == "one PSU"


@pytest.mark.parametrize("kind", ["jk1", "bootstrap"])
def test_created_replicates_close_to_linearization(kind: str) -> None:
    rng = np.random.default_rng(7)
    n = 400
    frame = pl.DataFrame({"y": rng.lognormal(8, 0.7, n), "psu": np.arange(n)})
    design = setara.survey_design(frame, psu="psu")
    rep = setara.with_replicates(design, kind, replicates=400, rng=np.random.default_rng(3))
    lin = setara.estimate(frame, design, welfare="y", measures=["mean", "gini"]).frame
    boot = setara.estimate(frame, rep, welfare="y", measures=["mean", "gini"]).frame
    # independent variance methods agree to sampling noise of the bootstrap (~10% at R=400)
    np.testing.assert_allclose(boot["se"].to_numpy(), lin["se"].to_numpy(), rtol=0.15)


def test_overall_rows_equal_a_separate_population_call(eusilc: pl.DataFrame) -> None:
    """``overall=True`` shares sorting with the domains but must give the same numbers."""
    design = setara.survey_design(eusilc, weight="rb050", strata="db040", psu="rb030")
    measures = [
        "gini",
        "median",
        "qsr",
        "atkinson:epsilon=1",
        "fgt:alpha=0,line=0.6*median",
        "fgt:alpha=1,line=0.6*median,scope=domain",
        "watts:line=0.5*mean",
    ]
    both = setara.estimate(
        eusilc, design, welfare="eqincome", measures=measures, by="db040", overall=True
    ).frame
    alone = setara.estimate(eusilc, design, welfare="eqincome", measures=measures).frame
    national = both.filter(pl.col("db040").is_null())
    assert national.height == len(measures)
    np.testing.assert_allclose(national["estimate"], alone["estimate"], rtol=1e-12)
    np.testing.assert_allclose(national["se"], alone["se"], rtol=1e-12)
    assert both.filter(pl.col("db040").is_not_null()).height == 9 * len(measures)
    # measures share intermediate results: their order must not change any number
    backwards = setara.estimate(
        eusilc, design, welfare="eqincome", measures=measures[::-1], by="db040", overall=True
    ).frame
    key = ["measure", "params", "db040"]
    np.testing.assert_allclose(
        backwards.sort(key, nulls_last=True)["se"],
        both.sort(key, nulls_last=True)["se"],
        rtol=1e-12,
    )
