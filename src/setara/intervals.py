"""Confidence intervals on the scale of the measure: Wald, logit and Korn–Graubard (beta).

A proportion, a share or a Gini index cannot leave [0, 1], and a concentration index cannot
leave [-1, 1]; the symmetric Wald interval ``estimate ± t se`` can. For measures with such a
range (:class:`Scale`) the default interval is built on the logit scale and mapped back, as R
survey's ``svyciprop(method="logit")``; ``beta`` is the Korn–Graubard interval of
``svyciprop(method="beta")`` for proportions. Unbounded measures always get the Wald interval.

References
----------
Korn, E. L. and Graubard, B. I. (1998). Confidence intervals for proportions with small
expected number of positive counts estimated from survey data. Survey Methodology 24, 193–201.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, sec. 2.4.1 (``svyciprop``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from setara.errors import InputValueError
from setara.kernels.groups import FloatArray, IntArray
from setara.kernels.student import t_critical as student_t_critical

__all__ = ["CI_METHODS", "Scale", "confidence_interval", "effective_n", "scale_of"]

CI_METHODS = ("logit", "beta", "wald")


@dataclass(frozen=True)
class Scale:
    """The range a measure's values cannot leave; ``proportion`` for a share of units (a
    headcount, a rate of a 0/1 indicator), the only case the Korn–Graubard interval is for."""

    lower: float = 0.0
    upper: float = 1.0
    proportion: bool = False

    @property
    def width(self) -> float:
        return self.upper - self.lower

    def text(self) -> str:
        return f"[{self.lower:g}, {self.upper:g}]"


def check_method(method: str) -> str:
    """The CI method name, lower-cased, or an error naming the allowed ones."""
    name = str(method).strip().lower()
    if name not in CI_METHODS:
        raise InputValueError(f"ci_method must be one of {', '.join(CI_METHODS)}, not {method!r}")
    return name


def scale_of(kind: str, values: FloatArray, keep: np.ndarray) -> Scale | None:
    """The range of a measure of ``kind`` (:meth:`Measure.value_range`) over ``values``.

    ``"proportion"`` is always in [0, 1]; ``"unit"`` (Gini, shares, Lorenz ordinates, FGT with
    alpha > 0, Atkinson) only when the values are non-negative; ``"signed_unit"`` (the
    concentration index) is in [-1, 1] for a non-negative outcome; ``"data"`` (a mean) is a
    proportion for 0/1 values and bounded by [0, 1] for values in it; ``"open"`` has no range.
    """
    if kind == "proportion":
        return Scale(proportion=True)
    if kind == "open":
        return None
    inside = values[keep & ~np.isnan(values)]
    if inside.size == 0:
        return None
    low, high = float(inside.min()), float(inside.max())
    if kind == "unit":
        return Scale() if low >= 0 else None
    if kind == "signed_unit":
        return Scale(-1.0, 1.0) if low >= 0 else None
    if kind == "data" and low >= 0 and high <= 1:
        return Scale(proportion=bool(np.all((inside == 0) | (inside == 1))))
    return None


def t_critical(level: float, df: FloatArray) -> FloatArray:
    """Two-sided ``level`` critical value of Student's t with ``df`` (NaN where df < 1)."""
    d = np.asarray(df, dtype=np.float64)
    finite = np.where(np.isfinite(d), d, 1.0)
    return np.where(d >= 1, student_t_critical(level, np.maximum(finite, 1.0)), np.nan)


def effective_n(estimate: FloatArray, se: FloatArray, n: IntArray) -> FloatArray:
    """Effective sample size of a proportion, ``p (1 - p) / var`` (Kish; NCHS's ``n_eff``
    before its cap at ``n``); the actual ``n`` where ``p`` is 0 or 1 or the variance is 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        raw = estimate * (1.0 - estimate) / se**2
    degenerate = (se == 0) | (estimate <= 0) | (estimate >= 1)
    return np.where(degenerate, n.astype(np.float64), raw)


def confidence_interval(
    estimate: FloatArray,
    se: FloatArray,
    *,
    t: FloatArray,
    level: float,
    method: str,
    scale: Scale | None,
    df: FloatArray,
    n: IntArray,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper limits for every domain.

    ``wald``: ``estimate ± t se``. ``logit`` (bounded measures): ``u = (estimate - lower) /
    width``, limits ``expit(logit u ± t se / (width u (1 - u)))`` mapped back; this is R survey's
    ``svyciprop(method="logit")``, whose quasi-binomial intercept has exactly this delta-method
    standard error; a proportion estimated at 0 or 1 gets the Korn–Graubard interval instead
    (the logit one degenerates to the point there). ``beta`` (proportions; other bounded
    measures use ``logit``): Korn–Graubard with the effective sample size ``p (1 - p) / var`` times
    ``(t_{n-1} / t_df)^2`` as R, and the actual ``n`` where ``p`` is 0 or 1.
    """
    method = check_method(method)
    wald = (estimate - t * se, estimate + t * se)
    if scale is None or method == "wald":
        return wald
    if method == "beta" and scale.proportion:
        return _korn_graubard(estimate, se, level=level, df=df, n=n)
    u = (estimate - scale.lower) / scale.width
    interior = (u > 0) & (u < 1) & (se > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.log(u / (1.0 - u))
        half = t * se / (scale.width * u * (1.0 - u))
        low = scale.lower + scale.width * _expit(eta - half)
        high = scale.lower + scale.width * _expit(eta + half)
    # on the boundary or without sampling variance the logit interval degenerates to the point
    low, high = np.where(interior, low, estimate), np.where(interior, high, estimate)
    if scale.proportion:
        # At 0 or 1 that point would claim certainty from a sample that simply holds no (or
        # only) cases: there the Korn–Graubard interval with the actual n is used instead, e.g.
        # [0, 6.4%] for 0 poor among 56 persons.
        at_zero, at_one = estimate <= 0, estimate >= 1
        if at_zero.any() or at_one.any():
            reach = _boundary_reach(level, df, n)
            low = np.where(at_one, reach, low)
            high = np.where(at_zero, 1.0 - reach, high)
    return low, high


def _boundary_reach(level: float, df: FloatArray, n: IntArray) -> FloatArray:
    """``(alpha/2)^(1/n_eff)``: the Korn–Graubard limit of a proportion estimated at 1 (its
    complement for 0), closed forms of the beta quantiles there; ``n_eff`` is the actual ``n``
    times ``(t_{n-1} / t_df)^2`` as in R's ``svyciprop(method="beta")``."""
    n_f = n.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = t_critical(level, n_f - 1.0) / t_critical(level, np.maximum(df, 1.0))
        n_eff = n_f * ratio**2
        return np.asarray(((1.0 - level) / 2.0) ** (1.0 / n_eff), dtype=np.float64)


def _expit(x: FloatArray) -> FloatArray:
    """The logistic function, ``1 / (1 + exp(-x))``, without overflow warnings."""
    with np.errstate(over="ignore"):
        return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


def _korn_graubard(
    p: FloatArray, se: FloatArray, *, level: float, df: FloatArray, n: IntArray
) -> tuple[FloatArray, FloatArray]:
    from scipy import special  # only the beta method needs it (keeps the CLI start-up light)

    alpha = 1.0 - level
    n_f = n.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = t_critical(level, n_f - 1.0) / t_critical(level, np.maximum(df, 1.0))
        n_eff = effective_n(p, se, n) * ratio**2
        low = special.betaincinv(n_eff * p, n_eff * (1.0 - p) + 1.0, alpha / 2.0)
        high = special.betaincinv(n_eff * p + 1.0, n_eff * (1.0 - p), 1.0 - alpha / 2.0)
    point = np.isinf(n_eff)  # no sampling variance with 0 < p < 1
    lower: FloatArray = np.asarray(np.where(p <= 0, 0.0, np.where(point, p, low)), np.float64)
    upper: FloatArray = np.asarray(np.where(p >= 1, 1.0, np.where(point, p, high)), np.float64)
    return lower, upper
