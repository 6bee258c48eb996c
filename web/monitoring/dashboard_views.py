"""Dashboard pages: a region's score card, ranking and comparison of its regions, trends with
confidence bands, the map of achievement, comparisons of chosen regions, and their exports.

Query parameters (one vocabulary for pages and exports): ``region`` (kode wilayah, empty for
national), ``plan`` (id; default the reader's newest plan), ``indicator`` (id, for the trend
and the comparison chart), ``level`` (``province`` or ``regency``: which regions are compared
on the national page), ``unapproved=1`` (members of an indicator's owner agency only).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from agencies import actions as agency_actions
from agencies.access import roles_of
from agencies.models import Agency
from analyses.chart_words import chart_words
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import numbers
from setara_web.viz import words as viz_words

from monitoring import charts, dashboard_exports
from monitoring import dashboard_words as words
from monitoring.dashboard import (
    Selection,
    cache_key,
    owned_ids,
    parents,
    readable_indicators,
    readable_plans,
    region_name,
    region_names,
    scorecard_frames,
    stamp,
)
from monitoring.validators import REGION_PATTERN

LEVELS = ("province", "regency")


def _home_region(user: Any) -> str:
    """The region of the reader's first regional agency, else national."""
    codes = Agency.objects.filter(pk__in=list(roles_of(user))).values_list("region_code", flat=True)
    return next((c for c in codes if c), "")


def selection_of(request: HttpRequest, plans: list[Any] | None = None) -> Selection:
    """The dashboard's selection from the query, checked (404 on what the reader cannot see)."""
    params = request.GET
    region = params.get("region", None)
    if region is None:
        region = _home_region(request.user)
    region = region.strip()
    if not REGION_PATTERN.match(region) or (region and region not in region_names()):
        raise Http404
    plans = readable_plans(request.user) if plans is None else plans
    plan = plans[0] if plans else None
    if params.get("plan"):
        plan = next((p for p in plans if str(p.pk) == params["plan"]), None)
        if plan is None:
            raise Http404
    indicators = readable_indicators(request.user)
    unapproved = owned_ids(request.user, indicators) if params.get("unapproved") == "1" else set()
    level = params.get("level", "")
    if level not in LEVELS or region != "":
        level = ""
    return Selection(
        region=region, plan=plan, indicators=indicators, unapproved=unapproved, level=level
    )


def _rows(frame: pl.DataFrame | None) -> list[dict[str, Any]]:
    return [] if frame is None else frame.to_dicts()


def _chosen_indicator(
    request: HttpRequest, selection: Selection, card: list[dict[str, Any]]
) -> Any:
    wanted = request.GET.get("indicator", "")
    for indicator in selection.indicators:
        if str(indicator.pk) == wanted:
            return indicator
    if wanted:
        raise Http404
    first = card[0]["indicator_id"] if card else None
    return next((i for i in selection.indicators if i.pk == first), None)


def _charts(
    selection: Selection,
    frames: dict[str, pl.DataFrame],
    indicator: Any,
    language: str,
) -> dict[str, str]:
    """Trend of the chosen indicator in the region, its comparison across the compared
    regions, and (national page) the map of mean achievement by province."""
    out: dict[str, str] = {}
    text = words.chart_text()
    if indicator is not None:
        fmt = words.value_format(indicator.unit)
        name = indicator.name_in(language)
        history = frames["history"].filter(pl.col("indicator_id") == indicator.pk)
        points = [
            {
                "period": r["period"],
                "value": r["value"],
                "ci_low": r["ci_low"],
                "ci_high": r["ci_high"],
                "reliability": r["rse_flag"],
            }
            for r in history.sort("period").to_dicts()
        ]
        bad_side = "target_high" if indicator.polarity == "lower" else "target_low"
        targets = {
            r["period"]: r[bad_side] if r[bad_side] is not None else r["target_low"]
            for r in history.to_dicts()
        }
        out["trend"] = charts.trend_chart(
            points, title=name, fmt=fmt, y_label=indicator.unit, targets=targets, text=text
        )
        children = frames.get("children")
        if children is not None and not children.is_empty():
            rows = children.filter(pl.col("indicator_id") == indicator.pk).to_dicts()
            names = region_names()
            target = next((r["target_low"] for r in rows if r["target_scope"] == "national"), None)
            out["comparison"] = charts.comparison_plot(
                [
                    {
                        "label": names.get(r["region_code"], r["region_code"]),
                        "estimate": r["value"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "reliability": r["rse_flag"],
                    }
                    for r in rows
                ],
                title=_("%(name)s by region, %(period)s")
                % {"name": name, "period": rows[0]["period"] if rows else ""},
                fmt=fmt,
                target=target,
                text=text,
            )
    ranking = frames.get("ranking")
    if selection.region == "" and selection.level != "regency" and ranking is not None:
        out["map"] = charts.achievement_map(
            {r["region_code"]: r["mean_achievement"] for r in ranking.to_dicts()},
            title=_("Mean achievement against targets by province"),
            fmt=words.achievement_text,
            note=_("Mean over the indicators with a value and a target, each capped at 120%."),
            text=text,
        )
    return out


def _body(
    request: HttpRequest, selection: Selection, language: str, data_stamp: str
) -> dict[str, Any]:
    """What the cached part of the page shows: score card, trend, ranking, map, comparison."""
    with viz_words.use(chart_words()), numbers.use(language):
        frames = scorecard_frames(selection, language, data_stamp)
        card = [words.card_row(r) for r in _rows(frames["card"])]
        indicator = _chosen_indicator(request, selection, card)
        drawn = _charts(selection, frames, indicator, language)
        category_words, light_words = words.categories(), words.lights()
        ranking = [
            {
                **r,
                "mean_text": words.achievement_text(r["mean_achievement"]),
                "category_text": category_words.get(r["category"] or "", numbers.MISSING),
                "light_symbol": words.LIGHT_SYMBOLS.get(r["light"] or "", ""),
                "light_text": light_words.get(r["light"] or "", numbers.MISSING),
            }
            for r in _rows(frames.get("ranking"))
        ]
    return {"selection": selection, "card": card, "ranking": ranking, "charts": drawn,
            "indicator": indicator}  # fmt: skip


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The region's dashboard. Its content (everything under the site's header) is rendered
    once per selection, query, readable plans, language and state of the data
    (``monitoring.dashboard.stamp``), then served from the cache."""
    plans = readable_plans(request.user)
    selection = selection_of(request, plans)
    language = get_language() or "id"
    national = _("Indonesia")
    may_include = bool(owned_ids(request.user, selection.indicators))
    region_label = region_name(selection.region, national)
    query = request.GET.urlencode()
    shown_plans = [(p.pk, p.name, p.document_title) for p in plans]
    data_stamp = stamp()
    key = cache_key("page", selection, language, data_stamp, f"{query}|{shown_plans}|{may_include}")
    content = cache.get(key)
    context: dict[str, Any] = {"selection": selection, "region_label": region_label}
    if content is None:
        context.update(
            {
                "trail": [(c, region_name(c, national)) for c in parents(selection.region)]
                if selection.region
                else [],
                "plans": plans,
                "may_include_unapproved": may_include,
                "query": query,
                "levels": LEVELS,
                **_body(request, selection, language, data_stamp),
            }
        )
        content = render_to_string("monitoring/_dashboard_content.html", context, request)
        cache.set(key, content, 3600)
    context["content"] = mark_safe(content)
    return render(request, "monitoring/dashboard.html", context)


@login_required
def dashboard_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    selection = selection_of(request)
    language = get_language() or "id"
    with viz_words.use(chart_words()), numbers.use(language):
        frames = scorecard_frames(selection, language)
        region = region_name(selection.region, _("Indonesia"))
        title = _("Score card: %(region)s") % {"region": region}
        plan = selection.plan.name if selection.plan else _("no plan")
        if fmt == "csv":
            body = dashboard_exports.to_csv(
                frames["card"], excel_indonesia=request.GET.get("excel") == "id"
            )
            ctype = "text/csv; charset=utf-8"
        elif fmt == "xlsx":
            body = dashboard_exports.to_xlsx(
                frames["card"], frames.get("ranking"), title=title, plan=plan,
                words=words.xlsx_words(),
            )  # fmt: skip
            ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = dashboard_exports.to_pdf(
                [words.card_row(r) for r in _rows(frames["card"])],
                [
                    {**r, "mean_text": words.achievement_text(r["mean_achievement"])}
                    for r in _rows(frames.get("ranking"))
                ],
                title=title, plan=plan, text=words.pdf_words(),
            )  # fmt: skip
            ctype = "application/pdf"
    if selection.plan is not None:
        agency_actions.record_export(request.user, selection.plan, f"scorecard {fmt}", request)
    response = HttpResponse(body, content_type=ctype)
    slug = selection.region.replace(".", "") or "id"
    response["Content-Disposition"] = f'attachment; filename="setara-scorecard-{slug}.{fmt}"'
    return response


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Chosen regions side by side: each indicator's latest value and achievement."""
    codes = [c.strip() for c in request.GET.get("regions", "").split(",") if c.strip()][:8]
    if any(c not in region_names() for c in codes):
        raise Http404
    base = selection_of(request)
    language = get_language() or "id"
    columns = []
    with numbers.use(language):
        for code in codes:
            chosen = Selection(
                region=code, plan=base.plan, indicators=base.indicators,
                unapproved=base.unapproved, level="",
            )  # fmt: skip
            card = scorecard_frames(chosen, language)["card"]
            columns.append({r["indicator_id"]: words.card_row(r) for r in card.to_dicts()})
    table = [
        {"indicator": i, "cells": [column.get(i.pk) for column in columns]}
        for i in base.indicators
        if any(i.pk in column for column in columns)
    ]
    context = {
        "selection": base,
        "regions": [(c, region_name(c, "")) for c in codes],
        "table": table,
        "query": request.GET.get("regions", ""),
        "plans": readable_plans(request.user),
    }
    return render(request, "monitoring/dashboard_compare.html", context)
