"""Stored diagnostic results as tidy tables, CSV and XLSX (no Django import; the PDF report
is ``analyses.report_pdf``).

Every export carries the same columns as the engine's results (indicator, breakdown, group,
estimate, se, ci_low, ci_high, n, rse, reliability, reliability_reason, diff_national, diff_se,
diff_flag) so a download can be re-checked against
a script run of ``setara measure``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

import polars as pl
from setara_web.spreadsheet import localise, neutralise, neutralise_frame

from setara.results import RESULT_COLUMNS

# The engine's result columns, after what names the row.
COLUMNS = ["indicator", "label", "breakdown", "group", "name", *RESULT_COLUMNS]


def labels(result: dict[str, Any]) -> dict[str, str]:
    return {i["key"]: i["label"] for i in result["indicators"]}


def tidy(result: dict[str, Any]) -> pl.DataFrame:
    """One row per estimate: headline (breakdown "national"), every breakdown, deciles."""
    names = labels(result)
    rows: list[dict[str, Any]] = []
    for row in result["headline"]:
        rows.append({**row, "breakdown": "national", "group": "Indonesia", "name": "Indonesia"})
    for breakdown, table in result["breakdowns"].items():
        rows.extend({**row, "breakdown": breakdown} for row in table)
    for row in result.get("deciles", []):
        rows.append(
            {
                **row,
                "indicator": "decile_share",
                "breakdown": "decile",
                "group": row["label"],
                "name": row["label"],
            }
        )
    for row in result.get("lorenz", [])[1:-1]:
        rows.append(
            {
                **row,
                "indicator": "lorenz",
                "breakdown": "population_share",
                "group": f"{row['p']:.1f}",
                "name": f"{row['p']:.1f}",
            }
        )
    for row in result.get("decomposition", []):
        rows.append(
            {
                **row,
                "indicator": f"theil_{row['component']}",
                "breakdown": f"decomposition by {row['group']}",
                "group": row["component"],
                "name": row["component"],
            }
        )
    extra = {"decile_share": "Share of total welfare", "lorenz": "Lorenz ordinate"}
    for row in rows:
        row["label"] = names.get(row["indicator"]) or extra.get(row["indicator"], row["indicator"])
    schema = {
        "indicator": pl.String,
        "label": pl.String,
        "breakdown": pl.String,
        "group": pl.String,
        "name": pl.String,
        "estimate": pl.Float64,
        "se": pl.Float64,
        "ci_low": pl.Float64,
        "ci_high": pl.Float64,
        "n": pl.Int64,
        "rse": pl.Float64,
        "reliability": pl.String,
        "reliability_reason": pl.String,
        "diff_national": pl.Float64,
        "diff_se": pl.Float64,
        "diff_flag": pl.String,
    }
    return pl.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], schema=schema)


def to_csv(result: dict[str, Any], *, excel_indonesia: bool = False) -> bytes:
    """The tidy table as CSV: machine-readable (``,`` and decimal point) by default; with
    ``excel_indonesia`` as Excel set to Indonesian reads it (``;`` and decimal comma, UTF-8
    with a byte-order mark so Excel detects the encoding). Text a spreadsheet would execute is
    neutralised."""
    frame = neutralise_frame(tidy(result))
    if excel_indonesia:
        return b"\xef\xbb\xbf" + frame.write_csv(separator=";", decimal_comma=True).encode("utf-8")
    return frame.write_csv().encode("utf-8")


def to_xlsx(
    result: dict[str, Any],
    *,
    title: str,
    meta: dict[str, str],
    words: Mapping[str, Any] | None = None,
) -> bytes:
    """A workbook: an About sheet, then one sheet per breakdown.

    ``words`` (from the web layer) name the columns and reliability flags in the reader's
    language; values stay numbers, which Excel shows in the reader's own number style. Text is
    neutralised as in the CSV and written as text cells (never as formulas).
    """
    frame = tidy(result)
    words = words or {}
    values = {"reliability": words.get("reliability", {}), "diff_flag": words.get("diff", {})}
    frame = localise(frame, values=values)
    if words.get("labels"):
        frame = frame.with_columns(
            pl.when(pl.col("indicator").is_in(list(words["labels"])))
            .then(pl.col("indicator").replace(words["labels"]))
            .otherwise(pl.col("label"))
            .alias("label")
        )
    frame = neutralise_frame(frame)
    buffer = io.BytesIO()
    import xlsxwriter

    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        about = book.add_worksheet(str(words.get("about", "About"))[:31])
        bold = book.add_format({"bold": True})
        about.write_string(0, 0, neutralise(title), bold)
        for i, (key, value) in enumerate(meta.items(), start=2):
            about.write_string(i, 0, neutralise(key), bold)
            about.write_string(i, 1, neutralise(value))
        about.write(
            len(meta) + 3,
            0,
            words.get(
                "rule",
                "Reliability (BPS): RSE <= 25% reliable; 25-50% caution; "
                "> 50% unreliable; n < 30 small n.",
            ),
        )
        about.set_column(0, 0, 28)
        about.set_column(1, 1, 60)
        for breakdown in frame["breakdown"].unique(maintain_order=True).to_list():
            part = frame.filter(pl.col("breakdown") == breakdown)
            sheet_name = str(words.get("sheets", {}).get(breakdown, breakdown))
            sheet_name = sheet_name.replace("decomposition by ", "decomp ")
            sheet_name = re.sub(r"[\[\]:*?/\\]", "-", sheet_name)[:31]  # Excel forbids these
            part = localise(part, columns=words.get("columns", {}))
            part.write_excel(workbook=book, worksheet=sheet_name, autofit=True)
    return buffer.getvalue()
