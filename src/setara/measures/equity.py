"""Concentration index of an outcome ranked by welfare (standard, Wagstaff, Erreygers).

The fractional rank of a row is the mid-point of the weighted CDF of welfare in its domain,
``R_i = (sum_{y_j < y_i} w_j + 0.5 sum_{y_j = y_i} w_j) / N``: tied welfare values share one
rank, so the index does not depend on the order of tied rows. The weighted mean of ``R`` is
exactly 1/2, and the index is

    C = 2 cov_w(h, R) / mean(h) = 2 sum_i w_i h_i R_i / sum_i w_i h_i - 1.

The concentration index of welfare itself is the (mid-rank) Gini coefficient.

The linearization treats the ranks as estimated (as the Gini's): with ``A = sum_i w_i h_i
R~_i`` and ``R~ = N R`` the unnormalised mid-rank, the derivative of ``A`` with respect to the
weight of row ``k`` is ``h_k R~_k + sum_{y_i > y_k} w_i h_i + 0.5 sum_{y_i = y_k} w_i h_i``,
so ``IF_k(C) = 2 dA_k / (N T) - (C + 1)(1/N + h_k/T)`` with ``T = sum w h``.

References
----------
O'Donnell, O., van Doorslaer, E., Wagstaff, A., Lindelow, M. (2008). Analyzing Health Equity
Using Household Survey Data. World Bank, ch. 8.
Wagstaff, A. (2005). The bounds of the concentration index when the variable of interest is
binary. Health Economics 14(4), 429-432.
Erreygers, G. (2009). Correcting the concentration index. J. Health Econ. 28(2), 504-515.
Langel, M., Tillé, Y. (2013). Variance estimation of the Gini index. JRSS A 176(2).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from setara.errors import InputValueError, MeasureSpecError
from setara.kernels.groups import FloatArray, IntArray, SortedGroups, group_sum
from setara.measures.base import Linearized, Measure, MeasureData, sorted_weights
from setara.measures.inequality import scatter

CONCENTRATION_TYPES = ("standard", "wagstaff", "erreygers")


def tie_groups(sg: SortedGroups, y: FloatArray) -> tuple[IntArray, IntArray]:
    """Tie code of each sorted row and the last sorted position of every tie.

    A tie is a run of equal values within one group of the sorted layout.
    """
    new_tie = np.ones(y.size, dtype=bool)
    new_tie[1:] = (y[1:] != y[:-1]) | (sg.codes[1:] != sg.codes[:-1])
    tie = (np.cumsum(new_tie) - 1).astype(np.int64)
    last = np.r_[np.flatnonzero(new_tie)[1:] - 1, y.size - 1].astype(np.int64)
    return tie, last


def midrank_weights(sg: SortedGroups, y: FloatArray, w: FloatArray) -> FloatArray:
    """Unnormalised mid-rank ``N R_i`` of every sorted row, ``(m, k)`` for ``(m, k)`` weights."""
    tie, last = tie_groups(sg, y)
    tie_w = group_sum(tie, w, int(last.size))
    return np.asarray((sg.cumsum(w)[last] - 0.5 * tie_w)[tie])


def concentration_estimate(
    sg: SortedGroups, y: FloatArray, h: FloatArray, w: FloatArray
) -> FloatArray:
    """Concentration index of ``h`` ranked by ``y`` per group, ``(n_groups, k)``.

    ``y``, ``h`` and the ``(m, k)`` weight columns ``w`` are in the sorted layout of ``sg``.
    """
    if y.size == 0:
        return np.full((sg.n_groups, w.shape[1]), np.nan)
    r_mid = midrank_weights(sg, y, w)
    a = sg.sum(h[:, None] * w * r_mid)
    n_total = sg.sum(w)
    h_total = sg.sum(h[:, None] * w)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(2.0 * a / (n_total * h_total) - 1.0)


def concentration_influence(
    sg: SortedGroups, y: FloatArray, h: FloatArray, w: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Concentration index per group and influence values (sorted layout), one weight vector."""
    c = concentration_estimate(sg, y, h, w[:, None])[:, 0]
    if y.size == 0:
        return c, np.zeros(0)
    tie, last = tie_groups(sg, y)
    n_ties = int(last.size)
    hw = h * w
    r_mid = (sg.cumsum(w)[last] - 0.5 * np.bincount(tie, weights=w, minlength=n_ties))[tie]
    cum_mid = (sg.cumsum(hw)[last] - 0.5 * np.bincount(tie, weights=hw, minlength=n_ties))[tie]
    nt = sg.sum(w)[sg.codes]
    ht = sg.sum(hw)[sg.codes]
    d_a = h * r_mid + (ht - cum_mid)
    with np.errstate(divide="ignore", invalid="ignore"):
        lin = 2.0 * d_a / (nt * ht) - (c[sg.codes] + 1.0) * (1.0 / nt + h / ht)
    return c, lin


@dataclass
class Concentration(Measure):
    """Concentration index of ``outcome`` (a column) ranked by the welfare variable.

    ``type="standard"``: ``C = 2 cov(h, R) / mean(h)``; ``"wagstaff"``: ``C / (1 - mean(h))``
    for an outcome in [0, 1] (Wagstaff 2005); ``"erreygers"``: ``4 mean(h) C / (upper -
    lower)`` for an outcome bounded by ``lower`` and ``upper`` (Erreygers 2009). Standard
    errors by linearization (ranks treated as estimated) or by replicate weights.
    """

    outcome: str = ""
    type: str = "standard"
    lower: float = 0.0
    upper: float = 1.0
    name = "concentration"

    def __post_init__(self) -> None:
        if self.type not in CONCENTRATION_TYPES:
            raise MeasureSpecError(
                f"concentration type must be standard, wagstaff or erreygers, not {self.type!r}"
            )
        if not self.upper > self.lower:
            raise MeasureSpecError(
                f"concentration bounds need lower < upper, not {self.lower:g} and {self.upper:g}"
            )

    def value_range(self) -> str:
        """Concentration indices of a non-negative outcome are in [-1, 1]."""
        return "signed_unit"

    def params(self) -> str:
        text = f"outcome={self.outcome}"
        if self.type == "wagstaff":
            text += ",type=wagstaff"
        elif self.type == "erreygers":
            text += f",type=erreygers,lower={self.lower:g},upper={self.upper:g}"
        return text

    def extra_columns(self) -> dict[str, str]:
        return {"outcome": self.outcome}

    def _outcome(self, data: MeasureData) -> FloatArray:
        """The outcome in the sorted layout, checked against the bounds of the type."""
        h = data.extra["outcome"][data.sorted.order]
        if self.type == "standard" or h.size == 0:
            return h
        lo, hi = (0.0, 1.0) if self.type == "wagstaff" else (self.lower, self.upper)
        outside = int(((h < lo) | (h > hi)).sum())
        if outside:
            raise InputValueError(
                f"concentration type={self.type} needs outcome {self.outcome!r} between "
                f"{lo:g} and {hi:g}; {outside:,} rows are outside"
            )
        return h

    def linearize(self, data: MeasureData) -> Linearized:
        sg = data.sorted
        h = self._outcome(data)
        w = data.w_sorted
        c, lin = concentration_influence(sg, data.y_sorted, h, w)
        if self.type == "standard":
            return Linearized(estimate=c, influence=scatter(data, lin))
        n_total = sg.sum(w)
        mu = sg.sum(h * w) / n_total
        lin_mu = (h - mu[sg.codes]) / n_total[sg.codes]
        codes = sg.codes
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.type == "wagstaff":
                est = c / (1.0 - mu)
                lin = lin / (1.0 - mu[codes]) + (c / (1.0 - mu) ** 2)[codes] * lin_mu
            else:
                scale = 4.0 / (self.upper - self.lower)
                est = scale * mu * c
                lin = scale * (mu[codes] * lin + c[codes] * lin_mu)
        return Linearized(estimate=est, influence=scatter(data, lin))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        sg = data.sorted
        h = self._outcome(data)
        ws = sorted_weights(data, weights)
        c = concentration_estimate(sg, data.y_sorted, h, ws)
        if self.type == "standard":
            return c
        mu = sg.sum(h[:, None] * ws) / sg.sum(ws)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.type == "wagstaff":
                return np.asarray(c / (1.0 - mu))
            return np.asarray(4.0 * mu * c / (self.upper - self.lower))
