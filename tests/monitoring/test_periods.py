"""Reporting periods: reading, writing, fiscal years, the periods of a year, bad values."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from setara import SetaraError
from setara.monitoring.periods import (
    PERIOD_TYPES,
    Period,
    calendar_months,
    fiscal_year,
    format_period,
    parse_period,
    parse_periods,
    periods_in_year,
)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("2025", Period(2025, "annual", 1)),
        ("2025-S2", Period(2025, "semester", 2)),
        ("2025-Q3", Period(2025, "quarterly", 3)),
        ("2025-03", Period(2025, "monthly", 3)),
        ("2025-12", Period(2025, "monthly", 12)),
        (" 2025-q1 ", Period(2025, "quarterly", 1)),
    ],
)
def test_parse(text: str, period: Period) -> None:
    assert parse_period(text) == period


@pytest.mark.parametrize(
    "text", ["25", "2025-Q5", "2025-Q0", "2025-S3", "2025-13", "2025-00", "2025-3", "2025Q1", ""]
)
def test_malformed_periods_are_named(text: str) -> None:
    with pytest.raises(SetaraError, match=f"first at row 0: {text!r}"):
        parse_period(text)


@given(
    st.sampled_from(sorted(PERIOD_TYPES)).flatmap(
        lambda kind: st.builds(
            Period,
            st.integers(1000, 9999),
            st.just(kind),
            st.integers(1, PERIOD_TYPES[kind]),
        )
    )
)
def test_format_and_parse_are_inverse(period: Period) -> None:
    assert parse_period(format_period(period)) == period
    assert str(period) == format_period(period)


def test_periods_sort_in_time_within_a_type() -> None:
    texts = ["2025-Q3", "2024-Q4", "2025-Q1"]
    assert [str(p) for p in sorted(map(parse_period, texts))] == ["2024-Q4", "2025-Q1", "2025-Q3"]


def test_indonesian_fiscal_year_is_the_calendar_year() -> None:
    assert [fiscal_year(t) for t in ("2025", "2025-S2", "2025-Q4", "2025-01", "2025-12")] == [
        2025
    ] * 5
    assert calendar_months("2025-S2") == [(2025, m) for m in range(7, 13)]
    assert calendar_months("2025") == [(2025, m) for m in range(1, 13)]


def test_fiscal_year_starting_in_april() -> None:
    assert fiscal_year("2026-03", start_month=4) == 2025
    assert fiscal_year("2026-04", start_month=4) == 2026
    assert calendar_months("2025-Q1", start_month=4) == [(2025, 4), (2025, 5), (2025, 6)]
    assert calendar_months("2025", start_month=4)[-1] == (2026, 3)
    assert periods_in_year(2025, "monthly", start_month=4) == [
        *(f"2025-{m:02d}" for m in range(4, 13)),
        "2026-01",
        "2026-02",
        "2026-03",
    ]


def test_periods_in_year() -> None:
    assert periods_in_year(2025, "annual") == ["2025"]
    assert periods_in_year(2025, "quarterly") == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert periods_in_year(2025, "monthly") == [f"2025-{m:02d}" for m in range(1, 13)]
    with pytest.raises(SetaraError, match="'weekly'"):
        periods_in_year(2025, "weekly")


def test_every_month_of_a_fiscal_year_belongs_to_it() -> None:
    for start in range(1, 13):
        months = periods_in_year(2025, "monthly", start_month=start)
        assert {fiscal_year(m, start_month=start) for m in months} == {2025}
        quarters = [
            calendar_months(q, start_month=start) for q in periods_in_year(2025, "quarterly")
        ]
        assert [f"{y}-{m:02d}" for q in quarters for y, m in q] == months


def test_column_is_read_at_once_and_bad_values_counted() -> None:
    frame = parse_periods(pl.Series("periode", ["2025-Q1", "2025-q2", "2025"]))
    assert frame.columns == ["period", "period_type", "year", "index", "fiscal_year"]
    assert frame["period"].to_list() == ["2025-Q1", "2025-Q2", "2025"]
    with pytest.raises(SetaraError) as error:
        parse_periods(pl.Series("periode", ["2025-Q1", "2025-Q7", None, "Q1-2025"]))
    assert str(error.value) == (
        "column 'periode': 3 in 4 rows are not periods like '2025', '2025-S1', '2025-Q3' or "
        "'2025-03' (first at row 1: '2025-Q7')"
    )
    with pytest.raises(SetaraError, match="1 in 2 rows are not quarterly periods"):
        parse_periods(["2025-Q1", "2025-03"], period_type="quarterly")


@pytest.mark.parametrize("start", [0, 13])
def test_start_month_is_checked(start: int) -> None:
    with pytest.raises(SetaraError, match="start month must be 1 to 12"):
        fiscal_year("2025-01", start_month=start)
