"""Turn an uploaded file into a stored Parquet file: read within limits, describe, write.

A stored file is written under a ``.partial`` name and renamed to its final name only once the
database row that refers to it is committed (:func:`commit_file`, called on commit), so a
crash leaves either nothing or a ``.partial`` file that ``manage.py cleanup_files`` removes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from setara.csv_dialect import CsvDialect
from setara.errors import SetaraError
from setara.frames import require_rows
from setara.io import read_survey
from setara.limits import InputLimitError, ReadLimits

PARTIAL = ".partial"
UPLOADS = "uploads"  # received files waiting for the worker (relative to STORAGE_DIR)
# Settings that raise each limit, named in the message an administrator's users see.
LIMIT_SETTINGS = {
    "max_columns": "SETARA_MAX_COLUMNS",
    "max_cells": "SETARA_MAX_CELLS",
    "max_expanded_mb": "SETARA_MAX_EXPANDED_MB",
}

FORMATS = {
    ".csv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".dta": "stata",
    ".sav": "spss",
    ".zsav": "spss",
    ".xlsx": "xlsx",
}


class UploadError(SetaraError):
    """An uploaded file that cannot become a dataset version."""


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        raise UploadError(
            f"file {name!r} has an unsupported type {suffix or '(no suffix)'}; upload one of "
            + ", ".join(sorted(FORMATS))
        )
    return FORMATS[suffix]


def save_upload(uploaded: Any) -> str:
    """Put an uploaded file where the worker reads it (``UPLOADS`` under STORAGE_DIR, under its
    own suffix; a hard link when already on disk); returns its path relative to STORAGE_DIR.

    The file stays there until its upload job ends (``manage.py cleanup_files`` removes it
    once no queued or running job refers to it).
    """
    suffix = Path(uploaded.name).suffix.lower()
    file_format(uploaded.name)
    relative = f"{UPLOADS}/{uuid.uuid4().hex}{suffix}"
    target = Path(settings.STORAGE_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    source = getattr(uploaded, "temporary_file_path", None)
    try:
        if source is not None:
            try:
                os.link(source(), target)
            except OSError:  # another file system: copy
                shutil.copyfile(source(), target)
        else:
            with open(target, "wb") as handle:
                for chunk in uploaded.chunks():
                    handle.write(chunk)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return relative


def read_limits() -> ReadLimits:
    """The input limits of the settings (``SETARA_MAX_COLUMNS``, ``_CELLS``, ``_EXPANDED_MB``)."""
    return ReadLimits(
        max_columns=settings.MAX_COLUMNS,
        max_cells=settings.MAX_CELLS,
        max_expanded_mb=settings.MAX_EXPANDED_MB,
    )


def read_upload(path: Path, name: str, *, csv_dialect: CsvDialect | None = None) -> pl.DataFrame:
    """Read a saved upload (a CSV file in ``csv_dialect`` when given) within the limits; a file
    the engine cannot read raises a one-line error."""
    try:
        frame = read_survey(path, csv_dialect=csv_dialect, limits=read_limits())
        if frame.width == 0:
            raise UploadError(f"file {name!r} has no columns")
        require_rows(frame)
    except InputLimitError as exc:
        message = str(exc).replace(str(path), name)
        raise UploadError(
            f"{message} (an administrator can raise {LIMIT_SETTINGS[exc.limit]})"
        ) from exc
    except SetaraError as exc:
        raise UploadError(str(exc).replace(str(path), name)) from exc
    unnamed = [c for c in frame.columns if not c.strip()]
    if unnamed:
        raise UploadError(f"file {name!r} has {len(unnamed)} columns without a name")
    return frame


def describe(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Name, type, missing count and a few example values of every column."""
    nulls = frame.null_count().row(0)
    out = []
    for column, missing in zip(frame.columns, nulls, strict=True):
        series = frame[column]
        examples = series.drop_nulls().unique(maintain_order=True).head(4).to_list()
        out.append(
            {
                "name": column,
                "dtype": str(series.dtype),
                "missing": int(missing),
                "examples": [str(v)[:40] for v in examples],
            }
        )
    return out


def write_partial(frame: pl.DataFrame, relative: str) -> Path:
    """Write ``frame`` to STORAGE_DIR/relative + ``.partial``; :func:`commit_file` renames it."""
    target = Path(settings.STORAGE_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + PARTIAL)
    try:
        frame.write_parquet(partial, compression="zstd", statistics=True)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return partial


def commit_file(relative: str) -> None:
    """Give a ``.partial`` file its final name (atomic): its database row is committed."""
    target = Path(settings.STORAGE_DIR) / relative
    os.replace(target.with_name(target.name + PARTIAL), target)


def read_version(path: Path, columns: list[str] | None = None) -> pl.DataFrame:
    return pl.read_parquet(path, columns=columns)
