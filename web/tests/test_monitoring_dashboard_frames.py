"""Score-card joining rules and dashboard charts, by value (no database)."""

from __future__ import annotations

import re

import polars as pl
import pytest
from monitoring.dashboard_frames import TARGET_SCHEMA, latest, ranking, scored_values

from monitoring import charts, dashboard_exports

INDICATORS = pl.DataFrame(
    {
        "indicator_id": [1, 2],
        "code": ["P0", "BUDGET"],
        "name": ["Poverty", '=HYPERLINK("http://x")'],
        "unit": ["%", "%"],
        "polarity": ["lower", "higher"],
        "source_kind": ["survey", "administrative"],
    }
)


def _values(rows: list[tuple[int, str, str, float, float | None, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_id": [r[0] for r in rows],
            "region_code": [r[1] for r in rows],
            "period": [r[2] for r in rows],
            "value": [r[3] for r in rows],
            "se": [None] * len(rows),
            "ci_low": [r[4] for r in rows],
            "ci_high": [r[5] for r in rows],
            "rse": [0.1 if r[4] is not None else None for r in rows],
            "approved": [True] * len(rows),
        }
    )


def _targets(
    rows: list[tuple[int, str, int, float | None, float | None, float | None]],
) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "indicator_id": r[0], "region_code": r[1], "year": r[2], "baseline_value": None,
                "target_value": r[3], "target_low": r[4], "target_high": r[5],
            }
            for r in rows
        ],
        schema=TARGET_SCHEMA,
    )  # fmt: skip


def test_own_target_wins_over_national_and_national_fills_in() -> None:
    values = _values([(1, "32", "2025", 9.0, 8.0, 10.0), (1, "33", "2025", 9.0, 8.5, 9.5)])
    targets = _targets([(1, "", 2025, 10.0, None, None), (1, "32", 2025, 7.0, None, None)])
    out = scored_values(INDICATORS, values, targets).sort("region_code")
    # 32 has its own target 7 (lower is better): (2 - 9/7) * 100; the CI 8-10 is above 7
    assert out["target_scope"].to_list() == ["region", "national"]
    assert out["achievement"][0] == pytest.approx((2 - 9 / 7) * 100)
    assert out["verdict"].to_list() == ["not_met", "met"]  # 33: CI 8.5-9.5 wholly below 10
    assert out["target_low"].to_list() == [7.0, 10.0]


def test_range_target_and_year_of_a_quarter() -> None:
    values = _values([(2, "32.01", "2025-Q3", 80.0, None, None)])
    targets = _targets([(2, "", 2025, None, 90.0, 100.0), (2, "", 2026, 50.0, None, None)])
    row = scored_values(INDICATORS, values, targets).row(0, named=True)
    assert (row["year"], row["target_low"], row["target_high"]) == (2025, 90.0, 100.0)
    assert row["achievement"] == pytest.approx(80 / 90 * 100)  # below the range: its low end
    assert row["verdict"] is None and row["rse_flag"] is None  # administrative: no sampling error


def test_no_target_scores_nothing_and_latest_keeps_each_indicators_last_period() -> None:
    values = _values(
        [(1, "32", "2024", 9.5, None, None), (1, "32", "2025", 9.0, None, None),
         (2, "32", "2025-Q1", 70.0, None, None), (2, "32", "2025-Q2", 75.0, None, None)]
    )  # fmt: skip
    out = scored_values(INDICATORS, values, _targets([]))
    assert out["achievement"].null_count() == 4 and out["target_scope"].null_count() == 4
    assert sorted(latest(out)["period"].to_list()) == ["2025", "2025-Q2"]


def test_ranking_caps_at_120_and_names_regions() -> None:
    values = _values([(2, "32", "2025", 300.0, None, None), (2, "33", "2025", 95.0, None, None)])
    targets = _targets([(2, "", 2025, 100.0, None, None)])
    card = ranking(scored_values(INDICATORS, values, targets), {"32": "Jawa Barat"})
    assert card.select("region_code", "rank", "mean_achievement").rows() == [
        ("32", 1, 120.0),
        ("33", 2, 95.0),
    ]
    assert card["region_name"].to_list() == ["Jawa Barat", "33"]


def test_trend_chart_draws_band_line_and_targets() -> None:
    points = [
        {"period": "2024", "value": 10.0, "ci_low": 9.0, "ci_high": 11.0},
        {"period": "2025", "value": 9.0, "ci_low": 8.0, "ci_high": 10.0},
        {"period": "2026", "value": 8.5},  # no interval: on the line, not in the band
    ]
    svg = charts.trend_chart(points, title="P0", fmt="{:.1f}".format, targets={"2025": 8.0})
    band = re.search(r'<polygon points="([^"]+)"', svg)
    assert band is not None and len(band.group(1).split()) == 4  # 2 upper + 2 lower corners
    line = re.search(r'<polyline points="([^"]+)" fill="none" stroke="#3b528b"', svg)
    assert line is not None and len(line.group(1).split()) == 3
    assert svg.count("<title>Target 2025: 8.0</title>") == 1
    assert "2025: 9.0, CI 8.0 to 10.0" in svg
    assert 'role="img"' in svg


def test_trend_chart_without_values_says_so() -> None:
    svg = charts.trend_chart([{"period": "2024", "value": None}], title="P0", fmt=str)
    assert "No values to draw." in svg and "<polyline" not in svg


def test_achievement_map_colours_given_provinces() -> None:
    svg = charts.achievement_map({"32": 99.0, "53": 70.0}, title="Map", fmt="{:.0f}".format)
    assert svg.count('class="setara-region"') == 33
    assert re.search(r'data-code="32"><title>[^<]*99', svg)


def test_csv_neutralises_and_keeps_codes() -> None:
    values = _values([(2, "32", "2025", 80.0, None, None)])
    scored = scored_values(INDICATORS, values, _targets([(2, "", 2025, 100.0, None, None)]))
    text = dashboard_exports.to_csv(scored).decode()
    header, row = text.splitlines()[:2]
    assert header.split(",")[:3] == ["code", "name", "unit"]
    assert (
        "'=HYPERLINK" in row and ",80.0," in row and ",80.0,high,amber," in row
    )  # 76 <= 80 < 91: high; 66 <= 80 < 91: amber
    excel = dashboard_exports.to_csv(scored, excel_indonesia=True)
    assert excel.startswith(b"\xef\xbb\xbf") and b";80,0;" in excel


def test_change_page_offers_the_last_two_rounds_of_one_dataset() -> None:
    """Two rounds of a survey are two versions of one dataset: the page preselects the two
    latest of the dataset updated last, not the first and last versions of the whole list."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from monitoring.dashboard_change import suggested_rounds

    def version(dataset: int, number: int, day: int) -> SimpleNamespace:
        return SimpleNamespace(
            dataset_id=dataset, number=number, uploaded_at=datetime(2026, 1, day, tzinfo=UTC)
        )

    single = version(1, 1, 1)
    rounds = [version(2, 1, 2), version(2, 2, 5), version(2, 3, 9)]
    older_pair = [version(3, 1, 3), version(3, 2, 4)]
    assert suggested_rounds([single, *rounds, *older_pair]) == (rounds[1], rounds[2])
    assert suggested_rounds([single]) == (None, None)
