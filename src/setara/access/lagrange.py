"""A fast MCLP plan with an upper bound: greedy start and Lagrangian relaxation.

Relaxing ``z_i <= sum_j a_ij y_j`` with multipliers ``0 <= lambda_i <= w_i`` gives, for any
``lambda``, the upper bound (Galvao and ReVelle 1996)

    L(lambda) = sum_i (w_i - lambda_i) + max { sum_j y_j sum_i a_ij lambda_i }

over the open sites allowed (at most ``p`` new ones and/or within the budget; with both, the
smaller of the two single-constraint maxima, each a valid bound, the budget one by the
fractional knapsack of Dantzig 1957). Subgradient steps lower the bound (Held, Wolfe and
Crowder 1974); each step's sites, completed greedily, are a plan, the best one kept. The
greedy start opens, ``p`` times, the site that covers the most uncovered weight (per unit of
cost under a budget). Every step is vectorised over the pairs (``np.bincount``); the loop is
over iterations only.

References
----------
Galvao, R. D. and ReVelle, C. (1996). A Lagrangean heuristic for the maximal covering
location problem. European Journal of Operational Research 88, 114-123.
Held, M., Wolfe, P. and Crowder, H. P. (1974). Validation of subgradient optimization.
Mathematical Programming 6, 62-88.
"""

from __future__ import annotations

import numpy as np

from setara.access.travel import Pairs
from setara.kernels.groups import FloatArray

__all__ = ["mclp_lagrangian"]

ITERATIONS = 300


def _covered_weight(pairs: Pairs, weight: FloatArray, y: np.ndarray) -> float:
    hit = np.zeros(pairs.n_demand, dtype=bool)
    hit[pairs.demand[y[pairs.facility]]] = True
    return float(weight[hit].sum())


def _greedy(pairs: Pairs, weight: FloatArray, y: np.ndarray, candidate: np.ndarray,
            cost: FloatArray, p: int | None, budget: float | None) -> np.ndarray:  # fmt: skip
    """Complete ``y``: open the candidate covering the most uncovered weight (per cost with a
    budget) while p and the budget allow."""
    y = y.copy()
    spent = float(cost[y & candidate].sum())
    for _ in range(pairs.n_facilities):  # at most one site per pass, p passes in practice
        opened = int((y & candidate).sum())
        if p is not None and opened >= p:
            break
        hit = np.zeros(pairs.n_demand, dtype=bool)
        hit[pairs.demand[y[pairs.facility]]] = True
        gain = np.bincount(pairs.facility, np.where(hit[pairs.demand], 0.0, weight[pairs.demand]),
                           pairs.n_facilities)  # fmt: skip
        room = np.inf if budget is None else budget - spent
        allowed = candidate & ~y & (cost <= room + 1e-9) & (gain > 0)
        if not allowed.any():
            break
        score = np.where(allowed, gain / np.maximum(cost, 1e-9) if budget is not None else gain,
                         -np.inf)  # fmt: skip
        best = int(np.argmax(score))
        y[best] = True
        spent += float(cost[best])
    return y


def _best_sites(value: FloatArray, candidate: np.ndarray, cost: FloatArray, p: int | None,
                budget: float | None) -> tuple[float, np.ndarray]:  # fmt: skip
    """Upper bound on ``max sum value_j y_j`` over the allowed new sites, and a choice."""
    v = np.where(candidate, np.maximum(value, 0.0), 0.0)
    bounds, y = [], np.zeros(v.size, dtype=bool)
    if p is not None:
        top = np.argsort(-v, kind="stable")[:p]
        bounds.append(float(v[top].sum()))
        y[top[v[top] > 0]] = True
    if budget is not None:
        ratio = np.where(v > 0, v / np.maximum(cost, 1e-12), -np.inf)
        order = np.argsort(-ratio, kind="stable")
        order = order[v[order] > 0]
        cum = np.cumsum(cost[order])
        k = int(np.searchsorted(cum, budget, side="right"))
        frac = 0.0
        if k < order.size:
            left = budget - (float(cum[k - 1]) if k else 0.0)
            frac = float(v[order[k]]) * left / max(float(cost[order[k]]), 1e-12)
        bounds.append(float(v[order[:k]].sum()) + frac)
        y[:] = False  # a feasible choice: the best-ratio prefix within the budget and p
        y[order[: k if p is None else min(k, p)]] = True
    return min(bounds), y


def mclp_lagrangian(
    pairs: Pairs, weight: FloatArray, *, is_open: np.ndarray, candidate: np.ndarray,
    cost: FloatArray, p: int | None, budget: float | None, iterations: int = ITERATIONS,
) -> tuple[np.ndarray, float, float]:  # fmt: skip
    """Open sites (``is_open`` included), their covered weight and an upper bound on the
    best covered weight."""
    new = candidate & ~is_open
    y = _greedy(pairs, weight, is_open.copy(), new, cost, p, budget)
    best_y, best = y, _covered_weight(pairs, weight, y)
    lam = np.zeros(pairs.n_demand)
    lam[pairs.demand] = weight[pairs.demand] * 0.5
    upper, theta = np.inf, 2.0
    fixed = np.zeros(pairs.n_demand, dtype=bool)
    fixed[pairs.demand[is_open[pairs.facility]]] = True  # covered by the open sites anyway
    reach = np.zeros(pairs.n_demand, dtype=bool)
    reach[pairs.demand] = True
    w_free = np.where(reach & ~fixed, weight, 0.0)
    base = float(weight[fixed].sum())
    lam = np.where(w_free > 0, lam, 0.0)
    for it in range(iterations):
        value = np.bincount(pairs.facility, lam[pairs.demand], pairs.n_facilities).astype(float)
        sites, y_new = _best_sites(value, new, cost, p, budget)
        bound = base + float((w_free - lam).sum()) + sites
        if bound < upper - 1e-9:
            upper = bound
        else:
            theta *= 0.97
        y = _greedy(pairs, weight, is_open | y_new, new, cost, p, budget)
        score = _covered_weight(pairs, weight, y)
        if score > best:
            best, best_y = score, y
        if upper - best <= 1e-9 * max(best, 1.0):
            break
        hit = np.bincount(pairs.demand, (is_open | y_new)[pairs.facility].astype(float),
                          pairs.n_demand)  # fmt: skip
        z = (w_free > lam).astype(float)
        grad = np.where(w_free > 0, hit - z, 0.0)
        norm = float((grad**2).sum())
        if norm == 0 or it == iterations - 1:
            break
        lam = np.clip(lam - theta * (upper - best) / norm * grad, 0.0, w_free)
    return best_y, best, upper
