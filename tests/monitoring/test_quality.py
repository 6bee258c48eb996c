"""Data-quality rules: what each rule finds, the result's shape, and the outlier arithmetic."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest
from scipy.stats import median_abs_deviation, norm
from scipy.stats import t as t_dist

from setara import SetaraError
from setara.monitoring import QUALITY_COLUMNS, QualityRule, check_quality

# the modified z-score is a few float operations; 1e-12 is rounding only
REL = 1e-12


def _rows() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region_code": ["32.01", "32.02", "32.03", "32.04"],
            "period": ["2025-Q1"] * 4,
            "allocated": [100.0, 80.0, None, 50.0],
            "realised": [90.0, 95.0, 10.0, -5.0],
            "officer": ["Sari", " ", None, "Budi"],
        }
    )


def _params(found: pl.DataFrame) -> list[dict[str, object]]:
    return [json.loads(text) for text in found["params"]]


def test_result_has_the_documented_columns_even_when_empty() -> None:
    assert check_quality(_rows(), []).schema == pl.Schema(QUALITY_COLUMNS)
    clean = check_quality(_rows(), [QualityRule.range("realised", max=1000)])
    assert clean.height == 0 and clean.schema == pl.Schema(QUALITY_COLUMNS)


def test_range_finds_both_sides_and_skips_missing_values() -> None:
    rows = _rows()
    found = check_quality(rows, [QualityRule.range("realised", min=0, max=92)])
    assert found.select("row", "message_id", "value").rows() == [
        (1, "quality.range.above_max", 95.0),
        (3, "quality.range.below_min", -5.0),
    ]
    assert found["message"].to_list() == [
        "realised 95.0 is above the maximum 92.0",
        "realised -5.0 is below the minimum 0.0",
    ]
    assert _params(found)[0] == {"column": "realised", "value": 95.0, "max": 92.0}
    assert set(found["severity"]) == {"error"} and set(found["rule"]) == {"range"}
    assert found["region_code"].to_list() == ["32.02", "32.04"]
    open_top = check_quality(rows, [QualityRule.range("allocated", min=60)])
    assert open_top["row"].to_list() == [3]  # the missing allocation is not a range failure


@pytest.mark.parametrize(
    ("op", "rows_failing"),
    [("<=", [1]), ("<", [1, 3]), (">=", [0]), (">", [0, 3]), ("==", [0, 1]), ("!=", [3])],
)
def test_ratio_operators(op: str, rows_failing: list[int]) -> None:
    rows = _rows().with_columns(pl.Series("realised", [90.0, 95.0, 10.0, 50.0]))
    found = check_quality(rows, [QualityRule.ratio("realised", op, "allocated")])
    assert found["row"].to_list() == rows_failing  # row 2 has no allocation: not checked
    if rows_failing:
        first = _params(found)[0]
        assert first["op"] == op and first["other_column"] == "allocated"


def test_required_finds_null_and_blank_text_per_column() -> None:
    found = check_quality(_rows(), [QualityRule.required(["officer", "allocated"])])
    assert found.select("row", "column").rows() == [
        (1, "officer"),
        (2, "officer"),
        (2, "allocated"),
    ]
    assert found["message"].to_list()[0] == "officer is missing"


def test_complete_lists_missing_and_unexpected_region_periods() -> None:
    expected = pl.DataFrame(
        {"region_code": ["32.01", "32.02", "32.05"], "period": ["2025-Q1", "2025-Q1", "2025-Q1"]}
    )
    rows = _rows().filter(pl.col("region_code") != "32.03")
    found = check_quality(rows, [QualityRule.complete(expected)])
    missing = found.filter(pl.col("message_id") == "quality.complete.missing_row")
    assert missing.select("row", "region_code", "period", "severity").rows() == [
        (None, "32.05", "2025-Q1", "error")
    ]
    extra = found.filter(pl.col("message_id") == "quality.complete.unexpected_row")
    assert extra.select("row", "region_code", "severity").rows() == [(2, "32.04", "warning")]
    # missing rows (row null) come last
    assert found["row"].to_list()[-1] is None


def test_complete_counts_missing_districts_in_one_finding_naming_the_first() -> None:
    """A regency's report with 3 of its 7 districts: one error per period saying 4 of 7 are
    missing and naming the first 2 (sorted), with the regency as the area."""
    districts = [f"32.01.{i:02d}" for i in range(1, 8)]
    expected = pl.DataFrame(
        {"region_code": districts * 2, "period": ["2025-Q1"] * 7 + ["2025-Q2"] * 7}
    )
    rows = pl.DataFrame(
        {
            "region_code": ["32.01.05", "32.01.01", "32.01.07", *districts],
            "period": ["2025-Q1"] * 3 + ["2025-Q2"] * 7,
        }
    )
    found = check_quality(rows, [QualityRule.complete(expected, first=2)])
    assert found.select("row", "region_code", "period", "value", "severity").rows() == [
        (None, "32.01", "2025-Q1", 4.0, "error")
    ]
    assert found["message"][0] == (
        "4 of 7 expected regions have no row in period 2025-Q1: 32.01.02, 32.01.03, …"
    )
    assert json.loads(found["params"][0]) == {
        "period": "2025-Q1",
        "missing": 4,
        "expected": 7,
        "codes": "32.01.02, 32.01.03, …",
        "area": "32.01",
    }
    # exactly `first` missing: no ellipsis; codes of two regencies: no common area
    two = pl.DataFrame({"region_code": ["32.01.01", "32.02.01"], "period": ["2025-Q1"] * 2})
    found = check_quality(rows.head(0), [QualityRule.complete(two, first=2)])
    assert found.select("region_code", "message").rows() == [
        (None, "2 of 2 expected regions have no row in period 2025-Q1: 32.01.01, 32.02.01")
    ]
    with pytest.raises(SetaraError, match="first must be at least 1"):
        QualityRule.complete(expected, first=0)


def _province(values: list[float]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region_code": [f"32.{i + 1:02d}" for i in range(len(values))],
            "period": ["2025-Q1"] * len(values),
            "reached": values,
        }
    )


def test_neighbour_outlier_score_matches_scipy_mad() -> None:
    values = [10.0, 11.0, 12.0, 13.0, 14.0, 40.0]
    found = check_quality(_province(values), [QualityRule.outlier("reached")])
    assert found.select("row", "rule", "severity").rows() == [(5, "outlier_neighbours", "warning")]
    array = np.array(values)
    reference = 0.6745 * (40.0 - np.median(array)) / median_abs_deviation(array)
    params = _params(found)[0]
    assert params["score"] == pytest.approx(reference, rel=REL)
    assert params["area"] == "32" and params["n"] == 6
    assert "far from the other regions of 32 in period 2025-Q1" in found["message"].item()


def test_neighbours_are_the_same_province_and_period_only() -> None:
    rows = pl.concat(
        [
            _province([10.0, 11.0, 12.0, 13.0, 14.0]),
            _province([10.0, 11.0, 12.0, 13.0, 14.0]).with_columns(
                pl.col("region_code").str.replace("^32", "33"), pl.col("reached") * 100
            ),
            _province([10.0, 11.0, 12.0, 13.0, 14.0]).with_columns(
                period=pl.lit("2025-Q2"), reached=pl.col("reached") * 50
            ),
        ]
    )
    assert check_quality(rows, [QualityRule.outlier("reached")]).height == 0


def test_too_few_neighbours_means_no_test() -> None:
    rows = _province([10.0, 11.0, 400.0])
    assert check_quality(rows, [QualityRule.outlier("reached")]).height == 0
    flagged = check_quality(rows, [QualityRule.outlier("reached", min_points=3)])
    assert flagged["row"].to_list() == [2]


def test_outlier_groups_by_extra_columns() -> None:
    small = _province([10.0, 11.0, 12.0, 13.0, 14.0, 15.0]).with_columns(programme=pl.lit("PKH"))
    large = _province([1000.0, 1100.0]).with_columns(programme=pl.lit("BLT"))
    rows = pl.concat([small, large])
    # pooled, the two BLT rows are far from the PKH ones; by programme, BLT has too few rows
    assert check_quality(rows, [QualityRule.outlier("reached", by=["programme"])]).height == 0
    assert check_quality(rows, [QualityRule.outlier("reached")]).height > 0


def _history(values: list[float], region: str = "32.01") -> pl.DataFrame:
    return pl.DataFrame(
        {
            "region_code": [region] * len(values),
            "period": [f"{2020 + i // 4}-Q{i % 4 + 1}" for i in range(len(values))],
            "reached": values,
        }
    )


def test_history_with_zero_mad_falls_back_to_mean_absolute_deviation() -> None:
    history = _history([10.0, 10.0, 10.0, 12.0, 14.0])
    # five values: the history limit is 3.5 x 19.53 = 68.37 (outlier_limits.csv)
    rows = _province([120.0]).with_columns(period=pl.lit("2025-Q1"))
    found = check_quality(rows, [QualityRule.outlier("reached")], history=history)
    assert found["rule"].to_list() == ["outlier_history"]
    # MAD = 0 (three of five equal 10); MeanAD = (0+0+0+2+4)/5 = 1.2
    assert _params(found)[0]["score"] == pytest.approx(110.0 / (1.253314 * 1.2), rel=REL)
    assert _params(found)[0]["threshold"] == pytest.approx(68.37)
    near = check_quality(
        rows.with_columns(reached=pl.lit(13.0)), [QualityRule.outlier("reached")], history=history
    )
    assert near.height == 0  # 3 / (1.253314 * 1.2) = 1.99


def test_constant_history_flags_any_other_value_and_has_no_score() -> None:
    history = _history([10.0] * 6)
    rows = _province([11.0])
    found = check_quality(rows, [QualityRule.outlier("reached")], history=history)
    assert found["message_id"].to_list() == ["quality.outlier.history_constant"]
    assert _params(found)[0]["score"] is None
    assert "which are all 10.0" in found["message"].item()
    same = check_quality(
        rows.with_columns(reached=pl.lit(10.0)), [QualityRule.outlier("reached")], history=history
    )
    assert same.height == 0


def test_history_leaves_out_the_submitted_period_and_other_regions() -> None:
    own = _history([10.0, 11.0, 12.0, 13.0])
    same_period = pl.DataFrame({"region_code": ["32.01"], "period": ["2025-Q1"], "reached": [99.0]})
    other_region = _history([1.0] * 10, region="32.02")
    history = pl.concat([own, same_period, other_region])
    rows = _province([999.0])  # modified z 666 above the 4-value limit 173 (history_limit)
    # 4 earlier periods < min_points 5: the submitted period itself must not make it 5
    assert check_quality(rows, [QualityRule.outlier("reached")], history=history).height == 0
    four = check_quality(rows, [QualityRule.outlier("reached", min_points=4)], history=history)
    assert four["rule"].to_list() == ["outlier_history"] and _params(four)[0]["n"] == 4


def test_findings_are_sorted_by_row_then_rule_order() -> None:
    rules = [QualityRule.required("officer"), QualityRule.range("realised", min=0, max=92)]
    found = check_quality(_rows(), rules)
    assert found.select("row", "rule").rows() == [
        (1, "required"),
        (1, "range"),
        (2, "required"),
        (3, "range"),
    ]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: QualityRule.range("x"), "needs min or max"),
        (lambda: QualityRule.range("x", min=5, max=1), "min 5 is above max 1"),
        (lambda: QualityRule.ratio("x", "=<", "y"), "operator must be one of"),
        (lambda: QualityRule.required([]), "at least one column"),
        (lambda: QualityRule.outlier("x", threshold=0), "threshold must be positive"),
        (lambda: QualityRule.range("x", max=1, severity="fatal"), "severity"),
        (lambda: QualityRule.complete(pl.DataFrame({"region": ["11"]})), "'region_code'"),
    ],
)
def test_bad_rules_are_refused(make: object, message: str) -> None:
    with pytest.raises(SetaraError, match=message):
        make()  # type: ignore[operator]


def test_bad_data_is_named() -> None:
    with pytest.raises(SetaraError, match="'budget'"):
        check_quality(_rows(), [QualityRule.range("budget", max=1)])
    with pytest.raises(SetaraError, match="column 'officer' must be numeric"):
        check_quality(_rows(), [QualityRule.range("officer", max=1)])
    with pytest.raises(SetaraError, match="'period'"):
        check_quality(_rows().drop("period"), [QualityRule.outlier("realised")])


def test_rows_in_several_chunks_are_checked() -> None:
    # a concatenated upload is a multi-chunk frame; pl.format once panicked on such columns
    rows = pl.concat([_rows(), _rows()], rechunk=False)
    assert rows.n_chunks() == 2
    found = check_quality(rows, [QualityRule.range("realised", min=0, max=92)])
    assert found["row"].to_list() == [1, 3, 5, 7]
    assert found["message"].to_list()[2] == "realised 95.0 is above the maximum 92.0"


def test_empty_submission_is_only_incomplete() -> None:
    empty = pl.DataFrame(
        schema={"region_code": pl.String, "period": pl.String, "realised": pl.Float64}
    )
    expected = pl.DataFrame({"region_code": ["32.01"], "period": ["2025-Q1"]})
    rules = [
        QualityRule.range("realised", min=0),
        QualityRule.required("realised"),
        QualityRule.outlier("realised"),
        QualityRule.complete(expected),
    ]
    found = check_quality(empty, rules, history=empty)
    assert found.select("row", "message_id").rows() == [(None, "quality.complete.missing_row")]


def test_history_limit_keeps_the_large_sample_false_alarm_rate_on_normal_data() -> None:
    """200,000 clean values, each against its own 8 normal history values: |M| > 3.5 would
    flag 4.7 % of them (simulated below); the small-sample limit flags about the 0.047 % that
    3.5 means for large samples (expected 93; Poisson bounds 0.5x..2x)."""
    rng = np.random.default_rng(8)
    regions, n = 200_000, 8
    values = rng.standard_normal((regions, n + 1)) + 100.0
    codes = [
        f"{11 + i // 9_000:02d}.{i % 9_000 // 100 + 1:02d}.{i % 100:02d}" for i in range(regions)
    ]
    history = pl.DataFrame(
        {
            "region_code": np.repeat(codes, n),
            "period": np.tile([f"P{j}" for j in range(n)], regions),
            "reached": values[:, :n].ravel(),
        }
    )
    rows = pl.DataFrame({"region_code": codes, "period": "NOW", "reached": values[:, n]})
    found = check_quality(rows, [QualityRule.outlier("reached")], history=history)
    alarms = int((found["rule"] == "outlier_history").sum())
    nominal = 2.0 * norm.sf(3.5) * regions
    assert 0.5 * nominal < alarms < 2.0 * nominal
    median = np.median(values[:, :n], axis=1)
    mad = np.median(np.abs(values[:, :n] - median[:, None]), axis=1)
    fixed = (0.6745 * np.abs(values[:, n] - median) / mad > 3.5).mean()
    assert fixed > 0.04  # what the fixed limit did on the same data


def test_short_history_still_finds_an_entry_error() -> None:
    """8 quarters varying ~10 %: an extra zero (10x) is flagged, with the limit for 8 values
    in its message; a 30 % rise is not."""
    history = _history([100.0, 92.0, 108.0, 97.0, 111.0, 95.0, 104.0, 89.0])
    rows = _province([1000.0]).with_columns(period=pl.lit("2026-Q1"))
    found = check_quality(rows, [QualityRule.outlier("reached")], history=history)
    assert found["rule"].to_list() == ["outlier_history"]
    assert "limit 14.6, 8 values" in found["message"].item()
    assert _params(found)[0]["threshold"] == pytest.approx(14.6)
    rise = rows.with_columns(reached=pl.lit(130.0))
    assert check_quality(rise, [QualityRule.outlier("reached")], history=history).height == 0


def test_simulated_limit_table_is_reproduced() -> None:
    """make_outlier_limits.limit with another seed and 100,000 replicates gives the stored
    limit for 8 values within 15 % (the tail quantile's simulation error at that size)."""
    from setara.monitoring.outliers import history_limit
    from tests.data.monitoring.make_outlier_limits import limit

    stored = float(history_limit(3.5, np.array([8]))[0])
    again = limit(8, np.random.default_rng(99), replicates=100_000)
    assert again == pytest.approx(stored, rel=0.15)


def test_limit_beyond_the_table_continues_the_simulation() -> None:
    """Past n = 40 the limit comes from sqrt(1 + pi/(2n)) t_(0.37 n): within 3 % of every
    simulated limit for n = 30..40, falling towards 3.5 for long histories."""
    from setara.monitoring.outliers import MAD_EFFICIENCY, history_limit

    simulated = history_limit(3.5, np.arange(30, 41))
    level = 2.0 * norm.cdf(3.5) - 1.0
    sizes = np.arange(30, 41)
    formula = np.sqrt(1 + np.pi / (2 * sizes)) * t_dist.ppf(0.5 + level / 2, MAD_EFFICIENCY * sizes)
    np.testing.assert_allclose(formula, simulated, rtol=0.03)
    long = history_limit(3.5, np.array([41, 100, 10_000]))
    assert 3.5 < long[2] < long[1] < long[0] < simulated[-1] * 1.03
