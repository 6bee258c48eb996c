"""setara.contrast.stack_designs: the stacked design built from the rounds' own PSU codes is
the design setara.survey_design gives the stacked frame (nest=True), array for array."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

import setara
from setara.contrast import stack_designs
from setara.demo_rounds import generate_round
from setara.design import SurveyDesign


def _rounds() -> tuple[pl.DataFrame, pl.DataFrame]:
    before = generate_round(10_000, year=2024, seed=17)
    after = generate_round(10_000, year=2026, seed=17)
    extra = [
        pl.col("psu").cast(pl.String).alias("psu_text"),  # text PSU ids
        (pl.col("stratum").str.len_bytes() * 0 + 1e6).alias("fpc_count"),  # constant count
        pl.col("psu").rank("dense").cast(pl.Int64).alias("psu_rank"),  # repeats across strata
    ]
    return before.with_columns(extra), after.with_columns(extra)


def _same(one: SurveyDesign, other: SurveyDesign) -> None:
    np.testing.assert_array_equal(one.weights, other.weights)
    assert (one.degf, one.lonely_psu) == (other.degf, other.lonely_psu)
    assert len(one.stages) == len(other.stages)
    for a, b in zip(one.stages, other.stages, strict=True):
        for name in a.__dataclass_fields__:
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, np.ndarray):
                np.testing.assert_array_equal(x, y, err_msg=name)
            else:
                assert x == y, name


@pytest.mark.parametrize(
    "args",
    [
        {"weight": "weight", "strata": "stratum", "psu": "psu"},
        {"weight": "weight", "psu": "psu"},
        {"weight": "weight", "strata": "stratum", "psu": "psu_text"},
        {"weight": "weight", "strata": "stratum", "psu": "psu", "fpc": "fpc_count"},
        {"weight": "weight", "strata": "regency_code", "psu": "psu", "lonely_psu": "adjust"},
        {"strata": "stratum", "psu": "psu", "fpc": "fpc_count"},  # weights from the fpc
    ],
)
def test_stacked_design_equals_the_design_of_the_stacked_frame(args: dict[str, Any]) -> None:
    frames = _rounds()
    designs = [setara.survey_design(f, **args) for f in frames]
    columns = [args[k] for k in ("weight", "strata", "psu", "fpc") if k in args]
    stacked = pl.concat([f.select(columns) for f in frames], how="vertical_relaxed")
    expected = setara.survey_design(stacked, **{**args, "nest": True})
    keys = {k: args.get(k) for k in ("weight", "strata", "fpc")}
    built = stack_designs(
        frames, designs, psu=args["psu"], lonely_psu=args.get("lonely_psu", "fail"), **keys
    )
    _same(built, expected)


def test_nested_psu_codes_are_one_psu_per_stratum_and_code() -> None:
    """PSU codes that repeat across strata (nest=True in the rounds) stay distinct PSUs."""
    frames = _rounds()
    args = {"weight": "weight", "strata": "stratum", "psu": "psu_rank", "nest": True}
    designs = [setara.survey_design(f, **args) for f in frames]
    stacked = pl.concat([f.select("weight", "stratum", "psu_rank") for f in frames])
    expected = setara.survey_design(stacked, **args)
    built = stack_designs(frames, designs, weight="weight", strata="stratum", psu="psu_rank")
    _same(built, expected)
    assert built.stages[0].unit_stratum.size > designs[0].stages[0].unit_stratum.size


def test_multistage_designs_are_refused() -> None:
    frames = _rounds()
    args = {"strata": "stratum", "psu": ["psu", "hh_id"], "fpc": ["fpc_count", "fpc_count"]}
    designs = [setara.survey_design(f, **args) for f in frames]
    assert len(designs[0].stages) == 2
    with pytest.raises(setara.SetaraError, match="one-stage"):
        stack_designs(frames, designs, strata="stratum", psu="psu", fpc="fpc_count")
