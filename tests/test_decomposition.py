"""GE decomposition by groups, FGT decomposition by groups and Lerman–Yitzhaki Gini sources."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.decomposition import (
    GEBetween,
    decompose_fgt,
    decompose_ge,
    decompose_gini_sources,
)
from setara.errors import MeasureSpecError
from setara.kernels.groups import combine_codes
from setara.measures.base import Measure, MeasureData
from setara.measures.basic import Ratio
from setara.measures.equity import Concentration
from setara.measures.inequality import Gini
from setara.measures.product import ProductMeasure

Survey = tuple[pl.DataFrame, setara.SurveyDesign, setara.SurveyDesign]


def synthetic(seed: int = 3) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    strata, psus, size = 30, 4, 8
    n = strata * psus * size
    psu = np.repeat(np.arange(strata * psus), size)
    effect = rng.normal(size=strata * psus)[psu]
    region = rng.integers(0, 3, n)
    wage = np.exp(0.5 + 0.4 * region + 0.5 * effect + rng.normal(size=n))
    return pl.DataFrame(
        {
            "stratum": np.repeat(np.arange(strata), psus * size),
            "psu": psu,
            "w": rng.uniform(50.0, 150.0, n),
            "region": region,
            "urban": rng.integers(0, 2, n),
            "wage": wage,
            "transfer": rng.exponential(1.0, n),
            "tax": -0.1 * wage * (rng.random(n) < 0.5),
        }
    ).with_columns(income=pl.col("wage") + pl.col("transfer"))


@pytest.fixture(scope="module")
def survey() -> Survey:
    frame = synthetic()
    design = setara.survey_design(frame, weight="w", strata="stratum", psu="psu")
    return frame, design, setara.with_replicates(design, "jkn")


def by_measure(res: setara.Results, measure: str) -> pl.DataFrame:
    return res.frame.filter(pl.col("measure") == measure)


def numeric_influence(measure: Measure, data: MeasureData) -> tuple[np.ndarray, np.ndarray]:
    """Influence from ``linearize`` and from finite differences of ``replicate``."""
    w = data.weights
    n = w.size
    base = measure.replicate(data, w[:, None])[:, 0]
    eps = 1e-6
    numeric = (measure.replicate(data, w[:, None] + eps * np.eye(n)) - base[:, None]) / eps
    d = np.where(data.domain >= 0, data.domain, 0)
    return measure.linearize(data).influence, numeric[d, np.arange(n)] * (data.domain >= 0)


# ------------------------------------------------------------------------------------ GE


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0])
def test_ge_within_plus_between_is_total(survey: Survey, alpha: float) -> None:
    frame, design, _ = survey
    res = decompose_ge(frame, design, welfare="income", group="region", alpha=alpha, by="urban")
    total = by_measure(res, "ge_total")["estimate"].to_numpy()
    within = by_measure(res, "ge_within")["estimate"].to_numpy()
    between = by_measure(res, "ge_between")["estimate"].to_numpy()
    np.testing.assert_allclose(within + between, total, rtol=1e-12)
    assert by_measure(res, "ge_total")["params"][0] == f"alpha={alpha:g},group=region"
    ge = setara.estimate(
        frame, design, welfare="income", measures=[f"ge:alpha={alpha:g}"], by="urban"
    )
    np.testing.assert_allclose(total, ge.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(by_measure(res, "ge_total")["se"], ge.frame["se"], rtol=1e-12)
    # between = GE of the group means given to every member
    means = frame.with_columns(
        gm=(pl.col("income") * pl.col("w")).sum().over("urban", "region")
        / pl.col("w").sum().over("urban", "region")
    )
    flat = setara.estimate(
        means, design, welfare="gm", measures=[f"ge:alpha={alpha:g}"], by="urban"
    )
    np.testing.assert_allclose(between, flat.frame["estimate"], rtol=1e-10)


def test_ge_within_is_weighted_sum_of_group_ge(survey: Survey) -> None:
    frame, design, _ = survey
    alpha = 2.0
    res = decompose_ge(frame, design, welfare="income", group="region", alpha=alpha)
    g = setara.estimate(
        frame, design, welfare="income", measures=["ge:alpha=2", "mean"], by="region"
    )
    ge_g = by_measure(g, "ge")["estimate"].to_numpy()
    mu_g = by_measure(g, "mean")["estimate"].to_numpy()
    n_g = frame.group_by("region").agg(pl.col("w").sum()).sort("region")["w"].to_numpy()
    p = n_g / n_g.sum()
    s = p * mu_g / (p * mu_g).sum()
    expected = (s**alpha * p ** (1.0 - alpha) * ge_g).sum()
    assert by_measure(res, "ge_within")["estimate"][0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0, 0.5])
def test_ge_between_influence(alpha: float) -> None:
    rng = np.random.default_rng(1)
    n = 60
    y = rng.lognormal(size=n)
    dom = rng.integers(0, 2, n)
    dom[:3] = -1
    cell, n_cells = combine_codes(dom, rng.integers(0, 3, n), 3)
    cell_domain = np.zeros(n_cells, dtype=np.int64)
    cell_domain[cell[cell >= 0]] = dom[cell >= 0]
    data = MeasureData(
        y=np.where(dom >= 0, y, 0.0),
        weights=rng.uniform(1.0, 3.0, n),
        domain=dom,
        n_domains=2,
        population=np.where(dom >= 0, 0, -1),
        n_population=1,
    )
    m = GEBetween(alpha=alpha, cell=cell, n_cells=n_cells, cell_domain=cell_domain)
    analytic, numeric = numeric_influence(m, data)
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)


def test_ge_replicates_agree_with_linearization(survey: Survey) -> None:
    frame, design, jkn = survey
    lin = decompose_ge(frame, design, welfare="income", group="region", alpha=1.0)
    rep = decompose_ge(frame, jkn, welfare="income", group="region", alpha=1.0)
    np.testing.assert_allclose(rep.frame["estimate"], lin.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rep.frame["se"], lin.frame["se"], rtol=0.05)


# ----------------------------------------------------------------------------------- FGT


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0])
def test_fgt_shares_and_contributions_sum_to_one(survey: Survey, alpha: float) -> None:
    frame, design, _ = survey
    res = decompose_fgt(
        frame, design, welfare="income", group="region", alpha=alpha, line=3.0, by="urban"
    )
    assert res.by == ("urban", "region")
    for name in ("fgt_population_share", "fgt_contribution"):
        sums = by_measure(res, name).group_by("urban").agg(pl.col("estimate").sum())
        np.testing.assert_allclose(sums["estimate"], 1.0, rtol=1e-12)
    groups = setara.estimate(
        frame,
        design,
        welfare="income",
        measures=[f"fgt:alpha={alpha:g},line=3"],
        by=["urban", "region"],
    )
    np.testing.assert_allclose(by_measure(res, "fgt_group")["estimate"], groups.frame["estimate"])
    np.testing.assert_allclose(by_measure(res, "fgt_group")["se"], groups.frame["se"], rtol=1e-10)
    total = (
        setara.estimate(
            frame, design, welfare="income", measures=[f"fgt:alpha={alpha:g},line=3"], by="urban"
        )
        .frame["estimate"]
        .to_numpy()
    )
    share = by_measure(res, "fgt_population_share")["estimate"].to_numpy().reshape(2, 3)
    fgt = by_measure(res, "fgt_group")["estimate"].to_numpy().reshape(2, 3)
    np.testing.assert_allclose((share * fgt).sum(axis=1), total, rtol=1e-12)
    contrib = by_measure(res, "fgt_contribution")["estimate"].to_numpy().reshape(2, 3)
    np.testing.assert_allclose(contrib, share * fgt / total[:, None], rtol=1e-12)


def test_fgt_decomposition_standard_errors(survey: Survey) -> None:
    frame, design, jkn = survey
    frame = frame.with_columns(z=pl.lit(3.0), is_r0=(pl.col("region") == 0).cast(pl.Float64))
    lin = decompose_fgt(frame, design, welfare="income", group="region", alpha=1.0, line="@z")
    rep = decompose_fgt(frame, jkn, welfare="income", group="region", alpha=1.0, line=3)
    np.testing.assert_allclose(rep.frame["estimate"], lin.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rep.frame["se"], lin.frame["se"], rtol=0.05)
    share = setara.estimate(frame, design, welfare="is_r0", measures=["mean"]).frame
    got = by_measure(lin, "fgt_population_share")
    assert got["se"][0] == pytest.approx(share["se"][0], rel=1e-10)
    with pytest.raises(MeasureSpecError, match="fixed poverty line"):
        decompose_fgt(frame, design, welfare="income", group="region", alpha=0, line="0.6*median")


# ------------------------------------------------------------------------ Gini by sources


def test_lerman_yitzhaki_sums_to_the_gini(survey: Survey) -> None:
    frame, design, _ = survey
    frame = frame.with_columns(total=pl.col("wage") + pl.col("transfer") + pl.col("tax"))
    sources = ["wage", "transfer", "tax"]
    res = decompose_gini_sources(frame, design, sources=sources, by="urban")
    gini = setara.estimate(frame, design, welfare="total", measures=["gini"], by="urban").frame
    est = {
        name: by_measure(res, f"gini_source_{name}")["estimate"].to_numpy().reshape(3, 2)
        for name in ("share", "gini", "correlation", "contribution")
    }
    absolute = est["share"] * est["correlation"] * est["gini"]
    np.testing.assert_allclose(absolute.sum(axis=0), gini["estimate"], rtol=1e-10)
    np.testing.assert_allclose(est["contribution"].sum(axis=0), 1.0, rtol=1e-10)
    np.testing.assert_allclose(est["share"].sum(axis=0), 1.0, rtol=1e-12)
    source_gini = setara.estimate(frame, design, welfare="transfer", measures=["gini"], by="urban")
    np.testing.assert_allclose(est["gini"][1], source_gini.frame["estimate"], rtol=1e-12)
    assert by_measure(res, "gini_source_share")["params"][0] == "source=wage"


def test_gini_correlation_by_hand(survey: Survey) -> None:
    frame, design, _ = survey
    res = decompose_gini_sources(frame, design, sources=["wage", "transfer"])
    y = frame["income"].to_numpy()
    yk = frame["transfer"].to_numpy()
    w = frame["w"].to_numpy()

    def midrank(v: np.ndarray) -> np.ndarray:
        order = np.argsort(v, kind="stable")
        cum = np.cumsum(w[order])
        out = np.empty_like(v)
        out[order] = (cum - 0.5 * w[order]) / w.sum()  # continuous values: no ties
        return out

    def cov(a: np.ndarray, b: np.ndarray) -> float:
        ma, mb = np.average(a, weights=w), np.average(b, weights=w)
        return float(np.average((a - ma) * (b - mb), weights=w))

    expected = cov(yk, midrank(y)) / cov(yk, midrank(yk))
    got = by_measure(res, "gini_source_correlation").filter(pl.col("params") == "source=transfer")
    assert got["estimate"][0] == pytest.approx(expected, rel=1e-10)


def test_gini_sources_standard_errors(survey: Survey) -> None:
    frame, design, jkn = survey
    lin = decompose_gini_sources(frame, design, sources=["wage", "transfer"])
    rep = decompose_gini_sources(frame, jkn, sources=["wage", "transfer"])
    np.testing.assert_allclose(rep.frame["estimate"], lin.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rep.frame["se"], lin.frame["se"], rtol=0.05)


def test_source_contribution_influence() -> None:
    rng = np.random.default_rng(2)
    n = 40
    yk = rng.lognormal(size=n)
    y = yk + rng.exponential(size=n)
    w = rng.uniform(1.0, 3.0, n)
    dom = rng.integers(0, 2, n)
    inside = np.where(dom >= 0, 0, -1)

    def view(v: np.ndarray, **extra: np.ndarray) -> MeasureData:
        return MeasureData(
            y=v,
            weights=w,
            domain=dom,
            n_domains=2,
            population=inside,
            n_population=1,
            extra=extra,
        )

    total = view(y)
    m = ProductMeasure(
        parts=[
            (Ratio(), view(yk, denominator=y), 1.0),
            (Concentration(outcome="k"), view(y, outcome=yk), 1.0),
            (Gini(), total, -1.0),
        ]
    )
    analytic, numeric = numeric_influence(m, total)
    np.testing.assert_allclose(analytic, numeric, atol=1e-6)
