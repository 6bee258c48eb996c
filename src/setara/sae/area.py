"""Area-level estimates from a table: one row per area in, the engine's results shape out.

:func:`fh_estimates` reads the direct estimates, their sampling variances and the covariates
from a frame, fits :func:`~setara.sae.fay_herriot.fay_herriot` (optionally on the arcsine or log
scale), predicts areas without a direct estimate from the regression alone, optionally
benchmarks to the level above, and returns rows with ``area, method, estimate, mse, se, ci_low,
ci_high, rse, reliability`` plus ``direct`` and ``direct_se`` for comparison.

Definitional choices (``docs/small-area.md`` gives the reasons):

- ``arcsine``: ``asin(sqrt(p))`` with sampling variance ``D / (4 p (1 − p))`` (the delta
  method, the same as ``1 / (4 n_eff)`` with the effective sample size ``p (1 − p) / D``); the
  back-transformation is bias-corrected with ``E[sin²(T)] = (1 − exp(−2 s²) cos 2t) / 2`` for
  ``T ~ N(t, s²)``, ``t`` the EBLUP and ``s²`` its MSE on the transformed scale.
- ``log``: ``log(y)`` with variance ``D / y²``; back-transformed as ``exp(t + s² / 2)`` (the
  crude bias correction of ``emdi``).
- The MSE on the original scale of a transformed fit is the delta method's
  (``g'(t)² × mse``); intervals are computed on the transformed scale and mapped back, so they
  stay inside the measure's range.
- An area without a direct estimate gets the synthetic ``x'β`` with MSE ``A + x' Q x``.
- Benchmarking rescales (``ratio``) or shifts (``difference``) the model estimates of each group
  so that their weighted mean equals the group's direct estimate; the MSE is the model's, not
  re-estimated.
- Reliability is the BPS RSE rule on the MSE-based SE; sample-size flags do not apply to
  model-based estimates.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl
from numpy.typing import NDArray

from setara.errors import SetaraError
from setara.reliability import ReliabilityRule
from setara.sae.fay_herriot import FayHerriotFit, FitMethod, fay_herriot

__all__ = ["Transform", "benchmark", "design_matrix", "fh_estimates"]

Transform = Literal["none", "arcsine", "log"]
FloatArray = NDArray[np.float64]
Z95 = 1.959963984540054


def design_matrix(
    frame: pl.DataFrame,
    covariates: Sequence[str] = (),
    factors: Sequence[str] = (),
    *,
    intercept: bool = True,
) -> tuple[FloatArray, list[str]]:
    """The covariate matrix and its column names: numeric ``covariates`` as they are, each of
    ``factors`` as indicators of its levels but the first (in sorted order, the reference).

    Raises
    ------
    SetaraError
        For a missing column, a non-numeric covariate, or missing values (named with counts).
    """
    missing = [c for c in (*covariates, *factors) if c not in frame.columns]
    if missing:
        raise SetaraError(f"covariate column(s) not in the file: {', '.join(missing)}")
    columns: list[FloatArray] = [np.ones(frame.height)] if intercept else []
    names = ["(Intercept)"] if intercept else []
    for name in covariates:
        column = frame[name]
        if not column.dtype.is_numeric():
            raise SetaraError(
                f"covariate '{name}' is not numeric ({column.dtype}); use --factor for categories"
            )
        if (nulls := column.null_count()) > 0:
            raise SetaraError(f"covariate '{name}' has {nulls} missing values in {frame.height}")
        columns.append(column.cast(pl.Float64).to_numpy())
        names.append(name)
    for name in factors:
        column = frame[name].cast(pl.String)
        if (nulls := column.null_count()) > 0:
            raise SetaraError(f"factor '{name}' has {nulls} missing values in {frame.height}")
        levels = sorted(column.unique().to_list())
        for level in levels[1:]:
            columns.append((column == level).cast(pl.Float64).to_numpy())
            names.append(f"{name}{level}")
    if not columns:
        raise SetaraError("the model has no covariates and no intercept")
    return np.column_stack(columns), names


def fh_estimates(
    frame: pl.DataFrame,
    *,
    direct: str,
    vardir: str,
    area: str,
    covariates: Sequence[str] = (),
    factors: Sequence[str] = (),
    intercept: bool = True,
    method: FitMethod = "reml",
    transform: Transform = "none",
    rule: ReliabilityRule | None = None,
) -> tuple[pl.DataFrame, FayHerriotFit]:
    """Fay–Herriot estimates for every area of ``frame``, in the engine's results shape.

    Areas whose ``direct`` (and ``vardir``) is missing are out of sample (``in_sample`` false):
    they get the synthetic estimate. Returns the rows and the fit (on the transformed scale for
    a transform).
    """
    for name in (direct, vardir, area):
        if name not in frame.columns:
            raise SetaraError(f"column '{name}' is not in the file ({frame.width} columns)")
    if (dupes := frame.height - frame[area].n_unique()) > 0:
        raise SetaraError(f"area column '{area}' repeats {dupes} area(s): one row per area")
    if transform not in ("none", "arcsine", "log"):
        raise SetaraError(f"transform must be none, arcsine or log, not {transform!r}")
    x, _ = design_matrix(frame, covariates, factors, intercept=intercept)
    y = frame[direct].cast(pl.Float64).to_numpy()
    d = frame[vardir].cast(pl.Float64).to_numpy()
    sampled = np.isfinite(y)
    if (lonely := int((sampled != np.isfinite(d)).sum())) > 0:
        raise SetaraError(
            f"{lonely} area(s) have a direct estimate without a sampling variance or the reverse"
        )
    t_y, t_d = _forward(y[sampled], d[sampled], transform)
    fit = fay_herriot(t_y, t_d, x[sampled], method=method)
    t_est = x @ fit.beta  # every area's synthetic part
    t_mse = fit.refvar + np.einsum("ij,jk,ik->i", x, _q(fit, x[sampled], t_d), x)
    t_est[sampled] = fit.eblup
    t_mse[sampled] = fit.mse
    estimate, mse, low, high = _back(t_est, t_mse, transform)
    se = np.sqrt(mse)
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = np.where(estimate != 0, se / np.abs(estimate), np.nan)
    flags, reasons = (rule or ReliabilityRule(standards=("bps",))).assess(
        rse, np.full(frame.height, np.iinfo(np.int64).max // 2)
    )
    rows = pl.DataFrame(
        {
            "area": frame[area],
            "method": "fh",
            "estimate": estimate,
            "mse": mse,
            "se": se,
            "ci_low": low,
            "ci_high": high,
            "rse": rse,
            "reliability": flags,
            "reliability_reason": reasons,
            "direct": y,
            "direct_se": np.sqrt(d),
            "in_sample": sampled,
            "shrinkage": np.where(sampled, _scatter(fit.shrinkage, sampled), 0.0),
        }
    )
    return rows, fit


def benchmark(
    estimate: NDArray[np.floating],
    weight: NDArray[np.floating],
    group: NDArray[np.integer],
    target: NDArray[np.floating],
    *,
    kind: Literal["ratio", "difference"] = "ratio",
) -> FloatArray:
    """Adjust area estimates so that each group's ``weight``-weighted mean equals its target.

    ``group`` holds each area's group index into ``target``. ``ratio`` multiplies a group's
    estimates by target / weighted mean; ``difference`` adds target − weighted mean to each.
    """
    est = np.asarray(estimate, dtype=np.float64)
    w = np.asarray(weight, dtype=np.float64)
    g = np.asarray(group)
    goal = np.asarray(target, dtype=np.float64)
    if (w < 0).any() or not np.isfinite(w).all():
        raise SetaraError(
            f"{int(((w < 0) | ~np.isfinite(w)).sum())} benchmark weights are negative or missing"
        )
    totals = np.bincount(g, weights=w, minlength=goal.size)
    if (empty := int((totals <= 0).sum())) > 0:
        raise SetaraError(f"{empty} benchmark group(s) have no area with a positive weight")
    mean = np.bincount(g, weights=w * est, minlength=goal.size) / totals
    if kind == "ratio":
        if (zero := int((mean == 0).sum())) > 0:
            raise SetaraError(
                f"{zero} group(s) have a model mean of zero: use difference benchmarking"
            )
        return est * (goal / mean)[g]
    if kind == "difference":
        return est + (goal - mean)[g]
    raise SetaraError(f"benchmarking must be ratio or difference, not {kind!r}")


def _q(fit: FayHerriotFit, x: FloatArray, vardir: FloatArray) -> FloatArray:
    """``(X' V X)^-1`` of the fit, V at its variance component."""
    vi = 1.0 / (fit.refvar + vardir)
    return np.asarray(np.linalg.inv(x.T @ (vi[:, None] * x)), dtype=np.float64)


def _scatter(values: FloatArray, where: NDArray[np.bool_]) -> FloatArray:
    out = np.zeros(where.size)
    out[where] = values
    return out


def _forward(y: FloatArray, d: FloatArray, transform: str) -> tuple[FloatArray, FloatArray]:
    if transform == "arcsine":
        outside = int(((y <= 0) | (y >= 1)).sum())
        if outside:
            raise SetaraError(
                f"{outside} area(s) have a direct proportion of 0 or 1 (or outside it): the "
                "arcsine transform needs 0 < p < 1"
            )
        return np.arcsin(np.sqrt(y)), d / (4.0 * y * (1.0 - y))
    if transform == "log":
        if (nonpositive := int((y <= 0).sum())) > 0:
            raise SetaraError(
                f"{nonpositive} area(s) have a direct estimate of zero or less: "
                "the log transform needs y > 0"
            )
        return np.log(y), d / y**2
    return y, d


def _back(
    t: FloatArray, mse: FloatArray, transform: str
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    half = Z95 * np.sqrt(mse)
    if transform == "arcsine":
        estimate = 0.5 * (1.0 - np.exp(-2.0 * mse) * np.cos(2.0 * t))
        clip = np.clip
        low = np.sin(clip(t - half, 0.0, np.pi / 2)) ** 2
        high = np.sin(clip(t + half, 0.0, np.pi / 2)) ** 2
        return estimate, np.sin(2.0 * t) ** 2 * mse, low, high
    if transform == "log":
        estimate = np.exp(t + 0.5 * mse)
        return estimate, np.exp(2.0 * t) * mse, np.exp(t - half), np.exp(t + half)
    return t, mse, t - half, t + half
