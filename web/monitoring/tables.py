"""Uploaded tables (targets, realisation, beneficiaries, indicator values): read and checked
whole, vectorised, before anything is written.

:func:`read_table` reads an XLSX or CSV upload with the datasets app's readers (CSV dialect,
size limits); :func:`check_columns` casts each declared column and collects every problem
with its count and first row, so one :class:`TableError` says everything that is wrong and
nothing is half-written. No model is touched here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from datasets import storage
from django.conf import settings

from monitoring.validators import REGION_PATTERN
from setara.errors import SetaraError
from setara.monitoring import pseudonymise

UPLOAD_SUFFIXES = (".csv", ".xlsx")


class TableError(SetaraError):
    """A table that cannot be imported; ``problems`` lists each reason (one line each)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Column:
    """A column of a template: ``kind`` is ``region``, ``int`` (>= 0), ``money`` (>= 0),
    ``float``, ``year``, ``bool`` or ``text``."""

    name: str
    kind: str
    required: bool = False


def read_table(uploaded: Any) -> pl.DataFrame:
    """An uploaded CSV or XLSX file as a frame with lower-case column names; the saved copy
    is removed whatever happens (it may hold NIKs)."""
    suffix = Path(uploaded.name).suffix.lower()
    if suffix not in UPLOAD_SUFFIXES:
        raise TableError([f"file {uploaded.name!r} is not a CSV or XLSX file"])
    # save_upload returns the path relative to STORAGE_DIR (since the upload worker merge)
    saved = Path(settings.STORAGE_DIR) / storage.save_upload(uploaded)
    try:
        frame = storage.read_upload(saved, uploaded.name)
    finally:
        saved.unlink(missing_ok=True)
    names = [c.strip().lower() for c in frame.columns]
    if len(set(names)) != len(names):
        raise TableError([f"file {uploaded.name!r} repeats a column name (case is ignored)"])
    return frame.rename(dict(zip(frame.columns, names, strict=True)))


def _first(mask: pl.Series) -> int:
    return int(mask.arg_true()[0]) + 1


def _problem(name: str, what: str, mask: pl.Series) -> str:
    """``"budget_realised: 3 of 1,200 rows are negative (first at row 17)"``."""
    count = int(mask.sum())
    return f"{name}: {count:,} of {mask.len():,} rows {what} (first at row {_first(mask)})"


def _as_text(series: pl.Series) -> pl.Series:
    if series.dtype == pl.String:
        return series.str.strip_chars()
    return series.cast(pl.String)


def _cast(series: pl.Series, kind: str) -> pl.Series:
    if kind in ("region", "text"):
        return _as_text(series).fill_null("") if kind == "region" else _as_text(series)
    if kind == "bool":
        text = _as_text(series).str.to_lowercase()
        truthy = text.is_in(["1", "true", "yes", "ya", "y"])
        falsy = text.is_in(["0", "false", "no", "tidak", "t", "n"])
        flags = pl.select(pl.when(truthy).then(True).when(falsy).then(False).otherwise(None))
        return flags.to_series().alias(series.name)
    target = pl.Float64 if kind in ("money", "float") else pl.Int64
    if series.dtype == pl.String:
        series = series.str.strip_chars().replace("", None)
    return series.cast(target, strict=False)


def check_columns(frame: pl.DataFrame, columns: list[Column]) -> pl.DataFrame:
    """``frame`` reduced to ``columns``, each cast to its kind; every problem is collected and
    raised together as a :class:`TableError` (unknown columns are named, not ignored)."""
    checked, problems = cast_columns(frame, columns)
    if problems:
        raise TableError(problems)
    return checked


def cast_columns(frame: pl.DataFrame, columns: list[Column]) -> tuple[pl.DataFrame, list[str]]:
    """``frame`` reduced to ``columns`` and cast (a bad cell becomes null), with the problems
    of the cells; a table whose columns do not match the template raises at once."""
    declared = {c.name for c in columns}
    problems = []
    unknown = [c for c in frame.columns if c not in declared]
    if unknown:
        problems.append(
            f"{len(unknown)} unknown column(s): {', '.join(unknown[:10])}; "
            f"the template's columns are {', '.join(c.name for c in columns)}"
        )
    missing = [c.name for c in columns if c.required and c.name not in frame.columns]
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if problems:
        raise TableError(problems)
    out = {}
    for column in columns:
        if column.name not in frame.columns:
            out[column.name] = pl.Series(column.name, [None] * frame.height, dtype=_dtype(column))
            continue
        raw = frame[column.name]
        cast = _cast(raw, column.kind)
        present = raw.is_not_null() & (_as_text(raw).fill_null("") != "")
        if column.kind not in ("region", "text"):
            bad = present & cast.is_null()
            if bad.any():
                problems.append(_problem(column.name, _WHAT[column.kind], bad))
            negative = cast.fill_null(0) < 0
            if column.kind in ("int", "money") and negative.any():
                problems.append(_problem(column.name, "are negative", negative))
        if column.required and (~present).any():
            problems.append(_problem(column.name, "are empty", ~present))
        if column.kind == "region":
            wrong = present & ~cast.str.contains(REGION_PATTERN.pattern)
            if wrong.any():
                problems.append(_problem(column.name, "are not kode wilayah", wrong))
        out[column.name] = cast
    return pl.DataFrame(out), problems


_WHAT = {
    "int": "are not whole numbers",
    "year": "are not years",
    "money": "are not numbers",
    "float": "are not numbers",
    "bool": "are not yes/no (1/0)",
}


def _dtype(column: Column) -> Any:
    return {
        "region": pl.String,
        "text": pl.String,
        "bool": pl.Boolean,
        "money": pl.Float64,
        "float": pl.Float64,
    }.get(column.kind, pl.Int64)


def duplicated(frame: pl.DataFrame, keys: list[str]) -> str | None:
    """A problem line when rows repeat the same ``keys`` (None when every key is unique)."""
    repeated = frame.select(pl.struct(keys).is_duplicated()).to_series()
    if not repeated.any():
        return None
    return _problem(" + ".join(keys), "are repeated", repeated)


def outside(frame: pl.DataFrame, column: str, region: str) -> str | None:
    """A problem line when codes in ``column`` lie outside kode wilayah ``region``."""
    if region == "":
        return None
    codes = frame[column]
    mask = ~((codes == region) | codes.str.starts_with(region + "."))
    if not mask.any():
        return None
    return _problem(column, f"lie outside region {region}", mask)


def beneficiary_keys(niks: pl.Series) -> pl.Series:
    """The library's keyed hash (HMAC-SHA256) of each NIK under the server's key: the same
    person gets the same key, the NIK is not kept; bad NIKs are counted, never shown."""
    return pseudonymise(niks, key=hash_key()).alias("beneficiary_key")


def hash_key() -> bytes:
    """``SETARA_BENEFICIARY_KEY`` (at least 32 bytes), else a key derived from SECRET_KEY."""
    configured = getattr(settings, "BENEFICIARY_KEY", "")
    if configured:
        return str(configured).encode()
    return hashlib.sha256(b"setara-beneficiary-key:" + settings.SECRET_KEY.encode()).digest()
