"""Rule and formula cases of the programme lab, read from tests/data/programmes/*.yaml
(inputs -> expected yearly amounts per household, or the expected error)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import yaml

from setara.errors import SetaraError
from setara.programmes import Population, errors, read_programmes, simulate
from setara.programmes.expressions import parse_expression
from setara.programmes.hashing import hash_keys, uniform_draws
from setara.programmes.templates import load_template, template_names

CASES = Path(__file__).parent / "data" / "programmes"
TOLERANCE = 1e-9  # amounts are sums of a few exact products


def load_cases(name: str) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = yaml.safe_load((CASES / name).read_text())["cases"]
    return cases


def population(case: dict[str, Any]) -> Population:
    frame = pl.DataFrame(case["persons"], infer_schema_length=None)
    return Population.from_frame(
        frame,
        household="hh_id",
        welfare="welfare",
        poverty_line=1.0e9,
        design=None,
        region=case.get("region"),
        person_id=None,
    )


@pytest.mark.parametrize("case", load_cases("formulas.yaml"), ids=lambda c: c["name"])
def test_formula_case(case: dict[str, Any]) -> None:
    pop = population(case)
    sim = simulate(pop, read_programmes(case["programmes"]), date=case.get("date", "2025-01-01"))
    outcomes = sim.runs[0].outcomes
    for pid, expected in case["expected"].items():
        np.testing.assert_allclose(outcomes[pid].household_amount, expected, atol=TOLERANCE)


@pytest.mark.parametrize("case", load_cases("errors.yaml"), ids=lambda c: c["name"])
def test_error_case(case: dict[str, Any]) -> None:
    error = getattr(errors, case["error"])
    with pytest.raises(error, match=case["message"].replace("(", r"\(")) as info:
        pop = population(case)
        simulate(pop, read_programmes(case["programmes"]), date=case.get("date", "2025-01-01"))
    assert isinstance(info.value, SetaraError)


def test_take_up_is_keyed_to_the_household_id_not_row_order() -> None:
    rows = [{"hh_id": i, "welfare": 10.0} for i in range(2000)]
    spec = [{"id": "t", "take_up": 0.3, "benefit": {"type": "flat", "amount": 1}}]
    forward = simulate(population({"persons": rows}), read_programmes(spec))
    backward = simulate(population({"persons": rows[::-1]}), read_programmes(spec))
    taken_f = forward.runs[0].outcomes["t"].household_amount  # households in id order
    taken_b = backward.runs[0].outcomes["t"].household_amount
    np.testing.assert_array_equal(taken_f, taken_b)
    assert 0.27 < taken_f.mean() < 0.33  # 2,000 Bernoulli(0.3) draws: SD 0.01


def test_draws_are_uniform_and_seeded() -> None:
    keys = hash_keys(np.arange(100_000))
    draws = uniform_draws(keys, 7)
    assert abs(draws.mean() - 0.5) < 0.005  # SD of the mean 0.0009
    assert not np.array_equal(draws, uniform_draws(keys, 8))
    text = hash_keys(np.array(["a", "bb", "a"], dtype=object))
    assert text[0] == text[2] and text[0] != text[1]


def test_templates_load_with_sources_and_dates() -> None:
    names = template_names()
    assert names == ["business_grant", "pbi_jkn", "pip", "pkh", "sembako", "skills_training"]
    for name in names:
        prog = load_template(name)
        assert prog.source and prog.figures_date
    sembako = load_template("sembako").parameter("voucher")
    assert sembako.on("2019-06-01").value == 110_000
    assert sembako.on("2020-01-01").value == 200_000
    pkh = load_template("pkh")
    assert pkh.benefit.max_members == 4
    assert pkh.parameter("junior_secondary").on("2025-06-01").value == 1_500_000
    assert load_template("pbi_jkn").parameter("premium").on("2025-01-01").value == 42_000
    assert load_template("pip").parameter("senior_secondary").on("2025-01-01").value == 1_800_000


def test_expression_names_and_programmes() -> None:
    expr = parse_expression("receives('pkh') and count(age < 7) >= 2 and desil <= 4")
    assert expr.names == frozenset({"age", "desil"})
    assert expr.programmes == frozenset({"pkh"})
    with pytest.raises(errors.ExpressionError, match="unknown function"):
        parse_expression("open('x')")
    with pytest.raises(errors.ExpressionError, match="cannot parse"):
        parse_expression("age >")


def sequential_funding(
    cost: np.ndarray, score: np.ndarray, group: np.ndarray, budget: np.ndarray, fill: str
) -> np.ndarray:
    """The rationing rule written as the plain loop it describes (a reference)."""
    funded = np.zeros(cost.size, dtype=bool)
    for g in range(budget.size):
        left = budget[g]
        for i in sorted(np.flatnonzero(group == g), key=lambda i: (score[i], i)):
            if cost[i] <= left * (1 + 1e-12):
                funded[i], left = True, left - cost[i]
            elif fill == "stop_at_first":
                break
    return funded


@pytest.mark.parametrize("fill", ["next_that_fits", "stop_at_first"])
@pytest.mark.parametrize("seed", range(5))
def test_rationing_equals_the_sequential_rule(fill: str, seed: int) -> None:
    from setara.programmes.rationing import fund_in_order

    rng = np.random.default_rng(seed)
    n = 300
    cost = rng.integers(1, 50, n).astype(float) * rng.choice([1.0, 3.0], n)
    score = rng.integers(0, 40, n).astype(float)  # ties: broken by the key (here the index)
    group = rng.integers(0, 4, n)
    budget = rng.uniform(100, 1500, 4)
    keys = np.arange(n, dtype=np.uint64)
    got = fund_in_order(cost, score, keys, group, budget, fill=fill)
    np.testing.assert_array_equal(got, sequential_funding(cost, score, group, budget, fill))


def test_rationing_reports_what_it_leaves() -> None:
    rows = [
        {"hh_id": i + 1, "welfare": 10.0 * (i + 1), "need": need}
        for i, need in enumerate([20, 15, 5, 9])
    ]
    spec = [{"id": "c", "benefit": {"type": "flat", "amount": "max(need)"},
             "budget": {"ceiling": 30, "fill": "stop_at_first"}}]  # fmt: skip
    sim = simulate(population({"persons": rows}), read_programmes(spec), date="2025-01-01")
    report = sim.runs[0].outcomes["c"].rationed
    assert report is not None
    assert (report.unspent, report.unfunded, report.unfunded_sample) == (10.0, 3.0, 3)
    assert report.cheapest_unfunded == 5.0  # a household the unspent 10 could have paid
    row = sim.programmes.filter(programme="c").row(0, named=True)
    assert (row["unspent_budget"], row["unfunded_eligible"]) == (10.0, 3.0)
