"""Budget-optimal allocations: which units should get how much to cut poverty the most.

Units (households) have per-capita welfare ``welfare``, a ``line``, ``members`` and a
``weight``; a transfer ``b`` to a unit raises its per-capita welfare by ``b / members`` and
costs ``weight x b``. With an optional per-unit ``cap`` on ``b``:

- FGT0 (headcount): fill the smallest per-capita gaps first (Bourguignon and Fields 1990);
  whole units only, so it is exact up to the last unit: the LP bound is reported;
- FGT2 (and FGT1): raise the poorest to a common level (equalise from the bottom); exact. For
  FGT1 any allocation to the poor within their gaps is optimal; this one is returned;
- coverage of the poor with a fixed benefit per unit: the units with most poor persons first;
- with minimum shares of spending for groups or regions: HiGHS (``scipy.optimize.milp`` /
  ``linprog``) with its optimality gap, and for FGT2 the exact KKT water-filling by group.

:func:`achievement` gives the verdict "this programme achieves X % of the poverty reduction
that the same budget could achieve".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from setara.errors import InputValueError
from setara.kernels.groups import FloatArray, IntArray

__all__ = ["Allocation", "achievement", "allocate_with_shares", "fgt", "optimal_allocation"]

OBJECTIVES = ("fgt0", "fgt1", "fgt2", "coverage")


@dataclass(frozen=True)
class Allocation:
    """Transfers per unit and what they achieve. ``gap`` is the relative optimality gap
    (0 when the ordering rule is exact); ``spent`` can be below the budget when the poor's
    gaps (or caps) are smaller than the budget."""

    objective: str
    amount: FloatArray
    before: float
    after: float
    spent: float
    method: str
    gap: float = 0.0

    @property
    def reduction(self) -> float:
        return self.before - self.after


def fgt(welfare: FloatArray, line: FloatArray | float, alpha: float, weights: FloatArray) -> float:
    """Weighted FGT(alpha) with poor meaning welfare *below* the line: a unit raised exactly to
    the line has left poverty (Bourguignon and Fields; Grosh et al.). Setara's measures count
    welfare equal to the line as poor; the two differ only for units exactly at the line."""
    z = np.broadcast_to(np.asarray(line, dtype=np.float64), welfare.shape)
    poor = welfare < z
    gap = np.where(poor, (z - welfare) / z, 0.0)
    values = poor.astype(np.float64) if alpha == 0 else gap**alpha
    return float((weights * values).sum() / weights.sum())


def _arrays(
    welfare: FloatArray,
    line: FloatArray | float,
    weights: FloatArray | None,
    members: FloatArray | None,
    cap: FloatArray | float | None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    y = np.asarray(welfare, dtype=np.float64)
    n = y.size
    z = np.broadcast_to(np.asarray(line, dtype=np.float64), (n,)).copy()
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    m = np.ones(n) if members is None else np.asarray(members, dtype=np.float64)
    c = np.full(n, np.inf) if cap is None else np.broadcast_to(np.asarray(cap, float), (n,))
    if (w < 0).any() or (m <= 0).any() or (z <= 0).any():
        raise InputValueError("weights must be >= 0, members and poverty lines > 0")
    return y, z, w, m, np.asarray(c, dtype=np.float64)


def optimal_allocation(
    welfare: FloatArray,
    line: FloatArray | float,
    budget: float,
    *,
    objective: str = "fgt2",
    weights: FloatArray | None = None,
    members: FloatArray | None = None,
    cap: FloatArray | float | None = None,
    benefit: float | None = None,
) -> Allocation:
    """The allocation of ``budget`` minimising FGT0/1/2 or maximising coverage of the poor
    (``objective="coverage"`` with a fixed ``benefit`` per unit)."""
    if objective not in OBJECTIVES:
        raise InputValueError(f"objective must be one of {', '.join(OBJECTIVES)}")
    if budget < 0:
        raise InputValueError(f"budget must be >= 0, not {budget}")
    y, z, w, m, c = _arrays(welfare, line, weights, members, cap)
    persons = w * m
    gap = np.maximum(z - y, 0.0)  # per capita
    alpha = {"fgt0": 0.0, "fgt1": 1.0, "fgt2": 2.0, "coverage": 0.0}[objective]
    before = fgt(y, z, alpha, persons)
    if objective in ("fgt1", "fgt2"):
        amount = _water_fill(y, z, w, m, c, budget)
        method = "equalise from the bottom (exact)"
        bound_gap = 0.0
    else:
        if objective == "fgt0":
            need = gap * m  # whole gap of the unit, per welfare period
            ok = (y < z) & (need <= c)
            ratio = gap  # cost per person lifted
            method = "smallest gaps first"
        else:
            if benefit is None or benefit <= 0:
                raise InputValueError("coverage needs a positive benefit per unit")
            need = np.full(y.size, float(benefit))
            ok = (y < z) & (need <= c)
            ratio = benefit / m
            method = "most poor persons per unit first"
        amount, bound_gap = _greedy(need, w, persons, ok, ratio, budget)
    after_welfare = y + amount / m
    if objective == "coverage":
        # coverage is reported as the share of poor persons *not* reached (to minimise)
        reached = float((persons * ((amount > 0) & (y < z))).sum())
        poor = float((persons * (y < z)).sum())
        before, after = 1.0, 1.0 - reached / poor if poor else 0.0
    else:
        after = fgt(after_welfare, z, alpha, persons)
    spent = float((w * amount).sum())
    return Allocation(objective, amount, before, after, spent, method, bound_gap)


def _greedy(
    need: FloatArray,
    w: FloatArray,
    persons: FloatArray,
    ok: np.ndarray,
    ratio: FloatArray,
    budget: float,
) -> tuple[FloatArray, float]:
    """Fund whole units in ascending ``ratio`` while the budget lasts; relative gap to the LP
    (fractional) bound of the persons reached."""
    order = np.flatnonzero(ok)[np.lexsort((np.flatnonzero(ok), ratio[ok]))]
    cost = w[order] * need[order]
    cum = np.cumsum(cost)
    funded = cum <= budget * (1 + 1e-12)
    k = int(funded.sum())
    amount = np.zeros(need.size)
    amount[order[:k]] = need[order[:k]]
    value = float(persons[order[:k]].sum())
    bound = value
    if k < order.size:
        left = budget - (float(cum[k - 1]) if k else 0.0)
        bound += persons[order[k]] * left / cost[k] if cost[k] > 0 else persons[order[k]]
    return amount, (bound - value) / bound if bound > 0 else 0.0


def _water_fill(
    y: FloatArray, z: FloatArray, w: FloatArray, m: FloatArray, c: FloatArray, budget: float
) -> FloatArray:
    """Raise per-capita welfare to a common level L (at most each unit's line and cap):
    spend(L) = sum w m clip(L - y, 0, min(cap/m, z - y)) is piecewise linear; solved exactly."""
    room = np.minimum(c / m, np.maximum(z - y, 0.0))  # per-capita raise possible
    units = np.flatnonzero(room > 0)
    if units.size == 0 or budget <= 0:
        return np.zeros(y.size)
    start, end, slope = y[units], y[units] + room[units], (w * m)[units]
    points = np.r_[start, end]
    change = np.r_[slope, -slope]
    order = np.argsort(points, kind="stable")
    points, change = points[order], change[order]
    rate = np.cumsum(change)  # spending per unit of L just after each point
    spend = np.r_[0.0, np.cumsum(rate[:-1] * np.diff(points))]  # spending at each point
    if budget >= spend[-1]:
        level = np.inf
    else:
        k = int(np.searchsorted(spend, budget, side="right")) - 1
        level = points[k] + (budget - spend[k]) / rate[k]
    raise_pc = np.clip(level - y, 0.0, room)
    return np.asarray(raise_pc * m)


def allocate_with_shares(
    welfare: FloatArray,
    line: FloatArray | float,
    budget: float,
    group: IntArray,
    min_share: FloatArray,
    *,
    objective: str = "fgt1",
    weights: FloatArray | None = None,
    members: FloatArray | None = None,
    time_limit: float = 30.0,
) -> Allocation:
    """Optimal allocation when each group ``g`` must receive at least ``min_share[g]`` of the
    budget: FGT1 by linear programming, FGT0 by mixed-integer programming (HiGHS), reporting
    HiGHS' optimality gap; FGT2 by exact water-filling with KKT group levels."""
    y, z, w, m, c = _arrays(welfare, line, weights, members, None)
    g = np.asarray(group, dtype=np.int64)
    shares = np.asarray(min_share, dtype=np.float64)
    if shares.sum() > 1 + 1e-9 or (shares < 0).any():
        raise InputValueError(f"minimum shares must be >= 0 and sum to at most 1, not {shares}")
    persons = w * m
    poor = np.flatnonzero(y < z)
    need = (z - y)[poor] * m[poor]  # household amount closing its gap
    n_groups = shares.size
    rows = np.zeros((n_groups, poor.size))
    rows[g[poor], np.arange(poor.size)] = 1.0
    if objective == "fgt2":
        return _water_fill_groups(y, z, w, m, c, budget, g, shares)
    alpha = 1.0 if objective == "fgt1" else 0.0
    before = fgt(y, z, alpha, persons)
    if objective == "fgt1":
        gain = persons[poor] / z[poor] / m[poor]  # FGT1 numerator fall per unit spent / w
        a_budget = np.vstack([w[poor], rows * w[poor]])
        res = linprog(  # type: ignore[call-overload]
            -gain * w[poor] / persons.sum(),
            A_ub=np.vstack([a_budget[:1], -a_budget[1:]]),
            b_ub=np.r_[budget, -shares * budget],
            bounds=np.column_stack([np.zeros(poor.size), need]),
            method="highs",
        )
        if res.status != 0:
            raise InputValueError(f"no allocation meets the minimum shares: {res.message}")
        amount_poor, gap, method = res.x, 0.0, "linear programme (HiGHS)"
    elif objective == "fgt0":
        # x_i in {0, 1} (unit lifted out of poverty), b_i in [0, need_i] spent on it,
        # b_i >= need_i x_i; partial amounts can count toward a group's minimum share
        k = poor.size
        spend = np.hstack([np.zeros((1 + n_groups, k)), np.vstack([w[poor], rows * w[poor]])])
        link = np.hstack([np.diag(need), -np.eye(k)])
        constraints = [
            LinearConstraint(
                spend, np.r_[0.0, shares * budget], np.r_[budget, [np.inf] * n_groups]
            ),
            LinearConstraint(link, -np.inf, 0.0),
        ]
        res = milp(
            np.r_[-persons[poor], np.zeros(k)],
            constraints=constraints,
            integrality=np.r_[np.ones(k), np.zeros(k)],
            bounds=Bounds(0, np.r_[np.ones(k), need]),
            options={"time_limit": time_limit, "mip_rel_gap": 1e-6},
        )
        if res.x is None:
            raise InputValueError(f"no allocation meets the minimum shares: {res.message}")
        amount_poor = res.x[k:]
        gap = float(getattr(res, "mip_gap", 0.0) or 0.0)
        method = "mixed-integer programme (HiGHS)"
    else:
        raise InputValueError("constrained objectives are fgt0, fgt1 and fgt2")
    amount = np.zeros(y.size)
    amount[poor] = amount_poor
    after = fgt(y + amount / m, z, alpha, persons)
    return Allocation(objective, amount, before, after, float((w * amount).sum()), method, gap)


def _water_fill_groups(
    y: FloatArray,
    z: FloatArray,
    w: FloatArray,
    m: FloatArray,
    c: FloatArray,
    budget: float,
    g: IntArray,
    shares: FloatArray,
) -> Allocation:
    """FGT2 with minimum group shares: KKT says groups held at their minimum get their own
    level; the others share one level. Fix groups whose unconstrained spending falls short,
    repeat (at most one pass per group)."""
    persons = w * m
    fixed = np.zeros(shares.size, dtype=bool)
    amount = np.zeros(y.size)
    for _ in range(shares.size + 1):  # a loop over groups, each pass vectorised
        free = ~fixed[g]
        left = budget - float((shares[fixed] * budget).sum())
        amount = np.zeros(y.size)
        amount[free] = _water_fill(y[free], z[free], w[free], m[free], c[free], left)
        for k in np.flatnonzero(fixed):
            mine = g == k
            amount[mine] = _water_fill(
                y[mine], z[mine], w[mine], m[mine], c[mine], shares[k] * budget
            )
        spent = np.bincount(g, weights=w * amount, minlength=shares.size)
        short = ~fixed & (spent < shares * budget * (1 - 1e-9))
        if not short.any():
            break
        fixed |= short
    before = fgt(y, z, 2.0, persons)
    after = fgt(y + amount / m, z, 2.0, persons)
    spent_total = float((w * amount).sum())
    return Allocation("fgt2", amount, before, after, spent_total, "water-filling by group (KKT)")


def achievement(actual_reduction: float, optimal: Allocation) -> float:
    """Share of the optimal poverty reduction that a programme achieves with the same budget."""
    best = optimal.reduction
    return actual_reduction / best if best > 0 else float("nan")
