"""Stored access and siting results as tables, CSV and XLSX (no Django import); text cells are
neutralised so a spreadsheet never executes them."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from setara_web.spreadsheet import neutralise, neutralise_frame

REGION_COLUMNS = [
    "region", "name", "population", "beyond_people", "beyond_share", "mean_minutes",
    "unreachable_share",
]  # fmt: skip


def regions_frame(result: Mapping[str, Any]) -> pl.DataFrame:
    """One row per region, ranked as on the page: the share beyond the threshold, then for each
    group its share, the rest's share and the gap (``<group>:in``, ``:out``, ``:gap``)."""
    groups = [f"{g}:{side}" for g in result["groups"] for side in ("in", "out", "gap")]
    columns = [*REGION_COLUMNS, *groups]
    rows = [{c: row.get(c) for c in columns} for row in result["regions"]]
    schema = {c: (pl.String if c in ("region", "name") else pl.Float64) for c in columns}
    return pl.DataFrame(rows, schema=schema, orient="row")


def sites_frame(result: Mapping[str, Any]) -> pl.DataFrame:
    """The chosen sites of a siting scenario."""
    schema = {"id": pl.String, "lat": pl.Float64, "lon": pl.Float64, "type": pl.String}
    return pl.DataFrame(
        [{k: s.get(k) for k in [*schema, "cost"]} for s in result["sites"]],
        schema={**schema, "cost": pl.Float64},
        orient="row",
    )


def coverage_frame(result: Mapping[str, Any]) -> pl.DataFrame:
    """People within reach before and after, overall and for each group and the rest."""
    rows = [{"group": "", "side": "", **result["coverage"]}, *result["by_group"]]
    return pl.DataFrame(rows, infer_schema_length=None)


PLAN_SCHEMA = {
    "scenario": pl.String, "model": pl.String, "new_sites": pl.Int64, "site_ids": pl.String,
    "cost": pl.Float64, "share_before": pl.Float64, "share_after": pl.Float64,
    "gained": pl.Float64, "objective": pl.Float64, "bound": pl.Float64, "gap": pl.Float64,
    "status": pl.String,
}  # fmt: skip
GROUP_SCHEMA = {
    "scenario": pl.String, "group": pl.String, "side": pl.String, "population": pl.Float64,
    "share_before": pl.Float64, "share_after": pl.Float64, "gained": pl.Float64,
}  # fmt: skip


def comparison_frames(
    scenarios: Sequence[tuple[str, str, Mapping[str, Any]]],
) -> dict[str, pl.DataFrame]:
    """The tables of the comparison page for ``scenarios`` (title, model, stored siting
    result), with stored names and values: ``plan`` (one row a scenario: cost, reach before
    and after, objective, bound, gap, status), ``coverage`` (each scenario's overall row,
    ``group`` empty, then its groups and their rest) and ``sites`` (every chosen site)."""
    plan, coverage, sites = [], [], []
    for title, model, result in scenarios:
        cover = result["coverage"]
        plan.append(
            {
                "scenario": title,
                "model": model,
                "new_sites": len(result["sites"]),
                "site_ids": ", ".join(str(site.get("id", "")) for site in result["sites"]),
                "cost": result.get("cost"),
                "share_before": cover.get("share_before"),
                "share_after": cover.get("share_after"),
                "gained": cover.get("gained"),
                "objective": result.get("objective"),
                "bound": result.get("bound"),
                "gap": result.get("gap"),
                "status": result.get("status"),
            }
        )
        for group in [{"group": "", "side": "", **cover}, *result["by_group"]]:
            coverage.append({"scenario": title} | {k: group.get(k) for k in GROUP_SCHEMA
                                                    if k != "scenario"})  # fmt: skip
        sites.append(sites_frame(result).with_columns(pl.lit(title).alias("scenario")))
    site_frame = pl.concat(sites, how="vertical") if sites else sites_frame({"sites": []})
    return {
        "plan": pl.DataFrame(plan, schema=PLAN_SCHEMA, orient="row"),
        "coverage": pl.DataFrame(coverage, schema=GROUP_SCHEMA, orient="row"),
        "sites": site_frame.select("scenario", *sites_frame({"sites": []}).columns),
    }


def to_xlsx(
    sheets: Mapping[str, pl.DataFrame],
    *,
    title: str,
    meta: Mapping[str, str],
    about: str = "About",
) -> bytes:
    """A workbook: an ``about`` sheet (title and facts), then one sheet per table."""
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        about_sheet = book.add_worksheet(about[:31])
        bold = book.add_format({"bold": True})
        about_sheet.write_string(0, 0, neutralise(title), bold)
        for i, (key, value) in enumerate(meta.items(), start=2):
            about_sheet.write_string(i, 0, neutralise(key), bold)
            about_sheet.write_string(i, 1, neutralise(value))
        about_sheet.set_column(0, 1, 40)
        for name, frame in sheets.items():
            neutralise_frame(frame).write_excel(workbook=book, worksheet=name[:31], autofit=True)
    return buffer.getvalue()
