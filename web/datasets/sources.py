"""The uploaded CSV file kept beside its Parquet copy until the version is accepted, so that
the analyst can read it again in another dialect (separator, decimal mark, encoding)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

from setara.csv_dialect import CsvDialect, detect_dialect
from setara.errors import ReadError


def detect(saved: Path, name: str) -> CsvDialect | None:
    """The detected dialect of a CSV upload; ``None`` for other formats."""
    return detect_dialect(saved) if Path(name).suffix.lower() == ".csv" else None


def with_fields(detected: CsvDialect | None, fields: dict[str, Any], name: str) -> CsvDialect:
    """The ``detected`` dialect with the given ``fields`` in its place (an upload that names
    its separator, decimal mark, thousands separator or encoding)."""
    if detected is None:
        raise ReadError(f"a CSV dialect applies to .csv files only, not to {Path(name).name!r}")
    given = {k: v for k, v in fields.items() if v is not None}
    return CsvDialect.from_dict(detected.to_dict() | given | {"notes": []})


def upload_dialect(
    saved: Path, name: str, fields: dict[str, Any] | None = None
) -> CsvDialect | None:
    """The dialect an upload is read in: the detected one (None for files other than CSV), with
    the ``fields`` given with the upload in place of the detected ones (:func:`with_fields`)."""
    detected = detect(saved, name)
    return with_fields(detected, fields, name) if fields else detected


def keep(saved: Path, parquet_relative: str) -> str:
    """Link (or copy) the saved upload into storage beside ``parquet_relative``."""
    relative = parquet_relative.removesuffix(".parquet") + ".source.csv"
    target = Path(settings.STORAGE_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(saved, target)
    except OSError:
        target.write_bytes(saved.read_bytes())
    return relative


def discard(source: str | Path | None) -> None:
    """Remove a kept source file (a relative path or an absolute one); ``None`` does nothing."""
    if source:
        path = Path(source)
        (path if path.is_absolute() else Path(settings.STORAGE_DIR) / path).unlink(missing_ok=True)


def version_fields(dialect: CsvDialect | None, kept: str | None) -> dict[str, Any]:
    """The DatasetVersion fields that record how a CSV upload was read."""
    if dialect is None:
        return {}
    return {"csv_dialect": dialect.to_dict(), "source_path": kept or ""}
