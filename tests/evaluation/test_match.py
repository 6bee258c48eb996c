"""Matching and weighting: the LaLonde NSW experimental sample against its published numbers
and R, the vectorised Abadie–Imbens variance against a plain loop, and bad input."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from setara.errors import InputValueError
from setara.evaluation import match_estimate
from setara.evaluation.matching import KernelMatches, matched_effect, nearest_pairs
from tests.conftest import DATA

LALONDE = DATA / "evaluation" / "lalonde_nsw_experimental.tsv"
COVARIATES = ["black", "hisp", "age", "married", "nodegree", "educ", "re74", "u74", "re75", "u75"]
# R and Setara compute the same closed forms in double precision
R_TOLERANCE = 1e-9
# the logit is fitted by Newton's method in both, stopping at different iterates
R_LOGIT_TOLERANCE = 1e-7


@pytest.fixture(scope="module")
def lalonde() -> pl.DataFrame:
    return pl.read_csv(LALONDE, separator="\t", infer_schema_length=None)


@pytest.fixture(scope="module")
def published() -> dict[str, tuple[float, int]]:
    rows = pl.read_csv(DATA / "evaluation" / "lalonde_published.csv").iter_rows(named=True)
    return {r["quantity"]: (r["value"], r["printed_digits"]) for r in rows}


def _printed(value: float, digits: int) -> float:
    """Half a unit of the last printed digit."""
    return 0.5 * 10.0**-digits + 1e-12


def test_lalonde_experimental_difference_and_balance_match_the_papers(
    lalonde: pl.DataFrame, published: dict[str, tuple[float, int]]
) -> None:
    result = match_estimate(lalonde, outcome="re78", treat="t", covariates=COVARIATES)
    raw = result.raw.row(0, named=True)
    value, digits = published["difference_in_means"]
    assert raw["estimate"] == pytest.approx(value, abs=_printed(value, digits))
    assert raw["n_treated"] == published["n_treated"][0]
    assert raw["n_control"] == published["n_control"][0]
    balance = {r["covariate"]: r for r in result.balance.iter_rows(named=True)}
    for name in COVARIATES:
        value, digits = published[f"std_diff_{name}"]
        ours = balance[name]["std_diff_before"]
        assert ours == pytest.approx(value, abs=_printed(value, digits)), name
    value, digits = published["t_nodegree"]
    nodegree = balance["nodegree"]
    t = nodegree["diff_before"] / nodegree["diff_se_before"]
    assert t == pytest.approx(value, abs=_printed(value, digits))


def test_lalonde_balance_and_ipw_equal_r(lalonde: pl.DataFrame) -> None:
    reference = pl.read_csv(DATA / "evaluation" / "lalonde_balance_r.csv")
    result = match_estimate(lalonde, outcome="re78", treat="t", covariates=COVARIATES)
    ours = result.balance
    assert ours["covariate"].to_list() == reference["covariate"].to_list()
    pairs = {
        "mean_treated_before": "mean_treated",
        "mean_control_before": "mean_control",
        "diff_before": "diff",
        "diff_se_before": "diff_se",
        "std_diff_before": "std_diff",
        "var_ratio_before": "var_ratio",
    }
    for mine, theirs in pairs.items():
        np.testing.assert_allclose(ours[mine], reference[theirs], rtol=R_TOLERANCE, err_msg=mine)
    r = dict(pl.read_csv(DATA / "evaluation" / "lalonde_ipw_r.csv").iter_rows())
    raw = result.raw.row(0, named=True)
    assert raw["estimate"] == pytest.approx(r["difference_in_means"], rel=R_TOLERANCE)
    assert raw["se"] == pytest.approx(r["difference_in_means_se"], rel=R_TOLERANCE)
    for estimand in ("att", "ate"):
        ipw = match_estimate(
            lalonde,
            outcome="re78",
            treat="t",
            covariates=COVARIATES,
            method="ipw",
            estimand=estimand,
        )
        assert ipw.frame["estimate"][0] == pytest.approx(
            r[f"ipw_{estimand}"], rel=R_LOGIT_TOLERANCE
        )


@pytest.mark.parametrize("estimand", ["att", "ate"])
def test_entropy_balancing_balances_the_means(lalonde: pl.DataFrame, estimand: str) -> None:
    result = match_estimate(
        lalonde,
        outcome="re78",
        treat="t",
        covariates=COVARIATES,
        method="entropy",
        estimand=estimand,
    )
    assert np.abs(result.balance["std_diff_after"].to_numpy()).max() < 1e-6
    assert result.frame["se"][0] > 0


@pytest.mark.parametrize("method", ["nn", "kernel", "ipw", "entropy"])
def test_every_method_lands_near_the_experimental_benchmark(
    lalonde: pl.DataFrame, method: str
) -> None:
    """In an experiment every adjustment estimates the same effect: each interval covers
    the unadjusted difference (1.794)."""
    row = match_estimate(
        lalonde, outcome="re78", treat="t", covariates=COVARIATES, method=method
    ).frame.row(0, named=True)
    assert row["ci_low"] < 1.794 < row["ci_high"]
    assert 0.5 < row["se"] < 1.0


def test_frequency_weights_equal_duplicated_rows(lalonde: pl.DataFrame) -> None:
    """A survey weight of 2 is two identical respondents for the weighting estimators."""
    rng = np.random.default_rng(11)
    twice = rng.random(lalonde.height) < 0.3
    weighted = lalonde.with_columns(w=pl.Series(np.where(twice, 2.0, 1.0)))
    duplicated = pl.concat([lalonde, lalonde.filter(pl.Series(twice))])
    for method in ("ipw", "entropy"):
        a = match_estimate(
            weighted, outcome="re78", treat="t", covariates=COVARIATES, method=method, weight="w"
        ).frame["estimate"][0]
        b = match_estimate(
            duplicated, outcome="re78", treat="t", covariates=COVARIATES, method=method
        ).frame["estimate"][0]
        assert a == pytest.approx(b, rel=1e-7), method


def _naive(score, y, treat, weight, k, estimand, caliper=None):  # type: ignore[no-untyped-def]
    """Nearest-neighbour matching and the Abadie–Imbens (2006) variance, unit by unit."""
    n = y.size
    queries = [i for i in range(n) if treat[i] == 1 or estimand == "ate"]
    lam, cross, tau, omega = np.zeros(n), np.zeros(n), {}, {}
    for i in queries:
        pool = [j for j in range(n) if treat[j] != treat[i]]
        dist = sorted((abs(score[j] - score[i]), pos, j) for pos, j in enumerate(pool))[:k]
        chosen = [j for d, _, j in dist if caliper is None or d <= caliper]
        if not chosen:
            continue
        sign = 1.0 if treat[i] == 1 else -1.0
        tau[i] = sign * (y[i] - np.mean(y[chosen]))
        omega[i] = weight[i]
        for j in chosen:
            lam[j] += weight[i] / len(chosen)
            cross[j] += (weight[i] / len(chosen)) ** 2
    total = sum(omega.values())
    estimate = sum(omega[i] * tau[i] for i in tau) / total
    own = np.zeros(n)
    for i in omega:
        own[i] = omega[i] / total
    lam = lam / total + own
    cross = cross / total**2
    sigma2 = np.zeros(n)
    for i in range(n):
        same = [j for j in range(n) if treat[j] == treat[i] and j != i]
        nearest = min(same, key=lambda j: abs(score[j] - score[i]))
        sigma2[i] = 0.5 * (y[i] - y[nearest]) ** 2
    var = sum((omega[i] / total) ** 2 * (tau[i] - estimate) ** 2 for i in tau)
    var += float(((lam**2 - own**2 - cross) * sigma2).sum())
    return estimate, np.sqrt(var)


@pytest.mark.parametrize(
    ("k", "estimand", "caliper"),
    [(1, "att", None), (3, "att", None), (2, "ate", None), (1, "att", 0.05)],
)
def test_vectorised_matching_equals_a_unit_by_unit_loop(
    k: int, estimand: str, caliper: float | None
) -> None:
    rng = np.random.default_rng(k)
    n = 60
    score = rng.normal(size=n)
    treat = (rng.random(n) < 0.4).astype(float)
    y = score + treat + rng.normal(size=n)
    weight = rng.uniform(0.5, 2.0, n)
    treated, control = np.flatnonzero(treat == 1), np.flatnonzero(treat == 0)
    directions = [(treated, control)] + ([(control, treated)] if estimand == "ate" else [])
    pairs = [nearest_pairs(score, q, p, k, caliper) for q, p in directions]
    effect = matched_effect(score, y, treat, weight, pairs)
    estimate, se = _naive(score, y, treat, weight, k, estimand, caliper)
    assert effect.estimate == pytest.approx(estimate, rel=1e-12)
    assert effect.se == pytest.approx(se, rel=1e-12)


def _naive_kernel(score, y, treat, weight, h, estimand):  # type: ignore[no-untyped-def]
    """Kernel matching and the same variance, pair by pair."""
    n = y.size
    queries = [i for i in range(n) if treat[i] == 1 or estimand == "ate"]
    lam, cross, tau, omega = np.zeros(n), np.zeros(n), {}, {}
    shares = {}
    for i in queries:
        pool = [j for j in range(n) if treat[j] != treat[i] and abs(score[j] - score[i]) < h]
        k = {j: 0.75 * (1 - ((score[j] - score[i]) / h) ** 2) * weight[j] for j in pool}
        total_k = sum(k.values())
        if not pool or total_k <= 0:
            continue
        shares[i] = {j: v / total_k for j, v in k.items()}
        sign = 1.0 if treat[i] == 1 else -1.0
        tau[i] = sign * (y[i] - sum(m * y[j] for j, m in shares[i].items()))
        omega[i] = weight[i]
    total = sum(omega.values())
    estimate = sum(omega[i] * tau[i] for i in tau) / total
    own = np.zeros(n)
    for i in omega:
        own[i] = omega[i] / total
        for j, m in shares[i].items():
            lam[j] += own[i] * m
            cross[j] += (own[i] * m) ** 2
    lam += own
    sigma2 = np.zeros(n)
    for i in range(n):
        same = [j for j in range(n) if treat[j] == treat[i] and j != i]
        nearest = min(same, key=lambda j: abs(score[j] - score[i]))
        sigma2[i] = 0.5 * (y[i] - y[nearest]) ** 2
    var = sum(own[i] ** 2 * (tau[i] - estimate) ** 2 for i in tau)
    var += float(((lam**2 - own**2 - cross) * sigma2).sum())
    return estimate, np.sqrt(var)


@pytest.mark.parametrize(
    ("bandwidth", "estimand", "pair_limit", "rtol"),
    [
        (0.3, "att", 10**9, 1e-12),
        (0.05, "att", 10**9, 1e-12),
        (0.8, "ate", 10**9, 1e-12),
        # prefix sums (no pairs allowed): the expansions cancel terms of relative size
        # (score / bandwidth)^4, about 1e4 here, so some digits go
        (0.3, "att", 0, 1e-8),
        (0.8, "ate", 0, 1e-8),
    ],
)
def test_kernel_matching_equals_pair_by_pair(
    bandwidth: float, estimand: str, pair_limit: int, rtol: float
) -> None:
    rng = np.random.default_rng(4)
    n = 80
    score = rng.normal(size=n) * 1.5 - 2.0  # off-centre, as log-odds are
    treat = (rng.random(n) < 0.4).astype(float)
    y = score + treat + rng.normal(size=n)
    weight = rng.uniform(0.5, 2.0, n)
    treated, control = np.flatnonzero(treat == 1), np.flatnonzero(treat == 0)
    directions = [(treated, control)] + ([(control, treated)] if estimand == "ate" else [])
    effect = matched_effect(
        score,
        y,
        treat,
        weight,
        [KernelMatches(score, weight, q, p, bandwidth, pair_limit) for q, p in directions],
    )
    estimate, se = _naive_kernel(score, y, treat, weight, bandwidth, estimand)
    assert effect.estimate == pytest.approx(estimate, rel=rtol)
    assert effect.se == pytest.approx(se, rel=rtol)


def test_caliper_leaves_out_unmatched_units_with_a_note(lalonde: pl.DataFrame) -> None:
    result = match_estimate(
        lalonde, outcome="re78", treat="t", covariates=COVARIATES, caliper=0.001
    )
    assert result.notes and "found no match within the caliper" in result.notes[0]
    assert result.frame["n_treated"][0] < 185


def test_bad_input_is_named(lalonde: pl.DataFrame) -> None:
    with pytest.raises(InputValueError, match="treatment column 'age' must be 0 or 1"):
        match_estimate(lalonde, outcome="re78", treat="age", covariates=["educ"])
    separated = lalonde.with_columns(sep=pl.col("t") * 10.0)
    with pytest.raises(InputValueError, match="separate treated from untreated"):
        match_estimate(
            lalonde.hstack([separated["sep"]]), outcome="re78", treat="t", covariates=["sep"]
        )
    constant = lalonde.with_columns(one=pl.lit(1.0))
    with pytest.raises(InputValueError, match="covariate 'one' has the same value"):
        match_estimate(constant, outcome="re78", treat="t", covariates=["one"])
    with pytest.raises(InputValueError, match="method 'psm'"):
        match_estimate(lalonde, outcome="re78", treat="t", covariates=["age"], method="psm")
    holes = lalonde.with_columns(
        age=pl.when(pl.int_range(pl.len()) < 5).then(None).otherwise(pl.col("age"))
    )
    result = match_estimate(holes, outcome="re78", treat="t", covariates=["age", "educ"])
    assert result.notes == ["covariate column 'age': 5 in 445 rows missing, left out"]
