"""Scoring rules against the hand-worked table tests/data/monitoring/score_cases.csv."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from setara import ReliabilityRule, SetaraError
from setara.monitoring import score, scorecard

CASES = Path(__file__).parent.parent / "data" / "monitoring" / "score_cases.csv"
# the expected values are decimal numbers written by hand; 1e-12 covers their rounding only
REL = 1e-12
INPUTS = ["value", "target_low", "target_high", "polarity", "baseline", "ci_low", "ci_high", "rse"]
OUTPUTS = ["achievement", "category", "light", "progress", "verdict", "rse_flag", "score_note"]


def _cases() -> pl.DataFrame:
    floats = {c: pl.Float64 for c in [*INPUTS, "achievement", "progress"] if c != "polarity"}
    return pl.read_csv(CASES, schema_overrides=floats)


def _same(got: object, want: object) -> bool:
    if want is None or got is None:
        return got is None and want is None
    if isinstance(want, float) and isinstance(got, float):
        return math.isclose(got, want, rel_tol=REL, abs_tol=REL)
    return got == want


def test_every_case_of_the_table() -> None:
    cases = _cases()
    scored = score(cases.select("case", *INPUTS))
    wrong = []
    for want, got in zip(cases.iter_rows(named=True), scored.iter_rows(named=True), strict=True):
        for column in OUTPUTS:
            if not _same(got[column], want[column]):
                wrong.append(f"{want['case']}.{column}: got {got[column]!r}, want {want[column]!r}")
    assert not wrong, "\n".join(wrong)
    assert cases.height >= 30


def test_table_covers_both_polarities_ranges_and_every_verdict() -> None:
    cases = _cases()
    assert set(cases["polarity"]) == {"higher", "lower"}
    assert set(cases["verdict"].drop_nulls()) == {"met", "not_met", "cannot_tell"}
    assert set(cases["category"].drop_nulls()) == {"very_high", "high", "medium", "low", "very_low"}
    ranges = cases.filter(pl.col("target_low") != pl.col("target_high"))
    assert set(ranges["polarity"]) == {"higher", "lower"}
    assert (cases["baseline"] == 0).any() and (cases["target_low"] == 0).any()


def test_other_columns_are_kept_and_a_rescore_replaces_the_outputs() -> None:
    rows = _cases().select("case", *INPUTS)
    once = score(rows)
    twice = score(once)
    assert once.columns == twice.columns
    assert once.equals(twice)
    assert once["case"].to_list() == rows["case"].to_list()


def test_without_optional_columns_the_outputs_are_null() -> None:
    rows = pl.DataFrame(
        {"value": [5], "target_low": [10], "target_high": [10], "polarity": ["higher"]}
    )
    out = score(rows).row(0, named=True)
    assert out["achievement"] == 50.0
    assert out["progress"] is None and out["verdict"] is None and out["rse_flag"] is None


def test_rse_bands_come_from_the_engine_rule() -> None:
    rows = pl.DataFrame(
        {
            "value": [1.0] * 3,
            "target_low": [1.0] * 3,
            "target_high": [1.0] * 3,
            "polarity": ["higher"] * 3,
            "rse": [0.1, 0.2, 0.4],
        }
    )
    strict = ReliabilityRule(reliable_rse=0.15, caution_rse=0.30)
    assert score(rows, reliability=strict)["rse_flag"].to_list() == [
        "reliable",
        "caution",
        "unreliable",
    ]


def test_light_thresholds_are_options() -> None:
    rows = pl.DataFrame(
        {"value": [80.0], "target_low": [100.0], "target_high": [100.0], "polarity": ["higher"]}
    )
    assert score(rows)["light"].item() == "amber"
    assert score(rows, green_from=80.0)["light"].item() == "green"
    assert score(rows, amber_from=85.0)["light"].item() == "red"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"polarity": ["up", "higher", None]}, "polarity.*2 in 3 rows \\(first at row 0: 'up'\\)"),
        ({"target_low": [1.0, 20.0, 1.0]}, "target_low is above target_high: 1 in 3 rows"),
        ({"ci_low": [5.0, 1.0, 1.0], "ci_high": [4.0, 2.0, 2.0]}, "ci_low is above ci_high"),
        ({"value": ["a", "b", "c"]}, "column 'value' must be numeric"),
    ],
)
def test_bad_input_is_named_with_a_count(change: dict[str, list[object]], message: str) -> None:
    rows = pl.DataFrame(
        {
            "value": [1.0, 2.0, 3.0],
            "target_low": [1.0, 2.0, 3.0],
            "target_high": [1.0, 2.0, 3.0],
            "polarity": ["higher"] * 3,
        }
    ).with_columns(**{k: pl.Series(v) for k, v in change.items()})
    with pytest.raises(SetaraError, match=message):
        score(rows)


def test_missing_column_is_named() -> None:
    with pytest.raises(SetaraError, match="'target_high'"):
        score(pl.DataFrame({"value": [1.0], "target_low": [1.0], "polarity": ["higher"]}))


def test_scorecard_counts_ranks_ties_and_unscored_regions() -> None:
    rows = pl.DataFrame(
        {
            "region_code": ["11.01", "11.01", "11.02", "11.03", "11.03", "11.04"],
            "value": [100.0, 60.0, 80.0, 80.0, 200.0, None],
            "target_low": [100.0] * 6,
            "target_high": [100.0] * 6,
            "polarity": ["higher"] * 6,
            "ci_low": [95.0, 50.0, 70.0, None, 150.0, None],
            "ci_high": [105.0, 70.0, 90.0, None, 250.0, None],
        }
    )
    card = scorecard(score(rows))
    got = {r["region_code"]: r for r in card.iter_rows(named=True)}
    assert got["11.03"]["mean_achievement"] == 140.0 and got["11.03"]["rank"] == 1
    # 11.01 and 11.02 both average 80: they share rank 2, nothing gets 3
    assert got["11.01"]["rank"] == 2 and got["11.02"]["rank"] == 2
    assert got["11.04"]["rank"] is None and got["11.04"]["n_scored"] == 0
    assert card["region_code"].to_list() == ["11.03", "11.01", "11.02", "11.04"]
    assert (got["11.01"]["n_very_high"], got["11.01"]["n_low"]) == (1, 1)
    assert (got["11.01"]["n_cannot_tell"], got["11.01"]["n_not_met"]) == (1, 1)
    assert got["11.03"]["n_met"] == 1 and got["11.03"]["n_green"] == 1
    assert got["11.01"]["light"] == "amber" and got["11.01"]["category"] == "high"
    capped = {r["region_code"]: r for r in scorecard(score(rows), cap=120.0).iter_rows(named=True)}
    assert capped["11.03"]["mean_achievement"] == 100.0


def test_scorecard_groups_by_several_columns() -> None:
    rows = pl.DataFrame(
        {
            "region_code": ["11", "11", "12"],
            "period": ["2025", "2026", "2025"],
            "value": [50.0, 90.0, 70.0],
            "target_low": [100.0] * 3,
            "target_high": [100.0] * 3,
            "polarity": ["higher"] * 3,
        }
    )
    card = scorecard(score(rows), by=("region_code", "period"))
    assert card.select("region_code", "period", "rank").rows() == [
        ("11", "2026", 1),
        ("12", "2025", 2),
        ("11", "2025", 3),
    ]
