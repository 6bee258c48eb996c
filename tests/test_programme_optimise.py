"""Optimal allocations are optimal: every solver of :mod:`setara.programmes.optimise` against
brute force (all subsets of whole units, all vertices of the LP), an independent KKT check and a
general-purpose solver, on a 45-person toy economy with two poverty lines."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import minimize

from setara.programmes.optimise import fgt, optimal_allocation
from setara.programmes.solvers import greedy_knapsack

# 15 households, 45 persons; rural line 20, urban line 26 (per capita); weights 1 and 2
WELFARE = np.array([6.0, 9, 12, 14, 16, 17, 19, 21, 22, 24, 25, 30, 35, 40, 55])
LINE = np.array([20.0, 26, 20, 26, 20, 26, 20, 26, 20, 26, 20, 26, 20, 26, 20])
MEMBERS = np.array([5.0, 4, 3, 6, 2, 3, 4, 1, 3, 2, 2, 4, 3, 2, 1])
WEIGHTS = np.array([1.0, 1, 2, 1, 1, 2, 1, 1, 1, 2, 1, 1, 1, 1, 1])
BUDGET = 90.0  # total per period; closing every gap costs 337
# HiGHS solves to 1e-9 relative (mip_rel_gap, LP tolerances); float sums of 15 terms
CLOSE = 1e-7
KW = {"weights": WEIGHTS, "members": MEMBERS}
PERSONS = WEIGHTS * MEMBERS


def poor_units() -> np.ndarray:
    return np.flatnonzero(WELFARE < LINE)


def test_toy_is_what_the_docstring_says() -> None:
    assert MEMBERS.sum() == 45 and poor_units().size == 9
    assert (WEIGHTS * np.maximum(LINE - WELFARE, 0) * MEMBERS).sum() == pytest.approx(337.0)


def all_subsets(cost: np.ndarray) -> np.ndarray:
    """Every 0/1 choice of len(cost) units, one row each."""
    return np.array(list(itertools.product([0.0, 1.0], repeat=cost.size)))


@pytest.mark.parametrize("budget", [0.0, 10.0, 45.0, BUDGET, 170.0, 400.0])
def test_fgt0_equals_brute_force_over_all_subsets(budget: float) -> None:
    units = poor_units()
    cost = (WEIGHTS * (LINE - WELFARE) * MEMBERS)[units]
    subsets = all_subsets(cost)
    fits = subsets @ cost <= budget + 1e-9
    lifted = (subsets[fits] @ PERSONS[units]).max()
    brute = (PERSONS[units].sum() - lifted) / PERSONS.sum()
    best = optimal_allocation(WELFARE, LINE, budget, objective="fgt0", **KW)
    assert best.status == "optimal"
    assert best.after == pytest.approx(brute, abs=CLOSE)
    assert best.bound == pytest.approx(brute, abs=CLOSE) and best.gap < CLOSE
    assert best.spent <= budget + 1e-9
    assert fgt(WELFARE + best.amount / MEMBERS, LINE, 0.0, PERSONS) == pytest.approx(best.after)
    heuristic = optimal_allocation(WELFARE, LINE, budget, objective="fgt0", heuristic=True, **KW)
    assert heuristic.status == "heuristic" and heuristic.after >= brute - CLOSE
    assert heuristic.bound <= brute + CLOSE  # Dantzig's bound is a bound


@pytest.mark.parametrize("budget", [25.0, 60.0, BUDGET, 130.0])
def test_coverage_equals_brute_force_over_all_subsets(budget: float) -> None:
    units = poor_units()
    cost = WEIGHTS[units] * 12.0
    subsets = all_subsets(cost)
    fits = subsets @ cost <= budget + 1e-9
    brute = 1.0 - (subsets[fits] @ PERSONS[units]).max() / PERSONS[units].sum()
    best = optimal_allocation(WELFARE, LINE, budget, objective="coverage", benefit=12.0, **KW)
    assert best.status == "optimal" and best.after == pytest.approx(brute, abs=CLOSE)
    assert best.spent <= budget + 1e-9


def lp_vertices_fgt1(budget: float) -> float:
    """Brute force of the FGT1 LP: its optimum is at a vertex, where every unit but at most one
    gets 0 or its whole gap; enumerate them all."""
    units = poor_units()
    room = ((LINE - WELFARE) * MEMBERS)[units]
    cost = WEIGHTS[units] * room
    gain = (PERSONS[units] * room / MEMBERS[units] / LINE[units]) / PERSONS.sum()
    best = 0.0
    for choice in all_subsets(cost):
        spent = choice @ cost
        if spent > budget + 1e-9:
            continue
        value = choice @ gain
        for j in np.flatnonzero(choice == 0):  # one unit takes what is left
            value_j = value + gain[j] * min(1.0, (budget - spent) / cost[j])
            best = max(best, value_j)
        best = max(best, value)
    return fgt(WELFARE, LINE, 1.0, PERSONS) - best


@pytest.mark.parametrize("budget", [10.0, BUDGET, 200.0, 300.0])
def test_fgt1_equals_every_vertex_of_the_lp(budget: float) -> None:
    best = optimal_allocation(WELFARE, LINE, budget, objective="fgt1", **KW)
    assert best.status == "optimal"
    assert best.after == pytest.approx(lp_vertices_fgt1(budget), abs=CLOSE)
    assert best.after - best.bound < CLOSE and best.spent <= budget * (1 + 1e-9)


def kkt_violation(amount: np.ndarray, budget: float) -> float:
    """Largest violation of the FGT2 optimality (KKT) conditions: the marginal fall of FGT2 per
    unit spent, 2 gap / z^2 per capita, is equal across units strictly inside their room,
    no higher for unfunded units and no lower for units at their whole gap."""
    gap_after = np.maximum(LINE - WELFARE - amount / MEMBERS, 0.0)
    marginal = gap_after / LINE**2
    room = np.maximum(LINE - WELFARE, 0.0) * MEMBERS
    inside = (amount > 1e-9) & (amount < room - 1e-9)
    zero = (amount <= 1e-9) & (room > 0)
    full = (amount >= room - 1e-9) & (room > 0)
    level = marginal[inside].mean()
    violations = [np.abs(marginal[inside] - level).max()]
    if zero.any():
        violations.append(max(marginal[zero].max() - level, 0.0))
    if full.any():
        violations.append(max(level - marginal[full].min(), 0.0))
    violations.append(abs(float((WEIGHTS * amount).sum()) - budget) / budget)
    return float(max(violations))


@pytest.mark.parametrize("budget", [10.0, BUDGET, 200.0])
def test_fgt2_meets_kkt_and_a_general_solver(budget: float) -> None:
    best = optimal_allocation(WELFARE, LINE, budget, objective="fgt2", **KW)
    assert best.status == "optimal" and best.after - best.bound < CLOSE
    assert kkt_violation(best.amount, budget) < 1e-9
    units = poor_units()
    room = ((LINE - WELFARE) * MEMBERS)[units]

    def objective(b: np.ndarray) -> float:
        amount = np.zeros(WELFARE.size)
        amount[units] = b
        return fgt(WELFARE + amount / MEMBERS, LINE, 2.0, PERSONS)

    found = minimize(
        objective,
        np.zeros(units.size),
        method="SLSQP",
        bounds=list(zip(np.zeros(units.size), room, strict=True)),
        constraints=[{"type": "ineq", "fun": lambda b: budget - WEIGHTS[units] @ b}],
        options={"ftol": 1e-14, "maxiter": 1000},
    )
    assert found.success
    assert best.after <= found.fun + 1e-9  # nothing a general solver finds is better
    assert best.after == pytest.approx(found.fun, abs=1e-7)


def test_fgt2_with_one_line_per_unit_beats_a_common_level() -> None:
    """With two lines the common welfare level of the old rule is not optimal."""
    best = optimal_allocation(WELFARE, LINE, BUDGET, objective="fgt2", **KW)
    level = optimal_allocation(WELFARE, LINE, BUDGET, objective="fgt2", heuristic=True, **KW)
    assert level.status == "heuristic" and level.after > best.after + 1e-5
    assert level.gap > 0 and best.gap < CLOSE


def test_fgt2_on_a_fine_grid_of_three_units() -> None:
    """Two budgets split over three poor units on a 1/400 grid: none beats the KKT solution."""
    y, z, m = np.array([5.0, 12, 18]), np.array([20.0, 26, 20]), np.array([2.0, 3, 1])
    budget = 30.0
    best = optimal_allocation(y, z, budget, objective="fgt2", members=m)
    steps = np.linspace(0, 1, 401)
    a, b = np.meshgrid(steps * budget, steps * budget, indexing="ij")
    c = budget - a - b
    ok = c >= 0
    amounts = np.stack([a[ok], b[ok], c[ok]], axis=1)
    after = y + np.minimum(amounts, (z - y) * m) / m
    gaps = np.maximum(z - after, 0) / z
    grid = ((m * gaps**2).sum(axis=1) / m.sum()).min()
    assert best.after <= grid + 1e-12
    assert best.after == pytest.approx(grid, abs=1e-5)


def test_greedy_continues_past_a_unit_that_does_not_fit() -> None:
    value = np.array([10.0, 9.0, 1.0])
    cost = np.array([5.0, 6.0, 1.0])  # the second no longer fits, the third does
    choice, bound = greedy_knapsack(value, cost, 7.0)
    np.testing.assert_array_equal(choice, [1.0, 0.0, 1.0])
    assert bound == pytest.approx(10 + 9 * 2 / 6)
