"""Gini, Theil T and Palma of one view: estimate and influence values from one pass.

The measures' kernels (:func:`setara.kernels.inequality.gini_influence`,
:func:`~setara.kernels.inequality.ge_influence`, :meth:`ShareRatio.linearize
<setara.measures.quantiles.ShareRatio.linearize>`) compute the estimate with the replicate
kernel, then recompute the same group sums and cumulative sums for the influence values, and
form every formula with fresh temporaries. Here each sum is computed once and the influence is
built in a few reused buffers, with the *same* floating-point operations in the same order
(sums by the same ``SortedGroups`` reductions; ``a * b`` and ``b * a``, or ``x[codes] + 1`` and
``(x + 1)[codes]``, are the same numbers), so the results are bit for bit those of the kernels.
``tests/test_programme_fast`` checks that, ties and empty groups included.

All functions take and return the domain-sorted layout (``SortedGroups``, sorted values ``ys``
and weights ``ws``); per-domain values are expanded to rows by :func:`per_row` (a scalar when
there is one domain).

References: Osier (2009) and Langel & Tillé (2013) for the Gini influence, Biewen & Jenkins
(2006) for generalised entropy, as in :mod:`setara.kernels.inequality`.
"""

from __future__ import annotations

import numpy as np

from setara.kernels.groups import FloatArray, IntArray, SortedGroups
from setara.measures.quantiles import QuantileParts

__all__ = ["cumsum", "gini_parts", "palma_parts", "per_row", "theil_parts", "tie_runs"]


def per_row(sg: SortedGroups, values: FloatArray) -> FloatArray | np.float64:
    """``values[sg.codes]``: each row's domain value; the value itself for one domain (the
    same number in every row, without a gather over all rows)."""
    if sg.n_groups == 1:
        return np.float64(values[0])
    out: FloatArray = np.repeat(values, sg.counts)  # the rows of each domain are contiguous
    return out


def cumsum(sg: SortedGroups, values: FloatArray) -> FloatArray:
    """:meth:`SortedGroups.cumsum` of a vector: the running total minus the total before
    each group (for one group that is an exact zero, not subtracted)."""
    total = np.cumsum(values)
    if sg.n_groups > 1:
        before = np.zeros(sg.n_groups)
        nonempty = sg.counts > 0
        first = sg.starts[nonempty]
        before[nonempty] = total[first] - values[first]
        total -= per_row(sg, before)
    return total


def tie_runs(sg: SortedGroups, ys: FloatArray) -> tuple[IntArray, IntArray, IntArray]:
    """Rows in runs of equal values within a domain (sorted layout): ``(rows, run, last)``,
    the rows in order, the run of each (0, 1, ...) and the last row of each run."""
    same = ys[1:] == ys[:-1]
    if sg.n_groups > 1:
        same &= sg.codes[1:] == sg.codes[:-1]
    starts = np.flatnonzero(same)  # row i + 1 ties with row i
    if starts.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    in_run = np.zeros(ys.size, dtype=bool)
    in_run[starts] = True
    in_run[starts + 1] = True
    rows = np.flatnonzero(in_run)
    first = np.ones(rows.size, dtype=bool)
    first[1:] = ~same[rows[1:] - 1]  # a row not tied with its predecessor starts a run
    run = np.cumsum(first) - 1
    last = rows[np.r_[np.flatnonzero(first)[1:] - 1, rows.size - 1]]
    return rows, run, last


def gini_parts(sg: SortedGroups, ys: FloatArray, ws: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Mid-rank Gini per domain and influence values, as :func:`gini_influence`.

    A row without ties has the mid-rank cumulative weight ``r - w/2``, which is also what the
    estimate's sum uses; only the rows of tied runs get their run's mid-rank values (computed
    as the kernel does: the run's weight summed in row order).
    """
    yw = ys * ws
    n_total = sg.sum(ws)
    y_total = sg.sum(yw)
    half = 0.5 * ws
    r_mid = cumsum(sg, ws)
    cum_mid = cumsum(sg, yw)
    rows, run, last = tie_runs(sg, ys)
    run_w = np.bincount(run, weights=ws[rows])
    tied_r = r_mid[last] - 0.5 * run_w
    tied_cum = cum_mid[last] - 0.5 * run_w * ys[last]
    r_mid -= half
    buffer = r_mid * yw
    num = sg.sum(buffer)
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.asarray(2.0 * num / (n_total * y_total) - 1.0)
    # cum_mid = cumsum(y w) - (w / 2) y; lin_a = y r_mid + (y_total - cum_mid)
    half *= ys
    cum_mid -= half
    r_mid[rows] = tied_r[run]
    cum_mid[rows] = tied_cum[run]
    nt, yt = per_row(sg, n_total), per_row(sg, y_total)
    lin = np.subtract(yt, cum_mid, out=cum_mid)
    np.multiply(ys, r_mid, out=buffer)
    lin += buffer
    lin *= 2.0
    np.multiply(nt, yt, out=buffer)
    lin /= buffer
    # - (g + 1) (1 / nt + y / yt)
    np.divide(ys, yt, out=buffer)
    np.add(np.divide(1.0, nt), buffer, out=buffer)
    buffer *= per_row(sg, g + 1.0)
    lin -= buffer
    return g, lin


def theil_parts(sg: SortedGroups, ys: FloatArray, ws: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Theil T (GE(1)) per domain and influence values, as :func:`ge_influence` with
    ``alpha=1``: ``y log y / Y - Z y / Y^2 - y / Y + 1 / N``, ``Z = sum w y log y``."""
    y_log_y = np.log(ys)
    y_log_y *= ys
    n_total = sg.sum(ws)
    buffer = ys * ws
    y_total = sg.sum(buffer)
    np.multiply(y_log_y, ws, out=buffer)
    z = sg.sum(buffer)
    with np.errstate(divide="ignore", invalid="ignore"):
        est = np.asarray(z / y_total - np.log(y_total / n_total))
    yt, zt = per_row(sg, y_total), per_row(sg, z)
    lin = np.divide(y_log_y, yt, out=y_log_y)
    np.multiply(zt, ys, out=buffer)
    buffer /= np.multiply(yt, yt) if sg.n_groups == 1 else (y_total**2)[sg.codes]
    lin -= buffer
    lin -= np.divide(ys, yt, out=buffer)
    lin += np.divide(1.0, per_row(sg, n_total))
    return est, lin


def _below_parts(
    sg: SortedGroups, ys: FloatArray, wy: FloatArray, parts: QuantileParts
) -> tuple[FloatArray, FloatArray]:
    """:func:`setara.measures.quantiles.partial_total` for ``0 < p < 1`` from the quantile
    parts and ``wy = w y``: ``y 1{y <= q} + f_S(q) IF(q)``."""
    below = parts.below
    total = sg.sum(wy * below)
    lin = np.subtract(below, parts.p)
    np.negative(lin, out=lin)
    lin /= per_row(sg, parts.n_total * parts.density)
    lin *= per_row(sg, parts.tail_density)
    lin += ys * below
    return total, lin


def palma_parts(
    sg: SortedGroups,
    ys: FloatArray,
    ws: FloatArray,
    lower: QuantileParts,
    upper: QuantileParts,
) -> tuple[FloatArray, FloatArray]:
    """The ratio of the total above the ``upper`` quantile to the total below the ``lower``
    one and its influence values, as :meth:`ShareRatio.linearize` (``0 < p < 1``)."""
    wy = ws * ys
    low, lin_low = _below_parts(sg, ys, wy, lower)
    below_upper, lin = _below_parts(sg, ys, wy, upper)
    top = sg.sum(wy) - below_upper
    with np.errstate(divide="ignore", invalid="ignore"):
        est = top / low
    # (low lin_top - top lin_low) / low^2 with lin_top = y - lin_below_upper
    np.subtract(ys, lin, out=lin)
    lin *= per_row(sg, low)
    lin_low *= per_row(sg, top)
    lin -= lin_low
    lin /= per_row(sg, low**2)
    return est, lin
