"""Covariate balance before and after matching or weighting, and common-support data.

For each covariate and arm: the weighted mean, its linearisation standard error (weights held
fixed, with-replacement: ``sqrt(n/(n-1) sum w^2 (x - mean)^2) / sum w``) and the weighted
variance. The difference is treated minus comparison, with the two arms' standard errors
combined as independent samples. The normalised difference divides it by
``sqrt((s_t^2 + s_c^2) / 2)`` with the variances *before* adjustment, both before and after,
so that a smaller number after means the means moved closer (Imbens and Rubin 2015, eq.
14.3; the convention of R ``cobalt``). The variance ratio is ``s_t^2 / s_c^2`` in the same
state (before: survey weights; after: the weights each unit carries in the estimate).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from setara.kernels.groups import FloatArray

__all__ = ["BALANCE_COLUMNS", "balance_table", "common_support"]

BALANCE_COLUMNS = (
    "covariate",
    "mean_treated_before",
    "mean_control_before",
    "diff_before",
    "diff_se_before",
    "std_diff_before",
    "var_ratio_before",
    "mean_treated_after",
    "mean_control_after",
    "diff_after",
    "diff_se_after",
    "std_diff_after",
    "var_ratio_after",
)


def _arm_moments(x: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted means, their standard errors and weighted (n-1 corrected) variances of the
    columns of ``x`` over the units with positive weight."""
    keep = w > 0
    x, w = x[keep], w[keep]
    n = w.size
    total = w.sum()
    mean = w @ x / total
    resid = x - mean
    se = np.sqrt(n / max(n - 1, 1) * ((w[:, None] * resid) ** 2).sum(0)) / total
    # frequency-weight variance scaled so that equal weights give the usual n-1 variance
    var = (w @ resid**2) / total * n / max(n - 1, 1)
    return mean, se, var


def balance_table(
    covariates: FloatArray,
    names: list[str],
    treat: FloatArray,
    weight: FloatArray,
    adjusted: FloatArray | None,
) -> pl.DataFrame:
    """One row per covariate (columns :data:`BALANCE_COLUMNS`); ``adjusted`` holds each
    unit's weight in the estimate (zero for unused units), ``None`` for no adjustment."""
    t, c = treat == 1, treat == 0
    mt, st, vt = _arm_moments(covariates[t], weight[t])
    mc, sc, vc = _arm_moments(covariates[c], weight[c])
    scale = np.sqrt((vt + vc) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        columns: dict[str, object] = {
            "covariate": names,
            "mean_treated_before": mt,
            "mean_control_before": mc,
            "diff_before": mt - mc,
            "diff_se_before": np.sqrt(st**2 + sc**2),
            "std_diff_before": (mt - mc) / scale,
            "var_ratio_before": vt / vc,
        }
        if adjusted is None:
            after = [np.full(len(names), np.nan)] * 6
        else:
            at, ast, avt = _arm_moments(covariates[t], adjusted[t])
            ac, asc, avc = _arm_moments(covariates[c], adjusted[c])
            after = [at, ac, at - ac, np.sqrt(ast**2 + asc**2), (at - ac) / scale, avt / avc]
    for key, values in zip(BALANCE_COLUMNS[7:], after, strict=True):
        columns[key] = values
    return pl.DataFrame(columns).fill_nan(None)


def common_support(
    score: FloatArray, treat: FloatArray, weight: FloatArray, bins: int = 20
) -> pl.DataFrame:
    """Propensity-score histogram by arm for a common-support plot: ``bins`` equal bins over
    [0, 1], the number of units and the (survey-weighted) share of each arm in each bin."""
    index = np.clip((score * bins).astype(np.int64), 0, bins - 1)
    out: dict[str, object] = {
        "bin": np.arange(1, bins + 1),
        "score_low": np.arange(bins) / bins,
        "score_high": np.arange(1, bins + 1) / bins,
    }
    for label, arm in (("treated", treat == 1), ("control", treat == 0)):
        out[f"n_{label}"] = np.bincount(index[arm], minlength=bins)
        mass = np.bincount(index[arm], weights=weight[arm], minlength=bins)
        out[f"share_{label}"] = mass / mass.sum()
    return pl.DataFrame(out)
