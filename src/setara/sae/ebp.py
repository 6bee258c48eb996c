"""Empirical best prediction (Molina and Rao 2010) of area indicators from a census or registry.

A nested-error model (:mod:`setara.sae.nested_error`) fitted on the survey predicts the
welfare of every census unit; the EBP of a non-linear indicator (FGT, Gini, quantiles) is its
expectation given the sample, computed by Monte Carlo: in each of ``mc`` replications every unit
of area ``i`` gets ``x'β + û_i + v_i + e_ij`` with ``v_i ~ N(0, σ²_u (1 − γ_i))`` (``N(0, σ²_u)``
and ``û_i = 0`` for an area the survey missed) and ``e_ij ~ N(0, σ²_e)``, back-transformed; the
indicator is computed per area and averaged over replications. The census includes the sampled
units (the usual census EBP; their observed values are not substituted) unless
``population_excludes_sample``: then the population is the census plus the sampled units with
their observed values, which every replication keeps.

The MSE is the parametric bootstrap of González-Manteiga et al. (2008) as in ``emdi``: each
bootstrap population is drawn from the fitted model, its true indicators computed, a bootstrap
sample generated on the sampled units' covariates with the same area effects, the model refitted
(transformation parameter kept) and the EBP recomputed; the MSE is the mean squared difference.

Replications are drawn one at a time, so memory stays at a few census-sized arrays; each is a
vectorised pass over the census (no loop over units or areas). Randomness comes only from the
``rng`` passed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from setara.errors import SetaraError
from setara.sae.nested_error import NestedErrorFit, back_transform, fit_nested_error

__all__ = ["EbpResult", "Indicator", "area_indicators", "ebp", "parse_indicator"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class Indicator:
    """An area indicator: ``mean``, ``fgt`` (``alpha``, ``line``), ``gini`` or ``quantile``."""

    name: str
    alpha: float = 0.0
    line: float = 0.0
    q: float = 0.5

    @property
    def label(self) -> str:
        if self.name == "fgt":
            return f"fgt:alpha={self.alpha:g},line={self.line:g}"
        if self.name == "quantile":
            return f"quantile:q={self.q:g}"
        return self.name


def parse_indicator(spec: str) -> Indicator:
    """``mean``, ``gini``, ``fgt:alpha=0,line=350000``, ``quantile:q=0.5``."""
    name, _, rest = spec.partition(":")
    params: dict[str, float] = {}
    for part in filter(None, (p.strip() for p in rest.split(","))):
        key, _, value = part.partition("=")
        try:
            params[key.strip()] = float(value)
        except ValueError:
            raise SetaraError(f"indicator {spec!r}: {key!r} needs a number") from None
    if name == "fgt" and {"alpha", "line"} <= params.keys() and params["line"] > 0:
        return Indicator("fgt", alpha=params["alpha"], line=params["line"])
    if name == "quantile" and 0 < params.get("q", -1) < 1:
        return Indicator("quantile", q=params["q"])
    if name in ("mean", "gini") and not params:
        return Indicator(name)
    raise SetaraError(
        f"unknown indicator {spec!r}: use mean, gini, fgt:alpha=A,line=Z or quantile:q=Q"
    )


def area_indicators(
    welfare: FloatArray, area: IntArray, areas: int, indicators: Sequence[Indicator]
) -> FloatArray:
    """Each indicator in every area of one population: an ``areas × indicators`` array.

    Units weigh equally. Gini is ``2 Σ r_i y_(i) / (n Σ y) − (n + 1) / n`` over the area's
    sorted values; a quantile is the smallest value whose share of units at or below it
    reaches ``q`` (the engine's weighted-CDF rule with equal weights).
    """
    counts = np.bincount(area, minlength=areas).astype(np.float64)
    out = np.empty((areas, len(indicators)))
    order: IntArray | None = None
    for k, indicator in enumerate(indicators):  # a handful of indicators, each vectorised
        if indicator.name == "mean":
            out[:, k] = np.bincount(area, weights=welfare, minlength=areas) / counts
        elif indicator.name == "fgt":
            gap = np.clip(1.0 - welfare / indicator.line, 0.0, None)
            term = (welfare < indicator.line) * gap**indicator.alpha
            out[:, k] = np.bincount(area, weights=term, minlength=areas) / counts
        else:
            if order is None:
                order = np.lexsort((welfare, area))
            sorted_values = welfare[order]
            sorted_area = area[order]
            start = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
            rank = np.arange(area.size) - start[sorted_area] + 1.0
            if indicator.name == "gini":
                total = np.bincount(sorted_area, weights=sorted_values, minlength=areas)
                ranked = np.bincount(sorted_area, weights=rank * sorted_values, minlength=areas)
                out[:, k] = 2.0 * ranked / (counts * total) - (counts + 1.0) / counts
            else:
                position = np.ceil(indicator.q * counts).astype(np.int64) - 1
                out[:, k] = sorted_values[start + np.clip(position, 0, None)]
    return out


@dataclass(frozen=True)
class EbpResult:
    """EBP estimates and bootstrap MSE, ``areas × indicators`` (MSE ``None`` without one)."""

    indicators: list[Indicator]
    estimate: FloatArray
    mse: FloatArray | None
    fit: NestedErrorFit
    in_sample: NDArray[np.bool_]


def ebp(
    sample_welfare: NDArray[np.floating],
    sample_x: NDArray[np.floating],
    sample_area: NDArray[np.integer],
    census_x: NDArray[np.floating],
    census_area: NDArray[np.integer],
    indicators: Sequence[Indicator],
    *,
    rng: np.random.Generator,
    mc: int = 50,
    bootstrap: int = 0,
    method: str = "reml",
    transform_kind: str = "none",
    parameter: float | None = None,
    population_excludes_sample: bool = False,
) -> EbpResult:
    """EBP of ``indicators`` for every census area (codes ``0 .. M − 1``), with bootstrap MSE.

    ``sample_area`` uses the census's codes; areas the sample missed get the synthetic
    prediction. ``bootstrap = 0`` skips the MSE.
    """
    census_codes = np.asarray(census_area, dtype=np.int64)
    sample_codes = np.asarray(sample_area, dtype=np.int64)
    xc = np.asarray(census_x, dtype=np.float64)
    xs = np.asarray(sample_x, dtype=np.float64)
    if xc.ndim != 2 or xc.shape[1] != xs.shape[1] or census_codes.size != xc.shape[0]:
        raise SetaraError("the census needs the same covariates as the sample, one row per unit")
    if mc < 1 or bootstrap < 0:
        raise SetaraError("mc must be at least 1 and bootstrap 0 or more")
    areas = int(census_codes.max()) + 1
    unknown = np.setdiff1d(sample_codes, census_codes)
    if unknown.size:
        raise SetaraError(f"{unknown.size} sampled area(s) are not in the census")
    sampled_areas, local = np.unique(sample_codes, return_inverse=True)
    fit = fit_nested_error(
        np.asarray(sample_welfare, dtype=np.float64), xs, local,
        method=method, transform_kind=transform_kind, parameter=parameter,
    )  # fmt: skip
    chosen = list(indicators)
    welfare = np.asarray(sample_welfare, dtype=np.float64)
    observed = (welfare, sample_codes) if population_excludes_sample else None
    estimate = _predict(fit, sampled_areas, xc, census_codes, areas, chosen, mc, rng, observed)
    in_sample = np.zeros(areas, dtype=bool)
    in_sample[sampled_areas] = True
    mse = None
    if bootstrap:
        mse = _bootstrap(fit, xs, local, sampled_areas, xc, census_codes, areas, chosen, mc,
                         bootstrap, rng, population_excludes_sample)  # fmt: skip
    return EbpResult(chosen, estimate, mse, fit, in_sample)


def _effects(
    fit: NestedErrorFit, sampled_areas: IntArray, areas: int
) -> tuple[FloatArray, FloatArray]:
    """Each census area's predicted effect and the variance of its effect given the sample."""
    mean = np.zeros(areas)
    variance = np.full(areas, fit.refvar)
    mean[sampled_areas] = fit.area_effect
    variance[sampled_areas] = fit.refvar * (1.0 - fit.gamma)
    return mean, variance


def _predict(
    fit: NestedErrorFit,
    sampled_areas: IntArray,
    xc: FloatArray,
    codes: IntArray,
    areas: int,
    indicators: list[Indicator],
    mc: int,
    rng: np.random.Generator,
    observed: tuple[FloatArray, IntArray] | None = None,
) -> FloatArray:
    mean, variance = _effects(fit, sampled_areas, areas)
    fixed = xc @ fit.beta + mean[codes]
    all_codes = codes if observed is None else np.concatenate([codes, observed[1]])
    total = np.zeros((areas, len(indicators)))
    for _ in range(mc):  # Monte Carlo replications, one census-sized pass each
        effect = rng.normal(size=areas) * np.sqrt(variance)
        noise = rng.normal(scale=np.sqrt(fit.errorvar), size=codes.size)
        welfare = back_transform(fixed + effect[codes] + noise, fit.transform, fit.parameter)
        if observed is not None:
            welfare = np.concatenate([welfare, observed[0]])
        total += area_indicators(welfare, all_codes, areas, indicators)
    return total / mc


def _bootstrap(
    fit: NestedErrorFit,
    xs: FloatArray,
    local: IntArray,
    sampled_areas: IntArray,
    xc: FloatArray,
    codes: IntArray,
    areas: int,
    indicators: list[Indicator],
    mc: int,
    replicates: int,
    rng: np.random.Generator,
    excludes_sample: bool,
) -> FloatArray:
    squared = np.zeros((areas, len(indicators)))
    census_fixed = xc @ fit.beta
    sample_fixed = xs @ fit.beta
    sample_codes = sampled_areas[local]
    for _ in range(replicates):  # bootstrap replicates, each a full refit and prediction
        effect = rng.normal(scale=np.sqrt(fit.refvar), size=areas)
        population = census_fixed + effect[codes]
        population += rng.normal(scale=np.sqrt(fit.errorvar), size=codes.size)
        sample = sample_fixed + effect[sample_codes]
        sample += rng.normal(scale=np.sqrt(fit.errorvar), size=sample_codes.size)
        sample_welfare = back_transform(sample, fit.transform, fit.parameter)
        welfare = back_transform(population, fit.transform, fit.parameter)
        observed = (sample_welfare, sample_codes) if excludes_sample else None
        if observed is not None:
            truth = area_indicators(
                np.concatenate([welfare, sample_welfare]),
                np.concatenate([codes, sample_codes]), areas, indicators,
            )  # fmt: skip
        else:
            truth = area_indicators(welfare, codes, areas, indicators)
        refit = fit_nested_error(
            sample_welfare, xs, local,
            method=fit.method, transform_kind=fit.transform, parameter=fit.parameter,
        )  # fmt: skip
        predicted = _predict(refit, sampled_areas, xc, codes, areas, indicators, mc, rng, observed)
        squared += (predicted - truth) ** 2
    return squared / replicates
