"""MCLP with at most ``p`` new sites, solved island by island and proven optimal as a whole.

Demand classes (points with the same new candidates in reach) and candidates form a bipartite
graph; when it falls apart into connected components (islands, or regions further apart than
the service time), the plan is an *allocation* ``k_1 + ... + k_C <= p`` of new sites to the
components, each component's best coverage ``F_c(k_c)`` adding up. We keep, for every
component and ``k``, a plan (lower value) and an upper bound:

- lower values: a greedy curve per component (the greedy order's prefixes give a plan for
  every ``k``), the Lagrangian plan restricted to the component, and HiGHS plans;
- upper bounds: the component's total weight, the LP relaxation at ``k`` and its tangent
  ``LP(k0) + mu (k - k0)`` (the LP value is concave in ``k``; ``mu`` is the dual price of the
  site count), HiGHS' dual bound, all made monotone (``F_c`` never falls as ``k`` grows).

A max-plus knapsack over the components gives the best allocation under the upper bounds
(a bound on the whole optimum) and under the plans (the incumbent). Until they meet, the
bound's allocation is refined where it is loose: first the LP at that ``k``, then HiGHS on
that component alone, which is small. This is exact: the plan is called optimal only when the
incumbent reaches the bound (:data:`~setara.kernels.mip.PROOF_GAP`); at the time limit it is
returned as feasible with its gap. The loop is over refinements (sub-models), not over rows.

References
----------
Geoffrion, A. M. (1974). Lagrangean relaxation for integer programming. Mathematical
Programming Study 2, 82-114 (the LP value function is concave in the right-hand side).
Land, A. H. and Doig, A. G. (1960). An automatic method of solving discrete programming
problems. Econometrica 28, 497-520 (bound-and-refine over a finite set of allocations).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix, vstack
from scipy.sparse.csgraph import connected_components

from setara.access.travel import Pairs
from setara.kernels.groups import FloatArray, IntArray
from setara.kernels.mip import PROOF_GAP, solve_mip

__all__ = ["DecomposedPlan", "coverage_classes", "mclp_by_components"]

# The LP's values and duals are exact to HiGHS' tolerances (1e-7 primal/dual feasibility on
# a model scaled to weights <= 1); its bounds are loosened by this much so they stay valid.
LP_TOLERANCE = 1e-7


@dataclass(frozen=True)
class DecomposedPlan:
    """Chosen sites (a mask over all sites), their covered class weight, the upper bound,
    whether the bound is met, and how many LPs and MILPs were solved."""

    chosen: np.ndarray
    value: float
    bound: float
    proven: bool
    n_lp: int
    n_mip: int


@dataclass
class _Component:
    sites: IntArray  # global site ids
    rows: IntArray  # local class index of each pair
    cols: IntArray  # local site index of each pair
    weight: FloatArray  # class weights
    lo: FloatArray  # best plan's value per k
    plans: list[IntArray]  # local sites of that plan per k
    hi: FloatArray  # upper bound per k
    has_lp: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    tried_mip: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def tighten(self) -> None:
        """F(k) <= F(k') for k <= k': bounds fall from the right, plans carry to the right."""
        self.hi = np.maximum(np.minimum.accumulate(self.hi[::-1])[::-1], self.lo)
        best = np.maximum.accumulate(self.lo)
        for k in np.flatnonzero(best > self.lo):
            self.plans[k] = self.plans[int(np.flatnonzero(self.lo == best[k])[0])]
        self.lo = best


def coverage_classes(
    pairs: Pairs, weight: FloatArray, new: np.ndarray, before: np.ndarray
) -> tuple[IntArray, IntArray, FloatArray]:
    """Demand points not covered by an open site, grouped by their exact set of new
    candidates within reach: (class row, candidate) pairs and each class's summed weight."""
    keep = new[pairs.facility] & ~before[pairs.demand] & (weight[pairs.demand] > 0)
    frame = (
        pl.DataFrame({"d": pairs.demand[keep], "f": pairs.facility[keep]})
        .sort("d", "f")
        .group_by("d", maintain_order=True)
        .agg(pl.col("f"))
    )
    frame = frame.with_columns(pl.Series("w", weight[frame["d"].to_numpy()]))
    classes = frame.group_by("f", maintain_order=True).agg(pl.col("w").sum())
    exploded = classes.with_row_index("c").select("c", "f").explode("f")
    return (
        exploded["c"].to_numpy().astype(np.int64),
        exploded["f"].to_numpy().astype(np.int64),
        classes["w"].to_numpy().astype(float),
    )


def _split(
    row: IntArray, site: IntArray, class_weight: FloatArray, n_sites: int, p: int
) -> list[_Component]:
    k = class_weight.size
    graph = coo_matrix((np.ones(row.size), (row, k + site)), shape=(k + n_sites, k + n_sites))
    _, label = connected_components(graph, directed=False)
    pair_label = label[row]
    order = np.argsort(pair_label, kind="stable")
    bounds = np.searchsorted(pair_label[order], np.unique(pair_label), side="left")
    parts = []
    for chunk in np.split(order, bounds[1:]):
        classes, local_row = np.unique(row[chunk], return_inverse=True)
        sites, local_col = np.unique(site[chunk], return_inverse=True)
        top = min(p, sites.size)
        comp = _Component(
            sites, local_row, local_col, class_weight[classes],
            np.zeros(top + 1), [np.zeros(0, dtype=np.int64)] * (top + 1),
            np.full(top + 1, float(class_weight[classes].sum())),
        )  # fmt: skip
        comp.hi[0] = 0.0
        comp.has_lp = np.arange(top + 1) == 0  # no site, no coverage: known exactly
        comp.tried_mip = comp.has_lp.copy()
        _greedy_curve(comp)
        parts.append(comp)
    return parts


def _greedy_curve(comp: _Component) -> None:
    """Plans for every k at once: the greedy order (most uncovered weight first)."""
    covered = np.zeros(comp.weight.size, dtype=bool)
    chosen: list[int] = []
    for k in range(1, comp.lo.size):
        gain = np.bincount(comp.cols, np.where(covered[comp.rows], 0.0, comp.weight[comp.rows]),
                           comp.sites.size)  # fmt: skip
        best = int(np.argmax(gain))
        if gain[best] <= 0:
            comp.lo[k:] = comp.lo[k - 1]
            comp.plans[k:] = [np.array(chosen, dtype=np.int64)] * (comp.lo.size - k)
            return
        chosen.append(best)
        covered[comp.rows[comp.cols == best]] = True
        comp.lo[k] = float(comp.weight[covered].sum())
        comp.plans[k] = np.array(chosen, dtype=np.int64)


def _model(comp: _Component) -> tuple[csr_matrix, FloatArray]:
    """Rows ``z_c - sum_j a_cj y_j <= 0`` and the site count; columns ``[y, z]``."""
    m, k, q = comp.sites.size, comp.weight.size, comp.rows.size
    a = coo_matrix(
        (np.r_[-np.ones(q), np.ones(k)], (np.r_[comp.rows, np.arange(k)],
                                          np.r_[comp.cols, m + np.arange(k)])),
        shape=(k, m + k),
    )  # fmt: skip
    count = csr_matrix(np.r_[np.ones(m), np.zeros(k)][None, :])
    scale = float(comp.weight.max())
    return csr_matrix(vstack([a, count])), np.r_[np.zeros(m), -comp.weight / scale]


def _refine_lp(comp: _Component, k: int) -> None:
    """The LP at k: its value bounds F(k); its dual price of the site count is a
    supergradient of the concave LP value, so ``LP(k) + price (k' - k)`` bounds every k'."""
    a, c = _model(comp)
    scale = float(comp.weight.max())
    rhs = np.r_[np.zeros(comp.weight.size), k]
    # the stubs do not list sparse matrices for A_ub, which HiGHS takes
    res = linprog(c, A_ub=a, b_ub=rhs, bounds=(0, 1), method="highs-ipm")  # type: ignore[call-overload]
    comp.has_lp[k] = True
    if res.status != 0:
        return
    value = -float(res.fun) * scale
    price = max(-float(res.ineqlin.marginals[-1]) * scale, 0.0)
    ks = np.arange(comp.hi.size)
    slack = LP_TOLERANCE * max(value, 1.0)
    comp.hi = np.minimum(comp.hi, value + price * (ks - k) + slack)
    comp.tighten()


def _refine_mip(comp: _Component, k: int, time_limit: float) -> None:
    """HiGHS on the component alone with at most k sites: a plan and a bound at k."""
    a, c = _model(comp)
    m, n_cls = comp.sites.size, comp.weight.size
    scale = float(comp.weight.max())
    sol = solve_mip(
        c, a, np.full(n_cls + 1, -np.inf), np.r_[np.zeros(n_cls), k],
        integral=np.r_[np.ones(m), np.zeros(n_cls)], lb=np.zeros(m + n_cls),
        ub=np.ones(m + n_cls), time_limit=max(time_limit, 0.1),
    )  # fmt: skip
    comp.tried_mip[k] = True
    if sol.x is not None:
        plan = np.flatnonzero(sol.x[:m] > 0.5)
        covered = np.zeros(n_cls, dtype=bool)
        covered[comp.rows[np.isin(comp.cols, plan)]] = True
        value = float(comp.weight[covered].sum())
        if value > comp.lo[k]:
            comp.lo[k], comp.plans[k] = value, plan
    if np.isfinite(sol.bound):
        comp.hi[k] = min(comp.hi[k], -sol.bound * scale * (1 + 1e-9))
    if sol.status == "optimal":
        comp.hi[k] = min(comp.hi[k], max(comp.lo[k], -sol.objective * scale))
    comp.tighten()


def _allocate(curves: list[FloatArray], p: int) -> tuple[float, list[int]]:
    """Max-plus knapsack: the best sum of ``curves[c][k_c]`` with ``sum k_c <= p``."""
    best = np.zeros(p + 1)  # best[s]: the components so far with at most s sites
    picks = []
    used = np.arange(p + 1)[:, None]
    for curve in curves:
        ks = np.arange(curve.size)[None, :]
        value = np.where(ks <= used, best[np.maximum(used - ks, 0)] + curve[None, :], -np.inf)
        picks.append(np.argmax(value, axis=1))
        best = value.max(axis=1)
    alloc = [0] * len(curves)
    left = p
    for i in range(len(curves) - 1, -1, -1):
        alloc[i] = int(picks[i][left])
        left -= alloc[i]
    return float(best[p]), alloc


def mclp_by_components(
    row: IntArray,
    site: IntArray,
    class_weight: FloatArray,
    n_sites: int,
    p: int,
    *,
    start: np.ndarray | None = None,
    time_limit: float = 60.0,
) -> DecomposedPlan:
    """Best ``p`` sites for the classes ``row`` reached by ``site`` (pairs), per component.

    ``start`` (a mask over the sites) is a plan whose parts seed each component's plans.

    Examples
    --------
    Two islands: sites 0 and 1 reach classes of 50 and 30 people on the first, site 2 a class
    of 60 on the second. Two sites go to the 50 and the 60:

    >>> plan = mclp_by_components(np.array([0, 1, 2]), np.array([0, 1, 2]),
    ...                           np.array([50.0, 30.0, 60.0]), 3, 2)
    >>> plan.chosen.tolist(), plan.value, plan.proven
    ([True, False, True], 110.0, True)
    """
    deadline = time.perf_counter() + time_limit
    parts = _split(row, site, class_weight, n_sites, p)
    if start is not None:
        for comp in parts:
            mine = np.flatnonzero(start[comp.sites])
            if 0 < mine.size < comp.lo.size:
                covered = np.zeros(comp.weight.size, dtype=bool)
                covered[comp.rows[np.isin(comp.cols, mine)]] = True
                if comp.weight[covered].sum() > comp.lo[mine.size]:
                    comp.lo[mine.size] = float(comp.weight[covered].sum())
                    comp.plans[mine.size] = mine
                comp.tighten()
    n_lp = n_mip = 0
    while True:
        value, alloc_lo = _allocate([c.lo for c in parts], p)
        bound, alloc_hi = _allocate([c.hi for c in parts], p)
        left = deadline - time.perf_counter()
        if bound - value <= PROOF_GAP * max(value, 1e-12) or left <= 0:
            break
        loose = [
            (parts[i].hi[k] - parts[i].lo[k], i, k)
            for i, k in enumerate(alloc_hi)
            if parts[i].hi[k] - parts[i].lo[k] > PROOF_GAP * max(parts[i].lo[k], 1e-12)
        ]
        need_lp = [(i, k) for _, i, k in loose if not parts[i].has_lp[k]]
        if need_lp:
            for i, k in need_lp:
                _refine_lp(parts[i], k)
            n_lp += len(need_lp)
            continue
        fresh = [(g, i, k) for g, i, k in loose if not parts[i].tried_mip[k]]
        _, i, k = max(fresh or loose)
        _refine_mip(parts[i], k, left)
        n_mip += 1
    chosen = np.zeros(n_sites, dtype=bool)
    for comp, k in zip(parts, alloc_lo, strict=True):
        chosen[comp.sites[comp.plans[k]]] = True
    return DecomposedPlan(chosen, value, max(bound, value), bound - value <= PROOF_GAP * max(
        value, 1e-12), n_lp, n_mip)  # fmt: skip
