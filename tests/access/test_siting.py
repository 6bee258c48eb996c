"""Siting: every model's plan is checked against brute force over all candidate subsets on
small instances, so "optimal" is proven by enumeration, not only by HiGHS' word."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from setara.access import Pairs, site
from setara.errors import InputValueError

N, M, T = 14, 7, 30.0
OPEN = np.array([True, True, False, False, False, False, False])  # two existing sites
CAND = ~OPEN


def _instance(seed: int, t: float = T) -> tuple[np.ndarray, Pairs, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    minutes = rng.uniform(1, 60, size=(N, M))
    weight = rng.integers(0, 1000, N).astype(float)
    cost = np.where(OPEN, 0.0, rng.integers(1, 10, M) * 100.0)
    d, f = np.nonzero(minutes <= t)
    return minutes, Pairs(d, f, minutes[d, f], N, M), weight, cost


def _subsets(k_max: int) -> list[tuple[int, ...]]:
    cands = np.flatnonzero(CAND).tolist()
    return [s for k in range(k_max + 1) for s in combinations(cands, k)]


def _open(subset: tuple[int, ...]) -> np.ndarray:
    y = OPEN.copy()
    y[list(subset)] = True
    return y


def _covered(minutes: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (minutes[:, y] <= T).any(axis=1)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), p=st.integers(1, 3))
def test_mclp_equals_brute_force(seed: int, p: int) -> None:
    minutes, pairs, weight, cost = _instance(seed)
    best = max(weight[_covered(minutes, _open(s))].sum() for s in _subsets(p))
    plan = site(pairs, weight, model="mclp", is_open=OPEN, candidate=CAND, cost=cost, p=p)
    assert plan.status == "optimal" and plan.gap <= 1e-6
    assert plan.objective == pytest.approx(best)
    assert weight[_covered(minutes, _open(tuple(plan.chosen)))].sum() == pytest.approx(best)
    budget = 1000.0
    affordable = [s for s in _subsets(5) if cost[list(s)].sum() <= budget]
    best_b = max(weight[_covered(minutes, _open(s))].sum() for s in affordable)
    plan_b = site(
        pairs, weight, model="mclp", is_open=OPEN, candidate=CAND, cost=cost, budget=budget
    )
    assert plan_b.objective == pytest.approx(best_b) and plan_b.cost <= budget


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_lscp_equals_brute_force(seed: int) -> None:
    minutes, pairs, weight, cost = _instance(seed)
    need = weight > 0
    full = _covered(minutes, np.ones(M, dtype=bool))
    if not full[need].all():
        with pytest.raises(InputValueError, match="beyond reach of every site"):
            site(pairs, weight, model="lscp", is_open=OPEN, candidate=CAND, cost=cost)
        return
    feasible = [s for s in _subsets(5) if _covered(minutes, _open(s))[need].all()]
    best = min(cost[list(s)].sum() for s in feasible)
    plan = site(pairs, weight, model="lscp", is_open=OPEN, candidate=CAND, cost=cost)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(best) and plan.cost == pytest.approx(best)
    assert plan.covered_after[need].all()


def _assignment(minutes: np.ndarray, y: np.ndarray, t: float) -> np.ndarray:
    reach = np.where((minutes <= t) & y[None, :], minutes, np.inf)
    return reach.min(axis=1)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), p=st.integers(1, 3), t=st.sampled_from([30.0, 50.0]))
def test_pmedian_and_pcentre_equal_brute_force(seed: int, p: int, t: float) -> None:
    minutes, pairs, weight, cost = _instance(seed, t)
    nearest = [_assignment(minutes, _open(s), t) for s in _subsets(p) if len(s) == p]
    feasible = [t for t in nearest if np.isfinite(t).all()]
    if not feasible:
        with pytest.raises(InputValueError):
            site(pairs, weight, model="pmedian", is_open=OPEN, candidate=CAND, cost=cost, p=p)
        return
    median = site(pairs, weight, model="pmedian", is_open=OPEN, candidate=CAND, cost=cost, p=p)
    assert median.status == "optimal" and len(median.chosen) == p
    assert median.objective == pytest.approx(
        min(float((weight * t).sum()) for t in feasible), rel=1e-7
    )
    centre = site(pairs, weight, model="pcenter", is_open=OPEN, candidate=CAND, cost=cost, p=p)
    assert centre.status == "optimal"
    assert centre.objective == pytest.approx(min(float(t.max()) for t in feasible), rel=1e-7)


def _capacitated_best(
    minutes: np.ndarray, weight: np.ndarray, cap: np.ndarray, y: np.ndarray
) -> float:
    """Most people served by the open sites with capacities: a transport LP."""
    d, f = np.nonzero((minutes <= T) & y[None, :])
    if d.size == 0:
        return 0.0
    a_dem = np.zeros((N, d.size))
    a_dem[d, np.arange(d.size)] = 1.0
    a_cap = np.zeros((M, d.size))
    a_cap[f, np.arange(d.size)] = weight[d]
    res = linprog(
        -weight[d],
        A_ub=np.vstack([a_dem, a_cap]),
        b_ub=np.r_[np.ones(N), cap],
        bounds=(0, 1),
        method="highs",
    )
    return float(-res.fun)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_capacitated_mclp_equals_brute_force(seed: int) -> None:
    minutes, pairs, weight, cost = _instance(seed)
    cap = np.random.default_rng(seed + 1).integers(200, 2000, M).astype(float)
    best = max(_capacitated_best(minutes, weight, cap, _open(s)) for s in _subsets(2))
    plan = site(
        pairs, weight, model="mclp", is_open=OPEN, candidate=CAND, cost=cost, p=2, capacity=cap
    )
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(best, rel=1e-7)
    assert plan.objective <= cap[_open(tuple(plan.chosen))].sum() + 1e-6


def test_bad_siting_arguments() -> None:
    _, pairs, weight, cost = _instance(1)
    with pytest.raises(InputValueError, match="needs p, the number of new sites"):
        site(pairs, weight, model="pmedian", is_open=OPEN, candidate=CAND, cost=cost)
    with pytest.raises(InputValueError, match="p = 9 new sites, but there are 5 candidates"):
        site(pairs, weight, model="mclp", is_open=OPEN, candidate=CAND, cost=cost, p=9)
    with pytest.raises(InputValueError, match="unknown siting model"):
        site(pairs, weight, model="greedy", is_open=OPEN, candidate=CAND, cost=cost, p=1)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), p=st.integers(1, 3), with_budget=st.booleans())
def test_lagrangian_bound_and_plan_bracket_the_optimum(
    seed: int, p: int, with_budget: bool
) -> None:
    from setara.access.lagrange import mclp_lagrangian

    minutes, pairs, weight, cost = _instance(seed)
    budget = 900.0 if with_budget else None
    allowed = [s for s in _subsets(p) if budget is None or cost[list(s)].sum() <= budget]
    best = max(weight[_covered(minutes, _open(s))].sum() for s in allowed)
    y, value, upper = mclp_lagrangian(
        pairs, weight, is_open=OPEN, candidate=CAND, cost=cost, p=p, budget=budget
    )
    assert value <= best + 1e-9 <= upper + 2e-9
    assert value == pytest.approx(weight[_covered(minutes, y)].sum())
    assert (y & CAND).sum() <= p and (budget is None or cost[y & CAND].sum() <= budget)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), p=st.integers(1, 3), with_budget=st.booleans())
def test_mclp_milp_alone_equals_brute_force(seed: int, p: int, with_budget: bool) -> None:
    """The HiGHS model (demand points grouped by their candidate sets) on its own: the
    Lagrangian step is replaced by one that proves nothing, so HiGHS must find the optimum."""
    from unittest import mock

    minutes, pairs, weight, cost = _instance(seed)
    budget = 900.0 if with_budget else None
    allowed = [s for s in _subsets(p) if budget is None or cost[list(s)].sum() <= budget]
    best = max(weight[_covered(minutes, _open(s))].sum() for s in allowed)

    def nothing(pairs: Pairs, weight: np.ndarray, **kw: object) -> tuple[np.ndarray, float, float]:
        return OPEN.copy(), float(weight[_covered(minutes, OPEN)].sum()), np.inf

    with mock.patch("setara.access.siting.mclp_lagrangian", nothing):
        plan = site(
            pairs, weight, model="mclp", is_open=OPEN, candidate=CAND, cost=cost, p=p, budget=budget
        )
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(best) and plan.bound == pytest.approx(best)
    assert weight[_covered(minutes, _open(tuple(plan.chosen)))].sum() == pytest.approx(best)
