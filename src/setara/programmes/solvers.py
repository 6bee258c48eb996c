"""Solvers behind :func:`~setara.programmes.optimise.optimal_allocation`, each with a bound.

Every solver returns the household amounts and a proven *bound* on the objective, so that an
allocation is called optimal only when the bound meets it:

- :func:`fgt1_lp` — FGT1 with any (household-specific) lines and caps is a linear programme,
  solved by HiGHS (``scipy.optimize.linprog``); the bound is the Lagrangian dual value at
  HiGHS' budget multiplier (valid for any multiplier >= 0, weak duality);
- :func:`fgt2_kkt` — FGT2 is a separable convex quadratic programme with one budget row; its
  KKT conditions give every unit the same normalised gap per unit of line,
  ``(z - y - x) / z^2 = mu`` (clipped to ``[0, room]``), and ``mu`` is found exactly on the
  piecewise-linear spending curve (water-filling). The Lagrangian dual value at ``mu`` is the
  bound (Boyd and Vandenberghe 2004, sec. 5.5.3);
- :func:`knapsack_milp` — FGT0 and coverage fund whole units: a 0-1 knapsack solved by HiGHS'
  branch and bound (``scipy.optimize.milp``), the bound being HiGHS' dual bound;
- :func:`greedy_knapsack` and :func:`common_level` — the fast ordering rules (heuristics),
  bounded by the fractional knapsack (Dantzig 1957) and by :func:`fgt2_kkt` respectively.

Amounts are per household per welfare period; ``p`` are person weights (weight x members),
``cost`` the population cost of one unit's amount (weight x amount).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from setara.kernels.groups import FloatArray

__all__ = ["Solved", "common_level", "fgt1_lp", "fgt2_kkt", "greedy_knapsack", "knapsack_milp"]

# HiGHS' model status "optimal" is trusted only when our own bound agrees within this relative
# distance of the objective's range (before - bound): rounding in float64 sums of ~1e6 terms.
PROOF_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Solved:
    """Household amounts, the objective reached and a proven lower bound on it (minimised),
    and whether the solver proved optimality (``status``: optimal, time limit, heuristic)."""

    amount: FloatArray
    value: float
    bound: float
    status: str
    method: str


def fgt1_lp(
    gap: FloatArray, room: FloatArray, z: FloatArray, w: FloatArray, m: FloatArray,
    budget: float, before: float,
) -> Solved:  # fmt: skip
    """FGT1 after the transfers, minimised by HiGHS' LP: a unit's amount ``b`` in
    ``[0, room]`` lowers FGT1 by ``w m (b / m) / z / P`` per unit and costs ``w b``."""
    p = w * m
    total = float(p.sum())
    units = np.flatnonzero((room > 0) & (w > 0))
    amount = np.zeros(gap.size)
    gain = (w * room / z)[units] / total  # FGT1 fall if the unit gets its whole room
    cost = (w * room)[units]
    if units.size == 0 or budget <= 0:
        return Solved(amount, before, before - _fgt1_relaxed(gain, cost, budget), "optimal",
                      "linear programme (HiGHS)")  # fmt: skip
    if cost.sum() <= budget:
        amount[units] = room[units]
        value = before - float(gain.sum())
        return Solved(amount, value, value, "optimal", "linear programme (HiGHS)")
    res = linprog(
        -gain, A_ub=(cost / budget)[None, :], b_ub=[1.0], bounds=(0.0, 1.0), method="highs"
    )
    if res.status != 0 or res.x is None:
        return _fallback(fgt1_greedy(gain, cost, budget), units, room, before, gain, cost,
                         budget, f"HiGHS LP: {res.message}")  # fmt: skip
    t = np.clip(res.x, 0.0, 1.0)
    amount[units] = t * room[units]
    value = before - float((gain * t).sum())
    lam = max(-float(res.ineqlin.marginals[0]), 0.0)
    bound = before + float(np.minimum(0.0, lam * cost / budget - gain).sum()) - lam
    status = "optimal" if value - bound <= PROOF_TOLERANCE * max(before - bound, 1e-300) else (
        "feasible")  # fmt: skip
    return Solved(amount, value, bound, status, "linear programme (HiGHS)")


def fgt1_greedy(gain: FloatArray, cost: FloatArray, budget: float) -> FloatArray:
    """The fractional knapsack: whole units by falling ``gain / cost``, then a fraction."""
    t = np.zeros(gain.size)
    order = np.argsort(-gain / cost, kind="stable")
    cum = np.cumsum(cost[order])
    full = cum <= budget
    t[order[full]] = 1.0
    k = int(full.sum())
    if k < order.size:
        left = budget - (float(cum[k - 1]) if k else 0.0)
        t[order[k]] = left / cost[order[k]]
    return t


def _fgt1_relaxed(gain: FloatArray, cost: FloatArray, budget: float) -> float:
    """Largest FGT1 reduction of the LP (fractional knapsack), 0 without budget."""
    if gain.size == 0 or budget <= 0:
        return 0.0
    return float((gain * fgt1_greedy(gain, cost, budget)).sum())


def _fallback(
    t: FloatArray, units: np.ndarray, room: FloatArray, before: float, gain: FloatArray,
    cost: FloatArray, budget: float, why: str,
) -> Solved:  # fmt: skip
    """The fractional knapsack's solution when HiGHS fails (it is the LP's optimum too)."""
    amount = np.zeros(room.size)
    amount[units] = t * room[units]
    value = before - float((gain * t).sum())
    bound = before - _fgt1_relaxed(gain, cost, budget)
    return Solved(amount, value, bound, "feasible", f"fractional knapsack ({why})")


def fgt2_kkt(
    gap: FloatArray, room: FloatArray, z: FloatArray, w: FloatArray, m: FloatArray,
    budget: float, before: float,
) -> Solved:  # fmt: skip
    """FGT2 minimised exactly: per-capita raise ``x = clip(gap - mu z^2, 0, room / m)`` with
    ``mu`` the level at which spending ``sum w m x`` equals the budget (``gap`` per capita)."""
    p = w * m
    total = float(p.sum())
    r = room / m  # per-capita raise possible
    units = np.flatnonzero((r > 0) & (p > 0))
    mu = 0.0
    if units.size and budget > 0:
        zz = z[units] ** 2
        low = (gap[units] - r[units]) / zz  # below this mu the unit gets its whole room
        high = gap[units] / zz  # above this mu the unit gets nothing
        slope = p[units] * zz
        points = np.r_[low, high]
        change = np.r_[-slope, slope]
        order = np.argsort(points, kind="stable")
        points, change = points[order], change[order]
        rate = np.cumsum(change)  # d spend / d mu just after each point (<= 0)
        full = float((p[units] * r[units]).sum())
        spend = full + np.r_[0.0, np.cumsum(rate[:-1] * np.diff(points))]
        if budget < full:
            k = int(np.searchsorted(-spend, -budget, side="right")) - 1
            mu = points[k] + (budget - spend[k]) / rate[k] if rate[k] < 0 else points[k]
    else:
        mu = np.inf
    x = np.zeros(gap.size)
    if units.size:
        x[units] = np.clip(gap[units] - mu * z[units] ** 2, 0.0, r[units])
    value = float((p * ((gap - x) / z) ** 2).sum() / total)
    bound = _fgt2_dual(gap, r, z, p, total, budget, mu) if np.isfinite(mu) else value
    status = "optimal" if value - bound <= PROOF_TOLERANCE * max(before - bound, 1e-300) else (
        "feasible")  # fmt: skip
    return Solved(x * m, value, bound, status, "water-filling (KKT)")


def _fgt2_dual(
    gap: FloatArray, r: FloatArray, z: FloatArray, p: FloatArray, total: float, budget: float,
    mu: float,
) -> float:  # fmt: skip
    """Lagrangian dual value at multiplier ``lambda = 2 mu / P`` (a lower bound on FGT2 for any
    ``mu >= 0``): each unit's term minimised over its box, minus ``lambda x budget``."""
    lam = 2.0 * max(mu, 0.0) / total
    x = np.clip(gap - max(mu, 0.0) * z**2, 0.0, r)  # minimiser of each separable term
    terms = p * ((gap - x) / z) ** 2 / total + lam * p * x
    return float(terms.sum() - lam * budget)


def common_level(
    y: FloatArray, room: FloatArray, w: FloatArray, m: FloatArray, budget: float
) -> FloatArray:
    """Heuristic: raise per-capita welfare to one common level (optimal for FGT2 only when
    every unit has the same line). Household amounts."""
    r = room / m
    units = np.flatnonzero(r > 0)
    if units.size == 0 or budget <= 0:
        return np.zeros(y.size)
    start, slope = y[units], (w * m)[units]
    points = np.r_[start, start + r[units]]
    change = np.r_[slope, -slope]
    order = np.argsort(points, kind="stable")
    points, change = points[order], change[order]
    rate = np.cumsum(change)
    spend = np.r_[0.0, np.cumsum(rate[:-1] * np.diff(points))]
    if budget >= spend[-1]:
        level = np.inf
    else:
        k = int(np.searchsorted(spend, budget, side="right")) - 1
        level = points[k] + (budget - spend[k]) / rate[k]
    return np.asarray(np.clip(level - y, 0.0, r) * m)


def greedy_knapsack(value: FloatArray, cost: FloatArray, budget: float) -> tuple[FloatArray, float]:
    """Heuristic 0-1 knapsack: units by falling ``value / cost``, each taken when it still
    fits (later, cheaper units are not skipped because an earlier one did not fit).
    Returns the 0/1 choice and Dantzig's bound on the best total value."""
    n = value.size
    take = np.zeros(n)
    if n == 0:
        return take, 0.0
    order = np.argsort(-value / np.maximum(cost, 1e-300), kind="stable")
    cum = np.cumsum(cost[order])
    split = int(np.searchsorted(cum, budget * (1 + 1e-12), side="right"))
    take[order[:split]] = 1.0
    bound = float(value[order[:split]].sum())
    left = budget - (float(cum[split - 1]) if split else 0.0)
    if split < n:
        bound += float(value[order[split]]) * left / float(cost[order[split]])
        rest = order[split + 1 :]
        while rest.size and left > 0:  # each pass takes the prefix that fits, drops the rest
            rest = rest[cost[rest] <= left * (1 + 1e-12)]
            cum = np.cumsum(cost[rest])
            fits = int(np.searchsorted(cum, left * (1 + 1e-12), side="right"))
            take[rest[:fits]] = 1.0
            left -= float(cum[fits - 1]) if fits else 0.0
            rest = rest[fits + 1 :]
    return take, bound


def knapsack_milp(
    value: FloatArray, cost: FloatArray, budget: float, *, time_limit: float
) -> tuple[FloatArray, float, str]:
    """0-1 knapsack ``max value x, cost x <= budget`` by HiGHS; (choice, upper bound on the
    total value, status). The greedy choice is kept when HiGHS stops with a worse one."""
    greedy, dantzig = greedy_knapsack(value, cost, budget)
    if value.size == 0 or float(cost.sum()) <= budget:
        return np.ones(value.size), float(value.sum()), "optimal"
    scale = float(value.max()) or 1.0  # values near 1: HiGHS' absolute gap 1e-6 is negligible
    res = milp(
        -value / scale,
        constraints=LinearConstraint((cost / budget)[None, :], -np.inf, 1.0),
        integrality=np.ones(value.size, dtype=np.int64),
        bounds=Bounds(0.0, 1.0),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
    )
    bound = dantzig
    dual = getattr(res, "mip_dual_bound", None)
    if dual is not None and np.isfinite(dual):
        bound = min(bound, -float(dual) * scale)
    if res.x is None:
        return greedy, bound, "time limit"
    choice = np.round(res.x)
    if float((cost * choice).sum()) > budget * (1 + 1e-9):  # never report an infeasible plan
        return greedy, bound, "time limit"
    if float((value * greedy).sum()) > float((value * choice).sum()):
        choice = greedy
    return choice, bound, "optimal" if res.status == 0 else "time limit"
