"""The PDF of a stored diagnostic: every section of its page, in the reader's language and
number style (no Django import; the view passes translated words, tables and charts).

Sections follow the page: headline estimates; by province (map with the page's patterns and
legend, table); by regency / city (map or the highest and lowest, table of those); one section
per group breakdown (sex, urban/rural, disability, age group, welfare quintile: chart and table);
the distribution (decile shares, Lorenz curve); the Theil decomposition; notes. Why an estimate is
flagged (``reliability_reason``, already in the reader's words: ``report_words.with_reasons``) is
a column of the headline table and a footnote under every other table, as the page's tooltips.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from setara_web import numbers
from setara_web.pdf import Report

from analyses.dashboard import formatter

MARKS = {"caution": "*", "unreliable": "!", "small n": "n", "one PSU": "1", "empty": "–"}
DIFF_MARKS = {"above": " ▲", "below": " ▼"}  # significantly above / below the national figure
REGENCY_ROWS = 20  # highest and lowest regencies tabled, as the page's overview chart


def _cell(cell: Mapping[str, Any] | None) -> tuple[str, str]:
    if not cell:
        return "–", ""
    fmt = formatter(cell["fmt"])
    value = fmt(cell["estimate"]) + MARKS.get(cell.get("reliability") or "", "")
    value += DIFF_MARKS.get(cell.get("diff_flag") or "", "")  # as the page's tables and maps
    return value, f"{fmt(cell['ci_low'])} – {fmt(cell['ci_high'])}"


def _breakdown_table(
    report: Report, table: Mapping[str, Any], text: Mapping[str, str], *, coded: bool = False
) -> None:
    """The page's table of one breakdown: (kode wilayah,) name, then estimate and 95% CI per
    indicator, n."""
    indicators = table["indicators"]
    header = ([text["code"]] if coded else []) + [text["name"]]
    for item in indicators:
        header += [item["label"], text["ci"]]
    header.append("n")
    rows = []
    for row in table["rows"]:
        cells = [row["group"] or "–"] if coded else []
        cells.append(row["name"] or "–")
        for cell in row["cells"]:
            cells.extend(_cell(cell))
        first = next((c for c in row["cells"] if c), None)
        cells.append(numbers.number(first["n"]) if first else "–")
        rows.append(cells)
    widths = ([1.5] if coded else []) + [3.6]
    for item in indicators:  # rupiah amounts and their long labels need the widest columns
        widths += [3.4, 3.6] if item["fmt"] == "money" else [2.4, 3.0]
    widths.append(1.3)
    report.grid(header, rows, widths, numeric_from=2 if coded else 1)
    flag_footnote(
        report,
        [
            (f"{row['name'] or row['group']}, {item['label']}", cell)
            for row in table["rows"]
            for item, cell in zip(indicators, row["cells"], strict=False)
        ],
        text,
    )


def flag_footnote(
    report: Report, cells: Sequence[tuple[str, Mapping[str, Any] | None]], text: Mapping[str, str]
) -> None:
    """Under a table: why each flagged estimate is flagged ("Aceh, Gini: RSE 31,2% > 25%")."""
    said = [
        f"{where} ({MARKS.get(cell.get('reliability') or '', '?')}): {cell['reliability_reason']}"
        for where, cell in cells
        if cell
        and cell.get("reliability") not in (None, "reliable")
        and cell.get("reliability_reason")
    ]
    if said:
        report.paragraph(f"{text['reasons']}: " + "; ".join(said) + ".", size=7, muted=True)


def _extremes(table: Mapping[str, Any], k: int) -> dict[str, Any]:
    """The ``k`` highest and ``k`` lowest rows by the first indicator (as the overview chart)."""
    rows = [r for r in table["rows"] if r["cells"] and r["cells"][0]]
    rows.sort(key=lambda r: -r["cells"][0]["estimate"] if r["cells"][0]["estimate"] else 0.0)
    if len(rows) > 2 * k:
        rows = rows[:k] + rows[-k:]
    return {**table, "rows": rows}


def analysis_pdf(
    result: Mapping[str, Any],
    *,
    tables: Mapping[str, Mapping[str, Any]],
    charts: Mapping[str, Any],
    title: str,
    facts: Sequence[tuple[str, str]],
    text: Mapping[str, str],
    language: str,
    summary: str = "",
) -> bytes:
    """The report of ``result`` (already in the reader's language: ``rendering.localised``),
    with the page's ``tables`` (``rendering.tables``) and ``charts`` (``rendering.charts``)."""
    with numbers.use(language):
        report = Report(footer=f"Setara · {title}", page_word=text["page"])
        report.cover(title, facts, summary)
        report.paragraph(text["flags"], muted=True)
        _headline(report, result, text)
        if "province" in tables:
            report.heading(text["by_province"], chart=charts.get("province_map"))
            if charts.get("province_map"):
                report.chart(charts["province_map"])
            _breakdown_table(report, tables["province"], text, coded=True)
        if "regency" in tables:
            shown = charts.get("regency_map") or charts.get("regency_extremes")
            report.heading(text["by_regency"], chart=shown)
            if shown:
                report.chart(shown)
            rows = tables["regency"]["rows"]
            if len(rows) > 2 * REGENCY_ROWS:
                report.paragraph(text["extremes"].format(k=REGENCY_ROWS, n=len(rows)))
            _breakdown_table(report, _extremes(tables["regency"], REGENCY_ROWS), text, coded=True)
        for breakdown, chart in charts.get("groups", {}).items():
            if breakdown in tables:
                report.heading(str(tables[breakdown]["label"]), chart=chart)
                report.chart(chart)
                _breakdown_table(report, tables[breakdown], text)
        if result.get("deciles"):
            _distribution(report, result, charts, text)
        if result.get("decomposition"):
            _decomposition(report, result, text)
        notes = [*result.get("notes", [])]
        if notes:
            report.heading(text["notes"])
            for note in notes:
                report.paragraph(f"• {note}")
        return report.to_bytes()


def _headline(report: Report, result: Mapping[str, Any], text: Mapping[str, str]) -> None:
    items = {i["key"]: i for i in result["indicators"]}
    report.heading(text["headline"])
    rows = []
    for r in result["headline"]:
        item = items[r["indicator"]]
        fmt = formatter(item["fmt"])
        rows.append(
            [
                item["label"],
                fmt(r["estimate"]) + MARKS.get(r["reliability"] or "", ""),
                f"{fmt(r['ci_low'])} – {fmt(r['ci_high'])}",
                numbers.percent(r["rse"]),
                numbers.number(r["n"]),
                text.get(f"rel_{r['reliability']}", r["reliability"] or ""),
                r.get("reliability_reason") or "",
            ]
        )
    header = [text["indicator"], text["estimate"], text["ci"], text["rse"], "n"]
    header += [text["reliability"], text["reason"]]
    report.grid(header, rows, [4.2, 2.1, 3.2, 1.2, 1.3, 2.8, 3.4])


def _distribution(
    report: Report, result: Mapping[str, Any], charts: Mapping[str, Any], text: Mapping[str, str]
) -> None:
    report.heading(text["distribution"], chart=charts.get("deciles"))
    if charts.get("deciles"):
        report.chart(charts["deciles"])
    rows = [
        [
            r["label"],
            numbers.percent(r["estimate"]) + MARKS.get(r.get("reliability") or "", ""),
            f"{numbers.percent(r['ci_low'])} – {numbers.percent(r['ci_high'])}",
        ]
        for r in result["deciles"]
    ]
    report.grid([text["decile"], text["share"], text["ci"]], rows, [1, 1, 2])
    flag_footnote(report, [(r["label"], r) for r in result["deciles"]], text)
    if charts.get("lorenz"):
        report.chart(charts["lorenz"])


def _decomposition(report: Report, result: Mapping[str, Any], text: Mapping[str, str]) -> None:
    report.heading(text["decomposition"])
    rows = [
        [
            text.get(r["group"], r["group"]),
            text.get(r["component"], r["component"]),
            numbers.number(r["estimate"], 4) + MARKS.get(r.get("reliability") or "", ""),
            f"{numbers.number(r['ci_low'], 4)} – {numbers.number(r['ci_high'], 4)}",
        ]
        for r in result["decomposition"]
    ]
    header = [text["groups"], text["component"], text["estimate"], text["ci"]]
    report.grid(header, rows, [1.5, 1.5, 1, 2], numeric_from=2)
    where = [
        (f"{text.get(r['group'], r['group'])}, {text.get(r['component'], r['component'])}", r)
        for r in result["decomposition"]
    ]
    flag_footnote(report, where, text)
