"""What a Fay–Herriot fit did: how well the covariates explain the areas, whether the model's
normality holds, how much each area was shrunk, and which areas became publishable.

:func:`fh_diagnostics` returns plain data (numbers, lists, dictionaries) for a page, a report
or ``--model-output``:

- ``between_area_r2``: the share of the between-area variance the covariates explain,
  ``1 − A / A₀`` with ``A₀`` the variance component of the intercept-only model fitted the same
  way (0 when the covariates explain nothing, 1 when no area effect is left);
- Shapiro–Wilk tests of the standardised area effects ``û / sqrt(A)`` and of the standardised
  realised residuals ``(y − x'β − û) / sqrt(D)``, with the Q–Q points of each;
- the mean shrinkage, the count of areas in each reliability category before (direct) and
  after (model), and the areas that became reliable.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from setara.reliability import ReliabilityRule
from setara.sae.fay_herriot import FayHerriotFit, fay_herriot

__all__ = ["design_consistency", "fh_diagnostics"]


def fh_diagnostics(
    rows: pl.DataFrame, fit: FayHerriotFit, *, rule: ReliabilityRule | None = None
) -> dict[str, Any]:
    """Diagnostics of a fit and its rows (both from :func:`~setara.sae.fh_estimates`), on the
    scale the model was fitted on; the reliability counts are those of the rows."""
    from scipy import stats  # imported where used: importing setara.sae stays cheap

    y, d = fit.direct, fit.vardir
    null = fay_herriot(y, d, np.ones((y.size, 1)), method=fit.method)
    r2 = 1.0 - fit.refvar / null.refvar if null.refvar > 0 else float("nan")
    effects = fit.eblup - fit.synthetic
    standardised_effects = effects / np.sqrt(fit.refvar) if fit.refvar > 0 else effects * np.nan
    residuals = (y - fit.eblup) / np.sqrt(d)
    rule = rule or ReliabilityRule(standards=("bps",))
    in_sample = rows.filter(pl.col("in_sample"))
    with np.errstate(divide="ignore", invalid="ignore"):
        direct_rse = (in_sample["direct_se"] / in_sample["direct"].abs()).to_numpy()
    before = rule.flags(direct_rse, np.full(direct_rse.size, np.iinfo(np.int64).max // 2))
    return {
        "method": fit.method,
        "refvar": fit.refvar,
        "refvar_se": float(np.sqrt(fit.refvar_var)),
        "iterations": fit.iterations,
        "converged": fit.converged,
        "loglik": fit.loglik,
        "between_area_r2": float(np.clip(r2, 0.0, 1.0)) if np.isfinite(r2) else None,
        "normality": {
            "area_effects": _shapiro(stats, standardised_effects),
            "residuals": _shapiro(stats, residuals),
        },
        "areas": {
            "in_sample": int(y.size),
            "out_of_sample": int(rows.height - in_sample.height),
            "shrinkage_mean": float(np.mean(fit.shrinkage)),
        },
        "reliability_before": _counts(before),
        "reliability_after": _counts(in_sample["reliability"].to_list()),
        "reliability_out_of_sample": _counts(
            rows.filter(~pl.col("in_sample"))["reliability"].to_list()
        ),
        "became_reliable": [
            area
            for area, was, now in zip(
                in_sample["area"].to_list(), before, in_sample["reliability"].to_list(), strict=True
            )
            if was != "reliable" and now == "reliable"
        ],
    }


def _shapiro(stats: Any, values: NDArray[np.float64]) -> dict[str, Any] | None:
    finite = values[np.isfinite(values)]
    if finite.size < 3:
        return None
    w, p = stats.shapiro(finite)
    ordered = np.sort(finite)
    theoretical = stats.norm.ppf((np.arange(1, finite.size + 1) - 0.375) / (finite.size + 0.25))
    return {
        "w": float(w),
        "p_value": float(p),
        "qq": {"theoretical": theoretical.tolist(), "sample": ordered.tolist()},
    }


def _counts(flags: list[str]) -> dict[str, int]:
    labels, counts = np.unique(np.asarray(flags, dtype=object).astype(str), return_counts=True)
    return {str(k): int(v) for k, v in zip(labels, counts, strict=True)}


def design_consistency(
    estimate: NDArray[np.floating],
    weight: NDArray[np.floating],
    group: NDArray[np.integer],
    direct: NDArray[np.floating],
    direct_se: NDArray[np.floating],
) -> pl.DataFrame:
    """Do the model estimates add up to the direct estimates of the level above?

    For each group (``group`` indexes ``direct``): the ``weight``-weighted mean of its areas'
    model estimates, the group's direct estimate and SE, their difference and ``z = difference
    / direct SE``; ``consistent`` when ``|z| < 1.96``. The direct estimate of a larger domain is
    design-unbiased and much more precise, so a large ``z`` says the model is biased there
    (Rao and Molina 2015, section 7.5); the model's own uncertainty of the aggregate is ignored,
    which makes the check conservative.
    """
    est = np.asarray(estimate, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    g = np.asarray(group, dtype=np.int64)
    target = np.asarray(direct, dtype=np.float64)
    se = np.asarray(direct_se, dtype=np.float64)
    totals = np.bincount(g, weights=w, minlength=target.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        aggregate = np.bincount(g, weights=w * est, minlength=target.size) / totals
        z = (aggregate - target) / se
    return pl.DataFrame(
        {
            "group": np.arange(target.size),
            "model_aggregate": aggregate,
            "direct": target,
            "direct_se": se,
            "difference": aggregate - target,
            "z": z,
            "consistent": np.abs(z) < 1.959963984540054,
        }
    )
