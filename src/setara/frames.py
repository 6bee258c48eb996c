"""Column access with clear errors: every problem names the column and counts the rows."""

from __future__ import annotations

import difflib
from typing import Any

import numpy as np
import polars as pl

from setara.errors import ColumnNotFoundError, DataTypeError, InputValueError, count_phrase
from setara.kernels.groups import FloatArray


def to_polars(data: Any) -> pl.DataFrame:
    """Accept a Polars or pandas frame (or anything Polars can build a frame from)."""
    if isinstance(data, pl.DataFrame):
        return data
    if isinstance(data, pl.LazyFrame):
        collected: pl.DataFrame = data.collect()
        return collected
    module = type(data).__module__
    if module.startswith("pandas"):
        converted: pl.DataFrame = pl.from_pandas(data)
        return converted
    return pl.DataFrame(data)


def require_column(frame: pl.DataFrame, name: str, role: str) -> pl.Series:
    if name not in frame.columns:
        close = difflib.get_close_matches(name, frame.columns, n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise ColumnNotFoundError(f"{role} column {name!r} is not in the data{hint}")
    return frame.get_column(name)


def numeric_column(frame: pl.DataFrame, name: str, role: str) -> FloatArray:
    """A numeric column as float64 with NaN for missing values."""
    series = require_column(frame, name, role)
    if series.dtype == pl.Boolean:
        series = series.cast(pl.Float64)
    if not series.dtype.is_numeric():
        converted = series.cast(pl.Float64, strict=False)
        bad = int((converted.is_null() & series.is_not_null()).sum())
        if bad:
            raise DataTypeError(
                f"{role} column {name!r} has {count_phrase(bad, series.len())} that are not "
                f"numbers (type {series.dtype})"
            )
        series = converted
    values = series.cast(pl.Float64).to_numpy(allow_copy=True).astype(np.float64, copy=False)
    return np.asarray(values)


def weight_column(frame: pl.DataFrame, name: str) -> FloatArray:
    values = numeric_column(frame, name, "weight")
    missing = int(np.isnan(values).sum())
    negative = int((values < 0).sum())
    infinite = int(np.isinf(values).sum())
    if missing or negative or infinite:
        parts = [
            f"{count} {what}"
            for count, what in (
                (missing, "missing"),
                (negative, "negative"),
                (infinite, "infinite"),
            )
            if count
        ]
        first = int(np.flatnonzero(np.isnan(values) | (values < 0) | np.isinf(values))[0])
        raise InputValueError(
            f"weight column {name!r} has {' and '.join(parts)} values in {values.size:,} rows "
            f"(first at row {first + 1:,})"
        )
    return values


def require_rows(frame: pl.DataFrame) -> None:
    """A frame without rows cannot be estimated from (a CSV header with no data below it)."""
    if frame.height == 0:
        raise InputValueError(
            f"the data has no rows (only the {frame.width:,} column names); nothing to estimate"
        )


def check_finite(values: FloatArray, name: str, role: str) -> None:
    """Infinite values (``inf``, ``-inf``) are an error: they make every estimate infinite."""
    infinite = np.isinf(values)
    if infinite.any():
        count = int(infinite.sum())
        first = int(np.flatnonzero(infinite)[0])
        raise InputValueError(
            f"{role} column {name!r} has {count_phrase(count, values.size)} that are infinite "
            f"(first at row {first + 1:,}); replace them with a number or leave them empty"
        )


def check_weight_total(values: FloatArray, name: str) -> None:
    """Weights must add up to a positive total (every one zero means no population)."""
    total = float(values.sum())
    if not total > 0:
        zero = int((values == 0).sum())
        raise InputValueError(
            f"weight column {name!r} adds up to {total:g}: {count_phrase(zero, values.size)} "
            "have weight zero; a design needs a positive total"
        )


def key_column(frame: pl.DataFrame, name: str, role: str) -> np.ndarray:
    """A design or domain key (any type) as a NumPy array; missing values are an error."""
    series = require_column(frame, name, role)
    missing = int(series.null_count())
    if series.dtype.is_float():
        missing += int(series.is_nan().sum())
    if missing:
        raise InputValueError(
            f"{role} column {name!r} has {count_phrase(missing, series.len())} missing"
        )
    if series.dtype in (pl.Utf8, pl.Categorical, pl.Enum) or series.dtype == pl.Object:
        # dense codes in sorted order of the text (fast in Polars; equal text, equal code)
        codes = series.cast(pl.Utf8).rank(method="dense").cast(pl.Int64) - 1
        return np.asarray(codes.to_numpy())
    return np.asarray(series.to_numpy())
