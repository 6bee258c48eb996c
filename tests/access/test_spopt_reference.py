"""Setara's siting models reproduce spopt's documented optima on spopt's own test instance.

The instance (``tests/data/access/spopt``, README there) is spopt's San Francisco network
distance matrix: 205 census tracts, 16 candidate stores, POP2000 weights, service distance
5,000 m, p = 4. spopt's tests assert two numbers on it (``expected.csv``): MCLP leaves 21 tracts
uncovered (89.756 % covered) and the p-median mean distance is 2982.1268579890657 m. For LSCP and
p-centre spopt asserts only "Optimal", so the reference there is enumeration of every store
subset. Units are metres, passed where Setara expects minutes: the models only compare costs.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from setara.access import Pairs, site
from setara.errors import InputValueError

DATA = Path(__file__).parent.parent / "data" / "access" / "spopt"
SERVICE = 5000.0  # metres, spopt's service_dist
P = 4  # spopt's p_facility

# spopt asserts the mean distance with ==; ours is recomputed from the chosen stores and may sum
# the 205 terms in another order: float64 rounding of a ~3e9 total, so 1e-12 relative.
MEAN_REL = 1e-12
# HiGHS' objective is its own float sum over 3,280 assignment variables that are integral only
# to its feasibility tolerance (1e-7 absolute per variable): 1e-9 relative.
SOLVER_REL = 1e-9


def _load() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Cost matrix (tracts x stores, both in spopt's lexical order) and tract weights."""
    raw = pl.read_csv(
        DATA / "SF_network_distance_candidateStore_16_censusTract_205_new.csv",
        schema_overrides={"DestinationName": pl.Utf8},
    )
    stores = sorted(raw["name"].unique().to_list())
    wide = raw.pivot(values="distance", index="DestinationName", on="name").sort("DestinationName")
    weight = (
        raw.group_by("DestinationName")
        .agg(pl.col("demand").first(), pl.col("demand").n_unique().alias("k"))
        .sort("DestinationName")
    )
    assert (weight["k"] == 1).all()
    return wide.select(stores).to_numpy(), weight["demand"].to_numpy().astype(float), stores


COST, WEIGHT, STORES = _load()
N, M = COST.shape
SHUT = np.zeros(M, dtype=bool)
CAND = np.ones(M, dtype=bool)
FREE = np.zeros(M)
EXPECTED = {
    (r["model"], r["quantity"]): float(r["value"])
    for r in pl.read_csv(DATA / "expected.csv").iter_rows(named=True)
}
PLANS = np.array(list(combinations(range(M), P)))  # all 1,820 four-store plans


def _pairs(limit: float) -> Pairs:
    d, f = np.nonzero(np.less_equal(COST, limit))
    return Pairs(d, f, COST[d, f], N, M)


def _run(model: str, limit: float, **kw: int) -> tuple[np.ndarray, float]:
    plan = site(_pairs(limit), WEIGHT, model=model, is_open=SHUT, candidate=CAND, cost=FREE, **kw)
    assert plan.status == "optimal" and plan.gap <= 1e-6
    return np.sort(plan.chosen), plan.objective


def test_instance_shape() -> None:
    assert COST.shape == (205, 16) and np.isfinite(COST).all()
    assert STORES[:3] == ["Store_1", "Store_11", "Store_12"]  # spopt's pivot column order
    assert WEIGHT.sum() == 955_113  # POP2000 of the 205 tracts


def test_mclp_matches_spopt() -> None:
    chosen, objective = _run("mclp", SERVICE, p=P)
    covered = (COST[:, chosen] <= SERVICE).any(axis=1)
    assert chosen.size == P
    assert int((~covered).sum()) == EXPECTED[("mclp", "n_cli_uncov")]
    assert 100 * covered.mean() == pytest.approx(EXPECTED[("mclp", "perc_cov")], rel=MEAN_REL)
    assert objective == WEIGHT[covered].sum()
    # spopt records no sites: the plan is an optimum if no four-store plan covers more people
    best = max(WEIGHT[(COST[:, s] <= SERVICE).any(axis=1)].sum() for s in PLANS)
    assert objective == best


def test_pmedian_matches_spopt() -> None:
    chosen, objective = _run("pmedian", np.inf, p=P)
    total = float((WEIGHT * COST[:, chosen].min(axis=1)).sum())
    mean = total / WEIGHT.sum()
    assert mean == pytest.approx(EXPECTED[("pmedian", "mean_dist")], rel=MEAN_REL)
    assert objective == pytest.approx(total, rel=SOLVER_REL)
    by_plan = (WEIGHT[:, None] * COST[:, PLANS].min(axis=2)).sum(axis=0)
    assert total == pytest.approx(by_plan.min(), rel=MEAN_REL)


def test_pcenter_equals_enumeration() -> None:
    chosen, objective = _run("pcenter", np.inf, p=P)
    worst = COST[:, chosen].min(axis=1).max()
    assert objective == pytest.approx(worst, rel=SOLVER_REL)
    assert worst == COST[:, PLANS].min(axis=2).max(axis=0).min()


def test_lscp_equals_enumeration() -> None:
    chosen, objective = _run("lscp", SERVICE)
    assert (COST[:, chosen] <= SERVICE).any(axis=1).all()
    assert objective == chosen.size
    # every subset as a 16-bit mask; a subset covers tract i when it meets tract i's mask
    reach = ((COST <= SERVICE) * (1 << np.arange(M))).sum(axis=1)
    subsets = np.arange(1 << M)
    covers = ((subsets[:, None] & reach[None, :]) != 0).all(axis=1)
    sizes = np.array([bin(s).count("1") for s in subsets[covers]])
    assert chosen.size == sizes.min()


@pytest.mark.parametrize(
    ("model", "limit", "kw", "message"),
    [
        ("lscp", 20.0, {}, "beyond reach"),  # spopt: LSCP at 20 m is infeasible
        ("mclp", SERVICE, {"p": 1000}, "16 candidates"),  # spopt: MCLP with p = 1,000
        ("pmedian", np.inf, {"p": 0}, "no feasible plan"),  # spopt: p-median with p = 0
        ("pcenter", np.inf, {"p": 0}, "no feasible plan"),  # spopt: p-centre with p = 0
    ],
)
def test_infeasible_cases_are_refused(
    model: str, limit: float, kw: dict[str, int], message: str
) -> None:
    with pytest.raises(InputValueError, match=message):
        site(_pairs(limit), WEIGHT, model=model, is_open=SHUT, candidate=CAND, cost=FREE, **kw)
