"""Rationing under a budget ceiling: poorest first, pro rata, or regional quotas.

Costs are population totals (weight x yearly amount). Under ``poorest_first`` units are funded
whole in order of the budget's ``score`` (lowest first; ties broken by the hashed unit id, so
the result does not depend on row order) while the cumulative cost stays within the ceiling.
``regional_quotas`` does the same within each region's share of the ceiling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from setara.kernels.groups import FloatArray, IntArray
from setara.programmes.errors import ProgrammeError
from setara.programmes.expressions import NUM, parse_expression

if TYPE_CHECKING:
    from setara.programmes.rules import Context
    from setara.programmes.spec import Programme

__all__ = ["fund_in_order", "ration"]


def fund_in_order(
    cost: FloatArray,
    score: FloatArray,
    keys: npt.NDArray[np.uint64],
    group: IntArray,
    budget: FloatArray,
) -> npt.NDArray[np.bool_]:
    """Which units are funded when each ``group`` funds its units by ascending ``score``
    (whole units, while the cumulative ``cost`` stays within ``budget[group]``)."""
    order = np.lexsort((keys, score, group))
    g = group[order]
    cum = np.cumsum(cost[order])
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
    before = np.repeat(np.r_[0.0, cum][starts], np.diff(np.r_[starts, g.size]))
    funded = np.empty(cost.size, dtype=bool)
    funded[order] = (cum - before) <= budget[g] * (1.0 + 1e-12)
    return funded


def ration(
    ctx: Context, programme: Programme, amount: FloatArray, keys: npt.NDArray[np.uint64]
) -> tuple[FloatArray, str]:
    """Amounts after rationing and a note saying whether the ceiling was binding."""
    budget = programme.budget
    if budget is None:
        return amount, ""
    pop = ctx.pop
    person_unit = programme.unit == "person"
    weight = pop.weight[pop.household] if person_unit else pop.weight
    cost = weight * amount
    total = float(cost.sum())
    if total <= budget.ceiling:
        return amount, ""
    n_before = int((amount > 0).sum())
    if budget.rationing == "pro_rata":
        factor = budget.ceiling / total
        return amount * factor, (
            f"{programme.id}: budget binding; every benefit scaled by {factor:.4f} "
            f"(cost {total:,.0f} > ceiling {budget.ceiling:,.0f})"
        )
    level = programme.unit
    score_expr = parse_expression(budget.score, where=f"programme {programme.id!r} budget score")
    score = np.asarray(ctx.evaluate(score_expr, level, NUM), dtype=np.float64)
    codes, labels = pop.region_codes()
    if person_unit:
        codes = codes[pop.household]
    if budget.rationing == "regional_quotas":
        shares = _quotas(budget.quotas, labels, codes, weight, amount, programme.id)
        budgets = shares * budget.ceiling
        group = codes
    else:
        budgets = np.array([budget.ceiling])
        group = np.zeros(amount.size, dtype=np.int64)
    receiving = amount > 0
    funded = fund_in_order(
        np.where(receiving, cost, 0.0), np.where(receiving, score, np.inf), keys, group, budgets
    )
    out = np.where(funded, amount, 0.0)
    return out, (
        f"{programme.id}: budget binding ({budget.rationing}); {int((out > 0).sum()):,} of "
        f"{n_before:,} units funded (cost {total:,.0f} > ceiling {budget.ceiling:,.0f})"
    )


def _quotas(
    quotas: object,
    labels: list[str],
    codes: IntArray,
    weight: FloatArray,
    amount: FloatArray,
    pid: str,
) -> FloatArray:
    if quotas:
        assigned = dict(quotas)  # type: ignore[call-overload]
        unknown = sorted(set(assigned) - set(labels))
        if unknown:
            raise ProgrammeError(
                f"programme {pid!r}: quotas name regions not in the data: {', '.join(unknown)}"
            )
        shares = np.array([float(assigned.get(lbl, 0.0)) for lbl in labels])
        if shares.sum() > 1.0 + 1e-9:
            raise ProgrammeError(f"programme {pid!r}: quotas sum to {shares.sum():.4f} > 1")
        return shares
    eligible = np.bincount(codes, weights=weight * (amount > 0), minlength=len(labels))
    return np.asarray(eligible / max(eligible.sum(), 1e-300))
