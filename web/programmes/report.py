"""A simulation's comparison as XLSX and PDF, as its page shows it (no Django import).

Both take the page's ``view`` (``comparison.build`` with the reader's names,
``programmes.words.display``) and the translated ``text`` from the web layer. The XLSX keeps
numbers as numbers (Excel shows them in the reader's own style) and adds every engine table;
the PDF writes them in the reader's style (``setara_web.numbers``) in DejaVu Sans.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from analyses.dashboard import formatter
from analyses.report_pdf import flag_footnote
from setara_web import numbers
from setara_web.pdf import Report
from setara_web.spreadsheet import localise, neutralise, neutralise_frame

from setara.regions import read_provinces, read_regencies

MARKS = {"caution": "*", "unreliable": "!", "small n": "n", "one PSU": "1", "empty": "–"}


def _est(cell: Mapping[str, Any] | None, fmt: str, mark: bool = False) -> str:
    if not cell:
        return "–"
    flag = MARKS.get(cell.get("reliability") or "", "") if mark else ""
    return formatter(fmt)(cell.get("estimate")) + flag


def _ci(cell: Mapping[str, Any] | None, fmt: str) -> str:
    if not cell:
        return "–"
    return f"{formatter(fmt)(cell.get('ci_low'))} – {formatter(fmt)(cell.get('ci_high'))}"


def _change_fmt(fmt: str) -> str:
    """A change of a percentage is written in percentage points (issue 8: "pp", not "%")."""
    return "pp" if fmt == "percent" else fmt


def _reason(cell: Mapping[str, Any] | None) -> str:
    """Why a marked estimate is flagged (already in the reader's words), else nothing."""
    if not cell or cell.get("reliability") in (None, "reliable"):
        return ""
    return str(cell.get("reliability_reason") or "")


def _say(text: Mapping[str, str], *keys: str) -> list[str]:
    """Column headings: each key's text (a key without text, such as CGH, as itself)."""
    return [text.get(key, key) for key in keys]


def sections(view: Mapping[str, Any], text: Mapping[str, str]) -> list[dict[str, Any]]:
    """The page's tables: heading, header and rows of text in the reader's style."""
    pct, money = formatter("percent"), formatter("money")
    out = [
        {
            "heading": text["programmes"],
            "header": _say(
                text,
                "scenario",
                "programme",
                "cost",
                "households",
                "coverage",
                "exclusion",
                "inclusion",
                "CGH",
                "adequacy",
            ),
            "rows": [
                [
                    r["scenario"],
                    r["programme"],
                    money(r.get("cost")),
                    money(r.get("beneficiary_households")),
                    pct(r.get("coverage_poor")),
                    pct(r.get("exclusion_error")),
                    pct(r.get("inclusion_error")),
                    numbers.number(r.get("cgh"), 2),
                    pct(r.get("adequacy")),
                ]
                for r in view["programmes"]
            ],
            "widths": [1.6, 2.2, 2.9, 2, 1.6, 1.6, 1.6, 1.1, 2.0],
            "numeric_from": 2,
        },
        {
            "heading": text["impact"],
            "header": _say(
                {**text, "scenario_name": view["scenario"]},
                "indicator",
                "before",
                "baseline",
                "scenario_name",
                "change",
                "ci",
                "vs_baseline",
                "reason",
            ),
            "rows": [
                [
                    text.get(r["label"], r["label"]),
                    _est(r["before"], r["fmt"]),
                    _est(r["baseline"], r["fmt"]),
                    _est(r["after"], r["fmt"]),
                    _est(r["change"], _change_fmt(r["fmt"]), mark=True),
                    _ci(r["change"], _change_fmt(r["fmt"])),
                    _est(r["vs_baseline"], _change_fmt(r["fmt"])),
                    _reason(r["change"]),
                ]
                for r in view["impact"]
            ],
            "widths": [3.0, 1.4, 1.4, 1.4, 1.5, 2.4, 1.4, 2.6],
            "numeric_from": 1,
        },
    ]
    if view.get("targeting"):
        out.append(
            {
                "heading": text["targeting"],
                "header": _say(
                    text,
                    "method",
                    "selected",
                    "exclusion",
                    "inclusion",
                    "CGH",
                    "gap_reduction",
                    "headcount_after",
                ),
                "rows": [
                    [
                        r["method"],
                        pct(r.get("selected_share")),
                        pct(r.get("exclusion_error")),
                        pct(r.get("inclusion_error")),
                        numbers.number(r.get("cgh"), 2),
                        pct(r.get("gap_reduction")),
                        pct(r.get("headcount_after")),
                    ]
                    for r in view["targeting"]
                ],
                "widths": [3, 1.5, 1.5, 1.5, 1, 1.7, 1.7],
                "numeric_from": 1,
            }
        )
    out.append(
        {
            "heading": text["regions"],
            "header": _say(text, "code", "province", "before", "after", "change", "ci"),
            "rows": [
                [
                    r["code"],
                    r["name"],
                    _est(r.get("before"), "percent"),
                    _est(r.get("after"), "percent"),
                    _est(r.get("change"), "pp", mark=True),
                    _ci(r.get("change"), "pp"),
                ]
                for r in view["regions"]
            ],
            "widths": [1, 4, 1.5, 1.5, 1.5, 2.6],
            "numeric_from": 2,
            "flagged": [
                (f"{r['name']}, {text['change']}", r.get("change")) for r in view["regions"]
            ],
        }
    )
    out.append(
        {
            "heading": text["winners"],
            "header": _say(text, "decile", "gain", "lose", "unchanged", "mean_change"),
            "rows": [
                [
                    f"D{r['decile']}" if r.get("decile") else text["all"],
                    pct(r.get("winners")),
                    pct(r.get("losers")),
                    pct(r.get("unchanged")),
                    money(r.get("mean_change")),
                ]
                for r in view["winners"]
            ],
            "widths": [1, 1, 1, 1, 1.6],
            "numeric_from": 1,
        }
    )
    return out


def to_pdf(
    view: Mapping[str, Any],
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    text: Mapping[str, str],
    language: str,
) -> bytes:
    """The comparison report: cover, then the page's tables and charts in its order. Why a
    marked change is flagged (``reliability_reason`` in the reader's words,
    ``programmes.words.with_reasons``) is a column of the national table and a footnote under
    the provinces, as in the diagnostic's PDF."""
    with numbers.use(language):
        report = Report(footer=f"Setara · {title}", page_word=text["page"])
        report.cover(title, facts)
        tables = sections(view, text)
        for table in tables[:-2]:
            report.heading(table["heading"])
            report.grid(
                table["header"], table["rows"], table["widths"], numeric_from=table["numeric_from"]
            )
        report.heading(text["incidence"])
        for _name, chart in view["incidence"]:
            report.chart(chart)
        regions, winners = tables[-2:]
        report.heading(regions["heading"], chart=view["map"])
        report.chart(view["map"])
        for table in (regions, winners):
            if table is winners:
                report.heading(table["heading"])
            report.grid(
                table["header"], table["rows"], table["widths"], numeric_from=table["numeric_from"]
            )
            flag_footnote(report, table.get("flagged", []), text)
        if view.get("notes"):
            report.heading(text["notes"])
            for note in view["notes"]:
                report.paragraph(f"• {note}")
        return report.to_bytes()


def to_xlsx(
    result: Mapping[str, Any],
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    text: Mapping[str, str],
    words: Mapping[str, Any] | None = None,
) -> bytes:
    """An About sheet, then every table of the engine (the CSV's content), one sheet each,
    named in the reader's language; ``words`` (``programmes.words.xlsx_words``) give the column
    headings and category values (scenario, programme, measure, stage, quintile, flags …) in
    it. Values stay numbers; text that a spreadsheet would execute is neutralised and written
    as text."""
    words = words or {}
    import xlsxwriter

    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        about = book.add_worksheet(_sheet(text["about"]))
        bold = book.add_format({"bold": True})
        about.write_string(0, 0, neutralise(title), bold)
        for i, (key, value) in enumerate(facts, start=2):
            about.write_string(i, 0, neutralise(key), bold)
            about.write_string(i, 1, neutralise(value))
        about.set_column(0, 0, 28)
        about.set_column(1, 1, 70)
        for name, rows in result["tables"].items():
            if rows:
                frame = _in_words(pl.DataFrame(rows, infer_schema_length=None), words)
                frame = neutralise_frame(frame)
                sheet = _sheet(text.get(f"table_{name}", name))
                frame.write_excel(workbook=book, worksheet=sheet, autofit=True)
    return buffer.getvalue()


def with_region_names(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with a ``region_name`` column right after ``group`` when it has rows of the
    ``region`` domain: the official name of each province or regency code (kode wilayah, from
    ``setara.regions``; empty for codes that are not in the list and for other domains)."""
    if not {"domain", "group"} <= set(frame.columns) or "region_name" in frame.columns:
        return frame
    if not frame.filter(pl.col("domain") == "region").height:
        return frame
    official = pl.concat([read_provinces().select("code", "name"),
                          read_regencies().select("code", "name")])  # fmt: skip
    names = dict(zip(official["code"], official["name"], strict=True))
    code = pl.col("group").cast(pl.String)
    name = (
        pl.when(pl.col("domain") == "region")
        .then(code.replace_strict(names, default=None, return_dtype=pl.String))
        .otherwise(None)
        .alias("region_name")
    )
    at = frame.columns.index("group") + 1
    return frame.with_columns(name).select(*frame.columns[:at], "region_name", *frame.columns[at:])


def _in_words(frame: pl.DataFrame, words: Mapping[str, Any]) -> pl.DataFrame:
    """One engine table in the reader's words; a ``group`` code of a ``grouping`` (decile 3,
    quintile 1) becomes that grouping's label (D3, "K1 (termiskin)") first, and a region's
    code gets its name beside it."""
    frame = with_region_names(frame)
    groups = words.get("groups", {})
    if groups and {"grouping", "group"} <= set(frame.columns):
        group = pl.col("group").cast(pl.String)
        label = pl.lit(None, dtype=pl.String)
        for grouping, names in groups.items():
            label = (
                pl.when(pl.col("grouping") == grouping)
                .then(group.replace(dict(names)))
                .otherwise(label)
            )
        frame = frame.with_columns(pl.coalesce(label, group).alias("group"))
    return localise(frame, columns=words.get("columns"), values=words.get("values"))


def _sheet(name: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", "-", str(name))[:31]
