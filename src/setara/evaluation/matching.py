"""Propensity-score matching: nearest-neighbour (with replacement, ``k`` neighbours, caliper)
and kernel (Epanechnikov) matching, with the Abadie–Imbens variance.

Units are matched on the linear predictor of the logit propensity score (the log-odds), where
the caliper and the kernel bandwidth are measured in standard deviations of it (Austin
2011). A match is a set of pairs (unit, comparison unit, weight); everything below works on
those flat pair arrays with ``np.bincount``, so nothing loops over units.

The variance is that of Abadie and Imbens (2006, Theorem 7) for the population effect: the
spread of the unit-level effects plus, for each comparison unit, the conditional variance of
its outcome times how much its reuse adds. The conditional variance is estimated from the
nearest unit of the same arm (``J = 1``). The propensity score is treated as known (no
Abadie–Imbens 2016 adjustment for its estimation; that adjustment usually lowers the ATE's
variance). Survey weights weigh each matched unit's effect; the matched comparison mean is
unweighted for nearest-neighbour matching and survey-weighted inside the kernel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from setara.errors import InputValueError
from setara.kernels.groups import FloatArray, IntArray

BoolArray = NDArray[np.bool_]

__all__ = [
    "Direction",
    "KernelMatches",
    "Matches",
    "matched_effect",
    "nearest_pairs",
]


class Direction(Protocol):
    """Query units matched to a pool of the other arm: what the estimate and the
    Abadie–Imbens variance need from a match, over all ``n`` units of the sample."""

    def counterfactual(self, y: FloatArray) -> tuple[FloatArray, BoolArray]:
        """``sum_j m_ij y_j`` for each query unit (0 elsewhere) and which queries matched."""
        ...

    def reuse(self, c: FloatArray) -> tuple[FloatArray, FloatArray]:
        """For each pool unit ``j``: ``sum_i c_i m_ij`` and ``sum_i c_i^2 m_ij^2``."""
        ...


@dataclass(frozen=True)
class Matches:
    """Pairs of a query unit (``query``) with a pool unit (``pool``) and the pool unit's
    share (``share``) of the query's counterfactual; indices are into the sample of ``n``."""

    query: IntArray
    pool: IntArray
    share: FloatArray
    n: int

    def counterfactual(self, y: FloatArray) -> tuple[FloatArray, BoolArray]:
        matched: BoolArray = np.zeros(self.n, dtype=bool)
        matched[self.query] = True
        value: FloatArray = np.bincount(
            self.query, weights=self.share * y[self.pool], minlength=self.n
        ).astype(np.float64)
        return value, matched

    def reuse(self, c: FloatArray) -> tuple[FloatArray, FloatArray]:
        part = c[self.query] * self.share
        share: FloatArray = np.bincount(self.pool, weights=part, minlength=self.n).astype(
            np.float64
        )
        square: FloatArray = np.bincount(self.pool, weights=part * part, minlength=self.n).astype(
            np.float64
        )
        return share, square


def nearest_pairs(
    score: FloatArray,
    queries: IntArray,
    pool: IntArray,
    neighbours: int,
    caliper: float | None,
) -> Matches:
    """The ``neighbours`` nearest pool units of every query unit by ``score`` (with
    replacement; ties broken by position), dropping those farther than ``caliper``."""
    if neighbours > pool.size:
        raise InputValueError(
            f"{neighbours} neighbours asked for but the comparison arm has {pool.size:,} units"
        )
    order = pool[np.argsort(score[pool], kind="stable")]
    sorted_score = score[order]
    at = np.searchsorted(sorted_score, score[queries])
    # the k nearest in one dimension lie among the k sorted values either side of the point
    window = at[:, None] + np.arange(-neighbours, neighbours)[None, :]
    valid = (window >= 0) & (window < order.size)
    clipped = np.clip(window, 0, order.size - 1)
    distance = np.where(valid, np.abs(sorted_score[clipped] - score[queries][:, None]), np.inf)
    nearest = np.argsort(distance, axis=1, kind="stable")[:, :neighbours]
    chosen = np.take_along_axis(clipped, nearest, axis=1)
    gap = np.take_along_axis(distance, nearest, axis=1)
    keep = gap <= (caliper if caliper is not None else np.inf)
    per_query = keep.sum(axis=1)
    query = np.repeat(queries, neighbours).reshape(-1, neighbours)[keep]
    share = (1.0 / np.maximum(per_query, 1))[:, None].repeat(neighbours, axis=1)[keep]
    return Matches(query, order[chosen[keep]], share, score.size)


# explicit pairs up to this many (about 0.5 GB of pair arrays); prefix sums beyond
_PAIR_LIMIT = 20_000_000


def _window_sums(
    sorted_at: FloatArray, values: FloatArray, centres: FloatArray, bandwidth: float
) -> tuple[FloatArray, IntArray]:
    """Sums of the columns of ``values`` (rows in the order of ``sorted_at``) over the rows
    with ``|sorted_at - centre| < bandwidth``, for every centre; and the window sizes."""
    low = np.searchsorted(sorted_at, centres - bandwidth, side="right")
    high = np.searchsorted(sorted_at, centres + bandwidth, side="left")
    prefix = np.vstack([np.zeros((1, values.shape[1])), np.cumsum(values, axis=0)])
    sums: FloatArray = prefix[high] - prefix[low]
    return sums, high - low


def _powers(x: FloatArray, top: int) -> FloatArray:
    out: FloatArray = x[:, None] ** np.arange(top + 1)[None, :]
    return out


@dataclass(frozen=True)
class KernelMatches:
    """Epanechnikov kernel matching of ``queries`` to ``pool`` within ``bandwidth``: unit
    ``j`` of the pool gets the share ``K((s_j - s_i) / h) w_j / sum_l K((s_l - s_i) / h) w_l``
    of query ``i``'s counterfactual, ``K(u) = 3/4 (1 - u^2)``.

    ``K`` is a polynomial in the scores, so every sum over a window is a combination of
    prefix sums of powers of the scores over the sorted units: no pair is ever formed, and
    the cost is that of sorting (the pairs within a bandwidth can number in the billions on
    survey microdata).
    """

    score: FloatArray
    weight: FloatArray
    queries: IntArray
    pool: IntArray
    bandwidth: float
    pair_limit: int = _PAIR_LIMIT

    def _pairs(self) -> Matches | None:
        """The explicit pairs when there are at most ``pair_limit`` of them (exact sums; the
        expansions lose digits when the bandwidth is small against the scores' spread, which
        is when windows are short and pairs few)."""
        order = self.pool[np.argsort(self.score[self.pool], kind="stable")]
        sorted_score = self.score[order]
        centres = self.score[self.queries]
        low = np.searchsorted(sorted_score, centres - self.bandwidth, side="right")
        high = np.searchsorted(sorted_score, centres + self.bandwidth, side="left")
        lengths = high - low
        total = int(lengths.sum())
        if total > self.pair_limit:
            return None
        query_pos = np.repeat(np.arange(self.queries.size), lengths)
        # position within each query's window: a running index minus the window's start
        starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        pool_pos = np.repeat(low, lengths) + (np.arange(total) - starts)
        u = (sorted_score[pool_pos] - centres[query_pos]) / self.bandwidth
        kernel = 0.75 * (1 - u * u) * self.weight[order[pool_pos]]
        norm = np.bincount(query_pos, weights=kernel, minlength=self.queries.size)
        positive = norm[query_pos] > 0
        share = kernel[positive] / norm[query_pos][positive]
        return Matches(
            self.queries[query_pos][positive], order[pool_pos][positive], share, self.score.size
        )

    def _centred(self) -> tuple[FloatArray, float]:
        # centring keeps the powers small: the cancellation in the expansions stays mild
        centre = float(np.median(self.score))
        return self.score - centre, self.bandwidth

    def _norm(self, y: FloatArray | None) -> tuple[FloatArray, FloatArray, BoolArray]:
        s, h = self._centred()
        order = self.pool[np.argsort(s[self.pool], kind="stable")]
        base = self.weight[order]
        columns = [base[:, None] * _powers(s[order], 2)]
        if y is not None:
            columns.append((base * y[order])[:, None] * _powers(s[order], 2))
        sums, size = _window_sums(s[order], np.hstack(columns), s[self.queries], h)
        si = s[self.queries][:, None]

        def kernel_sum(a: FloatArray) -> FloatArray:  # a: window sums of v s^0, s^1, s^2
            out: FloatArray = 0.75 * (
                a[:, 0] - (a[:, 2] - 2 * si[:, 0] * a[:, 1] + si[:, 0] ** 2 * a[:, 0]) / h**2
            )
            return out

        norm = kernel_sum(sums[:, :3])
        value = kernel_sum(sums[:, 3:]) if y is not None else np.zeros_like(norm)
        # an empty window sums to exactly 0; a positive norm far below the rounding of its
        # terms (a lone neighbour on the window's edge) is no match either
        matched = (size > 0) & (norm > 1e-9 * 0.75 * np.abs(sums[:, 0]).clip(min=1e-300))
        return norm, value, matched

    def counterfactual(self, y: FloatArray) -> tuple[FloatArray, BoolArray]:
        pairs = self._pairs()
        if pairs is not None:
            return pairs.counterfactual(y)
        norm, value, matched = self._norm(y)
        out = np.zeros(self.score.size)
        flag = np.zeros(self.score.size, dtype=bool)
        out[self.queries[matched]] = value[matched] / norm[matched]
        flag[self.queries[matched]] = True
        return out, flag

    def reuse(self, c: FloatArray) -> tuple[FloatArray, FloatArray]:
        pairs = self._pairs()
        if pairs is not None:
            return pairs.reuse(c)
        norm, _, matched = self._norm(None)
        s, h = self._centred()
        ci = np.where(matched, c[self.queries] / np.where(matched, norm, 1.0), 0.0)
        order = np.argsort(s[self.queries], kind="stable")
        sq = s[self.queries][order]
        columns = np.hstack(
            [ci[order][:, None] * _powers(sq, 2), (ci[order] ** 2)[:, None] * _powers(sq, 4)]
        )
        sums, _ = _window_sums(sq, columns, s[self.pool], h)
        sj = s[self.pool]
        c0, c1, c2 = sums[:, 0], sums[:, 1], sums[:, 2]
        d = sums[:, 3:]
        first = c0 - (sj**2 * c0 - 2 * sj * c1 + c2) / h**2
        square = sj**2 * d[:, 0] - 2 * sj * d[:, 1] + d[:, 2]
        fourth = (
            sj**4 * d[:, 0] - 4 * sj**3 * d[:, 1] + 6 * sj**2 * d[:, 2] - 4 * sj * d[:, 3]
        ) + d[:, 4]
        second = d[:, 0] - 2 * square / h**2 + fourth / h**4
        w = self.weight[self.pool]
        lam = np.zeros(self.score.size)
        cross = np.zeros(self.score.size)
        lam[self.pool] = 0.75 * w * first
        cross[self.pool] = (0.75 * w) ** 2 * np.clip(second, 0.0, None)
        return lam, cross


def _same_arm_variance(score: FloatArray, y: FloatArray, treat: FloatArray) -> FloatArray:
    """Conditional outcome variance of each unit from its nearest same-arm neighbour by score:
    ``(y_i - y_l(i))^2 / 2`` (Abadie and Imbens 2006, J = 1)."""
    sigma2 = np.full(y.size, np.nan)
    for arm in (0.0, 1.0):  # two arms, each vectorised
        members = np.flatnonzero(treat == arm)
        if members.size < 2:
            raise InputValueError(
                f"the {'treated' if arm else 'comparison'} arm has {members.size} unit(s); "
                "matching needs at least 2 in each"
            )
        order = members[np.argsort(score[members], kind="stable")]
        s = score[order]
        left_gap = np.concatenate([[np.inf], np.diff(s)])
        right_gap = np.concatenate([np.diff(s), [np.inf]])
        neighbour = np.where(
            left_gap <= right_gap,
            np.roll(order, 1),
            np.roll(order, -1),
        )
        sigma2[order] = 0.5 * (y[order] - y[neighbour]) ** 2
    return sigma2


@dataclass(frozen=True)
class MatchedEffect:
    estimate: float
    se: float
    unit_weight: FloatArray
    used_treated: int
    used_control: int
    matched: BoolArray


def matched_effect(
    score: FloatArray,
    y: FloatArray,
    treat: FloatArray,
    weight: FloatArray,
    directions: Sequence[Direction],
) -> MatchedEffect:
    """The matching estimate from ``directions`` (treated to controls for the ATT; both directions
    for the ATE) with its Abadie–Imbens standard error.

    Each query unit ``i`` that found a match has the effect ``tau_i = y_i - sum_j m_ij y_j``
    (sign flipped for control queries), weighed by ``omega_i = w_i / W``. The estimate is
    ``sum omega_i tau_i``; writing it as ``sum_j lambda_j y_j``, its variance is
    ``sum omega_i^2 (tau_i - tau)^2 + sum_j (lambda_j^2 - own_j^2 - cross_j) sigma_j^2`` with
    ``own_j = omega_j`` for query units and ``cross_j = sum_i omega_i^2 m_ij^2``.
    """
    n = y.size
    sign = np.where(treat == 1, 1.0, -1.0)
    counterfactual = np.zeros(n)
    matched = np.zeros(n, dtype=bool)
    for direction in directions:  # one or two
        value, found = direction.counterfactual(y)
        counterfactual += value
        matched |= found
    omega = np.zeros(n)
    omega[matched] = weight[matched]
    total = omega.sum()
    if total <= 0:
        raise InputValueError("no unit found a match: widen the caliper or the bandwidth")
    omega /= total
    tau_i = sign * (y - counterfactual)
    estimate = float((omega * tau_i)[matched].sum())
    lam = omega.copy()
    cross = np.zeros(n)
    for direction in directions:
        share, square = direction.reuse(omega)
        lam += share
        cross += square
    sigma2 = _same_arm_variance(score, y, treat)
    spread = float((omega[matched] ** 2 * (tau_i[matched] - estimate) ** 2).sum())
    reuse = float(((lam**2 - omega**2 - cross) * sigma2).sum())
    unit_weight = lam * total
    return MatchedEffect(
        estimate,
        float(np.sqrt(max(spread + reuse, 0.0))),
        unit_weight,
        int(((unit_weight > 0) & (treat == 1)).sum()),
        int(((unit_weight > 0) & (treat == 0)).sum()),
        matched,
    )
