"""Capacitated LSCP, p-median and p-centre against brute force: for every subset of candidates,
the best assignment of people to its open sites is a transport LP (solved here with
``scipy.optimize.linprog``, not with the siting model), and the best subset is taken."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from setara.access import site
from setara.errors import InputValueError
from tests.access.test_siting import CAND, OPEN, T, _instance, _open, _subsets


def _transport(
    minutes: np.ndarray,
    weight: np.ndarray,
    cap: np.ndarray,
    y: np.ndarray,
    t_max: float,
    need: np.ndarray,
    *,
    by_time: bool,
) -> float | None:
    """Least ``sum w_i t_ij x_ij`` (or 0 when ``by_time`` is False) over shares ``x_ij`` of the
    points ``need`` served by open sites within ``t_max``, each site within its capacity;
    ``None`` when no such assignment exists."""
    n = minutes.shape[0]
    d, f = np.nonzero((minutes <= t_max) & y[None, :] & need[:, None])
    if np.setdiff1d(np.flatnonzero(need), d).size:
        return None
    a_eq = np.zeros((n, d.size))
    a_eq[d, np.arange(d.size)] = 1.0
    a_cap = np.zeros((y.size, d.size))
    a_cap[f, np.arange(d.size)] = weight[d]
    c = weight[d] * minutes[d, f] if by_time else np.zeros(d.size)
    res = linprog(c, A_ub=a_cap, b_ub=cap, A_eq=a_eq[need], b_eq=np.ones(int(need.sum())),
                  bounds=(0, 1), method="highs")  # fmt: skip
    return float(res.fun) if res.status == 0 else None


def _capacities(seed: int) -> np.ndarray:
    return np.random.default_rng(seed + 7).integers(500, 3000, OPEN.size).astype(float)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 100_000))
def test_capacitated_lscp_equals_brute_force(seed: int) -> None:
    minutes, pairs, weight, cost = _instance(seed)
    cap = _capacities(seed)
    need = weight > 0
    feasible = [
        float(cost[list(s)].sum())
        for s in _subsets(5)
        if _transport(minutes, weight, cap, _open(s), T, need, by_time=False) is not None
    ]
    if not feasible:
        with pytest.raises(InputValueError):
            site(pairs, weight, model="lscp", is_open=OPEN, candidate=CAND, cost=cost,
                 capacity=cap)  # fmt: skip
        return
    plan = site(pairs, weight, model="lscp", is_open=OPEN, candidate=CAND, cost=cost, capacity=cap)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(min(feasible)) and plan.cost == pytest.approx(
        min(feasible)
    )
    chosen = _open(tuple(plan.chosen))
    assert _transport(minutes, weight, cap, chosen, T, need, by_time=False) is not None
    uncapacitated = site(pairs, weight, model="lscp", is_open=OPEN, candidate=CAND, cost=cost)
    assert plan.objective >= uncapacitated.objective - 1e-9  # capacities only cost more


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 100_000), p=st.integers(1, 3), t=st.sampled_from([30.0, 50.0]))
def test_capacitated_pmedian_and_pcentre_equal_brute_force(seed: int, p: int, t: float) -> None:
    minutes, pairs, weight, cost = _instance(seed, t)
    cap = _capacities(seed)
    everyone = np.ones(minutes.shape[0], dtype=bool)
    sizes = [s for s in _subsets(p) if len(s) == p]
    medians = [_transport(minutes, weight, cap, _open(s), t, everyone, by_time=True)
               for s in sizes]  # fmt: skip
    medians_found = [v for v in medians if v is not None]
    kwargs = {"is_open": OPEN, "candidate": CAND, "cost": cost, "p": p, "capacity": cap}
    if not medians_found:
        with pytest.raises(InputValueError):
            site(pairs, weight, model="pmedian", **kwargs)  # type: ignore[arg-type]
        return
    median = site(pairs, weight, model="pmedian", **kwargs)  # type: ignore[arg-type]
    assert median.status == "optimal" and len(median.chosen) == p
    assert median.objective == pytest.approx(min(medians_found), rel=1e-7)
    times = np.unique(minutes[minutes <= t])
    centres = []
    for s in sizes:  # the smallest longest time at which the open sites can serve everyone
        ok = [tau for tau in times
              if _transport(minutes, weight, cap, _open(s), tau, everyone, by_time=False)
              is not None]  # fmt: skip
        centres += ok[:1]
    centre = site(pairs, weight, model="pcenter", **kwargs)  # type: ignore[arg-type]
    assert centre.status == "optimal"
    assert centre.objective == pytest.approx(min(centres), rel=1e-7)


def test_capacity_binds_and_bad_capacity_is_refused() -> None:
    """Two villages of 600 people, one site each within reach of both: a site holding 700
    cannot take both, so p-median must open the second one and split nobody beyond 700."""
    from setara.access import Pairs

    minutes = np.array([[5.0, 20.0], [5.0, 20.0]])
    d, f = np.nonzero(minutes <= 30)
    pairs = Pairs(d, f, minutes[d, f], 2, 2)
    weight = np.array([600.0, 600.0])
    kwargs = {"is_open": np.array([True, False]), "candidate": np.array([False, True]),
              "cost": np.zeros(2), "p": 1}  # fmt: skip
    free = site(pairs, weight, model="pmedian", **kwargs)  # type: ignore[arg-type]
    assert free.objective == pytest.approx(1200 * 5.0)
    tight = site(pairs, weight, model="pmedian", capacity=np.array([700.0, 700.0]), **kwargs)  # type: ignore[arg-type]
    assert tight.objective == pytest.approx(700 * 5.0 + 500 * 20.0)
    with pytest.raises(InputValueError, match="capacity has 1 values that are negative"):
        site(pairs, weight, model="pmedian", capacity=np.array([700.0, -1.0]), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InputValueError, match="capacity has 3 values for 2 sites"):
        site(pairs, weight, model="pmedian", capacity=np.ones(3), **kwargs)  # type: ignore[arg-type]
