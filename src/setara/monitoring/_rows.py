"""Input checks shared by the monitoring modules: one message shape for bad rows."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from setara.errors import ColumnNotFoundError, DataTypeError, InputValueError, count_phrase


def require_columns(frame: pl.DataFrame, columns: Iterable[str], *, what: str) -> None:
    """Raise :class:`ColumnNotFoundError` naming every missing column."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise ColumnNotFoundError(
            f"{what} needs column(s) {names}, not found among {len(frame.columns)} columns"
        )


def numeric(frame: pl.DataFrame, column: str, *, what: str) -> pl.Series:
    """The column as Float64 with NaN read as missing; text columns are refused."""
    series = frame.get_column(column)
    if series.dtype == pl.Null:
        return series.cast(pl.Float64)
    if not series.dtype.is_numeric():
        raise DataTypeError(
            f"{what}: column {column!r} must be numeric, not {series.dtype} "
            f"(first value {series.drop_nulls().head(1).to_list()})"
        )
    return series.cast(pl.Float64).fill_nan(None)


def first_bad(mask: pl.Series, *, describe: str, total: int, echo: pl.Series | None = None) -> None:
    """Raise :class:`InputValueError` when ``mask`` has a true value (nulls count as false).

    The message says ``describe``, how many rows and the first one (0-based); with ``echo`` it
    also shows the first bad value (never pass ``echo`` for personal identifiers).
    """
    bad = mask.fill_null(False)
    count = int(bad.sum())
    if count == 0:
        return
    first = int(bad.arg_true()[0])
    shown = "" if echo is None else f": {echo[first]!r}"
    raise InputValueError(f"{describe}: {count_phrase(count, total)} (first at row {first}{shown})")
