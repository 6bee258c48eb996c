"""Columns for the evaluation estimators: read once, checked, rows with a missing value in any
of them dropped together and counted in a note (RD and matching share this)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from setara.errors import InputValueError, count_phrase
from setara.frames import check_finite, numeric_column, require_rows, weight_column
from setara.kernels.groups import FloatArray


@dataclass(frozen=True)
class Columns:
    """The numeric columns an estimator uses, complete rows only, and what was dropped."""

    values: dict[str, FloatArray]
    weight: FloatArray
    n_rows: int
    notes: tuple[str, ...]


def read_columns(frame: pl.DataFrame, roles: dict[str, str], weight: str | None = None) -> Columns:
    """``roles`` maps a column name to its role (``"outcome"``, ``"running variable"``...).

    Missing values (null or NaN) drop the row from every column, with one note per column
    saying how many; infinite values and bad weights are errors. The weight is 1 when not
    given.
    """
    require_rows(frame)
    raw = {name: numeric_column(frame, name, role) for name, role in roles.items()}
    for name, role in roles.items():
        check_finite(raw[name], name, role)
    w = weight_column(frame, weight) if weight else np.ones(frame.height)
    keep = np.ones(frame.height, dtype=bool)
    notes = []
    for name, role in roles.items():
        missing = np.isnan(raw[name])
        if missing.any():
            notes.append(
                f"{role} column {name!r}: {count_phrase(int(missing.sum()), frame.height)} "
                "missing, left out"
            )
            keep &= ~missing
    if not keep.any():
        raise InputValueError(
            f"no row of {frame.height:,} has every column "
            f"({', '.join(repr(n) for n in roles)}) filled in"
        )
    values = {name: np.ascontiguousarray(v[keep]) for name, v in raw.items()}
    return Columns(values, np.ascontiguousarray(w[keep]), frame.height, tuple(notes))


def binary_column(values: FloatArray, name: str, role: str) -> FloatArray:
    """A 0/1 column (a treatment indicator): any other value is an error naming how many."""
    bad = ~np.isin(values, (0.0, 1.0))
    if bad.any():
        first = values[np.flatnonzero(bad)[0]]
        raise InputValueError(
            f"{role} column {name!r} must be 0 or 1: {count_phrase(int(bad.sum()), values.size)} "
            f"are not (first value {first:g})"
        )
    return values
