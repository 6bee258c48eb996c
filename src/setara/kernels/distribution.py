"""Weighted distribution kernels by group: quantiles, kernel densities, partial totals.

Inputs are arrays already laid out by :class:`~setara.kernels.groups.SortedGroups` (rows of a
group contiguous and sorted by value); weight arguments are ``(m, k)`` matrices so that the
full-sample weights and any number of replicate weights are handled in one pass.
"""

from __future__ import annotations

import numpy as np

from setara.kernels.groups import FloatArray, IntArray, SortedGroups, group_sum

SQRT_2PI = float(np.sqrt(2.0 * np.pi))
# A cumulative share within this of p counts as reaching p: R accumulates weights in long
# double, so an exact hit (equal weights, p = 0.5) must not be lost to float64 rounding.
CDF_TIE = 1e-12


def quantile_index(sg: SortedGroups, w_sorted: FloatArray, p: float) -> IntArray:
    """Position (in sorted layout) of each group's ``p``-quantile for every weight column.

    Rule: the smallest value whose weighted CDF reaches ``p`` (R survey's ``qrule="math"``,
    convey's ``computeQuantiles``). Returns ``(n_groups, k)``; ``-1`` for empty groups.
    """
    cw = sg.cumsum(w_sorted)
    total = sg.sum(w_sorted)
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = cw / total[sg.codes]
    m = sg.codes.size
    position = np.arange(m, dtype=np.int64)[:, None]
    candidate = np.where(frac >= p - CDF_TIE, position, m)
    out = np.full((sg.n_groups, w_sorted.shape[1]), -1, dtype=np.int64)
    nonempty = np.flatnonzero(sg.counts > 0)
    if nonempty.size:
        first = np.minimum.reduceat(candidate, sg.starts[nonempty], axis=0)
        last = (sg.starts + sg.counts - 1)[nonempty][:, None]
        out[nonempty] = np.minimum(first, last)
    return out


def quantile_values(
    sg: SortedGroups, y_sorted: FloatArray, w_sorted: FloatArray, p: float
) -> FloatArray:
    """Weighted ``p``-quantile of each group for every weight column, ``(n_groups, k)``."""
    idx = quantile_index(sg, w_sorted, p)
    out = np.full(idx.shape, np.nan)
    ok = idx >= 0
    out[ok] = y_sorted[idx[ok]]
    return out


def bandwidth(y: FloatArray, w: FloatArray, codes: IntArray, n_groups: int) -> FloatArray:
    """convey's bandwidth ``h = sd_w * N^(-1/5)`` per group (``sd_w`` divides by ``N``)."""
    total = group_sum(codes, w, n_groups)
    s1 = group_sum(codes, w * y, n_groups)
    s2 = group_sum(codes, w * y * y, n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.maximum(s2 - s1 * s1 / total, 0.0) / total)
        return np.asarray(sd / np.exp(0.2 * np.log(total)))


def kernel_densities(
    y: FloatArray,
    w: FloatArray,
    codes: IntArray,
    n_groups: int,
    at: FloatArray,
    h: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Gaussian-kernel estimates at ``at[g]`` for each group ``g``, from one kernel pass.

    Returns the density ``sum w K((at-y)/h) / (N h)`` and the derivative of the partial
    total below ``at``, ``sum w y K((at-y)/h) / h`` (convey's ``densfun`` ``F`` and ``big_s``).
    """
    if codes.size and codes.min() < 0:
        keep = codes >= 0
        y, w, codes = y[keep], w[keep], codes[keep]
    u = at[codes] - y
    u /= h[codes]
    wk = np.exp(-0.5 * u * u)
    wk *= w
    wk /= SQRT_2PI
    total = np.bincount(codes, weights=w, minlength=n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.bincount(codes, weights=wk, minlength=n_groups) / (total * h)
        wk *= y
        tail = np.bincount(codes, weights=wk, minlength=n_groups) / h
    return density, tail


def share_below(values: FloatArray, weights: FloatArray, order: IntArray) -> FloatArray:
    """Weighted share of the population with a value *strictly* below each unit's value
    (``F(y-)``; tied units share it). ``order``: a sort of ``values`` (``np.argsort``)."""
    ys = values[order]
    cum = np.cumsum(weights[order])
    total = cum[-1] if cum.size else 1.0
    before = cum - weights[order]
    first_of_tie = np.r_[True, ys[1:] != ys[:-1]] if ys.size else np.zeros(0, dtype=bool)
    start = np.maximum.accumulate(np.where(first_of_tie, np.arange(ys.size), 0))
    out = np.empty(values.size)
    out[order] = before[start] / total
    return out


def quantile_groups_of(
    values: FloatArray, weights: FloatArray, groups: int, order: IntArray
) -> IntArray:
    """Weighted quantile group (1..``groups``) of every unit by the rule of
    :func:`quantile_index`: a unit is in group ``k`` when ``q_((k-1)/G) < y <= q_(k/G)``.

    With ``q_p`` the smallest value whose weighted CDF reaches ``p``, ``y <= q_p`` exactly
    when the share strictly below ``y`` is under ``p`` (:func:`share_below`, same
    :data:`CDF_TIE`): the unit whose weight straddles ``p`` belongs to the group below, whole,
    and tied values always fall in one group. The bottom 40 % is ``group <= 4`` of deciles,
    the units counted in the engine's share below ``q_0.4``.
    """
    below = share_below(values, weights, order)
    cuts = np.arange(1, groups, dtype=np.float64) / groups - CDF_TIE
    return np.asarray(np.searchsorted(cuts, below, side="right") + 1, dtype=np.int64)
