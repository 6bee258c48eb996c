"""Mixed-integer programmes solved by HiGHS (through ``scipy.optimize.milp``), reported with
their proven bound and gap.

:func:`solve_mip` minimises ``c x`` subject to ``lower <= A x <= upper`` and variable bounds,
with the given variables integral, and returns the solution with HiGHS' dual bound. A plan is
called ``optimal`` only when HiGHS reports an optimum *and* the relative gap between the
objective and the bound is at most :data:`PROOF_GAP`; ``feasible`` when HiGHS stopped with a
plan but no such proof (time limit), ``infeasible`` when no plan exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_matrix

from setara.kernels.groups import FloatArray

__all__ = ["PROOF_GAP", "MipSolution", "solve_mip"]

# HiGHS is asked for a relative gap of 1e-9; we call a plan optimal within 1e-6 (objectives
# are population sums of up to ~1e9: 1e-6 relative is below one person in a thousand).
PROOF_GAP = 1e-6


@dataclass(frozen=True)
class MipSolution:
    """A solution, its objective (minimised), HiGHS' lower bound, the relative gap and
    the status (``optimal``, ``feasible``, ``infeasible``)."""

    x: FloatArray | None
    objective: float
    bound: float
    gap: float
    status: str
    message: str


def solve_mip(
    c: FloatArray,
    a: csr_matrix,
    lower: FloatArray,
    upper: FloatArray,
    *,
    integral: np.ndarray,
    lb: FloatArray,
    ub: FloatArray,
    time_limit: float = 60.0,
) -> MipSolution:
    """Minimise ``c x`` with ``lower <= a x <= upper``, ``lb <= x <= ub``, ``x[integral]``
    integer.

    Examples
    --------
    Pick one of two items costing 3 and 2 so that at least one is taken:

    >>> s = solve_mip(np.array([3.0, 2.0]), csr_matrix(np.ones((1, 2))), np.array([1.0]),
    ...               np.array([np.inf]), integral=np.array([1, 1]), lb=np.zeros(2),
    ...               ub=np.ones(2))
    >>> s.status, s.objective, s.x.tolist()
    ('optimal', 2.0, [0.0, 1.0])
    """
    res = milp(
        c,
        constraints=LinearConstraint(a, lower, upper),
        integrality=np.asarray(integral, dtype=np.int64),
        bounds=Bounds(lb, ub),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
    )
    if res.x is None:
        status = "infeasible" if res.status == 2 else "no solution"
        return MipSolution(None, np.nan, np.nan, np.nan, status, str(res.message))
    objective = float(res.fun)
    dual = getattr(res, "mip_dual_bound", None)
    bound = float(dual) if dual is not None and np.isfinite(dual) else -np.inf
    if not np.any(integral):
        bound = objective if res.status == 0 else bound
    bound = min(bound, objective)
    gap = (objective - bound) / max(abs(objective), 1e-12) if np.isfinite(bound) else np.inf
    gap = 0.0 if objective == bound else gap
    status = "optimal" if res.status == 0 and gap <= PROOF_GAP else "feasible"
    x = np.where(np.asarray(integral, dtype=bool), np.round(res.x), res.x)
    return MipSolution(x, objective, bound, float(gap), status, str(res.message))
