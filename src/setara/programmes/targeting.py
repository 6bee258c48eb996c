"""Targeting accuracy: exclusion and inclusion errors, targeting differential, CGH, ROC/AUC,
and side-by-side comparison of targeting methods with the same budget.

Conventions reproduce Grosh, Leite, Wai-Poi and Tesliuc (eds., 2022), *Revisiting Targeting in
Social Assistance*, World Bank, tables 7.3-7.4 (ten-person example):

- exclusion error = target units not selected / target units;
- inclusion error = non-target units selected / selected units;
- targeting differential = coverage of the target group - inclusion error (points). The
  variant "coverage of the target - coverage of the non-target" (Ravallion 2000) is returned as
  ``coverage_gap``; it does *not* give the published table (e.g. S2 vs P20: 37.5, not 0);
- cost-benefit ratio = reduction of the total poverty gap / budget;
- Coady-Grosh-Hoddinott (2004) indicator = share of benefits reaching the bottom 40 % / 0.40,
  the bottom 40 % being :func:`bottom_share` (the engine's quantile rule, as in ``simulate``).

All arrays are per unit (person or household) with optional weights (persons represented).

>>> import numpy as np
>>> sel = np.array([1, 1, 0, 0, 0, 0, 0, 0, 0, 0], dtype=bool)
>>> poor = np.arange(10) < 4
>>> round(targeting_errors(sel, poor)["exclusion_error"], 2)
0.5
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.errors import InputValueError
from setara.kernels.distribution import CDF_TIE, share_below
from setara.kernels.groups import FloatArray, IntArray

__all__ = [
    "bottom_share",
    "equal_split",
    "poverty_gap",
    "roc_curve",
    "select_bottom",
    "targeting_errors",
    "weighted_gini",
]

BoolArray = npt.NDArray[np.bool_]


def _weights(weights: FloatArray | None, n: int) -> FloatArray:
    if weights is None:
        return np.ones(n)
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,) or (w < 0).any() or np.isnan(w).any():
        raise InputValueError(f"weights must be {n:,} non-negative numbers")
    return w


def targeting_errors(
    selected: BoolArray,
    target: BoolArray,
    *,
    weights: FloatArray | None = None,
    benefit: FloatArray | None = None,
    bottom40: BoolArray | None = None,
) -> dict[str, float]:
    """Exclusion and inclusion errors, targeting differential, coverage gap, CGH."""
    sel, tgt = np.asarray(selected, bool), np.asarray(target, bool)
    w = _weights(weights, sel.size)
    n_target, n_selected = float(w[tgt].sum()), float(w[sel].sum())
    n_other = float(w[~tgt].sum())
    nan = float("nan")
    cover_target = float(w[sel & tgt].sum()) / n_target if n_target else nan
    cover_other = float(w[sel & ~tgt].sum()) / n_other if n_other else nan
    inclusion = float(w[sel & ~tgt].sum()) / n_selected if n_selected else nan
    out = {
        "coverage_target": cover_target,
        "coverage_non_target": cover_other,
        "exclusion_error": 1.0 - cover_target,
        "inclusion_error": inclusion,
        "targeting_differential": cover_target - inclusion,
        "coverage_gap": cover_target - cover_other,
    }
    if benefit is not None and bottom40 is not None:
        spend = float((w * benefit).sum())
        share = float((w * benefit * np.asarray(bottom40, bool)).sum()) / spend if spend else nan
        out["cgh"] = share / 0.4
    return out


def equal_split(
    selected: BoolArray, budget: float, weights: FloatArray | None = None
) -> FloatArray:
    """The budget shared equally among the selected units (Grosh et al.'s scenarios)."""
    sel = np.asarray(selected, bool)
    w = _weights(weights, sel.size)
    reached = float(w[sel].sum())
    return np.where(sel, budget / reached, 0.0) if reached else np.zeros(sel.size)


def poverty_gap(
    welfare: FloatArray, line: FloatArray | float, weights: FloatArray | None = None
) -> float:
    """Total poverty gap ``sum w max(z - y, 0)`` (currency units, not normalised)."""
    w = _weights(weights, np.asarray(welfare).size)
    return float((w * np.maximum(np.asarray(line) - welfare, 0.0)).sum())


def weighted_gini(welfare: FloatArray, weights: FloatArray | None = None) -> float:
    """Gini coefficient ``sum_i sum_j w_i w_j |y_i - y_j| / (2 W^2 mean)`` (ties exact)."""
    y = np.asarray(welfare, dtype=np.float64)
    w = _weights(weights, y.size)
    order = np.argsort(y, kind="stable")
    ys, ws = y[order], w[order]
    cum = np.cumsum(ws) - ws / 2.0  # midpoint ranks: identical for tied values
    total, mean = ws.sum(), (ws * ys).sum() / ws.sum()
    return float(2.0 * (ws * ys * cum).sum() / (total**2 * mean) - 1.0)


def roc_curve(
    score: FloatArray, target: BoolArray, weights: FloatArray | None = None
) -> tuple[FloatArray, FloatArray, float]:
    """ROC of selecting the lowest scores first: (false-positive rate, true-positive rate,
    AUC). The AUC is the weighted probability that a target unit scores below a non-target
    one, ties counting one half (Mann-Whitney)."""
    s, tgt = np.asarray(score, dtype=np.float64), np.asarray(target, bool)
    w = _weights(weights, s.size)
    values, inverse = np.unique(s, return_inverse=True)
    pos = np.bincount(inverse, weights=w * tgt, minlength=values.size)
    neg = np.bincount(inverse, weights=w * ~tgt, minlength=values.size)
    if pos.sum() == 0 or neg.sum() == 0:
        raise InputValueError("ROC needs both target and non-target units")
    tpr = np.r_[0.0, np.cumsum(pos)] / pos.sum()
    fpr = np.r_[0.0, np.cumsum(neg)] / neg.sum()
    auc = float(((fpr[1:] - fpr[:-1]) * (tpr[1:] + tpr[:-1]) / 2.0).sum())
    return fpr, tpr, auc


def select_bottom(
    score: FloatArray,
    share: float,
    *,
    weights: FloatArray | None = None,
    region: IntArray | None = None,
    quotas: FloatArray | None = None,
) -> BoolArray:
    """Select the lowest scores until ``share`` of the (weighted) units is reached, nationally
    or, with ``region`` codes and per-region ``quotas`` (shares of each region), within each
    region. A unit is selected when its cumulative weight before it is below the quota; tied
    scores are split by row order so that the share is met. This is a selection rule (PMT,
    regions); the bottom share *of welfare* is :func:`bottom_share`."""
    s = np.asarray(score, dtype=np.float64)
    w = _weights(weights, s.size)
    group = np.zeros(s.size, dtype=np.int64) if region is None else np.asarray(region)
    n_groups = int(group.max()) + 1 if group.size else 1
    target = np.full(n_groups, share) if quotas is None else np.asarray(quotas, dtype=np.float64)
    size = np.bincount(group, weights=w, minlength=n_groups)
    order = np.lexsort((s, group))
    g = group[order]
    cum = np.cumsum(w[order])
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    before_group = np.repeat(np.r_[0.0, cum][starts], np.diff(np.r_[starts, g.size]))
    before_unit = cum - w[order] - before_group
    out = np.empty(s.size, dtype=bool)
    out[order] = before_unit < target[g] * size[g] - 1e-9 * size[g]
    return out


def compare_methods(
    methods: Mapping[str, BoolArray],
    *,
    welfare: FloatArray,
    line: FloatArray | float,
    budget: float,
    weights: FloatArray | None = None,
    target: BoolArray | None = None,
) -> pl.DataFrame:
    """Side-by-side targeting errors and impact of selection ``methods`` (name -> selected
    units), each sharing ``budget`` equally among its selected units; the target is the poor
    (``welfare <= line``) unless given."""
    y = np.asarray(welfare, dtype=np.float64)
    w = _weights(weights, y.size)
    poor = y <= line if target is None else np.asarray(target, bool)
    bottom40 = _bottom(y, w, 0.4)
    gap0 = poverty_gap(y, line, w)
    gini0 = weighted_gini(y, w)
    rows = []
    for name, sel in methods.items():
        benefit = equal_split(sel, budget, w)
        after = y + benefit
        gap1 = poverty_gap(after, line, w)
        rows.append(
            {
                "method": name,
                "selected": float(w[np.asarray(sel, bool)].sum()),
                **targeting_errors(sel, poor, weights=w, benefit=benefit, bottom40=bottom40),
                "headcount_before": float(w[y <= line].sum() / w.sum()),
                "headcount_after": float(w[after <= line].sum() / w.sum()),
                "gap_reduction": (gap0 - gap1) / gap0 if gap0 else float("nan"),
                "cost_benefit_ratio": (gap0 - gap1) / budget,
                "gini_change": weighted_gini(after, w) / gini0 - 1.0,
            }
        )
    return pl.DataFrame(rows)


def bottom_share(welfare: FloatArray, share: float, weights: FloatArray | None = None) -> BoolArray:
    """The poorest ``share`` of the population (the bottom 40 % for ``0.4``): units at or below
    the weighted ``share``-quantile of welfare by the engine's rule (the smallest value whose
    weighted CDF reaches ``share``, R survey's ``qrule="math"``). The unit whose weight
    straddles the cut is in, whole, and so are all units tied with it; these are the units of
    deciles 1-4 of :func:`~setara.programmes.population.quantile_groups` and of the engine's
    share below ``q_0.4``.

    >>> bool(bottom_share(np.arange(10.0), 0.4).sum() == 4)
    True
    """
    y = np.asarray(welfare, dtype=np.float64)
    w = _weights(weights, y.size)
    below = share_below(y, w, np.argsort(y, kind="stable"))
    return np.asarray(below < share - CDF_TIE)


def _bottom(y: FloatArray, w: FloatArray, share: float) -> BoolArray:
    return bottom_share(y, share, w)
