"""Empirical best prediction: the Monte Carlo EBP equals the Molina–Rao formulas where they
have a closed form (area mean and FGT0 without transformation), the area indicator kernel
equals a by-hand computation, and the bootstrap MSE has the size the model implies."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from setara.errors import SetaraError
from setara.sae.ebp import area_indicators, ebp, parse_indicator

RNG = np.random.default_rng(21)
AREAS = 30
CENSUS_SIZE = 400
CODES = np.repeat(np.arange(AREAS), CENSUS_SIZE)
XC = np.column_stack([np.ones(CODES.size), RNG.normal(size=CODES.size)])
EFFECT = RNG.normal(0, 0.5, AREAS)
YC = XC @ [10.0, 1.0] + EFFECT[CODES] + RNG.normal(0, 1, CODES.size)
SAMPLED = RNG.random(CODES.size) < np.where(CODES < 25, 0.03, 0.0)  # areas 25-29 not sampled


def test_the_indicator_kernel_equals_a_by_hand_computation() -> None:
    welfare = RNG.lognormal(0, 1, size=3_000)
    area = RNG.integers(0, 7, size=3_000)
    specs = [parse_indicator(s) for s in ("mean", "gini", "fgt:alpha=1,line=1.2", "quantile:q=0.3")]
    got = area_indicators(welfare, area, 7, specs)
    for a in range(7):  # the reference, one area at a time
        y = np.sort(welfare[area == a])
        n = y.size
        gini = np.abs(y[:, None] - y[None, :]).sum() / (2 * n * n * y.mean())
        fgt1 = np.mean(np.clip(1 - y / 1.2, 0, None))
        q30 = y[int(np.ceil(0.3 * n)) - 1]
        np.testing.assert_allclose(got[a], [y.mean(), gini, fgt1, q30], rtol=1e-10)


def test_mean_and_headcount_equal_their_closed_forms_within_monte_carlo_error() -> None:
    line = 10.0
    specs = [parse_indicator("mean"), parse_indicator(f"fgt:alpha=0,line={line}")]
    result = ebp(
        YC[SAMPLED], XC[SAMPLED], CODES[SAMPLED], XC, CODES, specs,
        rng=np.random.default_rng(5), mc=200,
    )  # fmt: skip
    fit = result.fit
    effect = np.zeros(AREAS)
    spread = np.full(AREAS, fit.refvar)
    effect[:25] = fit.area_effect
    spread[:25] = fit.refvar * (1 - fit.gamma)
    mu = XC @ fit.beta + effect[CODES]
    exact_mean = np.bincount(CODES, weights=mu) / CENSUS_SIZE
    sd_unit = np.sqrt(fit.errorvar + spread[CODES])
    exact_poor = np.bincount(CODES, weights=stats.norm.cdf((line - mu) / sd_unit)) / CENSUS_SIZE
    # Monte Carlo SD of each area's mean over 200 replications: its effect and unit noise
    mc_sd = np.sqrt((spread + fit.errorvar / CENSUS_SIZE) / 200)
    assert np.all(np.abs(result.estimate[:, 0] - exact_mean) < 4.5 * mc_sd)
    poor_sd = np.sqrt(exact_poor * (1 - exact_poor) / 200)  # a generous bound for a share
    assert np.all(np.abs(result.estimate[:, 1] - exact_poor) < 4.5 * poor_sd + 1e-3)
    assert result.in_sample.tolist() == [a < 25 for a in range(AREAS)]


def test_bootstrap_mse_has_the_size_the_model_implies() -> None:
    """For an area mean the MSE is about ``σ²_u (1 − γ_i)`` in sampled areas and ``σ²_u`` in the
    others (plus small terms for estimating beta); 60 bootstrap replicates average to that
    within 25% over the areas of each kind."""
    result = ebp(
        YC[SAMPLED], XC[SAMPLED], CODES[SAMPLED], XC, CODES, [parse_indicator("mean")],
        rng=np.random.default_rng(6), mc=10, bootstrap=60,
    )  # fmt: skip
    assert result.mse is not None
    fit = result.fit
    sampled = result.mse[:25, 0].mean() / np.mean(fit.refvar * (1 - fit.gamma))
    missed = result.mse[25:, 0].mean() / fit.refvar
    assert 0.75 < sampled < 1.35 and 0.75 < missed < 1.35
    assert result.mse[25:, 0].mean() > result.mse[:25, 0].mean()


@pytest.mark.parametrize("spec", ["fgt:alpha=0", "quantile:q=2", "theil", "mean:x=1"])
def test_unknown_indicators_are_refused(spec: str) -> None:
    with pytest.raises(SetaraError, match="indicator"):
        parse_indicator(spec)


def test_a_census_without_the_sample_adds_the_observed_units() -> None:
    """With the sampled units left out of the census, the area mean is the population-weighted
    mix of the observed sample and the predicted rest (closed form, within Monte Carlo error)."""
    rest = ~SAMPLED
    result = ebp(
        YC[SAMPLED], XC[SAMPLED], CODES[SAMPLED], XC[rest], CODES[rest], [parse_indicator("mean")],
        rng=np.random.default_rng(8), mc=200, population_excludes_sample=True,
    )  # fmt: skip
    fit = result.fit
    effect = np.zeros(AREAS)
    effect[:25] = fit.area_effect
    predicted = np.bincount(CODES[rest], weights=XC[rest] @ fit.beta + effect[CODES[rest]])
    observed = np.bincount(CODES[SAMPLED], weights=YC[SAMPLED], minlength=AREAS)
    exact = (predicted + observed) / CENSUS_SIZE
    spread = np.full(AREAS, fit.refvar)
    spread[:25] = fit.refvar * (1 - fit.gamma)
    share = np.bincount(CODES[rest], minlength=AREAS) / CENSUS_SIZE  # of the area predicted
    mc_sd = share * np.sqrt((spread + fit.errorvar / CENSUS_SIZE) / 200)
    assert np.all(np.abs(result.estimate[:, 0] - exact) < 4.5 * mc_sd)
