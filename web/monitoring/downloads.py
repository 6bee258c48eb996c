"""Blank upload templates (CSV or XLSX) with the columns the import reads and example rows."""

from __future__ import annotations

import io
from typing import Any

import polars as pl
from django.http import Http404, HttpResponse
from setara_web.spreadsheet import to_csv

from monitoring.tables import Column

TYPES = {"int": pl.Int64, "year": pl.Int64, "money": pl.Float64, "float": pl.Float64}
CONTENT = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template_frame(columns: list[Column], rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The template's columns in order, with ``rows`` as examples (missing cells empty)."""
    schema = {c.name: TYPES.get(c.kind, pl.String) for c in columns}
    if c_bool := [c.name for c in columns if c.kind == "bool"]:
        schema.update(dict.fromkeys(c_bool, pl.Boolean))
    return pl.DataFrame([{c.name: r.get(c.name) for c in columns} for r in rows], schema=schema)


def template_response(frame: pl.DataFrame, fmt: str, name: str) -> HttpResponse:
    """The template as a download (``fmt`` csv or xlsx; anything else is a 404)."""
    if fmt not in CONTENT:
        raise Http404
    if fmt == "csv":
        body = to_csv(frame)
    else:
        buffer = io.BytesIO()
        frame.write_excel(buffer, worksheet="data", autofit=True)
        body = buffer.getvalue()
    response = HttpResponse(body, content_type=CONTENT[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
