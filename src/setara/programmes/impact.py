"""The impact measures of one welfare vector and domain coding, computed together.

:class:`~setara.programmes.change.DistributionEngine` needs, for every (welfare vector, domain
coding) view, each impact measure's estimate per domain and its *deviates* (weight times
influence value, in row order), and the design variance of sums of deviates. Measure by measure
(``Measure.linearize`` and ``SurveyDesign.variance``: :func:`reference_parts`, kept as the
reference) the calls repeat work that depends on neither the measure nor the coding:

- FGT with a fixed line: the values ``g(y, z)`` and ``w g`` depend on the welfare vector only,
  so they are computed once and each coding only sums them by domain;
- Palma's two quantiles (p = 0.4 and 0.9) share the cumulative weights, the group totals and
  the kernel bandwidth (convey's ``h``), computed once per view;
- the variance of a change ``theta_1 - theta_0`` needs the (PSU, domain) cell totals of
  ``d_1 - d_0``, which are the differences of the cell totals of each vector: those are
  computed once per view and measure (:func:`cell_totals`) instead of once per comparison;
- Gini, Theil T and Palma take their estimate and influence values from one pass over the
  sorted layout (:mod:`.fused`) instead of an estimate pass and an influence pass.

Everything else is the measures' own code on the same arrays in the same order, and the fused
kernels repeat the same floating-point operations, so estimates, deviates and level variances
are bit for bit those of the reference path; variances of changes differ by the rounding of
regrouped sums (within 1e-13 relative). ``tests/test_programme_fast`` and
``tests/test_programme_fused`` check both.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from setara.design import SurveyDesign
from setara.kernels.distribution import CDF_TIE, SQRT_2PI
from setara.kernels.groups import FloatArray, IntArray, SortedGroups
from setara.kernels.variance import DomainCells, domain_covariance
from setara.measures.base import Measure, MeasureData
from setara.measures.inequality import GeneralizedEntropy, Gini
from setara.measures.poverty import FGT
from setara.measures.quantiles import QuantileParts, ShareRatio
from setara.programmes.fused import cumsum, gini_parts, palma_parts, per_row, theil_parts

__all__ = [
    "cell_totals",
    "fgt_values",
    "reference_parts",
    "variance_from_totals",
    "view_parts",
]

Parts = dict[str, tuple[FloatArray, FloatArray]]  # label -> (estimate, deviates)
# exp(-u^2/2) is exactly 0 in float64 for |u| > 38.6; 41 bandwidths leave room for rounding
WINDOW = 41.0


def reference_parts(view: MeasureData, measures: Sequence[tuple[str, Measure]]) -> Parts:
    """Estimates and deviates measure by measure (``Measure.linearize``): the reference."""
    out: Parts = {}
    for label, m in measures:
        lin = m.linearize(view)
        out[label] = (lin.estimate, view.weights * lin.influence)
    return out


def fgt_values(
    y: FloatArray, weights: FloatArray, line: FloatArray, measures: Sequence[tuple[str, Measure]]
) -> dict[str, tuple[FloatArray, FloatArray]]:
    """``(g, w g)`` of every FGT with a fixed line: the same for every domain coding."""
    out = {}
    for label, m in measures:
        if isinstance(m, FGT) and m.line.kind != "relative":
            g = m._value(y, line)
            out[label] = (g, weights * g)
    return out


def view_parts(
    view: MeasureData,
    measures: Sequence[tuple[str, Measure]],
    fgt: dict[str, tuple[FloatArray, FloatArray]],
) -> Parts:
    """:func:`reference_parts` sharing work across measures; ``fgt`` from :func:`fgt_values`.

    Every row of the view must be in a domain (codes ``>= 0``), as the engine's codings are.
    """
    w = view.weights
    codes, n = view.domain, view.n_domains
    palma = [m for _, m in measures if isinstance(m, ShareRatio)]
    if palma:
        _share_quantiles(view, sorted({p for m in palma for p in (m.lower, m.upper)}))
    out: Parts = {}
    n_rows: FloatArray | np.float64 | None = None
    for label, m in measures:
        if label in fgt:
            # est = sum(w g) / N by domain; deviates w ((g - est) / N), formed in place; the
            # codes are >= 0, so bincount needs no shift (group_sum's sums, in the same order)
            g, wg = fgt[label]
            n_total = view.population_size
            est = np.bincount(codes, weights=wg, minlength=n) / n_total
            if n_rows is None:
                n_rows = n_total[0] if n == 1 else n_total[codes]
            deviates = np.subtract(g, est[0] if n == 1 else est[codes])
            deviates /= n_rows
            deviates *= w
            out[label] = (est, deviates)
            continue
        fused = _fused_parts(view, m)
        if fused is not None:
            est, influence = fused
            deviates = np.empty(w.size)  # every row is in a domain: all are written
            deviates[view.sorted.order] = view.w_sorted * influence
            out[label] = (est, deviates)
            continue
        lin = m.linearize(view)
        out[label] = (lin.estimate, w * lin.influence)
    return out


def _fused_parts(view: MeasureData, m: Measure) -> tuple[FloatArray, FloatArray] | None:
    """Estimate and influence values (sorted layout) from :mod:`.fused` when it has the
    measure (mid-rank Gini, Theil T, a share ratio whose quantile parts are memoised)."""
    sg, ys, ws = view.sorted, view.y_sorted, view.w_sorted
    if isinstance(m, Gini) and m.method == "midrank":
        return gini_parts(sg, ys, ws)
    if isinstance(m, GeneralizedEntropy) and m.alpha == 1.0:
        return theil_parts(sg, ys, ws)
    if isinstance(m, ShareRatio):
        lower = view.memo.get(("quantile_parts", m.lower))
        upper = view.memo.get(("quantile_parts", m.upper))
        if isinstance(lower, QuantileParts) and isinstance(upper, QuantileParts):
            return palma_parts(sg, ys, ws, lower, upper)
    return None


def _share_quantiles(view: MeasureData, probabilities: Sequence[float]) -> None:
    """Put the quantile parts of every ``p`` in the view's memo, computed as
    :func:`setara.measures.quantiles.quantile_parts` does but sharing the cumulative weights,
    the group totals and the bandwidth."""
    sg, ys, ws = view.sorted, view.y_sorted, view.w_sorted
    needed = [p for p in probabilities if 0.0 < p < 1.0 and ("quantile_parts", p) not in view.memo]
    if not needed:
        return
    cw = cumsum(sg, ws)
    n_total = sg.sum(ws)  # the quantile kernel's total weight and QuantileParts.n_total
    weight, h = _bandwidth(sg, ys, ws)
    nonempty = np.flatnonzero(sg.counts > 0)
    for p in needed:
        # the smallest position whose CDF cw / total reaches p (R survey's qrule="math"): with
        # weights >= 0 the CDF rises within a group, so a binary search finds it; the CDF is
        # formed only at the positions the search visits (the same float64 division)
        q = np.full(sg.n_groups, np.nan)
        for g in nonempty:
            start, stop = int(sg.starts[g]), int(sg.starts[g] + sg.counts[g])
            first = stop  # no weight: no position reaches p, the group's largest value
            total = float(n_total[g])
            if total > 0:
                first = _first_reaching(cw, total, p - CDF_TIE, start, stop)
            q[g] = ys[min(first, stop - 1)]
        density, tail = _kernel_densities(sg, ys, ws, q, h, weight)
        below = ys <= per_row(sg, q)
        parts = QuantileParts(p=p, q=q, n_total=n_total, h=h, below=below, density=density,
                              tail_density=tail, codes=sg.codes)  # fmt: skip
        view.memo[("quantile_parts", p)] = parts  # the key quantile_parts() looks up


def _first_reaching(cw: FloatArray, total: float, p: float, start: int, stop: int) -> int:
    """The first position in ``[start, stop)`` whose ``cw / total`` is at least ``p`` (``stop``
    if none): ``np.searchsorted(cw[start:stop] / total, p, side="left") + start`` for a
    non-decreasing ``cw``, dividing only at the ~20 positions the search visits."""
    low, high = start, stop
    while low < high:
        middle = (low + high) // 2
        if float(cw[middle]) / total < p:
            low = middle + 1
        else:
            high = middle
    return low


def _bandwidth(sg: SortedGroups, ys: FloatArray, ws: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The total weight of each group (summed in row order) and
    :func:`~setara.kernels.distribution.bandwidth` on the sorted layout: the same sums
    (``bincount`` in row order; every row is in a group, so no shift is needed) and formula,
    with ``w y`` formed once."""
    n = sg.n_groups
    wy = ws * ys
    total = np.asarray(np.bincount(sg.codes, weights=ws, minlength=n), dtype=np.float64)
    s1 = np.bincount(sg.codes, weights=wy, minlength=n)
    wy *= ys
    s2 = np.bincount(sg.codes, weights=wy, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        sd = np.sqrt(np.maximum(s2 - s1 * s1 / total, 0.0) / total)
        return total, np.asarray(sd / np.exp(0.2 * np.log(total)))


def _kernel_densities(
    sg: SortedGroups,
    ys: FloatArray,
    ws: FloatArray,
    at: FloatArray,
    h: FloatArray,
    total: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """:func:`~setara.kernels.distribution.kernel_densities` on the sorted layout, summing
    only the rows within ``WINDOW`` bandwidths of ``at[g]``: beyond, the Gaussian kernel
    underflows to exactly zero, and adding zeros leaves every (sequential) sum unchanged.
    ``total``: the weight of each group summed in row order (from :func:`_bandwidth`)."""
    n = sg.n_groups
    dens_sum, tail_sum = np.zeros(n), np.zeros(n)
    for g in np.flatnonzero(sg.counts > 0):
        lo, hi = int(sg.starts[g]), int(sg.starts[g] + sg.counts[g])
        if np.isfinite(h[g]) and h[g] > 0 and np.isfinite(at[g]):
            group = ys[lo:hi]
            reach = WINDOW * h[g]
            lo, hi = (lo + int(np.searchsorted(group, at[g] - reach, side="left")),
                      lo + int(np.searchsorted(group, at[g] + reach, side="right")))  # fmt: skip
        u = at[g] - ys[lo:hi]
        with np.errstate(divide="ignore", invalid="ignore"):  # h = 0: one value, NaN density
            u /= h[g]
        wk = np.exp(-0.5 * u * u)
        wk *= ws[lo:hi]
        wk /= SQRT_2PI
        codes = sg.codes[lo:hi]
        dens_sum[g] = np.bincount(codes, weights=wk, minlength=n)[g]
        wk *= ys[lo:hi]
        tail_sum[g] = np.bincount(codes, weights=wk, minlength=n)[g]
    with np.errstate(divide="ignore", invalid="ignore"):
        return dens_sum / (total * h), tail_sum / h


def cell_totals(design: SurveyDesign, codes: IntArray, n: int, deviates: FloatArray) -> FloatArray:
    """Totals of ``deviates`` in every (unit, domain) cell of every stage, concatenated."""
    # the engine's cells have no row outside every domain: bincount needs no shift (group_sum)
    cells = design.cells(codes, n)
    return np.concatenate([np.bincount(c.cell, weights=deviates, minlength=c.n_cells)
                           for c in cells])  # fmt: skip


def variance_from_totals(
    design: SurveyDesign, codes: IntArray, n: int, totals: FloatArray
) -> FloatArray:
    """``SurveyDesign.variance`` of the deviates whose :func:`cell_totals` are ``totals``.

    The stage kernel is run on the cell totals with each cell as its own cell: the first
    step of :func:`~setara.kernels.variance.domain_covariance` (summing rows into cells) then
    returns the totals unchanged.
    """
    var = np.zeros(n)
    start = 0
    for stage, cells in zip(design.stages, design.cells(codes, n), strict=True):
        t = totals[start : start + cells.n_cells]
        start += cells.n_cells
        var += domain_covariance(stage, _as_cells(cells), n, t)
    return np.maximum(var, 0.0)


def _as_cells(cells: DomainCells) -> DomainCells:
    """The same cells indexed by themselves (row ``i`` is cell ``i``)."""
    return dataclasses.replace(cells, cell=np.arange(cells.n_cells, dtype=np.int64))
