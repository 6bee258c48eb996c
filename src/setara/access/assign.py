"""Location models with an assignment of demand to open sites, and site capacities.

Variables are ``y_j`` (site open, binary), ``x_ij`` (share of demand point ``i``'s people served
by site ``j``, for each pair within the service time) and, for p-centre, ``W`` (the longest
time). Every model has ``x_ij <= y_j``; with ``capacity`` (people a site can serve) also
``sum_i w_i x_ij <= cap_j y_j``, demand being divisible between sites (a village's people may
go to two health centres), as in the capacitated models of Pirkul and Schilling (1991):

- LSCP: every point with people fully served (``sum_j x_ij = 1``), least cost;
- MCLP: most people served (``sum_j x_ij <= 1``, maximise ``sum w_i x_ij``);
- p-median: every point served, least ``sum w_i t_ij x_ij``;
- p-centre: every point served, least ``W``; with capacities a point's time is that of the
  farthest site serving any of its people: binaries ``u_ij >= x_ij`` and ``W >= t_ij u_ij``
  (without capacities the nearest open site serves it all, and ``W >= sum_j t_ij x_ij``).

References
----------
Pirkul, H. and Schilling, D. A. (1991). The maximal covering location problem with capacities
on total workload. Management Science 37, 233-248.
Ozsoy, F. A. and Pinar, M. C. (2006). An exact algorithm for the capacitated vertex p-center
problem. Computers & Operations Research 33, 1420-1436.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix, csr_matrix, vstack

from setara.kernels.groups import FloatArray, IntArray
from setara.kernels.mip import MipSolution, solve_mip

__all__ = ["pad_row", "rows_matrix", "solve_assignment"]


def rows_matrix(
    n: int, cols: IntArray, data: FloatArray, rows: IntArray, n_rows: int
) -> csr_matrix:
    """A sparse ``n_rows x n`` matrix from its entries (duplicates summed)."""
    return csr_matrix(coo_matrix((data, (rows, cols)), shape=(n_rows, n)))


def pad_row(row: csr_matrix, width: int) -> csr_matrix:
    """One constraint row widened to ``width`` columns."""
    out = coo_matrix(row)
    return csr_matrix((out.data, (out.row, out.col)), shape=(1, width))


def solve_assignment(
    model: str,
    pairs: tuple[IntArray, IntArray, FloatArray],
    weight: FloatArray,
    *,
    n_sites: int,
    price: FloatArray,
    capacity: FloatArray | None,
    extra: list[tuple[csr_matrix, float, float]],
    lb: FloatArray,
    ub: FloatArray,
    time_limit: float,
) -> MipSolution:
    """Solve ``model`` on the ``(demand, site, minutes)`` pairs of usable sites (minimised:
    MCLP's objective is minus the people served). ``price`` is LSCP's cost per site;
    ``extra`` rows (site count, budget) are over ``y``.

    Examples
    --------
    Two villages of 600 people 5 minutes from site 0 (which holds 700) and 20 from site 1,
    both open: p-median sends 700 people 5 minutes and 500 people 20 minutes.

    >>> sol = solve_assignment("pmedian", (np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]),
    ...                        np.array([5.0, 20.0, 5.0, 20.0])), np.array([600.0, 600.0]),
    ...                        n_sites=2, price=np.zeros(2), capacity=np.array([700.0, 700.0]),
    ...                        extra=[], lb=np.ones(2), ub=np.ones(2), time_limit=10.0)
    >>> sol.status, sol.objective
    ('optimal', 13500.0)
    """
    d, f, t = pairs
    m, n, q = n_sites, weight.size, d.size
    binary_use = model == "pcenter" and capacity is not None
    n_u = q if binary_use else 0
    w_var = 1 if model == "pcenter" else 0
    width = m + q + n_u + w_var
    x = m + np.arange(q)
    served = np.zeros(n, dtype=bool)
    served[d] = True
    must = served if model != "lscp" else served & (weight > 0)
    mats = [rows_matrix(width, x, np.ones(q), d, n)]  # sum_j x_ij
    lo = [np.where(must & (model != "mclp"), 1.0, -np.inf)]
    hi = [np.ones(n)]
    mats.append(rows_matrix(width, np.r_[x, f], np.r_[np.ones(q), -np.ones(q)],
                            np.r_[np.arange(q), np.arange(q)], q))  # fmt: skip
    lo.append(np.full(q, -np.inf))  # x_ij - y_j <= 0
    hi.append(np.zeros(q))
    if capacity is not None:  # sum_i w_i x_ij - cap_j y_j <= 0
        cap = np.minimum(capacity, max(float(weight.sum()), 1.0))  # no site needs more
        mats.append(rows_matrix(width, np.r_[x, np.arange(m)], np.r_[weight[d], -cap],
                                np.r_[f, np.arange(m)], m))  # fmt: skip
        lo.append(np.full(m, -np.inf))
        hi.append(np.zeros(m))
    last = width - 1
    if binary_use:  # x_ij - u_ij <= 0 and t_ij u_ij - W <= 0
        u = m + q + np.arange(q)
        mats.append(rows_matrix(width, np.r_[x, u], np.r_[np.ones(q), -np.ones(q)],
                                np.r_[np.arange(q), np.arange(q)], q))  # fmt: skip
        mats.append(rows_matrix(width, np.r_[u, np.full(q, last)], np.r_[t, -np.ones(q)],
                                np.r_[np.arange(q), np.arange(q)], q))  # fmt: skip
        lo += [np.full(q, -np.inf), np.full(q, -np.inf)]
        hi += [np.zeros(q), np.zeros(q)]
    elif model == "pcenter":  # sum_j t_ij x_ij - W <= 0
        mats.append(rows_matrix(width, np.r_[x, np.full(n, last)], np.r_[t, -np.ones(n)],
                                np.r_[d, np.arange(n)], n))  # fmt: skip
        lo.append(np.full(n, -np.inf))
        hi.append(np.zeros(n))
    for e_mat, e_lo, e_hi in extra:
        mats.append(pad_row(e_mat, width))
        lo.append(np.array([e_lo]))
        hi.append(np.array([e_hi]))
    c = np.zeros(width)
    if model == "lscp":
        c[:m] = price
    elif model == "mclp":
        c[x] = -weight[d]
    elif model == "pmedian":
        c[x] = weight[d] * t
    else:
        c[last] = 1.0
    return solve_mip(
        c,
        csr_matrix(vstack(mats)),
        np.concatenate(lo),
        np.concatenate(hi),
        integral=np.r_[np.ones(m), np.zeros(q), np.ones(n_u), np.zeros(w_var)],
        lb=np.zeros(width) + np.r_[lb, np.zeros(width - m)],
        ub=np.r_[ub, np.ones(q + n_u), np.full(w_var, np.inf)],
        time_limit=time_limit,
    )
