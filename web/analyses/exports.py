"""Stored diagnostic results as tidy tables, CSV, XLSX and a printable PDF (no Django import).

Every export carries the same columns as the engine's results (indicator, breakdown, group,
estimate, se, ci_low, ci_high, n, rse, reliability) so a download can be re-checked against
a script run of ``setara measure``.
"""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import polars as pl
from fpdf import FPDF
from setara_web.spreadsheet import neutralise, neutralise_frame
from setara_web.spreadsheet import to_csv as frame_to_csv

COLUMNS = [
    "indicator",
    "label",
    "breakdown",
    "group",
    "name",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "rse",
    "reliability",
]
FLAG = {
    "reliable": "",
    "caution": "*",
    "unreliable": "!",
    "small n": "n",
    "one PSU": "1",
    "empty": "-",
}


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
    }
    return pl.DataFrame([{c: r.get(c) for c in COLUMNS} for r in rows], schema=schema)


def to_csv(result: dict[str, Any]) -> bytes:
    """The tidy table as CSV; text a spreadsheet would execute is neutralised."""
    return frame_to_csv(tidy(result))


def to_xlsx(result: dict[str, Any], *, title: str, meta: dict[str, str]) -> bytes:
    """A workbook: an About sheet, then one sheet per breakdown. Text is neutralised as in the
    CSV and written as text cells (never as formulas)."""
    frame = neutralise_frame(tidy(result))
    buffer = io.BytesIO()
    import xlsxwriter

    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        about = book.add_worksheet("About")
        bold = book.add_format({"bold": True})
        about.write_string(0, 0, neutralise(title), bold)
        for i, (key, value) in enumerate(meta.items(), start=2):
            about.write_string(i, 0, neutralise(key), bold)
            about.write_string(i, 1, neutralise(value))
        about.write(
            len(meta) + 3,
            0,
            "Reliability (BPS): RSE <= 25% reliable; 25-50% caution; "
            "> 50% unreliable; n < 30 small n.",
        )
        about.set_column(0, 0, 28)
        about.set_column(1, 1, 60)
        for breakdown in frame["breakdown"].unique(maintain_order=True).to_list():
            part = frame.filter(pl.col("breakdown") == breakdown)
            sheet_name = breakdown.replace("decomposition by ", "decomp ")[:31]
            part.write_excel(workbook=book, worksheet=sheet_name, autofit=True)
    return buffer.getvalue()


def _fmt(value: float | None, fmt: str) -> str:
    if value is None:
        return "-"
    if fmt == "percent":
        return f"{100 * value:.2f}%"
    if fmt == "money":
        return f"{value:,.0f}"
    return f"{value:.4f}" if fmt == "index" else f"{value:.3f}"


# Report wording; the web layer passes translations (this module stays Django-free).
PDF_TEXT = {
    "page": "page",
    "headline": "Headline estimates (95% confidence intervals)",
    "indicator": "Indicator",
    "estimate": "Estimate",
    "ci": "95% CI",
    "rse": "RSE",
    "reliability": "Reliability",
    "code": "Code",
    "name": "Name",
    "flag": "Flag",
    "by": "{label} by {breakdown}",
    "top": " (top {k} of {n})",
    "province": "province",
    "regency": "regency / city",
    "flags": "Flags (BPS rule): * relative standard error 25-50%, use with caution; ! RSE above "
    "50%, unreliable; n fewer than 30 observations.",
}


class _Pdf(FPDF):
    footer_text = ""
    page_word = "page"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=7)
        self.cell(
            0, 8, _latin(f"{self.footer_text}  -  {self.page_word} {self.page_no()}"), align="C"
        )


def to_pdf(
    result: dict[str, Any],
    *,
    title: str,
    meta: dict[str, str],
    summary: str = "",
    svgs: list[bytes] | None = None,
    top: int = 40,
    text: dict[str, str] | None = None,
) -> bytes:
    """A printable A4 report: headline table, charts, ranked regional table, notes."""
    t = PDF_TEXT | (text or {})
    pdf = _Pdf(format="A4")
    pdf.page_word = t["page"]
    pdf.footer_text = f"Setara - {title} - {datetime.now():%Y-%m-%d}"
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 8, _latin(title))
    pdf.set_font("helvetica", size=9)
    for key, value in meta.items():
        pdf.cell(0, 5, _latin(f"{key}: {value}"), new_x="LMARGIN", new_y="NEXT")
    if summary:
        pdf.ln(2)
        pdf.set_font("helvetica", size=10)
        pdf.multi_cell(0, 5, _latin(summary))
    fmts = {i["key"]: i["fmt"] for i in result["indicators"]}
    names = labels(result)
    _table(
        pdf,
        t["headline"],
        [t["indicator"], t["estimate"], t["ci"], t["rse"], t["reliability"]],
        [
            [
                names[r["indicator"]],
                _fmt(r["estimate"], fmts[r["indicator"]]),
                _interval(r, fmts[r["indicator"]]),
                "-" if r["rse"] is None else f"{100 * r['rse']:.1f}%",
                r["reliability"],
            ]
            for r in result["headline"]
        ],
        [70, 30, 50, 15, 25],
    )
    for svg in svgs or []:
        if pdf.get_y() > 180:
            pdf.add_page()
        pdf.image(io.BytesIO(latin_svg(svg)), w=180)
        pdf.ln(3)
    key = result["regional_indicators"][0]
    for breakdown in ("province", "regency"):
        rows = [r for r in result["breakdowns"].get(breakdown, []) if r["indicator"] == key]
        if not rows:
            continue
        rows.sort(key=lambda r: -(r["estimate"] if r["estimate"] is not None else -1e300))
        shown = rows if breakdown == "province" else rows[:top]
        heading = t["by"].format(label=names[key], breakdown=t[breakdown]) + (
            t["top"].format(k=top, n=len(rows)) if len(shown) < len(rows) else ""
        )
        _table(
            pdf,
            heading,
            [t["code"], t["name"], t["estimate"], t["ci"], "n", t["flag"]],
            [
                [
                    r["group"] or "-",
                    r["name"] or "-",
                    _fmt(r["estimate"], fmts[key]),
                    f"{_fmt(r['ci_low'], fmts[key])} - {_fmt(r['ci_high'], fmts[key])}",
                    f"{r['n']:,}",
                    FLAG.get(r["reliability"], "?"),
                ]
                for r in shown
            ],
            [16, 64, 25, 50, 15, 12],
        )
    pdf.ln(3)
    pdf.set_font("helvetica", size=8)
    pdf.multi_cell(
        0,
        4,
        _latin(t["flags"] + " " + " ".join(result.get("notes", []))),
    )
    return bytes(pdf.output())


def _interval(row: dict[str, Any], fmt: str) -> str:
    return f"{_fmt(row['ci_low'], fmt)} - {_fmt(row['ci_high'], fmt)}"


LATIN = str.maketrans(
    {"–": "-", "—": "-", "≥": ">=", "≤": "<=", "…": "...", "’": "'", "“": '"', "”": '"', "×": "x"}
)


def latin_svg(svg: bytes) -> bytes:
    """The SVG with its text in Latin-1: the PDF's built-in fonts have no other glyphs."""
    return _latin(svg.decode("utf-8")).encode("utf-8")


def _latin(text: str) -> str:
    text = text.translate(LATIN)
    return text.encode("latin-1", "replace").decode("latin-1")


def _table(
    pdf: FPDF, heading: str, header: list[str], rows: list[list[str]], widths: list[int]
) -> None:
    pdf.ln(4)
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(0, 7, _latin(heading), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", "B", 8)
    for text, width in zip(header, widths, strict=True):
        pdf.cell(width, 6, _latin(text), border="B")
    pdf.ln()
    pdf.set_font("helvetica", size=8)
    for row in rows:
        for text, width in zip(row, widths, strict=True):
            pdf.cell(width, 5, _latin(str(text))[: int(width / 1.6)])
        pdf.ln()
