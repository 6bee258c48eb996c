"""Concentration index (standard, Wagstaff, Erreygers) and equity gaps between groups."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

import setara
from setara.errors import InputValueError, MeasureSpecError
from setara.gaps import gap
from setara.measures.base import MeasureData
from setara.measures.equity import Concentration
from setara.measures.equity_registry import EQUITY_BUILDERS
from tests.conftest import read_api

Survey = tuple[pl.DataFrame, setara.SurveyDesign, setara.SurveyDesign]


def clustered(seed: int = 7, strata: int = 30, psus: int = 4, size: int = 8) -> pl.DataFrame:
    """Stratified two-stage sample with strong PSU effects; both sexes in every PSU."""
    rng = np.random.default_rng(seed)
    n = strata * psus * size
    psu = np.repeat(np.arange(strata * psus), size)
    effect = rng.normal(size=strata * psus)[psu]
    female = rng.random(n) < 0.5
    income = np.exp(1.0 + 0.6 * effect + 0.5 * rng.normal(size=n))
    return pl.DataFrame(
        {
            "stratum": np.repeat(np.arange(strata), psus * size),
            "psu": psu,
            "w": rng.uniform(50.0, 150.0, n),
            "region": rng.integers(0, 3, n),
            "sex": np.where(female, "F", "M"),
            "income": income,
            "score": 50.0 + 10.0 * effect + 3.0 * female + 5.0 * rng.normal(size=n),
            "insured": (rng.random(n) < 1.0 / (1.0 + np.exp(-0.8 * effect))).astype(np.float64),
        }
    )


@pytest.fixture(scope="module")
def survey() -> Survey:
    frame = clustered()
    design = setara.survey_design(frame, weight="w", strata="stratum", psu="psu")
    return frame, design, setara.with_replicates(design, "jkn")


def _row(res: setara.Results, measure: str) -> dict[str, Any]:
    return res.frame.filter(pl.col("measure") == measure).to_dicts()[0]


# --------------------------------------------------------------------- concentration index


def test_concentration_of_welfare_is_the_midrank_gini() -> None:
    frame = read_api("apistrat")
    design = setara.survey_design(frame, weight="pw", strata="stype", fpc="fpc")
    gini = setara.estimate(frame, design, welfare="api00", measures=["gini"], by="stype")
    conc = setara.estimate(
        frame, design, welfare="api00", measures=[Concentration(outcome="api00")], by="stype"
    )
    np.testing.assert_allclose(conc.frame["estimate"], gini.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(conc.frame["se"], gini.frame["se"], rtol=1e-10)


def test_concentration_by_hand_with_ties() -> None:
    y = np.array([3.0, 1.0, 2.0, 2.0, 5.0, 2.0, 4.0])
    h = np.array([1.0, 4.0, 2.0, 0.0, 3.0, 1.0, 6.0])
    w = np.array([1.0, 2.0, 1.5, 1.0, 0.5, 2.0, 1.0])
    # fractional rank: weight strictly below plus half the weight of the tie, over N
    below = np.array([(w * (y < v)).sum() for v in y])
    tied = np.array([(w * (y == v)).sum() for v in y])
    rank = (below + 0.5 * tied) / w.sum()
    mean_h = (w * h).sum() / w.sum()
    cov = (w * (h - mean_h) * (rank - (w * rank).sum() / w.sum())).sum() / w.sum()
    expected = 2.0 * cov / mean_h
    frame = pl.DataFrame({"y": y, "h": h, "w": w})
    design = setara.survey_design(frame, weight="w")
    res = setara.estimate(frame, design, welfare="y", measures=[Concentration(outcome="h")])
    assert res.frame["estimate"][0] == pytest.approx(expected, rel=1e-12)
    # tied rows share one rank: the order of tied rows does not matter
    swapped = frame[[0, 1, 5, 3, 4, 2, 6]]
    again = setara.estimate(
        swapped,
        setara.survey_design(swapped, weight="w"),
        welfare="y",
        measures=[Concentration(outcome="h")],
    )
    assert again.frame["estimate"][0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("kind", ["standard", "wagstaff", "erreygers"])
def test_concentration_influence_is_the_weight_derivative(kind: str) -> None:
    rng = np.random.default_rng(3)
    n = 50
    y = np.round(rng.lognormal(size=n), 1)  # many ties
    h = rng.integers(0, 2, n).astype(np.float64)
    w = rng.uniform(1.0, 3.0, n)
    dom = rng.integers(0, 3, n)
    dom[:4] = -1
    data = MeasureData(
        y=np.where(dom >= 0, y, 0.0),
        weights=w,
        domain=dom,
        n_domains=3,
        population=np.where(dom >= 0, 0, -1),
        n_population=1,
        extra={"outcome": h},
    )
    m = Concentration(outcome="h", type=kind)
    lin = m.linearize(data)
    base = m.replicate(data, w[:, None])[:, 0]
    np.testing.assert_allclose(lin.estimate, base, rtol=1e-12)
    eps = 1e-6
    numeric = (m.replicate(data, w[:, None] + eps * np.eye(n)) - base[:, None]) / eps
    own = numeric[np.where(dom >= 0, dom, 0), np.arange(n)] * (dom >= 0)
    np.testing.assert_allclose(lin.influence, own, atol=1e-6)


def test_wagstaff_and_erreygers_relations(survey: Survey) -> None:
    frame, design, jkn = survey
    frame = frame.with_columns(score100=pl.col("insured") * 100.0)
    measures = [
        Concentration(outcome="insured"),
        Concentration(outcome="insured", type="wagstaff"),
        Concentration(outcome="insured", type="erreygers"),
        Concentration(outcome="score100", type="erreygers", lower=0.0, upper=100.0),
    ]
    res = setara.estimate(frame, design, welfare="income", measures=measures)
    c, wag, err, err100 = res.frame["estimate"].to_list()
    mu = setara.estimate(frame, design, welfare="insured", measures=["mean"]).frame["estimate"][0]
    assert wag == pytest.approx(c / (1.0 - mu), rel=1e-12)
    assert err == pytest.approx(4.0 * mu * c, rel=1e-12)
    assert err100 == pytest.approx(err, rel=1e-12)  # rescaling the outcome and its bounds
    rep = setara.estimate(frame, jkn, welfare="income", measures=measures)
    np.testing.assert_allclose(rep.frame["estimate"], res.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rep.frame["se"], res.frame["se"], rtol=0.05)


def test_wagstaff_needs_an_outcome_in_unit_interval(survey: Survey) -> None:
    frame, design, _ = survey
    with pytest.raises(InputValueError, match="between 0 and 1"):
        setara.estimate(
            frame,
            design,
            welfare="income",
            measures=[Concentration(outcome="score", type="wagstaff")],
        )


def test_concentration_spec() -> None:
    build = EQUITY_BUILDERS["concentration"]
    params = {"outcome": "h", "type": "erreygers", "lower": "0", "upper": "10"}
    (m,) = build(params)
    assert not params
    assert m.params() == "outcome=h,type=erreygers,lower=0,upper=10"
    (m,) = build({"outcome": "h", "type": "wagstaff"})
    assert m.params() == "outcome=h,type=wagstaff"
    with pytest.raises(MeasureSpecError, match="outcome"):
        build({})
    with pytest.raises(MeasureSpecError, match="type"):
        build({"outcome": "h", "type": "odd"})
    with pytest.raises(MeasureSpecError, match="erreygers"):
        build({"outcome": "h", "upper": "5"})


def test_concentration_spec_through_the_registry(survey: Survey) -> None:
    from setara.measures import registry

    registry.register(EQUITY_BUILDERS)  # what the registry wiring does
    frame, design, _ = survey
    res = setara.estimate(
        frame,
        design,
        welfare="income",
        measures=["concentration:outcome=insured,type=wagstaff", "concentration:outcome=income"],
    )
    assert res.frame["params"].to_list() == ["outcome=insured,type=wagstaff", "outcome=income"]
    gini = setara.estimate(frame, design, welfare="income", measures=["gini"])
    assert res.frame["estimate"][1] == pytest.approx(gini.frame["estimate"][0], rel=1e-12)


# -------------------------------------------------------------------------------- gaps


def test_gap_srs_matches_textbook_formula() -> None:
    rng = np.random.default_rng(11)
    n = 400
    girl = rng.random(n) < 0.45
    y = rng.normal(10.0, 2.0, n) + girl
    frame = pl.DataFrame({"y": y, "sex": np.where(girl, "F", "M"), "w": np.full(n, 25.0)})
    design = setara.survey_design(frame, weight="w")
    res = gap(frame, design, outcome="y", group="sex", comparison="F", reference="M")
    row = _row(res, "gap_difference")
    y1, y0 = y[girl], y[~girl]
    assert row["estimate"] == pytest.approx(y1.mean() - y0.mean(), rel=1e-12)
    n1, n0 = y1.size, y0.size
    s1, s0 = y1.var(ddof=1), y0.var(ddof=1)
    # with-replacement linearization: n/(n-1) sum_i a_i^2, a_i = +-(y_i - ybar_g)/n_g
    exact = n / (n - 1.0) * ((n1 - 1.0) * s1 / n1**2 + (n0 - 1.0) * s0 / n0**2)
    assert row["se"] == pytest.approx(np.sqrt(exact), rel=1e-10)
    assert row["se"] == pytest.approx(np.sqrt(s1 / n1 + s0 / n0), rel=0.01)


def test_gap_matches_stratified_variance_by_hand() -> None:
    frame = read_api("apistrat")
    design = setara.survey_design(frame, weight="pw", strata="stype")
    res = gap(frame, design, outcome="api00", group="sch.wide", comparison="Yes", reference="No")
    y = frame["api00"].to_numpy().astype(float)
    w = frame["pw"].to_numpy()
    comp = (frame["sch.wide"] == "Yes").to_numpy()
    stratum = frame["stype"].to_numpy()
    m1 = (w * y)[comp].sum() / w[comp].sum()
    m0 = (w * y)[~comp].sum() / w[~comp].sum()
    z = np.where(comp, (y - m1) / w[comp].sum(), -(y - m0) / w[~comp].sum())
    for name, infl in (("gap_difference", z), ("gap_ratio", None)):
        if infl is None:
            r = m1 / m0
            infl = np.where(comp, (y - m1) / w[comp].sum(), -r * (y - m0) / w[~comp].sum()) / m0
        a = w * infl
        var = 0.0
        for h in np.unique(stratum):
            ah = a[stratum == h]
            var += ah.size / (ah.size - 1.0) * ((ah - ah.mean()) ** 2).sum()
        row = _row(res, name)
        assert row["se"] == pytest.approx(np.sqrt(var), rel=1e-10)
    assert _row(res, "gap_ratio")["estimate"] == pytest.approx(m1 / m0, rel=1e-12)


def test_gap_includes_the_covariance_of_the_groups(survey: Survey) -> None:
    frame, design, jkn = survey
    res = gap(frame, design, outcome="score", group="sex", comparison="F", reference="M")
    rep = gap(frame, jkn, outcome="score", group="sex", comparison="F", reference="M")
    means = setara.estimate(frame, design, welfare="score", measures=["mean"], by="sex").frame
    est = dict(zip(means["sex"], means["estimate"], strict=True))
    se = dict(zip(means["sex"], means["se"], strict=True))
    diff = _row(res, "gap_difference")
    assert diff["estimate"] == pytest.approx(est["F"] - est["M"], rel=1e-12)
    assert _row(res, "gap_ratio")["estimate"] == pytest.approx(est["F"] / est["M"], rel=1e-12)
    # both sexes share PSUs: the positive covariance makes the contrast far more precise
    assert diff["se"] < 0.75 * np.hypot(se["F"], se["M"])
    np.testing.assert_allclose(rep.frame["estimate"], res.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rep.frame["se"], res.frame["se"], rtol=0.05)


def test_gap_by_domain_and_totals(survey: Survey) -> None:
    frame, design, jkn = survey
    res = gap(
        frame,
        design,
        outcome="insured",
        group="sex",
        comparison="F",
        reference="M",
        by="region",
    )
    assert res.by == ("region",)
    assert res.frame.height == 6
    means = setara.estimate(
        frame, design, welfare="insured", measures=["mean"], by=["region", "sex"]
    )
    wide = means.frame.pivot(on="sex", index="region", values="estimate").sort("region")
    diff = res.frame.filter(pl.col("measure") == "gap_difference").sort("region")
    np.testing.assert_allclose(diff["estimate"], wide["F"] - wide["M"], rtol=1e-10)
    assert diff["n"].sum() == frame.height
    rep = gap(
        frame, jkn, outcome="insured", group="sex", comparison="F", reference="M", by="region"
    )
    np.testing.assert_allclose(rep.frame["se"], res.frame["se"], rtol=0.08)
    totals = gap(
        frame,
        design,
        outcome="income",
        group="sex",
        comparison="F",
        reference="M",
        measure="total",
    )
    t = setara.estimate(frame, design, welfare="income", measures=["total"], by="sex").frame
    assert _row(totals, "gap_difference")["estimate"] == pytest.approx(
        t["estimate"][0] - t["estimate"][1], rel=1e-12
    )
    assert _row(totals, "gap_difference")["params"].endswith("measure=total")


def test_gap_errors(survey: Survey) -> None:
    frame, design, _ = survey
    with pytest.raises(InputValueError, match="no rows equal"):
        gap(frame, design, outcome="score", group="sex", comparison="X", reference="M")
    with pytest.raises(InputValueError, match="same group"):
        gap(frame, design, outcome="score", group="sex", comparison="M", reference="M")
    with pytest.raises(InputValueError, match="gap measure"):
        gap(
            frame,
            design,
            outcome="score",
            group="sex",
            comparison="F",
            reference="M",
            measure="median",
        )


def test_gap_numeric_group_and_missing_outcome() -> None:
    frame = read_api("apistrat")  # acs.k3 has missing values
    design = setara.survey_design(frame, weight="pw", strata="stype")
    res = gap(frame, design, outcome="acs.k3", group="dnum", comparison=401, reference=689)
    missing = frame.filter(pl.col("dnum").is_in([401, 689]) & pl.col("acs.k3").is_not_null())
    assert _row(res, "gap_difference")["n"] == missing.height
    assert any("acs.k3" in note for note in res.notes)
