"""MCLP solved island by island (:mod:`setara.access.decompose`) against brute force over every
subset of candidates, on archipelagos of three to four islands with no site reaching across."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setara.access import Pairs, site
from setara.access.decompose import coverage_classes, mclp_by_components

T = 30.0


def _archipelago(seed: int, islands: int) -> tuple[np.ndarray, Pairs, np.ndarray, np.ndarray]:
    """``islands`` groups of 6 villages and 4 sites, 1,000 minutes apart between groups."""
    rng = np.random.default_rng(seed)
    n, m = 6 * islands, 4 * islands
    minutes = rng.uniform(1, 60, size=(n, m))
    minutes[np.arange(n)[:, None] // 6 != np.arange(m)[None, :] // 4] = 1000.0
    weight = rng.integers(0, 1000, n).astype(float)
    d, f = np.nonzero(minutes <= T)
    return minutes, Pairs(d, f, minutes[d, f], n, m), weight, np.zeros(m)


def _best(minutes: np.ndarray, weight: np.ndarray, is_open: np.ndarray, p: int) -> float:
    cands = np.flatnonzero(~is_open).tolist()
    best = 0.0
    for k in range(p + 1):
        for s in combinations(cands, k):
            y = is_open.copy()
            y[list(s)] = True
            best = max(best, float(weight[(minutes[:, y] <= T).any(axis=1)].sum()))
    return best


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 100_000), islands=st.integers(3, 4), p=st.integers(1, 5))
def test_components_equal_brute_force(seed: int, islands: int, p: int) -> None:
    minutes, pairs, weight, cost = _archipelago(seed, islands)
    m = pairs.n_facilities
    is_open = np.zeros(m, dtype=bool)
    is_open[0] = True  # one existing site on the first island
    best = _best(minutes, weight, is_open, p)
    new = ~is_open
    before = (minutes[:, is_open] <= T).any(axis=1)
    row, f, class_weight = coverage_classes(pairs, weight, new, before)
    plan = mclp_by_components(row, f, class_weight, m, p)
    anyway = float(weight[before].sum())
    assert plan.proven
    assert anyway + plan.value == pytest.approx(best)
    assert anyway + plan.bound == pytest.approx(best, rel=1e-6)
    assert plan.chosen.sum() <= p and not (plan.chosen & is_open).any()
    covered = (minutes[:, plan.chosen | is_open] <= T).any(axis=1)
    assert float(weight[covered].sum()) == pytest.approx(best)
    through_site = site(pairs, weight, model="mclp", is_open=is_open, candidate=new, cost=cost, p=p)
    assert through_site.status == "optimal"
    assert through_site.objective == pytest.approx(best)


def test_out_of_time_is_feasible_with_a_valid_bound() -> None:
    """With no time the greedy plans stand: the value is a real plan's, the bound is above
    the optimum, and nothing is called proven unless the two meet."""
    minutes, pairs, weight, _ = _archipelago(11, 4)
    m = pairs.n_facilities
    no_open = np.zeros(m, dtype=bool)
    best = _best(minutes, weight, no_open, 4)
    row, f, class_weight = coverage_classes(
        pairs, weight, ~no_open, np.zeros(pairs.n_demand, dtype=bool)
    )
    plan = mclp_by_components(row, f, class_weight, m, 4, time_limit=0.0)
    covered = (minutes[:, plan.chosen] <= T).any(axis=1)
    assert plan.value == pytest.approx(float(weight[covered].sum()))
    assert plan.value <= best + 1e-9 <= plan.bound + 1e-6 * best
    assert plan.proven == (plan.bound - plan.value <= 1e-6 * plan.value)
    assert plan.n_mip == 0
