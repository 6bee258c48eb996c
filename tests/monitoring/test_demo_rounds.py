"""The demo's second round: deterministic, partly the same PSUs, and the change it promises."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from setara.demo_rounds import BOTTOM40_GROWTH, TOP60_GROWTH, generate_round
from setara.monitoring import growth_incidence

N = 40_000


@pytest.fixture(scope="module")
def pair() -> tuple[pl.DataFrame, pl.DataFrame]:
    return generate_round(N, year=2024, seed=11), generate_round(N, year=2026, seed=11)


def test_rounds_are_deterministic_and_share_about_half_the_psus(
    pair: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    before, after = pair
    assert after.equals(generate_round(N, year=2026, seed=11))
    assert not after.equals(generate_round(N, year=2026, seed=12))
    assert before["year"].unique().to_list() == [2024]
    shared = after["psu"].unique().is_in(before["psu"].unique().implode()).mean()
    assert 0.4 < shared < 0.6
    assert after["psu"].dtype == before["psu"].dtype


def test_known_change_shows_in_the_growth_incidence_curve(
    pair: tuple[pl.DataFrame, pl.DataFrame],
) -> None:
    """Two years of 5 % (bottom 40 %) against 2 % (the rest): the curve below p = 0.3 grows
    faster than above p = 0.6, and the growth of the mean lies between the two rates."""
    before, after = pair
    gic = growth_incidence(
        before,
        after,
        welfare="expenditure_pc",
        design={"weight": "weight", "strata": "stratum", "psu": "psu"},
        points=[0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9],
        common_psu=True,
    ).frame
    curve = gic.filter(pl.col("measure") == "gic")["growth"].to_numpy()
    assert curve[:3].min() > curve[3:].max()
    low, high = (1 + TOP60_GROWTH) ** 2 - 1, (1 + BOTTOM40_GROWTH) ** 2 - 1
    mean = gic.filter(pl.col("measure") == "growth_mean")["growth"][0]
    assert low - 0.01 < mean < high
    assert np.all(np.abs(curve[:3] - high) < 0.03)


def test_earlier_years_are_refused() -> None:
    with pytest.raises(ValueError, match="2024 or later"):
        generate_round(10_000, year=2020)
