"""Rendered dashboards: charts and the results section of a stored diagnostic, cached.

The cache (file-based, shared by all web workers and the task worker) is filled when a
diagnostic finishes, so even the first view of a result reads a ready fragment.
"""

from __future__ import annotations

from typing import Any

from datasets.forms import MEANING_LABELS
from datasets.labels import MEANINGS
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import messages, numbers
from setara_web.viz import geo, words

from analyses import dashboard
from analyses.chart_words import chart_words
from analyses.forms import BREAKDOWN_LABELS
from analyses.models import Analysis

REGENCY_EXTREMES = 20
# Part of every cache key: bump when templates or charts change, so old renderings are not served.
RENDER_VERSION = 10


def _cache_key(kind: str, analysis: Analysis) -> str:
    """Per stored result (its finish time), language and the regency boundaries in use (an
    upload after the analysis ran draws the map without a re-run); RENDER_VERSION retires old
    drawings."""
    from analyses.boundaries import latest_regency_boundary

    stamp = analysis.finished_at.timestamp() if analysis.finished_at else 0
    boundary = latest_regency_boundary(analysis.owner_id)
    drawn = boundary.pk if boundary is not None else 0
    return f"{kind}-v{RENDER_VERSION}-{analysis.pk}-{stamp:.6f}-b{drawn}-{get_language()}"


def chart_text() -> dict[str, str]:
    """The charts' wording in the active language."""
    return {
        "by": _("{label} by {breakdown}"),
        "extremes": _("{label}: the {k} highest and {k} lowest"),
        "deciles": _("Share of total welfare by decile"),
        "lorenz": _("Lorenz curve"),
        "population": _("Cumulative population share"),
        "welfare": _("Cumulative welfare share"),
        "significance": _("▲ significantly above, ▼ significantly below the national figure (95%)"),
        **{key: str(label) for key, label in BREAKDOWN_LABELS.items()},
    }


def group_names() -> dict[str, str]:
    """Group values made by the diagnostic (not by the data), in the active language."""
    return {
        "urban": _("urban"),
        "rural": _("rural"),
        "female": _("female"),
        "male": _("male"),
        "with disability": _("with disability"),
        "without disability": _("without disability"),
        "Q1 (poorest)": _("Q1 (poorest)"),
        "Q2": _("Q2"),
        "Q3": _("Q3"),
        "Q4": _("Q4"),
        "Q5 (richest)": _("Q5 (richest)"),
        # insurance schemes as the mapping page's code tables name them
        **{m: str(MEANING_LABELS[m]) for m in MEANINGS["insurance_scheme"]},
    }


def localised(result: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``result`` with indicator labels and group names in the active language."""
    names = group_names()
    out = dict(result)
    out["indicators"] = [
        i
        | {
            "label": _(i["label"]).replace(
                "{name}", names.get(i.get("name", ""), i.get("name", ""))
            )
        }
        for i in result["indicators"]
    ]
    out["notes"] = [messages.say(n) for n in result.get("notes", [])]
    out["breakdowns"] = {
        b: rows
        if b in ("province", "regency")
        else [
            r | {"name": names.get(r["name"], r["name"])}
            for r in sorted(rows, key=lambda r: dashboard.natural_key(r["group"]))
        ]
        for b, rows in result["breakdowns"].items()
    }
    return out


def charts(analysis: Analysis) -> dict[str, Any]:
    """SVG of every chart, cached per analysis result and language (viewing never recomputes
    estimates; the cache spares re-drawing)."""
    with words.use(chart_words()), numbers.use(get_language()):
        return _charts(analysis)


def _charts(analysis: Analysis) -> dict[str, Any]:
    key = _cache_key("charts", analysis)
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    result = localised(analysis.result or {})
    items = {i["key"]: i for i in result["indicators"]}
    main = items[result["regional_indicators"][0]]
    label, fmt = main["label"], main["fmt"]
    text = chart_text()
    charts: dict[str, Any] = {"groups": {}}
    breakdowns = result["breakdowns"]
    if "province" in breakdowns:
        charts["province_map"] = dashboard.area_map(
            result, "province", main["key"], label, fmt, geo.province_boundaries(), text=text
        )
        charts["province_plot"] = dashboard.ranked_plot(
            result, "province", main["key"], label, fmt, text=text
        )
    if "regency" in breakdowns:
        boundary = _regency_boundaries(analysis)
        if boundary is not None:
            charts["regency_map"] = dashboard.area_map(
                result, "regency", main["key"], label, fmt, boundary, text=text
            )
        charts["regency_extremes"] = dashboard.ranked_plot(
            result, "regency", main["key"], label, fmt, extremes=REGENCY_EXTREMES, text=text
        )
    for breakdown in breakdowns:
        if breakdown not in ("province", "regency"):
            charts["groups"][breakdown] = dashboard.group_chart(
                result, breakdown, main["key"], label, fmt, text=text
            )
    if result.get("deciles"):
        charts["deciles"] = dashboard.decile_chart(result, text=text)
        charts["lorenz"] = dashboard.lorenz_chart(result, text=text)
    cache.set(key, charts)
    return charts


def _regency_boundaries(analysis: Analysis) -> Any:
    from analyses.boundaries import latest_regency_boundaries

    return latest_regency_boundaries(analysis.owner_id)


def tables(result: dict[str, Any]) -> dict[str, Any]:
    items = {i["key"]: i for i in result["indicators"]}
    tables = {}
    for breakdown, rows in result["breakdowns"].items():
        keys = [k for k in result["regional_indicators"] if any(r["indicator"] == k for r in rows)]
        by_group: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = by_group.setdefault(
                row["group"] or "", {"group": row["group"], "name": row["name"], "cells": {}}
            )
            entry["cells"][row["indicator"]] = row
        tables[breakdown] = {
            "label": BREAKDOWN_LABELS.get(breakdown, breakdown),
            "compared": breakdown in ("province", "regency"),
            "coded": breakdown in ("province", "regency"),  # kode wilayah beside the name
            "indicators": [items[k] for k in keys],
            "rows": [
                {
                    "group": e["group"],
                    "name": e["name"],
                    "cells": [
                        e["cells"].get(k) | {"fmt": items[k]["fmt"]} if e["cells"].get(k) else None
                        for k in keys
                    ],
                }
                for e in by_group.values()
            ],
        }
    return tables


def results_html(analysis: Analysis) -> str:
    """The rendered results section, cached per stored result and language: a dashboard view
    reads one cached fragment and never recomputes estimates or redraws charts."""
    key = _cache_key("results-html", analysis)
    html = cache.get(key)
    if html is None:
        result = localised(analysis.result or {})
        items = {i["key"]: i for i in result["indicators"]}
        html = render_to_string(
            "analyses/_results.html",
            {
                "result": result,
                "analysis_pk": analysis.pk,
                "headline": [
                    r
                    | {"label": items[r["indicator"]]["label"], "fmt": items[r["indicator"]]["fmt"]}
                    for r in result["headline"]
                ],
                "charts": charts(analysis),
                "tables": tables(result),
            },
        )
        cache.set(key, html)
    return str(html)


def regencies_html(
    analysis: Analysis, diff: str | None = None, province: str = "", query: str = ""
) -> str:
    """The full ranking of regencies (chart and table): its own page, cached like the rest;
    ``diff`` keeps the regencies significantly ``above`` or ``below`` the national figure of
    the main indicator, or ``not different`` from it; ``province`` (a two-digit kode wilayah)
    keeps that province's regencies and cities, ``query`` those whose name contains it."""
    diff = diff if diff in dashboard.DIFF_FILTERS else None
    query = query.strip().casefold()
    key = _cache_key(f"regencies-html-{diff or 'all'}-{province or 'all'}", analysis)
    html = None if query else cache.get(key)
    if html is None:
        result = localised(analysis.result or {})
        main = next(i for i in result["indicators"] if i["key"] == result["regional_indicators"][0])
        rows = [
            r
            for r in result["breakdowns"].get("regency", [])
            if (not province or str(r["group"]).split(".")[0] == province)
            and (not query or query in str(r.get("name", "")).casefold())
        ]
        result["breakdowns"] = result["breakdowns"] | {
            "regency": dashboard.with_difference(rows, main["key"], diff)
        }
        plot = ""
        if any(r["estimate"] is not None for r in result["breakdowns"]["regency"]):
            with words.use(chart_words()), numbers.use(get_language()):
                plot = dashboard.ranked_plot(
                    result, "regency", main["key"], main["label"], main["fmt"], text=chart_text()
                )
        html = render_to_string(
            "analyses/_regencies.html", {"plot": plot, "table": tables(result).get("regency")}
        )
        if not query:
            cache.set(key, html)
    return str(html)


def provinces(analysis: Analysis) -> list[tuple[str, str]]:
    """(kode wilayah, name) of the provinces in a stored result, in code order."""
    rows = (analysis.result or {}).get("breakdowns", {}).get("province", [])
    return sorted({(str(r["group"]), str(r.get("name", r["group"]))) for r in rows})


def warm(analysis: Analysis) -> None:
    """Render the results section in every language (called when a diagnostic finishes)."""
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            results_html(analysis)
            if "regency" in (analysis.breakdowns or []):
                regencies_html(analysis)
