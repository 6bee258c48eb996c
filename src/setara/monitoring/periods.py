"""Reporting periods: year "2025", semester "2025-S1", quarter "2025-Q3", month "2025-03".

Indonesia's fiscal year (*tahun anggaran*) is the calendar year: UU 17/2003 on State Finances,
art. 4 ("Tahun Anggaran meliputi masa satu tahun, mulai dari tanggal 1 Januari sampai dengan
tanggal 31 Desember"). For other calendars a fiscal year may start in another month
(``start_month``): fiscal year ``Y`` then runs from ``start_month`` of ``Y`` to the month
before it in ``Y + 1`` (it is named by the calendar year in which it starts).

How a period's text is read:

- ``"2025"`` is fiscal year 2025;
- ``"2025-S1"``, ``"2025-Q3"``: the first half, the third quarter *of fiscal year 2025*
  (its months follow ``start_month``; in Indonesia, January–June and July–September);
- ``"2025-03"`` is the calendar month March 2025; its fiscal year follows ``start_month``.

Examples
--------
>>> parse_period("2025-Q3")
Period(year=2025, type='quarterly', index=3)
>>> fiscal_year("2026-02", start_month=4), periods_in_year(2025, "semester")
(2025, ['2025-S1', '2025-S2'])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from setara.errors import InputValueError, count_phrase

__all__ = [
    "PERIOD_TYPES",
    "Period",
    "calendar_months",
    "fiscal_year",
    "format_period",
    "parse_period",
    "parse_periods",
    "periods_in_year",
]

#: Period types and how many periods of each a year holds.
PERIOD_TYPES: dict[str, int] = {"annual": 1, "semester": 2, "quarterly": 4, "monthly": 12}
_PATTERN = r"^(\d{4})(?:-(S[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
_EXPECTED = "'2025', '2025-S1', '2025-Q3' or '2025-03'"


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: its year, type (a key of :data:`PERIOD_TYPES`) and 1-based index."""

    year: int
    type: str
    index: int

    def __str__(self) -> str:
        return format_period(self)


def format_period(period: Period) -> str:
    """Write a period the way :func:`parse_period` reads it.

    Examples
    --------
    >>> format_period(Period(2025, "monthly", 3))
    '2025-03'
    """
    if period.type not in PERIOD_TYPES or not 1 <= period.index <= PERIOD_TYPES[period.type]:
        raise InputValueError(f"no period {period.index} of type {period.type!r} in a year")
    if not 1000 <= period.year <= 9999:
        raise InputValueError(f"period year must have four digits, not {period.year}")
    suffix = {"annual": "", "semester": f"-S{period.index}", "quarterly": f"-Q{period.index}"}
    return f"{period.year}{suffix.get(period.type, f'-{period.index:02d}')}"


def parse_periods(
    values: pl.Series | Sequence[str | None],
    *,
    period_type: str | None = None,
    start_month: int = 1,
) -> pl.DataFrame:
    """Read a column of periods at once; every bad value is counted in one error.

    Parameters
    ----------
    values
        Period texts; surrounding spaces are ignored and ``s``/``q`` may be lower case.
    period_type
        When given, every period must be of this type.
    start_month
        First calendar month of the fiscal year (1, Indonesia's, by default).

    Returns
    -------
    polars.DataFrame
        Columns ``period`` (normalised text), ``period_type``, ``year``, ``index`` and
        ``fiscal_year``, one row per value.

    Raises
    ------
    setara.SetaraError
        Missing or malformed values, or values of another type than ``period_type``: how many
        and the first one with its row.

    Examples
    --------
    >>> parse_periods(["2025-q1", "2025-11"], start_month=4).rows()
    [('2025-Q1', 'quarterly', 2025, 1, 2025), ('2025-11', 'monthly', 2025, 11, 2025)]
    """
    _check_start(start_month)
    if period_type is not None and period_type not in PERIOD_TYPES:
        raise InputValueError(
            f"period type must be one of {', '.join(PERIOD_TYPES)}, not {period_type!r}"
        )
    series = (
        values.cast(pl.String)
        if isinstance(values, pl.Series)
        else pl.Series("period", list(values), dtype=pl.String)
    )
    text = series.str.strip_chars().str.to_uppercase()
    parts = pl.DataFrame({"text": text}).select(
        pl.col("text"),
        pl.col("text").str.extract(_PATTERN, 1).cast(pl.Int32).alias("year"),
        pl.col("text").str.extract(_PATTERN, 2).alias("tail"),
    )
    tail = pl.col("tail")
    typed = parts.with_columns(
        pl.when(tail.is_null())
        .then(pl.lit("annual"))
        .when(tail.str.starts_with("S"))
        .then(pl.lit("semester"))
        .when(tail.str.starts_with("Q"))
        .then(pl.lit("quarterly"))
        .otherwise(pl.lit("monthly"))
        .alias("period_type"),
        pl.when(tail.is_null())
        .then(1)
        .otherwise(tail.str.replace("^[SQ]", "").cast(pl.Int32))
        .alias("index"),
    )
    bad = typed.get_column("year").is_null()
    problem = f"periods like {_EXPECTED}"
    if period_type is not None:
        bad = bad | (typed.get_column("period_type") != period_type)
        problem = f"{period_type} periods like {_example(period_type)}"
    _raise_bad(series, bad, problem)
    monthly = pl.col("period_type") == "monthly"
    fiscal = (
        pl.when(monthly & (pl.col("index") < start_month))
        .then(pl.col("year") - 1)
        .otherwise(pl.col("year"))
    )
    return typed.select(
        pl.col("text").alias("period"),
        "period_type",
        pl.col("year"),
        pl.col("index"),
        fiscal.cast(pl.Int32).alias("fiscal_year"),
    )


def _example(period_type: str) -> str:
    return {"annual": "'2025'", "semester": "'2025-S1'", "quarterly": "'2025-Q3'"}.get(
        period_type, "'2025-03'"
    )


def _raise_bad(series: pl.Series, bad: pl.Series, problem: str) -> None:
    count = int(bad.sum())
    if count:
        first = int(bad.arg_true()[0])
        name = series.name or "period"
        raise InputValueError(
            f"column {name!r}: {count_phrase(count, series.len())} are not {problem} "
            f"(first at row {first}: {series[first]!r})"
        )


def _check_start(start_month: int) -> None:
    if not 1 <= start_month <= 12:
        raise InputValueError(f"fiscal year start month must be 1 to 12, not {start_month}")


def parse_period(text: str) -> Period:
    """Read one period; raises :class:`setara.SetaraError` naming the bad text."""
    if not isinstance(text, str):
        raise InputValueError(f"a period must be text like {_EXPECTED}, not {text!r}")
    row = parse_periods([text]).row(0, named=True)
    return Period(row["year"], row["period_type"], row["index"])


def fiscal_year(period: str | Period, *, start_month: int = 1) -> int:
    """The fiscal year a period belongs to (see the module notes for the reading of periods)."""
    _check_start(start_month)
    p = parse_period(period) if isinstance(period, str) else period
    if p.type == "monthly" and p.index < start_month:
        return p.year - 1
    return p.year


def calendar_months(period: str | Period, *, start_month: int = 1) -> list[tuple[int, int]]:
    """The calendar ``(year, month)`` pairs a period covers.

    Examples
    --------
    >>> calendar_months("2025-Q4", start_month=4)
    [(2026, 1), (2026, 2), (2026, 3)]
    """
    _check_start(start_month)
    p = parse_period(period) if isinstance(period, str) else period
    if p.type == "monthly":
        return [(p.year, p.index)]
    length = 12 // PERIOD_TYPES[p.type]
    first = start_month - 1 + (p.index - 1) * length  # months after January of p.year
    return [(p.year + (first + k) // 12, (first + k) % 12 + 1) for k in range(length)]


def periods_in_year(year: int, period_type: str, *, start_month: int = 1) -> list[str]:
    """Every period of a type in fiscal year ``year``, in order.

    Examples
    --------
    >>> periods_in_year(2025, "monthly", start_month=10)[:4]
    ['2025-10', '2025-11', '2025-12', '2026-01']
    """
    _check_start(start_month)
    if period_type not in PERIOD_TYPES:
        raise InputValueError(
            f"period type must be one of {', '.join(PERIOD_TYPES)}, not {period_type!r}"
        )
    if period_type != "monthly":
        return [
            format_period(Period(year, period_type, i))
            for i in range(1, PERIOD_TYPES[period_type] + 1)
        ]
    months = [start_month - 1 + k for k in range(12)]
    return [format_period(Period(year + m // 12, "monthly", m % 12 + 1)) for m in months]
