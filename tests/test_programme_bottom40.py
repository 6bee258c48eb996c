"""One definition of the bottom 40 % and of deciles: ``simulate``'s deciles, ``target``'s bottom
share and the engine's weighted quantile (R survey's ``qrule="math"``) agree, including the
household whose weight straddles a cut and households tied at it."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.programmes import Population, read_programmes, simulate
from setara.programmes.population import quantile_groups
from setara.programmes.targeting import bottom_share


def engine_quantile(welfare: np.ndarray, weights: np.ndarray, p: float) -> float:
    frame = pl.DataFrame({"y": welfare, "w": weights})
    design = setara.survey_design(frame, weight="w")
    result = setara.estimate(frame, design, welfare="y", measures=[f"quantile:p={p}"])
    return float(result.to_polars()["estimate"][0])


@pytest.mark.parametrize("seed", range(4))
def test_deciles_and_bottom_40_follow_the_engine_quantiles(seed: int) -> None:
    rng = np.random.default_rng(seed)
    welfare = rng.integers(1, 60, 400).astype(float)  # many ties
    weights = rng.choice([1.0, 2.5, 7.0], 400)
    deciles = quantile_groups(welfare, weights, 10)
    for k in range(1, 10):
        q = engine_quantile(welfare, weights, k / 10)
        np.testing.assert_array_equal(deciles <= k, welfare <= q)
    np.testing.assert_array_equal(bottom_share(welfare, 0.4, weights), deciles <= 4)


def test_the_straddling_household_is_in_the_bottom_40_whole() -> None:
    # cumulative weights 3, 6, 9 of 20: the third household spans 30-45 %, across the 40 % cut
    welfare = np.array([10.0, 20, 30, 40, 50])
    weights = np.array([3.0, 3, 3, 5, 6])
    assert engine_quantile(welfare, weights, 0.4) == 30.0
    np.testing.assert_array_equal(bottom_share(welfare, 0.4, weights), [1, 1, 1, 0, 0])
    # shares below: 0, 15, 30, 45, 70 %: each household is in the decile its lowest point is in
    np.testing.assert_array_equal(quantile_groups(welfare, weights, 10), [1, 2, 4, 5, 8])


def test_simulate_cgh_and_target_use_the_same_bottom_40() -> None:
    """A programme paying exactly the bottom 40 % (as ``target`` selects it) has all of its
    spending in ``simulate``'s bottom 40 %: CGH = 1 / 0.4."""
    welfare = [10.0, 20, 30, 40, 50]
    frame = pl.DataFrame({"hh_id": range(1, 6), "welfare": welfare, "w": [3.0, 3, 3, 5, 6]})
    pop = Population.from_frame(frame, household="hh_id", welfare="welfare", poverty_line=35.0,
                                design={"weight": "w"}, region=None, person_id=None)  # fmt: skip
    chosen = bottom_share(pop.welfare, 0.4, pop.person_weight)
    spec = [{"id": "b40", "eligibility": "welfare_decile <= 4",
             "benefit": {"type": "flat", "amount": 1}}]  # fmt: skip
    sim = simulate(pop, read_programmes(spec), date="2025-01-01")
    paid = sim.runs[0].outcomes["b40"].household_amount > 0
    np.testing.assert_array_equal(paid, chosen)
    assert sim.programmes["cgh"][0] == pytest.approx(2.5)
