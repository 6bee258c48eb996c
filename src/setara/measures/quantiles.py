"""Quantile-based measures: quantiles, shares, Lorenz ordinates, QSR (S80/S20), Palma, ratios.

Linearization of a quantile and of the total below it follows Osier (2009) and R convey:
``IF(q) = -(1{y <= q} - p) / (N f(q))`` with a Gaussian-kernel density ``f`` of bandwidth
``sd_w N^(-1/5)``, and ``IF(S_p) = y 1{y <= q} + f_S(q) IF(q)`` for the total below ``q``.
Quantiles themselves use R survey's default rule (the smallest value whose weighted CDF reaches
``p``). ``quantile``/``median`` report the Woodruff standard error as R survey's
``svyquantile(interval.type="mean")``; ``se=kernel`` gives the linearized one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from setara.design import SurveyDesign
from setara.errors import MeasureSpecError
from setara.kernels.distribution import (
    CDF_TIE,
    bandwidth,
    kernel_densities,
    quantile_index,
    quantile_values,
)
from setara.kernels.groups import FloatArray, IntArray
from setara.measures.base import (
    Linearized,
    Measure,
    MeasureData,
    VariableParts,
    sorted_weights,
)
from setara.measures.basic import Mean
from setara.measures.inequality import scatter


@dataclass
class QuantileParts:
    """A quantile of every domain with what its linearization needs (sorted layout).

    Kept small (memoized for every measure of a call): ``below`` is boolean and the influence
    is formed on demand.
    """

    p: float
    q: FloatArray
    n_total: FloatArray
    h: FloatArray
    below: npt.NDArray[np.bool_]
    density: FloatArray
    tail_density: FloatArray
    codes: IntArray

    @property
    def influence(self) -> FloatArray:
        """``-(1{y <= q} - p) / (N f(q))`` for each row of the sorted layout."""
        scale = (self.n_total * self.density)[self.codes]
        return np.asarray(-(self.below - self.p) / scale)


def quantile_parts(data: MeasureData, p: float) -> QuantileParts:
    """Quantile ``p`` of every domain with its linearization, computed once per call."""
    return data.remember(("quantile_parts", p), lambda: _quantile_parts(data, p))


def _quantile_parts(data: MeasureData, p: float) -> QuantileParts:
    sg = data.sorted
    ys = data.y_sorted
    ws = data.w_sorted
    q = quantile_values(sg, ys, ws[:, None], p)[:, 0]
    # the bandwidth depends on the domain's values only: one for every quantile of the call
    h = data.remember("bandwidth", lambda: bandwidth(ys, ws, sg.codes, sg.n_groups))
    density, tail = kernel_densities(ys, ws, sg.codes, sg.n_groups, q, h)
    return QuantileParts(
        p=p,
        q=q,
        n_total=sg.sum(ws),
        h=h,
        below=ys <= q[sg.codes],
        density=density,
        tail_density=tail,
        codes=sg.codes,
    )


def partial_total(data: MeasureData, p: float) -> tuple[FloatArray, FloatArray]:
    """Total of ``y`` below the ``p``-quantile per domain and its influence (sorted layout)."""
    if p <= 0.0:
        return np.zeros(data.n_domains), np.zeros(data.sorted.codes.size)
    ys = data.y_sorted
    ws = data.w_sorted
    if p >= 1.0:
        return data.sorted.sum(ys * ws), ys.copy()
    parts = quantile_parts(data, p)
    sg = data.sorted
    total = sg.sum(ws * ys * parts.below)
    return total, ys * parts.below + parts.tail_density[sg.codes] * parts.influence


def partial_total_replicates(data: MeasureData, weights: FloatArray, p: float) -> FloatArray:
    """Total below the ``p``-quantile for every weight column, ``(domains, k)``."""
    sg = data.sorted
    ys = data.y_sorted
    ws = sorted_weights(data, weights)
    if p <= 0.0:
        return np.zeros((sg.n_groups, ws.shape[1]))
    if p >= 1.0:
        return sg.sum(ys[:, None] * ws)
    q = quantile_values(sg, ys, ws, p)
    return sg.sum(ys[:, None] * ws * (ys[:, None] <= q[sg.codes]))


def _check_p(p: float, name: str) -> None:
    if not 0.0 < p < 1.0:
        raise MeasureSpecError(f"{name} needs 0 < p < 1, not p={p:g}")


@dataclass
class Quantile(Measure):
    """Weighted quantile; Woodruff SE by default (R survey), ``se="kernel"`` linearized."""

    p: float = 0.5
    se: str = "woodruff"
    name = "quantile"

    def __post_init__(self) -> None:
        _check_p(self.p, "quantile")
        if self.se not in ("woodruff", "kernel"):
            raise MeasureSpecError(f"quantile se must be woodruff or kernel, not {self.se!r}")

    def params(self) -> str:
        extra = "" if self.se == "woodruff" else ",se=kernel"
        return f"p={self.p:g}{extra}"

    def linearize(self, data: MeasureData) -> Linearized:
        parts = quantile_parts(data, self.p)
        return Linearized(estimate=parts.q, influence=scatter(data, parts.influence))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        return quantile_values(data.sorted, data.y_sorted, sorted_weights(data, weights), self.p)

    def estimate_parts(
        self, design: SurveyDesign, data: MeasureData
    ) -> tuple[FloatArray, FloatArray, VariableParts]:
        """The reported (Woodruff) SE with the linearized or replicate parts, from which a
        covariance with another estimate is taken."""
        if self.se == "kernel":
            return super().estimate_parts(design, data)
        estimate, se = self.standard_error(design, data)
        if design.replicates is not None:
            return estimate, se, super().estimate_parts(design, data)[2]
        return estimate, se, self.linear_parts(data)[1]  # the linearized variance is not used

    def standard_error(
        self, design: SurveyDesign, data: MeasureData
    ) -> tuple[FloatArray, FloatArray]:
        if self.se == "kernel":
            return super().standard_error(design, data)
        # Woodruff (R survey's woodruffCI): an interval for the CDF at the estimated quantile,
        # centred at F(q), mapped back through the quantile rule; SE = width / (2 t).
        sg = data.sorted
        ws = data.w_sorted
        q = quantile_values(sg, data.y_sorted, ws[:, None], self.p)[:, 0]
        inside = data.domain >= 0
        below = np.where(inside, data.y <= q[np.where(inside, data.domain, 0)], False)
        indicator = replace(data, y=below.astype(np.float64), extra={}, memo={})
        share, se_share = Mean().standard_error(design, indicator)
        t = design.t_quantile(0.95, design.domain_degf(data.domain, data.n_domains))
        cdf = sg.cumsum(ws) / sg.sum(ws)[sg.codes]
        low = _quantile_at(data, cdf, share - t * se_share)
        high = _quantile_at(data, cdf, share + t * se_share)
        return q, (high - low) / (2.0 * t)


def _quantile_at(data: MeasureData, cdf: FloatArray, p: FloatArray) -> FloatArray:
    """Quantile at a per-domain probability ``p[d]`` (clipped to the data range)."""
    sg = data.sorted
    m = sg.codes.size
    candidate = np.where(cdf >= p[sg.codes] - CDF_TIE, np.arange(m), m)
    out = np.full(sg.n_groups, np.nan)
    nonempty = np.flatnonzero(sg.counts > 0)
    if nonempty.size:
        first = np.minimum.reduceat(candidate, sg.starts[nonempty])
        last = (sg.starts + sg.counts - 1)[nonempty]
        out[nonempty] = data.y_sorted[np.minimum(first, last)]
    return out


@dataclass
class PovertyThreshold(Measure):
    """At-risk-of-poverty threshold: ``percent`` of the domain's ``p``-quantile (median)."""

    percent: float = 0.6
    p: float = 0.5
    name = "arpt"

    def params(self) -> str:
        return f"percent={self.percent:g}"

    def linearize(self, data: MeasureData) -> Linearized:
        parts = quantile_parts(data, self.p)
        return Linearized(
            estimate=self.percent * parts.q,
            influence=scatter(data, self.percent * parts.influence),
        )

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        ws = sorted_weights(data, weights)
        return self.percent * quantile_values(data.sorted, data.y_sorted, ws, self.p)


@dataclass
class ShareRatio(Measure):
    """Ratio of the total above ``upper`` to the total below ``lower`` quantile.

    ``qsr`` (S80/S20) is ``upper=0.8, lower=0.2``; ``palma`` is ``upper=0.9, lower=0.4``.
    """

    upper: float = 0.8
    lower: float = 0.2
    name = "qsr"

    def params(self) -> str:
        return "" if self.name in ("qsr", "palma") else f"upper={self.upper:g},lower={self.lower:g}"

    def linearize(self, data: MeasureData) -> Linearized:
        low, lin_low = partial_total(data, self.lower)
        below_upper, lin_below_upper = partial_total(data, self.upper)
        ys = data.y_sorted
        top = data.sorted.sum(ys * data.w_sorted) - below_upper
        lin_top = ys - lin_below_upper
        est = top / low
        c = data.sorted.codes
        lin = (low[c] * lin_top - top[c] * lin_low) / low[c] ** 2
        return Linearized(estimate=est, influence=scatter(data, lin))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        total = partial_total_replicates(data, weights, 1.0)
        top = total - partial_total_replicates(data, weights, self.upper)
        return top / partial_total_replicates(data, weights, self.lower)


@dataclass
class Share(Measure):
    """Share of total welfare held by the quantile group ``(lower, upper]`` (e.g. a decile)."""

    lower: float = 0.0
    upper: float = 0.4
    name = "share"

    def __post_init__(self) -> None:
        if not 0.0 <= self.lower < self.upper <= 1.0:
            raise MeasureSpecError(
                f"share needs 0 <= lower < upper <= 1, not lower={self.lower:g}, "
                f"upper={self.upper:g}"
            )

    def params(self) -> str:
        return f"lower={self.lower:g},upper={self.upper:g}"

    def value_range(self) -> str:
        """A share of non-negative welfare is in [0, 1]."""
        return "unit"

    def linearize(self, data: MeasureData) -> Linearized:
        hi, lin_hi = partial_total(data, self.upper)
        lo, lin_lo = partial_total(data, self.lower)
        total, lin_total = partial_total(data, 1.0)
        part = hi - lo
        c = data.sorted.codes
        lin = (lin_hi - lin_lo) / total[c] - part[c] * lin_total / total[c] ** 2
        return Linearized(estimate=part / total, influence=scatter(data, lin))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        part = partial_total_replicates(data, weights, self.upper) - partial_total_replicates(
            data, weights, self.lower
        )
        return part / partial_total_replicates(data, weights, 1.0)


@dataclass
class Lorenz(Measure):
    """Lorenz ordinate ``L(p)`` (share below the p-quantile), or the generalized ordinate
    ``GL(p) = mean * L(p)`` (total below the quantile per head) with ``generalized=True``."""

    p: float = 0.5
    generalized: bool = False
    name = "lorenz"

    def __post_init__(self) -> None:
        _check_p(self.p, "lorenz")
        if self.generalized:
            self.name = "glorenz"

    def params(self) -> str:
        return f"p={self.p:g}"

    def value_range(self) -> str:
        """Lorenz ordinates of non-negative welfare are in [0, 1]; generalized ones are not."""
        return "open" if self.generalized else "unit"

    def linearize(self, data: MeasureData) -> Linearized:
        part, lin_part = partial_total(data, self.p)
        c = data.sorted.codes
        if self.generalized:
            n_total = data.sorted.sum(data.w_sorted)
            lin = lin_part / n_total[c] - part[c] / n_total[c] ** 2
            return Linearized(estimate=part / n_total, influence=scatter(data, lin))
        total, lin_total = partial_total(data, 1.0)
        lin = lin_part / total[c] - part[c] * lin_total / total[c] ** 2
        return Linearized(estimate=part / total, influence=scatter(data, lin))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        part = partial_total_replicates(data, weights, self.p)
        if self.generalized:
            return part / data.sorted.sum(sorted_weights(data, weights))
        return part / partial_total_replicates(data, weights, 1.0)


@dataclass
class QuantileRatio(Measure):
    """Ratio of two quantiles, e.g. P90/P10 (``upper=0.9, lower=0.1``)."""

    upper: float = 0.9
    lower: float = 0.1
    name = "pratio"

    def __post_init__(self) -> None:
        _check_p(self.upper, "pratio")
        _check_p(self.lower, "pratio")

    def params(self) -> str:
        return f"upper={self.upper:g},lower={self.lower:g}"

    def linearize(self, data: MeasureData) -> Linearized:
        hi = quantile_parts(data, self.upper)
        lo = quantile_parts(data, self.lower)
        c = data.sorted.codes
        ratio = hi.q / lo.q
        lin = (hi.influence - ratio[c] * lo.influence) / lo.q[c]
        return Linearized(estimate=ratio, influence=scatter(data, lin))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        ws = sorted_weights(data, weights)
        hi = quantile_values(data.sorted, data.y_sorted, ws, self.upper)
        return hi / quantile_values(data.sorted, data.y_sorted, ws, self.lower)


__all__ = [
    "Lorenz",
    "PovertyThreshold",
    "Quantile",
    "QuantileRatio",
    "Share",
    "ShareRatio",
    "quantile_index",
]
