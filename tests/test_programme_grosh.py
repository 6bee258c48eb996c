"""The ten-person economy of Grosh, Leite, Wai-Poi and Tesliuc (eds., 2022), *Revisiting
Targeting in Social Assistance*, World Bank, tables 7.3-7.4, as given in
/shared/data/programmes.md: targeting errors, differentials, poverty-gap reduction,
cost-benefit ratios, Gini changes and the optimal allocations, reproduced exactly."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from setara.programmes import Population, read_programmes, simulate
from setara.programmes.optimise import achievement, optimal_allocation
from setara.programmes.targeting import (
    compare_methods,
    equal_split,
    poverty_gap,
    targeting_errors,
    weighted_gini,
)

INCOMES = np.array([6, 8, 11, 15, 21, 25, 30, 40, 50, 100], dtype=np.float64)
LINE, BUDGET = 20.0, 30.0
POOR = INCOMES <= LINE  # persons 1-4
P20 = np.arange(10) < 2  # persons 1, 2
SCENARIOS = {"S1": [1, 2], "S2": [2, 3], "S3": [3, 4], "S4": list(range(1, 11))}
# published table (percent / points): EE, IE, TD vs the line, then vs P20
TABLE = {
    "S1": (50, 0, 50, 0, 0, 100),
    "S2": (50, 0, 50, 50, 50, 0),
    "S3": (50, 0, 50, 100, 100, -100),
    "S4": (0, 60, 40, 0, 80, 20),
}
EXACT = 1e-12  # ratios of small integers computed in floating point


def selected(name: str) -> np.ndarray:
    return np.isin(np.arange(1, 11), SCENARIOS[name])


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_errors_and_differentials(name: str) -> None:
    line = targeting_errors(selected(name), POOR)
    p20 = targeting_errors(selected(name), P20)
    got = [
        100 * line["exclusion_error"],
        100 * line["inclusion_error"],
        100 * line["targeting_differential"],
        100 * p20["exclusion_error"],
        100 * p20["inclusion_error"],
        100 * p20["targeting_differential"],
    ]
    np.testing.assert_allclose(got, TABLE[name], atol=EXACT)


def test_the_stated_coverage_convention_does_not_give_the_table() -> None:
    # coverage of target - coverage of non-target: S2 vs P20 is 50 - 12.5, not the published 0
    p20 = targeting_errors(selected("S2"), P20)
    assert p20["coverage_gap"] == pytest.approx(0.375, abs=EXACT)


def test_gap_reduction_cost_benefit_and_gini() -> None:
    gap0 = poverty_gap(INCOMES, LINE)
    assert gap0 == 40.0
    assert weighted_gini(INCOMES) == pytest.approx(0.4359477124183, abs=1e-12)  # 0.4359
    result = {}
    for name in SCENARIOS:
        after = INCOMES + equal_split(selected(name), BUDGET)
        reduction = gap0 - poverty_gap(after, LINE)
        result[name] = (
            reduction,
            reduction / BUDGET,
            weighted_gini(after) / weighted_gini(INCOMES) - 1,
        )
        if name == "S4":
            assert (after <= LINE).sum() == (INCOMES <= LINE).sum()  # no change in headcount
    assert result["S2"][1] == pytest.approx(0.70, abs=EXACT)  # published 0.70
    assert result["S4"][0] / gap0 == pytest.approx(0.30, abs=EXACT)  # published 30 %
    assert result["S4"][1] == pytest.approx(0.40, abs=EXACT)  # published 0.40
    assert result["S2"][2] == pytest.approx(-0.175305204546, abs=1e-11)
    assert result["S4"][2] == pytest.approx(-0.089285714286, abs=1e-11)
    assert round(100 * result["S2"][2]) == -18 and round(100 * result["S4"][2]) == -9


def test_optimal_allocations() -> None:
    fgt0 = optimal_allocation(INCOMES, LINE, BUDGET, objective="fgt0")
    np.testing.assert_array_equal(fgt0.amount, [0, 12, 9, 5, 0, 0, 0, 0, 0, 0])
    assert (fgt0.before, fgt0.after, fgt0.spent) == (0.4, pytest.approx(0.1), 26.0)
    fgt2 = optimal_allocation(INCOMES, LINE, BUDGET, objective="fgt2")
    np.testing.assert_allclose((INCOMES + fgt2.amount)[:4], [17.5] * 4, atol=EXACT)
    np.testing.assert_array_equal(fgt2.amount[4:], 0.0)
    fgt1 = optimal_allocation(INCOMES, LINE, BUDGET, objective="fgt1")
    assert fgt1.reduction * 10 * LINE == pytest.approx(30.0, abs=1e-9)  # whole budget closes gaps
    # verdict: S2 closes 21 of the 30 units of gap the budget could close: 70 %
    s2_reduction = (
        poverty_gap(INCOMES, LINE)
        - poverty_gap(INCOMES + equal_split(selected("S2"), BUDGET), LINE)
    ) / (10 * LINE)
    assert achievement(s2_reduction, fgt1) == pytest.approx(0.70, abs=1e-12)


def test_side_by_side_comparison() -> None:
    table = compare_methods(
        {n: selected(n) for n in SCENARIOS}, welfare=INCOMES, line=LINE, budget=BUDGET
    )
    row = table.filter(pl.col("method") == "S2").row(0, named=True)
    assert row["cost_benefit_ratio"] == pytest.approx(0.70, abs=EXACT)
    assert row["cgh"] == pytest.approx(2.5, abs=EXACT)  # all spending in the bottom 40 %
    s4 = table.filter(pl.col("method") == "S4").row(0, named=True)
    assert s4["cgh"] == pytest.approx(1.0, abs=EXACT)
    assert s4["headcount_before"] == s4["headcount_after"] == 0.4


def test_the_engine_reproduces_s2_as_a_programme_on_registry_data() -> None:
    frame = pl.DataFrame({"id": np.arange(1, 11), "income": INCOMES})
    pop = Population.from_frame(
        frame, household="id", welfare="income", poverty_line=LINE, region=None,
        person_id=None, welfare_period="year",
    )  # fmt: skip
    spec = [{"id": "s2", "eligibility": "id in [2, 3]", "benefit": {"type": "flat", "amount": 15}}]
    sim = simulate(pop, read_programmes(spec))
    row = sim.programmes.row(0, named=True)
    assert row["cost"] == 30.0
    assert row["exclusion_error"] == pytest.approx(0.5) and row["inclusion_error"] == 0.0
    impact = sim.impact.filter(pl.col("stage") == "change", pl.col("domain") == "all")
    fgt1 = impact.filter(pl.col("measure") == "fgt1")["estimate"][0]
    assert fgt1 * 10 * LINE == pytest.approx(-21.0, abs=1e-9)  # gap 40 -> 19: CBR 0.70
    gini = impact.filter(pl.col("measure") == "gini")["estimate"][0]
    assert gini == pytest.approx(0.3595238095238 - 0.4359477124183, abs=1e-12)
    assert impact["se"].null_count() == impact.height  # registry: no sampling error
