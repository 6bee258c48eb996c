"""Access measures: 2SFCA and E2SFCA on a case computed by hand, the vectorised kernels
against a plain double loop over the definition, and the spec parser's errors."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setara.access import (
    Pairs,
    access_values,
    build_cost,
    catchment_population,
    floating_catchment,
    parse_access_spec,
    provider_ratio,
    summarise,
)
from setara.errors import MeasureSpecError

# Three villages A, B, C (100, 200, 300 people), two facilities X (10 doctors), Y (5 doctors).
# Minutes: A-X 10, A-Y 50, B-X 25, B-Y 15, C-X 70, C-Y 28.
POP = np.array([100.0, 200.0, 300.0])
CAP = np.array([10.0, 5.0])
HAND = Pairs(
    np.array([0, 0, 1, 1, 2, 2]),
    np.array([0, 1, 0, 1, 0, 1]),
    np.array([10.0, 50.0, 25.0, 15.0, 70.0, 28.0]),
    3,
    2,
)


def test_2sfca_by_hand() -> None:
    # within 30 minutes: X serves A, B (300 people): R_X = 10/300; Y serves B, C (500): 5/500
    r_x, r_y = Fraction(10, 300), Fraction(5, 500)
    expected = [r_x, r_x + r_y, r_y]
    got = floating_catchment(HAND, POP, CAP, parse_access_spec("2sfca:30").weight())
    np.testing.assert_allclose(got, [float(v) for v in expected], rtol=1e-12)


def test_e2sfca_by_hand() -> None:
    # weights 1 up to 10 min, 0.68 up to 20, 0.22 up to 30: A-X 1, B-X 0.22, B-Y 0.68, C-Y 0.22
    w1, w2, w3 = Fraction(1), Fraction(68, 100), Fraction(22, 100)
    r_x = Fraction(10) / (100 * w1 + 200 * w3)  # = 10 / 144
    r_y = Fraction(5) / (200 * w2 + 300 * w3)  # = 5 / 202
    expected = [w1 * r_x, w3 * r_x + w2 * r_y, w3 * r_y]
    got = floating_catchment(
        HAND, POP, CAP, parse_access_spec("e2sfca:10=1,20=0.68,30=0.22").weight()
    )
    np.testing.assert_allclose(got, [float(v) for v in expected], rtol=1e-12)
    assert float(r_x) == pytest.approx(10 / 144) and float(r_y) == pytest.approx(5 / 202)


def _loop_fca(pairs: Pairs, pop: np.ndarray, cap: np.ndarray, weight) -> np.ndarray:
    """The definition written as loops (Luo and Wang 2003), for comparison only."""
    t = np.full((pairs.n_demand, pairs.n_facilities), np.inf)
    t[pairs.demand, pairs.facility] = pairs.minutes
    w = np.where(np.isfinite(t), weight(np.where(np.isfinite(t), t, 0.0)), 0.0)
    ratio = []
    for j in range(pairs.n_facilities):
        load = sum(w[i, j] * pop[i] for i in range(pairs.n_demand))
        ratio.append(cap[j] / load if load > 0 else 0.0)
    return np.array(
        [sum(w[i, j] * ratio[j] for j in range(pairs.n_facilities)) for i in range(pairs.n_demand)]
    )


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    spec=st.sampled_from(
        ["2sfca:40", "e2sfca:10=1,25=0.5,40=0.1", "gaussian:40", "gravity:1.5,60"]
    ),
)
def test_kernels_equal_the_loop_definition(seed: int, spec: str) -> None:
    rng = np.random.default_rng(seed)
    n, m = 12, 5
    d, f = np.meshgrid(np.arange(n), np.arange(m), indexing="ij")
    minutes = rng.uniform(0, 80, size=(n, m))
    keep = minutes <= 60  # pairs within the travel cut-off, as a cost would give them
    pairs = Pairs(d[keep], f[keep], minutes[keep], n, m)
    pop, cap = rng.integers(0, 500, n).astype(float), rng.integers(1, 9, m).astype(float)
    weight = parse_access_spec(spec).weight()
    np.testing.assert_allclose(
        floating_catchment(pairs, pop, cap, weight),
        _loop_fca(pairs, pop, cap, weight),
        rtol=1e-10,
        atol=1e-15,
    )


def test_gaussian_weight_is_one_at_zero_and_zero_at_the_threshold() -> None:
    w = parse_access_spec("gaussian:60").weight()
    np.testing.assert_allclose(w(np.array([0.0, 60.0, 61.0])), [1.0, 0.0, 0.0], atol=1e-12)
    gravity = parse_access_spec("gravity:2").weight()
    np.testing.assert_allclose(gravity(np.array([0.5, 10.0, 200.0])), [1.0, 0.01, 0.0])


def test_provider_ratio_and_catchments_by_hand() -> None:
    # within 30 min: A's nearest is X, B's nearest is Y (15 < 25), C's nearest is Y
    keep = HAND.minutes <= 30
    within_30 = Pairs(HAND.demand[keep], HAND.facility[keep], HAND.minutes[keep], 3, 2)
    ratio = provider_ratio(within_30, POP, CAP)
    # X serves A's 100 people with 10 doctors; Y serves B and C (500 people) with 5
    np.testing.assert_allclose(ratio, [1000 * 10 / 100, 1000 * 5 / 500, 1000 * 5 / 500])
    within, nearest = catchment_population(within_30, POP)
    np.testing.assert_array_equal(within, [300.0, 500.0])
    np.testing.assert_array_equal(nearest, [100.0, 500.0])


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("median", "unknown access measure"),
        ("coverage", "needs a value"),
        ("coverage:-5", "must be 0 or more"),
        ("e2sfca:20=1,10=0.5", "step minutes must increase"),
        ("e2sfca:10", "MINUTES=WEIGHT"),
        ("nearest:5", "takes no argument"),
        ("2sfca:abc", "is not a number"),
    ],
)
def test_bad_specs(spec: str, message: str) -> None:
    with pytest.raises(MeasureSpecError, match=message):
        parse_access_spec(spec)


def test_access_values_and_summaries_on_a_small_world() -> None:
    demand = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "lat": [0.0, 0.0, 0.0],
            "lon": [0.0, 0.5, 3.0],
            "population": [100.0, 300.0, 600.0],
            "urban": [True, False, False],
        }
    )
    facilities = pl.DataFrame(
        {
            "id": ["x", "y", "z"],
            "lat": [0.0] * 3,
            "lon": [0.1, 0.4, 0.2],
            "capacity": [1.0, 1.0, 1.0],
            "type": ["SD", "SD", "SMP"],
            "status": ["existing", "existing", "candidate"],
        }
    )
    cost = build_cost(demand, facilities, speed_kmh=60)  # 1 km per minute
    values = access_values(demand, facilities, cost, ["nearest", "coverage:30"])
    # the candidate z is ignored; a is 11.1 km from x, b 11.1 km from y, c 289 km from y
    np.testing.assert_allclose(values["nearest"], [11.1195, 11.1195, 289.1], rtol=1e-3)
    assert values["coverage:30"].to_list() == [1.0, 1.0, 0.0]
    summary = summarise(demand, values, by=["urban"]).filter(pl.col("measure") == "coverage:30")
    assert summary.select("urban", "value").rows() == [(False, 300 / 900), (True, 1.0)]
