"""Facilities and demand locations: reading and validation.

Facilities have ``id, lat, lon`` and optionally ``capacity`` (doctors, beds, teachers, seats),
``type`` (puskesmas, hospital, SD, SMP, SMA, ...), ``status`` (existing, planned, candidate;
existing when absent), ``cost`` (construction cost of a candidate) and ``kode_wilayah``.
Demand locations (villages, *desa/kelurahan*, or grid cells) have ``id, lat, lon,
population`` and any group or region columns (``urban``, ``is_3t``, ``poor``, ...).

Files are CSV, Parquet or XLSX (read as the engine reads surveys, :func:`setara.io.read_survey`),
GeoJSON or GeoPackage point layers (:mod:`setara.access.geofiles`). Every check runs before
anything is returned: a bad file raises one :class:`~setara.errors.InputValueError` naming the
column, how many rows are bad and the first one, and nothing partial is kept.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from setara.errors import ColumnNotFoundError, DataTypeError, InputValueError

__all__ = ["STATUSES", "read_demand", "read_facilities", "validate_demand", "validate_facilities"]

STATUSES = ("existing", "planned", "candidate")
CODE_COLUMN = "kode_wilayah"


def _read(path: str | Path) -> pl.DataFrame:
    suffix = Path(path).suffix.lower()
    if suffix in (".geojson", ".json"):
        from setara.access.geofiles import read_geojson_points

        return read_geojson_points(path)
    if suffix == ".gpkg":
        from setara.access.geofiles import read_geopackage_points

        return read_geopackage_points(path)
    from setara.io import read_survey

    return read_survey(path)


def read_facilities(path: str | Path) -> pl.DataFrame:
    """Read and validate a facilities file (see :func:`validate_facilities`)."""
    return validate_facilities(_read(path), source=str(path))


def read_demand(path: str | Path) -> pl.DataFrame:
    """Read and validate a demand file (see :func:`validate_demand`)."""
    return validate_demand(_read(path), source=str(path))


def _bad(mask: np.ndarray, what: str, total: int, hint: str) -> None:
    count = int(mask.sum())
    if count:
        first = int(np.flatnonzero(mask)[0])
        raise InputValueError(
            f"{what} {count:,} in {total:,} rows (first at row {first + 1:,}); {hint}"
        )


def _numbers(frame: pl.DataFrame, column: str, label: str) -> np.ndarray:
    series = frame[column]
    if series.dtype == pl.String:
        cast = series.str.strip_chars().cast(pl.Float64, strict=False)
        _bad(
            (cast.is_null() & series.is_not_null()).to_numpy(),
            f"{label} column {column!r} has text that is not a number:",
            frame.height,
            "write plain numbers with a decimal point",
        )
        series = cast
    elif not (series.dtype.is_numeric() or series.dtype == pl.Null):
        raise DataTypeError(f"{label} column {column!r} is {series.dtype}, not numbers")
    return series.cast(pl.Float64).to_numpy().astype(float)


def _check_coordinates(frame: pl.DataFrame, label: str) -> pl.DataFrame:
    for column, limit in (("lat", 90.0), ("lon", 180.0)):
        values = _numbers(frame, column, label)
        _bad(
            ~np.isfinite(values),
            f"{label} column {column!r} has missing values:",
            frame.height,
            "every location needs coordinates",
        )
        _bad(
            np.abs(values) > limit,
            f"{label} column {column!r} has values outside [-{limit:g}, {limit:g}]:",
            frame.height,
            "give WGS 84 degrees (latitude, longitude), not projected metres",
        )
        frame = frame.with_columns(pl.Series(column, values))
    return frame


def _check_ids(frame: pl.DataFrame, label: str) -> pl.DataFrame:
    ids = frame["id"].cast(pl.String)
    _bad(
        ids.is_null().to_numpy(),
        f"{label} column 'id' has missing values:",
        frame.height,
        "give every row an id",
    )
    _bad(
        ids.is_duplicated().to_numpy(),
        f"{label} column 'id' has duplicate values:",
        frame.height,
        "ids must be unique",
    )
    return frame.with_columns(ids.alias("id"))


def _check_codes(frame: pl.DataFrame, label: str) -> pl.DataFrame:
    """*Kode wilayah* must start with a known province (2 digits) and, when longer, a known
    regency (the next 2 digits): ``32``, ``32.01``, ``3201`` or ``32.01.05.2001``."""
    if CODE_COLUMN not in frame.columns:
        return frame
    from setara.regions import read_provinces, read_regencies

    text = frame[CODE_COLUMN].cast(pl.String).str.strip_chars()
    digits = text.str.replace_all(".", "", literal=True)
    province = digits.str.slice(0, 2)
    regency = province + "." + digits.str.slice(2, 2)
    known_p = province.is_in(read_provinces()["code"].implode())
    known_r = regency.is_in(read_regencies()["code"].implode())
    ok = text.is_null() | (
        digits.str.contains(r"^\d+$") & known_p & ((digits.str.len_chars() < 4) | known_r)
    )
    _bad(
        ~ok.fill_null(False).to_numpy(),
        f"{label} column {CODE_COLUMN!r} has unknown codes:",
        frame.height,
        "use the official kode wilayah (Kepmendagri), e.g. 32.01",
    )
    return frame.with_columns(text.alias(CODE_COLUMN))


def _require(frame: pl.DataFrame, columns: tuple[str, ...], label: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ColumnNotFoundError(
            f"{label} need columns {', '.join(missing)}; the file has "
            + ", ".join(frame.columns[:20])
        )
    if frame.height == 0:
        raise InputValueError(f"{label} file has no rows")


def validate_facilities(frame: pl.DataFrame, *, source: str = "facilities") -> pl.DataFrame:
    """Check a facilities table and return it with typed columns.

    ``capacity`` defaults to 1, ``status`` to ``existing``, ``cost`` to 0, ``type`` to ``""``.
    Refused: missing or out-of-range coordinates, missing or duplicate ids, unknown
    ``kode_wilayah``, negative or missing capacity or cost, unknown status.

    Examples
    --------
    >>> f = validate_facilities(pl.DataFrame({"id": [1, 2], "lat": [-6.2, -6.9],
    ...                                       "lon": [106.8, 107.6]}))
    >>> f.select("id", "capacity", "status").row(1)
    ('2', 1.0, 'existing')
    """
    label = "facilities"
    _require(frame, ("id", "lat", "lon"), label)
    frame = _check_coordinates(_check_ids(frame, label), label)
    frame = _check_codes(frame, label)
    for column in ("capacity", "cost"):
        if column in frame.columns:
            values = _numbers(frame, column, label)
            _bad(
                ~np.isfinite(values) | (values < 0),
                f"{label} column {column!r} has missing or negative values:",
                frame.height,
                f"{column} must be 0 or more",
            )
            frame = frame.with_columns(pl.Series(column, values))
        else:
            frame = frame.with_columns(pl.lit(1.0 if column == "capacity" else 0.0).alias(column))
    status = (
        frame["status"].cast(pl.String).str.strip_chars().str.to_lowercase().fill_null("existing")
        if "status" in frame.columns
        else pl.Series("status", ["existing"] * frame.height)
    )
    _bad(
        ~status.is_in(list(STATUSES)).to_numpy(),
        f"{label} column 'status' has values other than {', '.join(STATUSES)}:",
        frame.height,
        "use one of those words",
    )
    kind = frame["type"].cast(pl.String).fill_null("") if "type" in frame.columns else None
    frame = frame.with_columns(status.alias("status"))
    return frame.with_columns(kind.alias("type") if kind is not None else pl.lit("").alias("type"))


def validate_demand(frame: pl.DataFrame, *, source: str = "demand") -> pl.DataFrame:
    """Check a demand table (villages or grid cells) and return it with typed columns.

    Refused: missing or out-of-range coordinates, missing or duplicate ids, unknown
    ``kode_wilayah``, missing or negative ``population``.

    Examples
    --------
    >>> d = validate_demand(pl.DataFrame({"id": ["a"], "lat": [-6.2], "lon": [106.8],
    ...                                   "population": [1200]}))
    >>> d["population"].to_list()
    [1200.0]
    """
    label = "demand"
    _require(frame, ("id", "lat", "lon", "population"), label)
    frame = _check_coordinates(_check_ids(frame, label), label)
    frame = _check_codes(frame, label)
    values = _numbers(frame, "population", label)
    _bad(
        ~np.isfinite(values) | (values < 0),
        f"{label} column 'population' has missing or negative values:",
        frame.height,
        "population must be 0 or more",
    )
    return frame.with_columns(pl.Series("population", values))
