"""Where new facilities do the most good: location models solved by HiGHS to a proven optimum.

Sites are the facilities table's rows: ``existing`` (and ``planned``) ones are kept open at no
cost, ``candidate`` ones may open at their ``cost``. ``a_ij = 1`` when demand point ``i`` is
within ``max_minutes`` of site ``j``; ``w_i`` is the people counted (population, or weights
favouring poor or 3T people). With ``y_j`` the open sites (binary):

- LSCP (Toregas et al. 1971): minimise ``sum c_j y_j`` (or the number of new sites when every
  cost is 0) so that every demand point with people is within reach of an open site;
- MCLP (Church and ReVelle 1974): maximise ``sum w_i z_i`` with ``z_i <= sum_j a_ij y_j``,
  ``z_i <= 1``, at most ``p`` new sites and/or ``sum c_j y_j <= budget``. A Lagrangian plan
  and bound come first (:mod:`.lagrange`); HiGHS runs only when they do not meet, within
  ``time_limit``; when it cannot prove the optimum in time the plan is ``feasible`` with the
  gap to the better bound (the documented heuristic for instances too large). With only ``p``
  the plan is proven island by island (:mod:`.decompose`);
- p-median (Hakimi 1964; ReVelle and Swain 1970): minimise ``sum w_i d_ij x_ij`` with each
  point assigned to one open site within ``max_minutes`` and ``p`` new sites;
- p-centre: minimise the longest time ``W >= sum_j d_ij x_ij`` with the same assignment.

With ``capacity`` (people a site can serve), every model assigns people to open sites, each
serving at most its capacity (:mod:`.assign`).

The objective, HiGHS' bound and the gap are always reported; ``status`` is ``optimal`` only
when HiGHS proves it (:mod:`setara.kernels.mip`).

References
----------
Church, R. and ReVelle, C. (1974). The maximal covering location problem. Papers of the
Regional Science Association 32, 101-118.
Toregas, C., Swain, R., ReVelle, C. and Bergman, L. (1971). The location of emergency service
facilities. Operations Research 19, 1363-1373.
ReVelle, C. and Swain, R. (1970). Central facilities location. Geographical Analysis 2, 30-42.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, vstack

from setara.access.assign import pad_row, rows_matrix, solve_assignment
from setara.access.decompose import coverage_classes, mclp_by_components
from setara.access.lagrange import mclp_lagrangian
from setara.access.travel import Pairs
from setara.errors import InputValueError
from setara.kernels.groups import FloatArray, IntArray
from setara.kernels.mip import PROOF_GAP, MipSolution, solve_mip

__all__ = ["MODELS", "Siting", "site"]

MODELS = ("lscp", "mclp", "pmedian", "pcenter")


@dataclass(frozen=True)
class Siting:
    """The chosen candidate rows, the objective with its bound, gap and status, and which
    demand points are within reach of an open site before and after."""

    model: str
    chosen: IntArray
    objective: float
    bound: float
    gap: float
    status: str
    cost: float
    covered_before: np.ndarray
    covered_after: np.ndarray


def _check(
    model: str,
    weight: FloatArray,
    status_open: np.ndarray,
    candidate: np.ndarray,
    p: int | None,
    budget: float | None,
) -> None:
    if model not in MODELS:
        raise InputValueError(f"unknown siting model {model!r}; use one of {', '.join(MODELS)}")
    if np.any(~np.isfinite(weight)) or np.any(weight < 0):
        raise InputValueError("siting weights must be finite and 0 or more")
    if model in ("pmedian", "pcenter") and p is None:
        raise InputValueError(f"model {model} needs p, the number of new sites")
    if model == "mclp" and p is None and budget is None:
        raise InputValueError("model mclp needs p (new sites), a budget, or both")
    if p is not None and not 0 <= p <= int(candidate.sum()):
        raise InputValueError(f"p = {p} new sites, but there are {int(candidate.sum())} candidates")
    if budget is not None and not (np.isfinite(budget) and budget >= 0):
        raise InputValueError(f"budget must be 0 or more, not {budget}")


def site(
    pairs: Pairs,
    weight: FloatArray,
    *,
    model: str,
    is_open: np.ndarray,
    candidate: np.ndarray,
    cost: FloatArray,
    p: int | None = None,
    budget: float | None = None,
    capacity: FloatArray | None = None,
    time_limit: float = 60.0,
) -> Siting:
    """Solve a location ``model`` on ``pairs`` (all within the service time).

    ``is_open`` marks the sites kept open (existing, planned), ``candidate`` those that may
    open; ``cost`` is per site. Demand points with zero weight do not constrain LSCP.
    """
    _check(model, weight, is_open, candidate, p, budget)
    m, n = pairs.n_facilities, pairs.n_demand
    usable = (is_open | candidate)[pairs.facility]
    d, f, t = pairs.demand[usable], pairs.facility[usable], pairs.minutes[usable]
    lb = np.where(is_open, 1.0, 0.0)
    ub = np.where(is_open | candidate, 1.0, 0.0)
    cand = np.where(candidate & ~is_open, 1.0, 0.0)
    extra: list[tuple[csr_matrix, float, float]] = []
    if p is not None and model != "lscp":
        extra.append((csr_matrix(cand[None, :]), -np.inf if model == "mclp" else p, p))
    if budget is not None:
        extra.append((csr_matrix((cand * cost)[None, :]), -np.inf, budget))
    reach = np.zeros(n, dtype=bool)
    reach[d] = True
    before = np.zeros(n, dtype=bool)
    before[d[is_open[f]]] = True
    if model == "lscp":
        need = np.flatnonzero(weight > 0)
        if (~reach[need]).any():
            first = int(need[~reach[need]][0])
            raise InputValueError(
                f"{int((~reach[need]).sum()):,} demand points with people are beyond reach of "
                f"every site (first at row {first + 1:,}); LSCP cannot cover them: use MCLP"
            )
    elif model != "mclp" and (~reach).any():
        first = int(np.flatnonzero(~reach)[0])
        raise InputValueError(
            f"{int((~reach).sum()):,} demand points have no site within the time "
            f"(first at row {first + 1:,}); raise the time or use MCLP"
        )
    price = np.where(cost > 0, cost, 0.0) * cand
    price = price if price.sum() > 0 else cand.copy()  # LSCP: least cost, else fewest sites
    if model == "lscp" and capacity is None:
        keep = weight[d] > 0
        a = rows_matrix(m, f[keep], np.ones(keep.sum()), d[keep], n)[need]
        sol = _solve(price, [a] + [e[0] for e in extra], [1.0] + [e[1] for e in extra],
                     [np.inf] + [e[2] for e in extra], m, lb, ub, time_limit,
                     n_rows=[a.shape[0]] + [1] * len(extra))  # fmt: skip
        return _result(model, sol, m, candidate & ~is_open, cost, pairs, is_open, before, 1.0)
    if model == "mclp" and capacity is None:
        return _mclp(
            pairs, weight, is_open, candidate, cost, p, budget, extra, lb, ub, before, time_limit
        )
    if capacity is not None and np.shape(capacity) != (m,):
        raise InputValueError(f"capacity has {np.size(capacity):,} values for {m:,} sites")
    if capacity is not None and np.any(~(capacity >= 0)):
        bad = np.flatnonzero(~(capacity >= 0))
        raise InputValueError(
            f"capacity has {bad.size:,} values that are negative or missing in {m:,} sites "
            f"(first at row {int(bad[0]) + 1:,})"
        )
    keep = weight[d] > 0 if model == "lscp" else np.ones(d.size, dtype=bool)
    sol = solve_assignment(
        model, (d[keep], f[keep], t[keep]), weight, n_sites=m, price=price, capacity=capacity,
        extra=extra, lb=lb, ub=ub, time_limit=time_limit,
    )  # fmt: skip
    sign = -1.0 if model == "mclp" else 1.0
    return _result(model, sol, m, candidate & ~is_open, cost, pairs, is_open, before, sign)


def _mclp(
    pairs: Pairs,
    weight: FloatArray,
    is_open: np.ndarray,
    candidate: np.ndarray,
    cost: FloatArray,
    p: int | None,
    budget: float | None,
    extra: list[tuple[csr_matrix, float, float]],
    lb: FloatArray,
    ub: FloatArray,
    before: np.ndarray,
    time_limit: float,
) -> Siting:
    """MCLP: the Lagrangian plan and bound first (:mod:`.lagrange`, seconds even when large);
    HiGHS only when they do not meet, and the better plan and tighter bound of the two."""
    m, n = pairs.n_facilities, pairs.n_demand
    new = candidate & ~is_open
    y, value, upper = mclp_lagrangian(
        pairs, weight, is_open=is_open, candidate=candidate, cost=cost, p=p, budget=budget
    )
    status = "optimal" if upper - value <= PROOF_GAP * max(value, 1e-12) else "feasible"
    if status != "optimal":
        # classes: demand points covered by the same new candidates (their weights summed;
        # points an open site covers are constant)
        row, f, class_weight = coverage_classes(pairs, weight, new, before)
        covered_anyway = float(weight[before].sum())
        if p is not None and budget is None:
            plan = mclp_by_components(
                row, f, class_weight, m, p, start=y & new, time_limit=time_limit
            )
            if covered_anyway + plan.value > value:
                y, value = plan.chosen | is_open, _covered(pairs, weight, plan.chosen | is_open)
            upper = min(upper, covered_anyway + plan.bound)
            status = "optimal" if plan.proven else "feasible"
        else:
            y, value, upper, status = _mclp_milp(
                row, f, class_weight, covered_anyway, pairs, weight, is_open, m,
                (y, value, upper), extra, lb, ub, time_limit,
            )  # fmt: skip
    upper = max(upper, value)
    gap = (upper - value) / max(value, 1e-12) if upper > value else 0.0
    chosen = np.flatnonzero(y & new)
    after = np.zeros(n, dtype=bool)
    after[pairs.demand[(y | is_open)[pairs.facility]]] = True
    return Siting(
        "mclp", chosen, value, upper, gap, status, float(cost[chosen].sum()), before, after
    )


def _mclp_milp(
    row: IntArray,
    f: IntArray,
    class_weight: FloatArray,
    covered_anyway: float,
    pairs: Pairs,
    weight: FloatArray,
    is_open: np.ndarray,
    m: int,
    start: tuple[np.ndarray, float, float],
    extra: list[tuple[csr_matrix, float, float]],
    lb: FloatArray,
    ub: FloatArray,
    time_limit: float,
) -> tuple[np.ndarray, float, float, str]:
    """MCLP as one HiGHS model over the classes: ``z_c - sum_j a_cj y_j <= 0``."""
    y, value, upper = start
    k = class_weight.size
    a = csr_matrix(
        coo_matrix(
            (
                np.r_[-np.ones(row.size), np.ones(k)],
                (np.r_[row, np.arange(k)], np.r_[f, m + np.arange(k)]),
            ),
            shape=(k, m + k),
        )
    )
    scale = float(class_weight.max()) if k else 1.0
    c = np.r_[np.zeros(m), -class_weight / scale]
    sol = _solve_blocks(c, a, -np.inf, 0.0, extra, m, k, lb, ub, time_limit)
    found = covered_anyway - sol.objective * scale
    if sol.x is not None and found > value:
        y, value = sol.x[:m] > 0.5, _covered(pairs, weight, (sol.x[:m] > 0.5) | is_open)
    if np.isfinite(sol.bound):
        upper = min(upper, covered_anyway - sol.bound * scale)
    proven = sol.status == "optimal" and value >= found - 1e-9 * max(found, 1.0)
    close = upper - value <= PROOF_GAP * max(value, 1e-12)
    return y, value, upper, "optimal" if proven or close else "feasible"


def _covered(pairs: Pairs, weight: FloatArray, y: np.ndarray) -> float:
    hit = np.zeros(pairs.n_demand, dtype=bool)
    hit[pairs.demand[y[pairs.facility]]] = True
    return float(weight[hit].sum())


def _solve_blocks(
    c: FloatArray,
    a: csr_matrix,
    lo: float,
    hi: float,
    extra: list[tuple[csr_matrix, float, float]],
    m: int,
    k: int,
    lb: FloatArray,
    ub: FloatArray,
    time_limit: float,
) -> MipSolution:
    width = m + k
    mats = [a] + [pad_row(e[0], width) for e in extra]
    lower = np.r_[np.full(a.shape[0], lo), [e[1] for e in extra]]
    upper = np.r_[np.full(a.shape[0], hi), [e[2] for e in extra]]
    return solve_mip(
        c,
        csr_matrix(vstack(mats)),
        lower,
        upper,
        integral=np.r_[np.ones(m), np.zeros(k)],
        lb=np.r_[lb, np.zeros(k)],
        ub=np.r_[ub, np.ones(k)],
        time_limit=time_limit,
    )


def _solve(
    c: FloatArray,
    mats: list[csr_matrix],
    lo: list[float],
    hi: list[float],
    m: int,
    lb: FloatArray,
    ub: FloatArray,
    time_limit: float,
    *,
    n_rows: list[int],
) -> MipSolution:
    lower = np.concatenate([np.full(r, v) for r, v in zip(n_rows, lo, strict=True)])
    upper = np.concatenate([np.full(r, v) for r, v in zip(n_rows, hi, strict=True)])
    return solve_mip(
        c,
        csr_matrix(vstack([pad_row(x, m) if x.shape[0] == 1 else x for x in mats])),
        lower,
        upper,
        integral=np.ones(m),
        lb=lb,
        ub=ub,
        time_limit=time_limit,
    )


def _result(
    model: str,
    sol: MipSolution,
    m: int,
    new: np.ndarray,
    cost: FloatArray,
    pairs: Pairs,
    is_open: np.ndarray,
    before: np.ndarray,
    sign: float,
) -> Siting:
    if sol.x is None:
        raise InputValueError(
            f"model {model} has no feasible plan ({sol.status}: "
            f"{sol.message}); relax p, the budget or the time"
        )
    y = sol.x[:m] > 0.5
    chosen = np.flatnonzero(y & new)
    after = np.zeros(pairs.n_demand, dtype=bool)
    after[pairs.demand[(y | is_open)[pairs.facility]]] = True
    objective, bound = sign * sol.objective, sign * sol.bound
    return Siting(
        model,
        chosen,
        objective,
        bound,
        sol.gap,
        sol.status,
        float(cost[chosen].sum()),
        before,
        after,
    )
