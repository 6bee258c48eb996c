"""The optimised paths of the programme lab give the numbers of the straightforward ones.

- impact measures: :func:`view_parts` (shared FGT values, shared Palma quantiles, windowed
  kernel densities) against ``Measure.linearize`` one measure at a time — bit for bit;
- variances from cell totals against ``SurveyDesign.variance`` — bit for bit for a level,
  to rounding for a change (totals of a difference vs difference of totals);
- tables from :class:`TableCells` against :func:`summaries` per grouping — to rounding;
- a scenario reusing unchanged baseline outcomes, and a run partition by partition, against
  runs from scratch — bit for bit.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from setara.demo import generate_survey
from setara.programmes import Population, Scenario, load_template, read_programmes, simulate
from setara.programmes.change import DistributionEngine, impact_measures
from setara.programmes.impact import (
    cell_totals,
    fgt_values,
    reference_parts,
    variance_from_totals,
    view_parts,
)
from setara.programmes.partition import run_partitioned
from setara.programmes.simulate import group_domains, run_programmes
from setara.programmes.spec import to_date
from setara.programmes.tables import TableCells, summaries

# Regrouped floating-point sums (cells, then groupings) differ from one pass over the rows
# only by rounding: about 1e-15 per addition, amplified by a few hundred cells at most.
REGROUPED = 1e-12
GROUPS = {"female_head": "head_female", "elderly": "any(age >= 60)"}
DAY = to_date("2025-06-30")


@pytest.fixture(scope="module")
def pop() -> Population:
    return Population.from_frame(generate_survey(20_000, seed=11), design="demo")


@pytest.fixture(scope="module")
def after(pop: Population) -> np.ndarray:
    programmes = [load_template("pkh"), load_template("sembako"), load_template("pip")]
    return run_programmes(pop, programmes, date=DAY, seed=0, name="baseline").welfare


def test_view_parts_equal_measure_by_measure(pop: Population, after: np.ndarray) -> None:
    measures = impact_measures()
    engine = DistributionEngine(pop)
    engine.add("after", after)
    fgt = fgt_values(after, pop.person_weight, pop.poverty_line, measures)
    assert set(fgt) == {"fgt0", "fgt1", "fgt2"}
    for dom in group_domains(pop, GROUPS):
        fast = view_parts(engine._view("after", dom), measures, fgt)
        engine._data.clear()  # a fresh view: nothing memoised by the fast path
        slow = reference_parts(engine._view("after", dom), measures)
        for label, _ in measures:
            np.testing.assert_array_equal(fast[label][0], slow[label][0], err_msg=label)
            np.testing.assert_array_equal(fast[label][1], slow[label][1], err_msg=label)


def test_variance_from_cell_totals(pop: Population, after: np.ndarray) -> None:
    design = pop.design
    assert design is not None
    rng = np.random.default_rng(5)
    a, b = rng.normal(size=(2, pop.n_households))
    for dom in group_domains(pop, GROUPS):
        ta, tb = (cell_totals(design, dom.codes, dom.n, v) for v in (a, b))
        level = variance_from_totals(design, dom.codes, dom.n, ta)
        np.testing.assert_array_equal(level, design.variance(dom.codes, dom.n, a))
        change = variance_from_totals(design, dom.codes, dom.n, tb - ta)
        reference = design.variance(dom.codes, dom.n, b - a)
        np.testing.assert_allclose(change, reference, rtol=REGROUPED)


def test_table_cells_equal_summaries(pop: Population) -> None:
    domains = group_domains(pop, GROUPS)
    cells = TableCells.build(pop, domains[1:])
    amount = np.where(pop.welfare_decile <= 3, 1.0e6 * pop.members, 0.0)
    sums = cells.sums(pop, amount)
    groupings = [(pop.welfare_decile - 1, cells.decile, 10)]
    groupings += [(d.codes, c, d.n) for d, c in zip(domains[1:], cells.domains, strict=True)]
    for codes, cell_codes, n in groupings:
        slow = summaries(pop, codes, n, amount)
        fast = cells.summaries(sums, cell_codes, n)
        for key, values in slow.items():
            np.testing.assert_allclose(fast[key], values, rtol=REGROUPED, err_msg=key)


def test_scenario_reuses_unchanged_outcomes_exactly(pop: Population) -> None:
    baseline = [load_template("pkh"), load_template("sembako"), load_template("pip")]
    scenario = Scenario(
        "sembako300",
        tuple(read_programmes([{"template": "sembako", "parameters": {"voucher": 300000}}])),
    )
    first = run_programmes(pop, baseline, date=DAY, seed=0, name="baseline")
    programmes = scenario.applied_to(baseline)
    reused = run_programmes(pop, programmes, date=DAY, seed=0, name="s", reuse=first)
    fresh = run_programmes(pop, programmes, date=DAY, seed=0, name="s")
    assert reused.outcomes["pkh"] is first.outcomes["pkh"]
    assert reused.outcomes["sembako"] is not first.outcomes["sembako"]
    np.testing.assert_array_equal(reused.welfare, fresh.welfare)


def test_partitioned_run_equals_whole(pop: Population) -> None:
    programmes = [load_template("pkh"), load_template("sembako"), load_template("pip")]
    codes, labels = pop.region_codes()
    parts = run_partitioned(pop, programmes, codes, len(labels), date=DAY)
    whole = run_programmes(pop, programmes, date=DAY, seed=0, name="whole")
    np.testing.assert_array_equal(parts.welfare, whole.welfare)
    for pid, out in whole.outcomes.items():
        np.testing.assert_array_equal(parts.outcomes[pid].unit_amount, out.unit_amount)
        np.testing.assert_array_equal(parts.outcomes[pid].household_amount, out.household_amount)
        np.testing.assert_array_equal(parts.outcomes[pid].eligible, out.eligible)


def test_simulate_impact_equals_reference_engine(pop: Population) -> None:
    # the whole impact table against estimates and variances measure by measure
    sim = simulate(pop, [load_template("sembako")], date=DAY, groups=GROUPS)
    design = pop.design
    assert design is not None
    measures = impact_measures()
    engine = DistributionEngine(pop)
    engine.add("before", pop.welfare)
    engine.add("after", sim.runs[0].welfare)
    for dom in group_domains(pop, GROUPS):
        before = reference_parts(engine._view("before", dom), measures)
        after = reference_parts(engine._view("after", dom), measures)
        for label, _ in measures:
            rows = sim.impact.filter(pl.col("domain") == dom.name, pl.col("measure") == label)
            for stage, est, dev in (
                ("before", before[label][0], before[label][1]),
                ("after", after[label][0], after[label][1]),
                ("change", after[label][0] - before[label][0], after[label][1] - before[label][1]),
            ):
                got = rows.filter(pl.col("stage") == stage)
                se = np.sqrt(design.variance(dom.codes, dom.n, dev))
                np.testing.assert_array_equal(got["estimate"].to_numpy(), est)
                np.testing.assert_allclose(got["se"].to_numpy(), se, rtol=REGROUPED)
