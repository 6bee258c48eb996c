"""Budget-optimal allocations: which units should get how much to cut poverty the most.

Units (households) have per-capita welfare ``welfare``, a ``line`` (a number or one per unit:
the BPS province x urban/rural lines), ``members`` and a ``weight``; a transfer ``b`` to a unit
raises its per-capita welfare by ``b / members`` and costs ``weight x b``. With an optional
per-unit ``cap`` on ``b``, :func:`optimal_allocation` solves (:mod:`.solvers`):

- FGT1: a linear programme (HiGHS);
- FGT2: a convex quadratic programme, solved exactly through its KKT conditions
  (water-filling on ``(z - y - x) / z^2``);
- FGT0 (headcount) and coverage of the poor with a fixed benefit per unit: whole units, a 0-1
  knapsack solved by HiGHS' mixed-integer branch and bound.

Every allocation carries a proven ``bound`` (the lowest value the objective could reach) and
the ``gap`` to it; ``status`` is ``"optimal"`` only when the solver proved it, ``"time limit"``
when HiGHS stopped first, ``"heuristic"`` for the fast ordering rules (``heuristic=True``:
smallest gaps first, most poor persons per unit first, one common welfare level).
With minimum shares of spending for groups or regions, :func:`allocate_with_shares`.

:func:`achievement` gives the verdict "this programme achieves X % of the poverty reduction
that the same budget could achieve".

>>> import numpy as np
>>> best = optimal_allocation(np.array([6.0, 8, 11, 15, 21]), np.array([20.0, 20, 20, 20, 25]),
...                           30.0, objective="fgt0")
>>> best.status, round(best.after, 2), best.gap
('optimal', 0.2, 0.0)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from setara.errors import InputValueError
from setara.kernels.groups import FloatArray, IntArray
from setara.programmes.solvers import (
    common_level,
    fgt1_lp,
    fgt2_kkt,
    greedy_knapsack,
    knapsack_milp,
)

__all__ = ["Allocation", "achievement", "allocate_with_shares", "fgt", "optimal_allocation"]

OBJECTIVES = ("fgt0", "fgt1", "fgt2", "coverage")
TIME_LIMIT = 10.0  # seconds HiGHS may search for a proof (FGT0 and coverage)


@dataclass(frozen=True)
class Allocation:
    """Transfers per unit and what they achieve.

    ``after`` is the objective reached and ``bound`` the lowest value it could reach with this
    budget (proven by the solver); ``gap = (after - bound) / (before - bound)`` is the share of
    the best possible reduction that may still be missing (0 when proven optimal). ``status``:
    ``optimal``, ``time limit`` (HiGHS stopped before the proof) or ``heuristic``. ``spent``
    can be below the budget when the poor's gaps (or caps) are smaller than the budget."""

    objective: str
    amount: FloatArray
    before: float
    after: float
    spent: float
    method: str
    gap: float = 0.0
    bound: float = float("nan")
    status: str = "optimal"

    @property
    def reduction(self) -> float:
        return self.before - self.after

    @property
    def best_reduction(self) -> float:
        """The largest reduction the budget could bring (``before - bound``)."""
        return self.before - self.bound


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
    if (c < 0).any():
        raise InputValueError("the cap per household must be >= 0")
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
    heuristic: bool = False,
    time_limit: float = TIME_LIMIT,
) -> Allocation:
    """The allocation of ``budget`` minimising FGT0/1/2 or maximising coverage of the poor
    (``objective="coverage"`` with a fixed ``benefit`` per unit; ``after`` is then the share of
    poor persons *not* reached). ``heuristic=True`` uses the fast ordering rules instead of
    the solvers (still with a proven bound). Poor means welfare below the line (:func:`fgt`).
    """
    if objective not in OBJECTIVES:
        raise InputValueError(f"objective must be one of {', '.join(OBJECTIVES)}")
    if not budget >= 0:
        raise InputValueError(f"budget must be >= 0, not {budget}")
    y, z, w, m, c = _arrays(welfare, line, weights, members, cap)
    persons = w * m
    gap = np.maximum(z - y, 0.0)  # per capita
    room = np.minimum(c, gap * m)  # household amount that can still lower FGT1/FGT2
    if objective in ("fgt1", "fgt2"):
        alpha = 1.0 if objective == "fgt1" else 2.0
        before = fgt(y, z, alpha, persons)
        solve = fgt1_lp if objective == "fgt1" else fgt2_kkt
        solved = solve(gap, room, z, w, m, float(budget), before)
        amount, bound, status, method = solved.amount, solved.bound, solved.status, solved.method
        if heuristic:
            amount = common_level(y, room, w, m, budget)
            status, method = "heuristic", "one common welfare level (heuristic)"
        after = fgt(y + amount / m, z, alpha, persons)
    else:
        poor = y < z
        if objective == "fgt0":
            need = gap * m  # whole gap of the unit
        elif benefit is None or not benefit > 0:
            raise InputValueError("coverage needs a positive benefit per unit")
        else:
            need = np.full(y.size, float(benefit))
        total = float(persons.sum())
        cost = w * need
        units = np.flatnonzero(poor & (need <= c) & (persons > 0) & (cost <= budget))
        value = persons[units] / total
        if heuristic:
            choice, best_value = greedy_knapsack(value, cost[units], float(budget))
            status = "heuristic"
            method = ("smallest gaps first" if objective == "fgt0"
                      else "most poor persons per unit first") + " (heuristic)"  # fmt: skip
        else:
            choice, best_value, status = knapsack_milp(
                value, cost[units], float(budget), time_limit=time_limit
            )
            method = "mixed-integer programme (HiGHS)"
        amount = np.zeros(y.size)
        amount[units] = choice * need[units]
        before = float(persons[poor].sum()) / total if objective == "fgt0" else 1.0
        poor_share = float(persons[poor].sum()) / total
        reached = float((value * choice).sum())
        if objective == "fgt0":
            after, bound = before - reached, before - best_value
        else:  # coverage: share of poor persons not reached
            after = 1.0 - reached / poor_share if poor_share else 0.0
            bound = 1.0 - best_value / poor_share if poor_share else 0.0
    best = before - bound
    gap_share = max(after - bound, 0.0) / best if best > 0 else 0.0
    spent = float((w * amount).sum())
    return Allocation(objective, amount, before, after, spent, method, gap_share, bound, status)


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
    budget: FGT1 by linear programming, FGT0 by mixed-integer programming (HiGHS), with HiGHS'
    bound; FGT2 by water-filling with KKT group levels (status ``feasible``: no certificate)."""
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
        amount_poor, method, status = res.x, "linear programme (HiGHS)", "optimal"
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
        method = "mixed-integer programme (HiGHS)"
        status = "optimal" if res.status == 0 else "time limit"
        dual = getattr(res, "mip_dual_bound", None)
    else:
        raise InputValueError("constrained objectives are fgt0, fgt1 and fgt2")
    amount = np.zeros(y.size)
    amount[poor] = amount_poor
    after = fgt(y + amount / m, z, alpha, persons)
    bound = after  # the LP optimum is its own bound
    if objective == "fgt0":
        bound = before + float(dual) / float(persons.sum()) if dual is not None else float("nan")
    gap = max(after - bound, 0.0) / (before - bound) if before > bound else 0.0
    spent = float((w * amount).sum())
    return Allocation(objective, amount, before, after, spent, method, gap, bound, status)


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
    gap, room = np.maximum(z - y, 0.0), np.minimum(c, np.maximum(z - y, 0.0) * m)

    def fill(rows: np.ndarray, money: float) -> FloatArray:
        return fgt2_kkt(gap[rows], room[rows], z[rows], w[rows], m[rows], money, 0.0).amount

    fixed = np.zeros(shares.size, dtype=bool)
    amount = np.zeros(y.size)
    for _ in range(shares.size + 1):  # a loop over groups, each pass vectorised
        free = ~fixed[g]
        left = budget - float((shares[fixed] * budget).sum())
        amount = np.zeros(y.size)
        amount[free] = fill(free, left)
        for k in np.flatnonzero(fixed):
            mine = g == k
            amount[mine] = fill(mine, shares[k] * budget)
        spent = np.bincount(g, weights=w * amount, minlength=shares.size)
        short = ~fixed & (spent < shares * budget * (1 - 1e-9))
        if not short.any():
            break
        fixed |= short
    before = fgt(y, z, 2.0, persons)
    after = fgt(y + amount / m, z, 2.0, persons)
    spent_total = float((w * amount).sum())
    return Allocation("fgt2", amount, before, after, spent_total, "water-filling by group (KKT)",
                      float("nan"), float("nan"), "feasible")  # fmt: skip


def achievement(actual_reduction: float, optimal: Allocation) -> float:
    """Share of the optimal poverty reduction that a programme achieves with the same budget
    (of the best reduction found; it is the optimum when ``optimal.status == "optimal"``)."""
    best = optimal.reduction
    return actual_reduction / best if best > 0 else float("nan")
