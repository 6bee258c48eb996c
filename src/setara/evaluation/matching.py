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

from dataclasses import dataclass

import numpy as np

from setara.errors import InputValueError
from setara.kernels.groups import FloatArray, IntArray

__all__ = ["Matches", "kernel_pairs", "matched_effect", "nearest_pairs", "silverman_bandwidth"]


@dataclass(frozen=True)
class Matches:
    """Pairs of a query unit (``query``) with a pool unit (``pool``) and the pool unit's
    share (``share``) of the query's counterfactual; indices are into the whole sample."""

    query: IntArray
    pool: IntArray
    share: FloatArray


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
    return Matches(query, order[chosen[keep]], share)


def silverman_bandwidth(score: FloatArray) -> float:
    """Silverman's rule of thumb for the Epanechnikov kernel: ``2.34 sd n^(-1/5)``."""
    return float(2.34 * score.std() * score.size ** (-0.2))


def kernel_pairs(
    score: FloatArray,
    weight: FloatArray,
    queries: IntArray,
    pool: IntArray,
    bandwidth: float,
) -> Matches:
    """Epanechnikov kernel matching: every pool unit within ``bandwidth`` of a query unit,
    with share proportional to ``K(distance / bandwidth)`` times its survey weight."""
    order = pool[np.argsort(score[pool], kind="stable")]
    sorted_score = score[order]
    low = np.searchsorted(sorted_score, score[queries] - bandwidth, side="right")
    high = np.searchsorted(sorted_score, score[queries] + bandwidth, side="left")
    lengths = high - low
    total = int(lengths.sum())
    query_pos = np.repeat(np.arange(queries.size), lengths)
    # position within each query's window: a running index minus the window's start
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    pool_pos = np.repeat(low, lengths) + (np.arange(total) - starts)
    u = (sorted_score[pool_pos] - score[queries][query_pos]) / bandwidth
    kernel = 0.75 * (1 - u * u) * weight[order[pool_pos]]
    norm = np.bincount(query_pos, weights=kernel, minlength=queries.size)
    positive = norm[query_pos] > 0
    share = kernel[positive] / norm[query_pos][positive]
    return Matches(queries[query_pos][positive], order[pool_pos][positive], share)


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
    matched: np.ndarray


def matched_effect(
    score: FloatArray,
    y: FloatArray,
    treat: FloatArray,
    weight: FloatArray,
    pairs: list[Matches],
) -> MatchedEffect:
    """The matching estimate from ``pairs`` (treated to controls for the ATT; both directions
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
    for m in pairs:  # one or two directions
        counterfactual += np.bincount(m.query, weights=m.share * y[m.pool], minlength=n)
        matched[m.query] = True
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
    for m in pairs:
        lam += np.bincount(m.pool, weights=omega[m.query] * m.share, minlength=n)
        cross += np.bincount(m.pool, weights=(omega[m.query] * m.share) ** 2, minlength=n)
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
