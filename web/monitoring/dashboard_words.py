"""The dashboards' wording in the reader's language, and values written the reader's way.

Categories follow Permendagri 86/2017 (*sangat tinggi* … *sangat rendah*); a traffic light is
always shown with a symbol and a word, never by colour alone (WCAG 2.1, 1.4.1).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import numbers

LIGHT_SYMBOLS = {"green": "●", "amber": "▲", "red": "■"}


def categories() -> dict[str, str]:
    return {
        "very_high": _("very high"),
        "high": _("high"),
        "medium": _("medium"),
        "low": _("low"),
        "very_low": _("very low"),
    }


def lights() -> dict[str, str]:
    return {"green": _("on track"), "amber": _("watch"), "red": _("off track")}


def verdicts() -> dict[str, str]:
    return {
        "met": _("met"),
        "not_met": _("not met"),
        "cannot_tell": _("cannot tell"),
    }


def rse_flags() -> dict[str, str]:
    return {
        "reliable": _("reliable"),
        "caution": _("use with caution"),
        "unreliable": _("unreliable"),
    }


def chart_text() -> dict[str, str]:
    return {
        "value": _("Value"),
        "ci_band": _("95% confidence interval"),
        "target": _("Target"),
        "period": _("Period"),
        "achievement": _("Mean achievement (%)"),
        "no_values": _("No values to draw."),
        "trend_desc": _(
            "Line chart of {name} over {count} periods, from {first} ({first_value}) to "
            "{last} ({last_value})."
        ),
    }


def value_format(unit: str) -> Callable[[float], str]:
    """How a value of ``unit`` is written (2 decimals, the unit after it)."""

    def fmt(value: float) -> str:
        text = numbers.number(value, 2)
        if not unit or text == numbers.MISSING:
            return text
        return f"{text}%" if unit == "%" else f"{text} {unit}"

    return fmt


def achievement_text(value: float | None) -> str:
    return numbers.MISSING if value is None else numbers.number(value, 1) + "%"


def target_text(low: float | None, high: float | None, fmt: Callable[[float], str]) -> str:
    """A point target as its value, a range as "low – high", an open range with ≥ or ≤."""
    if low is None and high is None:
        return numbers.MISSING
    if low is not None and high is not None:
        return fmt(low) if low == high else f"{fmt(low)} – {fmt(high)}"
    return f"≥ {fmt(low)}" if low is not None else f"≤ {fmt(high)}"  # type: ignore[arg-type]


@functools.lru_cache(maxsize=8)
def _coded_words(language: str) -> dict[str, dict[str, str]]:
    """The coded values' words in ``language`` (the active one), looked up once, not per row."""
    return {"category": categories(), "light": lights(), "verdict": verdicts(),
            "rse_flag": rse_flags()}  # fmt: skip


def card_row(row: dict[str, Any]) -> dict[str, Any]:
    """One scored row as the page and the PDF show it (texts in the reader's language)."""
    coded = _coded_words(get_language() or "")
    fmt = value_format(row.get("unit") or "")
    value = fmt(row["value"]) if row.get("value") is not None else numbers.MISSING
    ci = ""
    if row.get("ci_low") is not None and row.get("ci_high") is not None:
        ci = f"{fmt(row['ci_low'])} – {fmt(row['ci_high'])}"
    light = row.get("light")
    return {
        **row,
        "value_text": value,
        "ci_text": ci,
        "target_text": target_text(row.get("target_low"), row.get("target_high"), fmt),
        "baseline_text": fmt(row["baseline"]) if row.get("baseline") is not None else "",
        "achievement_text": achievement_text(row.get("achievement")),
        "category_text": coded["category"].get(row.get("category") or "", numbers.MISSING),
        "light_symbol": LIGHT_SYMBOLS.get(light or "", ""),
        "light_text": coded["light"].get(light or "", numbers.MISSING),
        "verdict_text": coded["verdict"].get(row.get("verdict") or "", ""),
        "rse_text": coded["rse_flag"].get(row.get("rse_flag") or "", ""),
        "rse_percent": numbers.percent(row["rse"]) if row.get("rse") is not None else "",
        "scope_text": _("national target") if row.get("target_scope") == "national" else "",
    }


def column_names() -> dict[str, str]:
    """Headers of the score card's columns in exports."""
    return {
        "code": _("code"),
        "name": _("indicator"),
        "unit": _("unit"),
        "region_code": _("kode wilayah"),
        "period": _("period"),
        "value": _("value"),
        "ci_low": _("CI low"),
        "ci_high": _("CI high"),
        "rse": _("RSE"),
        "approved": _("approved"),
        "baseline": _("baseline"),
        "target_low": _("target from"),
        "target_high": _("target to"),
        "target_scope": _("target of"),
        "achievement": _("achievement (%)"),
        "category": _("category"),
        "light": _("traffic light"),
        "verdict": _("statistical verdict"),
        "rse_flag": _("RSE flag"),
        "region_name": _("region"),
        "rank": _("rank"),
        "mean_achievement": _("mean achievement (%)"),
        "n_indicators": _("indicators"),
        "n_scored": _("scored"),
        "n_met": _("met"),
        "n_not_met": _("not met"),
        "n_cannot_tell": _("cannot tell"),
    }


def xlsx_words() -> dict[str, Any]:
    return {
        "columns": column_names(),
        "values": {**categories(), **lights(), **verdicts(), **rse_flags()},
        "about": _("About"),
        "card": _("Score card"),
        "ranking": _("Ranking"),
        "plan": _("Plan"),
        "rule": _(
            "Achievement as PermenPANRB 8/2021; categories as Permendagri 86/2017. Verdict for "
            "survey indicators: met when the whole 95% confidence interval is on the good side "
            "of the target, not met when wholly on the other side, cannot tell otherwise."
        ),
    }


def pdf_words() -> dict[str, str]:
    return {
        **{k: str(v) for k, v in xlsx_words().items() if isinstance(v, str)},
        "indicator": _("Indicator"),
        "period": _("Period"),
        "value": _("Value (95% CI)"),
        "target": _("Target"),
        "achievement": _("Achievement"),
        "category": _("Category"),
        "light": _("Light"),
        "verdict": _("Verdict (RSE)"),
        "region": _("Region"),
        "rank": _("Rank"),
        "mean": _("Mean achievement"),
        "unapproved": _("not yet approved"),
        "footer": _("Setara score card"),
        "page": _("page"),
    }
