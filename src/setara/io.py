"""Reading survey files: CSV, Parquet, Stata ``.dta``, SPSS ``.sav`` and Excel.

Stata and SPSS value labels become the column values (as text), so domains print with their
names. CSV files are read in their dialect (separator, decimal comma, thousands separator,
encoding: :mod:`setara.csv_dialect`), and columns named like codes or ids (``province_code``,
``kode_kab``, ``kdprov``, ``hh_id``, Susenas ``r101``-``r104``) are kept as text, so *kode
wilayah* ``11.10`` does not become the number 11.1 and leading zeros survive. A file that
cannot be read raises :class:`~setara.errors.ReadError` with one line saying which file and why;
a file larger than the :class:`~setara.limits.ReadLimits` is refused from its header or
metadata, before it is read in full (:class:`~setara.limits.InputLimitError`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from setara.errors import ReadError
from setara.limits import FileShape, ReadLimits, check_shape, inspect_file

if TYPE_CHECKING:
    from setara.csv_dialect import CsvDialect

__all__ = ["SUPPORTED_SUFFIXES", "read_survey", "write_table"]

SUPPORTED_SUFFIXES = (".csv", ".parquet", ".pq", ".dta", ".sav", ".zsav", ".xlsx", ".xls")


def read_survey(
    path: str | Path,
    *,
    value_labels: bool = True,
    csv_dialect: CsvDialect | None = None,
    csv_separator: str | None = None,
    decimal_comma: bool | None = None,
    limits: ReadLimits | None = None,
) -> pl.DataFrame:
    """Read a survey file into a Polars frame, choosing the reader by file suffix.

    CSV files are read with ``csv_dialect`` when given, else with the dialect detected by
    :func:`setara.csv_dialect.detect_dialect` (``csv_separator`` and ``decimal_comma`` fix
    the separator and the decimal mark instead of guessing them). The file's shape is checked
    against ``limits`` (``ReadLimits()`` when None) from its header or metadata first, and the
    frame read against them again where no metadata told.
    """
    file = Path(path)
    if not file.exists():
        raise ReadError(f"file {str(file)!r} does not exist")
    if file.is_dir():
        raise ReadError(f"{str(file)!r} is a folder, not a data file")
    limits = limits or ReadLimits()
    shape = inspect_file(file, max_columns=limits.max_columns)
    check_shape(shape, limits, str(file))
    if shape.duplicates:
        names = ", ".join(repr(n) for n in shape.duplicates[:10])
        more = f" and {len(shape.duplicates) - 10:,} more" if len(shape.duplicates) > 10 else ""
        raise ReadError(
            f"file {str(file)!r} has {len(shape.duplicates):,} duplicate column names "
            f"({names}{more}); give every column its own name"
        )
    frame = _read(file, value_labels, csv_dialect, csv_separator, decimal_comma)
    read = FileShape(columns=frame.width, rows=frame.height, expanded_bytes=None)
    check_shape(read, limits, str(file))
    return frame


def _read(
    file: Path,
    value_labels: bool,
    csv_dialect: CsvDialect | None = None,
    csv_separator: str | None = None,
    decimal_comma: bool | None = None,
) -> pl.DataFrame:
    suffix = file.suffix.lower()
    try:
        if suffix == ".csv":
            from setara.csv_dialect import read_csv

            return read_csv(
                file, dialect=csv_dialect, separator=csv_separator, decimal_comma=decimal_comma
            )
        if suffix in (".parquet", ".pq"):
            return pl.read_parquet(file)
        if suffix in (".dta", ".sav", ".zsav"):
            return _read_labelled(file, suffix, value_labels)
        if suffix in (".xlsx", ".xls"):
            return pl.read_excel(file)
    except ReadError:
        raise
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReadError(f"cannot read {str(file)!r} as {suffix[1:]}: {reason}") from exc
    raise ReadError(
        f"file {str(file)!r} has an unsupported type {suffix or '(no suffix)'}; use one of "
        + ", ".join(SUPPORTED_SUFFIXES)
    )


def _read_labelled(file: Path, suffix: str, value_labels: bool) -> pl.DataFrame:
    import pyreadstat

    reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    frame, _meta = reader(str(file), apply_value_formats=value_labels)
    for column in frame.columns:
        if str(frame[column].dtype) == "category":
            frame[column] = frame[column].astype(str).where(frame[column].notna(), None)
    return pl.from_pandas(frame)


def write_table(frame: pl.DataFrame, path: str | Path) -> None:
    """Write results by suffix: ``.csv``, ``.parquet``, ``.json`` or ``.xlsx``."""
    file = Path(path)
    suffix = file.suffix.lower()
    tmp = file.with_name(file.name + ".partial")
    try:
        if suffix == ".parquet":
            frame.write_parquet(tmp)
        elif suffix == ".json":
            frame.write_json(tmp)
        elif suffix == ".xlsx":
            frame.write_excel(tmp)
        else:
            frame.write_csv(tmp)
        tmp.replace(file)  # nothing half-written: the file appears complete or not at all
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ReadError(f"cannot write {str(file)!r}: {exc.strerror or exc}") from exc
