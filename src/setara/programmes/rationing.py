"""Rationing under a budget ceiling: poorest first, pro rata, or regional quotas.

Costs are population totals (weight x yearly amount). Under ``poorest_first`` units are funded
whole in order of the budget's ``score`` (lowest first; ties broken by the hashed unit id, so
the result does not depend on row order). With ``fill: next_that_fits`` (the default) a unit
that no longer fits in what is left is passed over and the next one that fits is funded, so no
eligible unit that the remaining budget could pay is left out; ``fill: stop_at_first`` stops at
the first unit that does not fit. ``regional_quotas`` does the same within each region's share
of the ceiling. Every rationed outcome says what it leaves: the unspent budget and the eligible
units (weighted and in the sample) left unfunded (:class:`Rationed`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from setara.kernels.groups import FloatArray, IntArray
from setara.programmes.errors import ProgrammeError
from setara.programmes.expressions import NUM, parse_expression

if TYPE_CHECKING:
    from setara.programmes.rules import Context
    from setara.programmes.spec import Programme

__all__ = ["FILLS", "Rationed", "fund_in_order", "ration"]

FILLS = ("next_that_fits", "stop_at_first")
SLACK = 1.0 + 1e-12  # a cumulative cost equal to the budget up to rounding fits


@dataclass(frozen=True)
class Rationed:
    """What a binding ceiling left: yearly budget ``unspent`` (population total), eligible
    units left unfunded (``unfunded`` weighted, ``unfunded_sample`` in the data) and the
    smallest cost of one of them (``cheapest_unfunded``, population total; ``nan`` if none)."""

    ceiling: float
    unspent: float
    unfunded: float
    unfunded_sample: int
    cheapest_unfunded: float


def fund_in_order(
    cost: FloatArray,
    score: FloatArray,
    keys: npt.NDArray[np.uint64],
    group: IntArray,
    budget: FloatArray,
    *,
    fill: str = "next_that_fits",
) -> npt.NDArray[np.bool_]:
    """Which units are funded when each ``group`` funds its units by ascending ``score``
    (whole units within ``budget[group]``): up to the first that does not fit
    (``fill="stop_at_first"``) or passing over those that do not fit (``"next_that_fits"``).

    The second is computed in passes, each vectorised over all groups: units that cost more
    than their group has left are dropped for good (what is left only shrinks), the prefix
    that fits is funded, and the first unit past it is dropped."""
    order = np.lexsort((keys, score, group))
    funded = np.zeros(cost.size, dtype=bool)
    left = np.asarray(budget, dtype=np.float64).copy()
    while order.size:
        if fill == "next_that_fits":
            order = order[cost[order] <= left[group[order]] * SLACK]
            if not order.size:
                break
        g = group[order]
        cum = np.cumsum(cost[order])
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]])
        counts = np.diff(np.r_[starts, g.size])
        before = np.repeat(np.r_[0.0, cum][starts], counts)
        fits = (cum - before) <= left[g] * SLACK
        funded[order[fits]] = True
        if fill != "next_that_fits":
            break
        np.subtract.at(left, g[fits], cost[order[fits]])
        # the first unit that does not fit in each group will not fit later either
        rank = np.arange(g.size) - np.repeat(starts, counts)
        n_fit = np.bincount(g[fits], minlength=left.size)
        order = order[~fits & (rank != n_fit[g])]
    return funded


def ration(
    ctx: Context, programme: Programme, amount: FloatArray, keys: npt.NDArray[np.uint64]
) -> tuple[FloatArray, str, Rationed | None]:
    """Amounts after rationing, a note saying whether the ceiling was binding, and what it
    left (``None`` when the ceiling was not binding)."""
    budget = programme.budget
    if budget is None:
        return amount, "", None
    pop = ctx.pop
    person_unit = programme.unit == "person"
    weight = pop.weight[pop.household] if person_unit else pop.weight
    cost = weight * amount
    total = float(cost.sum())
    if total <= budget.ceiling:
        return amount, "", None
    n_before = int((amount > 0).sum())
    if budget.rationing == "pro_rata":
        factor = budget.ceiling / total
        return (
            amount * factor,
            (
                f"{programme.id}: budget binding; every benefit scaled by {factor:.4f} "
                f"(cost {total:,.0f} > ceiling {budget.ceiling:,.0f})"
            ),
            Rationed(budget.ceiling, 0.0, 0.0, 0, float("nan")),
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
        np.where(receiving, cost, 0.0), np.where(receiving, score, np.inf), keys, group, budgets,
        fill=budget.fill,
    )  # fmt: skip
    out = np.where(funded, amount, 0.0)
    left_out = receiving & ~funded
    report = Rationed(
        ceiling=budget.ceiling,
        unspent=budget.ceiling - float((weight * out).sum()),
        unfunded=float(weight[left_out].sum()),
        unfunded_sample=int(left_out.sum()),
        cheapest_unfunded=float(cost[left_out].min()) if left_out.any() else float("nan"),
    )
    rule = "passing over units that do not fit" if budget.fill == "next_that_fits" else (
        "stopping at the first unit that does not fit")  # fmt: skip
    return (
        out,
        (
            f"{programme.id}: budget binding ({budget.rationing}, {rule}); "
            f"{int((out > 0).sum()):,} of {n_before:,} units funded (cost {total:,.0f} > ceiling "
            f"{budget.ceiling:,.0f}); {report.unspent:,.0f} of the ceiling unspent, "
            f"{report.unfunded:,.0f} eligible units ({report.unfunded_sample:,} in the data) "
            "unfunded"
        ),
        report,
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
