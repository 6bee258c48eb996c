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
  gap to the better bound (the documented heuristic for instances too large). With ``capacity``
  (people a site can serve) a site serves at most its capacity: assignments ``x_ij`` replace
  ``z_i`` (``sum_j x_ij <= 1``, ``sum_i w_i x_ij <= cap_j y_j``);
- p-median (Hakimi 1964; ReVelle and Swain 1970): minimise ``sum w_i d_ij x_ij`` with each
  point assigned to one open site within ``max_minutes`` and ``p`` new sites;
- p-centre: minimise the longest time ``W >= sum_j d_ij x_ij`` with the same assignment.

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
import polars as pl
from scipy.sparse import coo_matrix, csr_matrix, vstack

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


def _rows(n: int, cols: IntArray, data: FloatArray, rows: IntArray, n_rows: int) -> csr_matrix:
    return csr_matrix(coo_matrix((data, (rows, cols)), shape=(n_rows, n)))


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
        price = np.where(cost > 0, cost, 0.0) * cand
        c = price if price.sum() > 0 else cand.copy()
        keep = weight[d] > 0
        a = _rows(m, f[keep], np.ones(keep.sum()), d[keep], n)[need]
        blocks = [(a, 1.0, np.inf)]
        sol = _solve(
            c,
            [b[0] for b in blocks] + [e[0] for e in extra],
            [b[1] for b in blocks] + [e[1] for e in extra],
            [b[2] for b in blocks] + [e[2] for e in extra],
            m,
            lb,
            ub,
            time_limit,
            n_rows=[a.shape[0]] + [1] * len(extra),
        )
        return _result(model, sol, m, candidate & ~is_open, cost, pairs, is_open, before, 1.0)
    if model == "mclp" and capacity is None:
        return _mclp(
            pairs, weight, is_open, candidate, cost, p, budget, extra, lb, ub, before, time_limit
        )
    # assignment models: variables [y (m), x (pairs), W (p-centre)]
    q = d.size
    if model != "mclp":
        served = np.zeros(n, dtype=bool)
        served[d] = True
        if (~served).any():
            first = int(np.flatnonzero(~served)[0])
            raise InputValueError(
                f"{int((~served).sum()):,} demand points have no site within the time "
                f"(first at row {first + 1:,}); raise the time or use MCLP"
            )
    w_var = 1 if model == "pcenter" else 0
    width = m + q + w_var
    rows_assign = _rows(width, m + np.arange(q), np.ones(q), d, n)  # sum_j x_ij (=1 or <=1)
    link = csr_matrix(
        coo_matrix(
            (
                np.r_[np.ones(q), -np.ones(q)],
                (np.r_[np.arange(q), np.arange(q)], np.r_[m + np.arange(q), f]),
            ),
            shape=(q, width),
        )
    )  # x_ij - y_j <= 0
    mats = [rows_assign, link]
    lo = [np.ones(n) if model != "mclp" else np.full(n, -np.inf), np.full(q, -np.inf)]
    hi = [np.ones(n), np.zeros(q)]
    if model == "mclp" and capacity is not None:
        cap = _rows(
            width,
            np.r_[m + np.arange(q), np.arange(m)],
            np.r_[weight[d], -capacity],
            np.r_[f, np.arange(m)],
            m,
        )
        mats.append(cap)
        lo.append(np.full(m, -np.inf))
        hi.append(np.zeros(m))
        c = np.r_[np.zeros(m), -weight[d]]
        sign = -1.0
    elif model == "pmedian":
        c = np.r_[np.zeros(m), weight[d] * t]
        sign = 1.0
    else:  # pcenter: sum_j d_ij x_ij - W <= 0
        mats.append(
            _rows(
                width,
                np.r_[m + np.arange(q), np.full(n, width - 1)],
                np.r_[t, -np.ones(n)],
                np.r_[d, np.arange(n)],
                n,
            )
        )
        lo.append(np.full(n, -np.inf))
        hi.append(np.zeros(n))
        c = np.r_[np.zeros(m + q), 1.0]
        sign = 1.0
    for e_mat, e_lo, e_hi in extra:
        mats.append(_pad(e_mat, width))
        lo.append(np.array([e_lo]))
        hi.append(np.array([e_hi]))
    lb_all = np.r_[lb, np.zeros(q), np.zeros(w_var)]
    ub_all = np.r_[ub, np.ones(q), np.full(w_var, np.inf)]
    integral = np.r_[np.ones(m), np.zeros(q + w_var)]
    sol = solve_mip(
        c,
        csr_matrix(vstack(mats)),
        np.concatenate(lo),
        np.concatenate(hi),
        integral=integral,
        lb=lb_all,
        ub=ub_all,
        time_limit=time_limit,
    )
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
        # rows: z_c - sum_j a_cj y_j <= 0 for each class c of demand points covered by the
        # same new candidates (their weights summed; points an open site covers are constant)
        row, f, class_weight = _coverage_classes(pairs, weight, new, before)
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
        covered_anyway = float(weight[before].sum())
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
        status = "optimal" if proven or close else "feasible"
    upper = max(upper, value)
    gap = (upper - value) / max(value, 1e-12) if upper > value else 0.0
    chosen = np.flatnonzero(y & new)
    after = np.zeros(n, dtype=bool)
    after[pairs.demand[(y | is_open)[pairs.facility]]] = True
    return Siting(
        "mclp", chosen, value, upper, gap, status, float(cost[chosen].sum()), before, after
    )


def _covered(pairs: Pairs, weight: FloatArray, y: np.ndarray) -> float:
    hit = np.zeros(pairs.n_demand, dtype=bool)
    hit[pairs.demand[y[pairs.facility]]] = True
    return float(weight[hit].sum())


def _coverage_classes(
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


def _pad(row: csr_matrix, width: int) -> csr_matrix:
    out = coo_matrix(row)
    return csr_matrix((out.data, (out.row, out.col)), shape=(1, width))


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
    mats = [a] + [_pad(e[0], width) for e in extra]
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
        csr_matrix(vstack([_pad(x, m) if x.shape[0] == 1 else x for x in mats])),
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
