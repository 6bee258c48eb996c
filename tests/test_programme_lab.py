"""The programme lab's one-call questions: targeting methods side by side
(:func:`compare_targeting`) and the budget verdict of a simulated programme
(:func:`budget_verdict`), checked against the Grosh et al. (2022) ten-person economy
(/shared/data/programmes.md) and against direct computations on the demo survey."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.demo import generate_survey
from setara.errors import SetaraError
from setara.programmes import (
    NoExtraBudgetError,
    Population,
    Scenario,
    budget_verdict,
    compare_targeting,
    load_template,
    read_programmes,
    simulate,
)
from setara.programmes.pmt import fit_pmt
from setara.programmes.targeting import roc_curve

INCOMES = [6, 8, 11, 15, 21, 25, 30, 40, 50, 100]
LINE = 20.0
EXACT = 1e-12  # ratios of small integers computed in floating point
S2 = [{"id": "s2", "eligibility": "id in [2, 3]", "benefit": {"type": "flat", "amount": 15}}]
PROXIES = ["members", "urban", "count(age < 15)", "any(disability)"]
CATEGORICAL = "any(age < 7) or head_female"
BUDGET = 5e12  # rupiah per month for the whole (weighted) population


def grosh(period: str = "year") -> Population:
    frame = pl.DataFrame({"id": np.arange(1, 11), "income": np.array(INCOMES, dtype=float)})
    return Population.from_frame(
        frame, household="id", welfare="income", poverty_line=LINE, region=None,
        person_id=None, welfare_period=period,
    )  # fmt: skip


def test_grosh_s2_verdict_as_a_scenario() -> None:
    sim = simulate(grosh(), [], scenarios=[Scenario("S2", tuple(read_programmes(S2)))])
    verdict = budget_verdict(sim, "S2")
    assert verdict["objective"].to_list() == ["fgt0", "fgt1", "fgt2"]
    fgt1 = verdict.filter(objective="fgt1").row(0, named=True)
    assert fgt1["budget"] == 30.0
    # S2 closes 21 of the 30 units of poverty gap the same budget could close: 70 %
    assert fgt1["actual_reduction"] * 10 * LINE == pytest.approx(21.0, abs=1e-9)
    assert fgt1["optimal_reduction"] * 10 * LINE == pytest.approx(30.0, abs=1e-9)
    assert fgt1["achievement"] == pytest.approx(0.70, abs=EXACT)
    fgt0 = verdict.filter(objective="fgt0").row(0, named=True)
    # the optimum lifts persons 4, 3, 2 (headcount 0.40 -> 0.10); S2 lifts persons 2, 3
    assert fgt0["optimal_reduction"] == pytest.approx(0.30, abs=EXACT)
    assert fgt0["achievement"] == pytest.approx(2 / 3, abs=EXACT)


def test_grosh_s2_verdict_as_the_baseline_and_in_monthly_units() -> None:
    # a monthly welfare with a monthly benefit: yearly cost 360, budget 30 per month
    sim = simulate(grosh("month"), read_programmes([{**S2[0], "period": "month"}]))
    row = budget_verdict(sim, "baseline", objectives=["fgt1"]).row(0, named=True)
    assert (row["budget"], row["budget_per_year"]) == (30.0, 360.0)
    assert row["achievement"] == pytest.approx(0.70, abs=EXACT)


@pytest.fixture(scope="module")
def demo() -> Population:
    return Population.from_frame(generate_survey(10_000, seed=1), design="demo")


def test_verdict_budget_is_the_added_yearly_cost_per_welfare_period(demo: Population) -> None:
    more = read_programmes([{"template": "sembako", "parameters": {"voucher": 300000}}])
    sim = simulate(
        demo, [load_template("sembako")], scenarios=[Scenario("more", tuple(more))],
        date="2025-06-30",
    )  # fmt: skip
    cost = dict(zip(sim.programmes["scenario"], sim.programmes["cost"], strict=True))
    marginal = budget_verdict(sim, "more")
    whole = budget_verdict(sim, "more", against="before")
    assert marginal["budget_per_year"][0] == pytest.approx(cost["more"] - cost["baseline"], 1e-9)
    assert marginal["budget"][0] == pytest.approx((cost["more"] - cost["baseline"]) / 12, 1e-9)
    assert whole["budget_per_year"][0] == pytest.approx(cost["more"], rel=1e-9)
    for table in (marginal, whole):
        assert ((table["achievement"] > 0) & (table["achievement"] <= 1 + 1e-9)).all()
        assert (table["optimal_reduction"] >= table["actual_reduction"]).all()


def test_verdict_errors(demo: Population) -> None:
    health = read_programmes([{"template": "pbi_jkn"}])  # a premium: adds nothing to welfare
    sim = simulate(demo, [], scenarios=[Scenario("health", tuple(health))], date="2025-06-30")
    with pytest.raises(SetaraError, match="scenario 'health' adds 0 in welfare per month against"):
        budget_verdict(sim, "health")
    cut = simulate(demo, [load_template("sembako")], date="2025-06-30",
                   scenarios=[Scenario("cut", removed=("sembako",))])  # fmt: skip
    with pytest.raises(NoExtraBudgetError, match=r"scenario 'cut' saves [\d,]+ in welfare") as info:
        budget_verdict(cut, "cut")
    assert info.value.amount < 0 and "e+" not in str(info.value)
    with pytest.raises(SetaraError, match="scenario 'nope' is not simulated; known: baseline"):
        budget_verdict(sim, "nope")
    with pytest.raises(SetaraError, match="objectives must be among fgt0, fgt1, fgt2"):
        budget_verdict(sim, "health", objectives=["coverage"])


@pytest.fixture(scope="module")
def table(demo: Population) -> pl.DataFrame:
    return compare_targeting(demo, budget=BUDGET, proxies=PROXIES, categorical=CATEGORICAL)


def largest(pop: Population) -> float:
    """Whole households overshoot a population share by at most the largest one's share."""
    return float(pop.person_weight.max() / pop.person_weight.sum())


def row(table: pl.DataFrame, method: str) -> dict[str, object]:
    return table.filter(method=method).row(0, named=True)


def test_methods_and_pmt_columns(demo: Population, table: pl.DataFrame) -> None:
    assert table["method"].to_list() == ["pmt", "categorical", "geographic", "universal"]
    model = fit_pmt(demo, PROXIES)
    pmt = row(table, "pmt")
    assert pmt["cv_r2"] == model.cv_r2
    assert pmt["auc"] == roc_curve(model.cv_score, demo.poor, demo.person_weight)[2]
    assert table["cv_r2"].null_count() == table["auc"].null_count() == 3
    assert 0.2 <= pmt["selected_share"] <= 0.2 + largest(demo)  # type: ignore[operator]


def test_universal_and_pmt(demo: Population, table: pl.DataFrame) -> None:
    universal, pmt = row(table, "universal"), row(table, "pmt")
    assert universal["exclusion_error"] == 0.0
    assert universal["inclusion_error"] == pytest.approx(1 - universal["headcount_before"])
    assert pmt["inclusion_error"] < universal["inclusion_error"]  # type: ignore[operator]
    # the budget is per welfare period, equal per person: everyone gets BUDGET / persons
    persons = demo.person_weight
    after = demo.welfare + BUDGET / persons.sum()
    headcount = float(persons[after <= demo.poverty_line].sum() / persons.sum())
    assert universal["headcount_after"] == pytest.approx(headcount, rel=1e-12)


def test_categorical_matches_the_expression(table: pl.DataFrame) -> None:
    frame = generate_survey(10_000, seed=1)
    households = frame.group_by("hh_id").agg(
        flag=(pl.col("age") < 7).any() | pl.col("head_female").first(),
        persons=pl.col("weight").sum(),
    )
    expected = households.filter("flag")["persons"].sum()
    assert row(table, "categorical")["selected"] == pytest.approx(expected, rel=1e-12)


def test_geographic_selects_whole_poorest_regions(demo: Population, table: pl.DataFrame) -> None:
    frame = generate_survey(10_000, seed=1)
    regions = (
        frame.group_by("province_code")
        .agg(
            persons=pl.col("weight").sum(),
            poor=(pl.col("weight") * (pl.col("expenditure_pc") <= pl.col("poverty_line"))).sum(),
        )
        .with_columns(rate=pl.col("poor") / pl.col("persons"))
    )
    geo = row(table, "geographic")
    listed = str(geo["rule"]).split(": ")[1].split(", ")
    chosen = regions.filter(pl.col("province_code").is_in(listed))
    others = regions.filter(~pl.col("province_code").is_in(listed))
    assert geo["selected"] == pytest.approx(chosen["persons"].sum(), rel=1e-12)  # whole regions
    assert chosen["rate"].min() >= others["rate"].max()  # type: ignore[operator]
    total = regions["persons"].sum()
    last = chosen.sort("rate")["persons"][0]
    assert (chosen["persons"].sum() - last) / total < 0.2 <= chosen["persons"].sum() / total


def test_bottom_target_and_geographic_share(demo: Population) -> None:
    t = compare_targeting(
        demo, budget=BUDGET, proxies=PROXIES, target="bottom", share=0.3, geographic_share=0.1
    )
    assert t["method"].to_list() == ["pmt", "geographic", "universal"]
    assert row(t, "universal")["inclusion_error"] == pytest.approx(0.7, abs=largest(demo))
    geo = row(t, "geographic")["selected_share"]
    assert 0.1 <= geo < 0.3  # type: ignore[operator]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"share": 1.5}, "share must be in (0, 1], not 1.5"),
        ({"target": "middle"}, "target must be one of poor, bottom, not 'middle'"),
        ({"budget": 0.0}, "budget must be a positive amount"),
        ({"proxies": ["nope"]}, "unknown variable 'nope'"),
        ({"categorical": "age < 7"}, "'age' differs between members"),
    ],
)
def test_compare_targeting_errors(
    demo: Population, options: dict[str, object], message: str
) -> None:
    kwargs: dict[str, object] = {"budget": BUDGET, "proxies": PROXIES, **options}
    with pytest.raises(SetaraError, match=message.replace("(", r"\(").replace(")", r"\)")):
        compare_targeting(demo, **kwargs)  # type: ignore[arg-type]


def test_geographic_needs_a_region() -> None:
    with pytest.raises(SetaraError, match="geographic targeting needs a region column"):
        compare_targeting(grosh(), budget=30.0, proxies=["income"], geographic_share=0.2)


def test_scenario_minus_baseline_is_paired(demo: Population) -> None:
    """FGT0 with fixed lines is a mean, so scenario minus baseline is the mean of the per-person
    difference of the two poverty indicators: the engine's SE of that mean (same sample and
    design) is the paired SE, and it is reported in percentage points."""
    from setara.programmes.population import DEMO_COLUMNS

    more = read_programmes([{"template": "sembako", "parameters": {"voucher": 300000}}])
    sim = simulate(demo, [load_template("sembako")], scenarios=[Scenario("more", tuple(more))],
                   date="2025-06-30")  # fmt: skip
    row = sim.versus_baseline().filter(measure="fgt0", domain="all").row(0, named=True)
    runs = {run.name: run.welfare for run in sim.runs}
    hh = demo.household
    line = demo.poverty_line[hh]
    frame = demo.persons.with_columns(
        d=pl.Series((runs["more"][hh] <= line).astype(float) - (runs["baseline"][hh] <= line))
    )
    design = setara.survey_design(frame, **DEMO_COLUMNS)
    mean = (
        setara.estimate(frame, design, welfare="d", measures=["mean"])
        .to_polars()
        .row(0, named=True)
    )
    assert row["unit"] == "pp"
    assert row["difference"] == pytest.approx(100 * mean["estimate"], rel=1e-9)
    assert row["se"] == pytest.approx(100 * mean["se"], rel=1e-9)
    assert row["ci_low"] == pytest.approx(100 * mean["ci_low"], rel=1e-9)
    unpaired = np.hypot(*[r["se"] for r in sim.impact.filter(
        measure="fgt0", domain="all", stage="after").iter_rows(named=True)])  # fmt: skip
    assert row["se"] < 100 * unpaired  # the covariance of the two runs counts
