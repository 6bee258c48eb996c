"""The score card as CSV, XLSX and PDF (no Django import; the web layer passes the words).

CSV stays machine-readable (``,`` and decimal point, codes such as ``very_high`` and
``cannot_tell``), or with ``excel_indonesia`` as Excel set to Indonesian reads it. XLSX writes
the categories, lights and verdicts in the reader's language, values as numbers. The PDF is
the page's table in DejaVu Sans (``setara_web.pdf``). Text a spreadsheet would execute is
neutralised in every format (``setara_web.spreadsheet``).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl
from setara_web.pdf import Report
from setara_web.spreadsheet import neutralise, neutralise_frame

__all__ = ["CARD_COLUMNS", "RANKING_COLUMNS", "to_csv", "to_pdf", "to_xlsx"]

CARD_COLUMNS = [
    "code", "name", "unit", "region_code", "period", "value", "ci_low", "ci_high", "rse",
    "approved", "baseline", "target_low", "target_high", "target_scope", "achievement",
    "category", "light", "verdict", "rse_flag",
]  # fmt: skip
RANKING_COLUMNS = [
    "rank", "region_code", "region_name", "mean_achievement", "category", "light",
    "n_indicators", "n_scored", "n_met", "n_not_met", "n_cannot_tell",
]  # fmt: skip
CODED = ("category", "light", "verdict", "rse_flag")


def _card(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select([c for c in CARD_COLUMNS if c in frame.columns])


def to_csv(card: pl.DataFrame, *, excel_indonesia: bool = False) -> bytes:
    """The score card's rows as CSV (see the module notes)."""
    frame = neutralise_frame(_card(card))
    if excel_indonesia:
        return b"\xef\xbb\xbf" + frame.write_csv(separator=";", decimal_comma=True).encode("utf-8")
    return frame.write_csv().encode("utf-8")


def _worded(frame: pl.DataFrame, words: Mapping[str, Any]) -> pl.DataFrame:
    values = dict(words.get("values", {}))
    coded = [c for c in CODED if c in frame.columns]
    if values and coded:
        frame = frame.with_columns(pl.col(c).replace(values) for c in coded)
    return neutralise_frame(frame).rename(
        {k: v for k, v in dict(words.get("columns", {})).items() if k in frame.columns}
    )


def to_xlsx(
    card: pl.DataFrame,
    ranking: pl.DataFrame | None,
    *,
    title: str,
    plan: str,
    words: Mapping[str, Any] | None = None,
) -> bytes:
    """A workbook: About (title, plan, the scoring rule), the score card, the ranking."""
    import xlsxwriter

    words = words or {}
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    with xlsxwriter.Workbook(buffer, options) as book:
        about = book.add_worksheet(str(words.get("about", "About"))[:31])
        bold = book.add_format({"bold": True})
        about.write_string(0, 0, neutralise(title), bold)
        about.write_string(2, 0, str(words.get("plan", "Plan")), bold)
        about.write_string(2, 1, neutralise(plan))
        about.write_string(4, 0, str(words.get("rule", "")))
        about.set_column(0, 0, 28)
        about.set_column(1, 1, 60)
        _worded(_card(card), words).write_excel(
            workbook=book, worksheet=str(words.get("card", "Score card"))[:31], autofit=True
        )
        if ranking is not None and not ranking.is_empty():
            shown = ranking.select([c for c in RANKING_COLUMNS if c in ranking.columns])
            _worded(shown, words).write_excel(
                workbook=book, worksheet=str(words.get("ranking", "Ranking"))[:31], autofit=True
            )
    return buffer.getvalue()


def to_pdf(
    card: Sequence[Mapping[str, Any]],
    ranking: Sequence[Mapping[str, Any]],
    *,
    title: str,
    plan: str,
    text: Mapping[str, str],
) -> bytes:
    """The score card (rows from ``dashboard_words.card_row``) and the ranking as a PDF."""
    report = Report(footer=text.get("footer", "Setara"), page_word=text.get("page", "page"))
    report.cover(title, [(text.get("plan", "Plan"), plan)], text.get("rule", ""))
    report.heading(text.get("card", "Score card"))
    header = [
        text.get(k, k)
        for k in ("indicator", "period", "value", "target", "achievement", "category", "light")
    ] + [text.get("verdict", "verdict")]
    rows = []
    for r in card:
        value = r["value_text"] + (f" ({r['ci_text']})" if r.get("ci_text") else "")
        if not r.get("approved", True):
            value += f" [{text.get('unapproved', 'not yet approved')}]"
        verdict = r.get("verdict_text") or ""
        if r.get("rse_text"):
            verdict += f" ({r['rse_text']})"
        rows.append(
            [
                f"{r['code']} {r['name']}",
                r["period"],
                value,
                r["target_text"],
                r["achievement_text"],
                r["category_text"],
                f"{r['light_symbol']} {r['light_text']}".strip(),
                verdict,
            ]
        )
    report.grid(header, rows, (42, 13, 32, 18, 23, 17, 17, 22), numeric_from=2)
    if ranking:
        report.heading(text.get("ranking", "Ranking"))
        report.grid(
            [text.get("rank", "rank"), text.get("region", "region"), text.get("mean", "mean")],
            [
                [
                    str(r["rank"]) if r.get("rank") is not None else "",
                    str(r.get("region_name") or r["region_code"]),
                    r.get("mean_text") or "",
                ]
                for r in ranking
            ],
            (20, 110, 50),
            numeric_from=2,
        )
    return report.to_bytes()
