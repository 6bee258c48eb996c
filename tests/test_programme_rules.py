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
