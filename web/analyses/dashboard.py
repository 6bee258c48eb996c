"""Charts and maps of a stored result, as SVG strings (built from plain data, no Django)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from setara_web.viz import geo, svg


def formatter(fmt: str) -> Callable[[float | None], str]:
    def format_value(value: float | None) -> str:
        if value is None:
            return "–"
        if fmt == "percent":
            return f"{100 * value:.1f}%"
        if fmt == "money":
            return f"{value:,.0f}"
        return f"{value:.3f}"

    return format_value


def indicator_rows(result: dict[str, Any], breakdown: str, key: str) -> list[dict[str, Any]]:
    return [r for r in result["breakdowns"].get(breakdown, []) if r["indicator"] == key]


def headline_value(result: dict[str, Any], key: str) -> float | None:
    for row in result["headline"]:
        if row["indicator"] == key:
            return row["estimate"]  # type: ignore[no-any-return]
    return None


def province_map(
    result: dict[str, Any], key: str, label: str, fmt: str, boundaries: geo.Boundaries | None = None
) -> str:
    rows = indicator_rows(result, "province", key)
    shapes = boundaries or geo.province_boundaries()
    paths, viewbox = geo.to_svg_paths(shapes)
    return svg.choropleth(
        paths,
        viewbox,
        {r["group"]: r["estimate"] for r in rows},
        names={r["group"]: r["name"] for r in rows} | dict(shapes.names),
        flags={r["group"]: r["reliability"] for r in rows},
        contains=dict(shapes.contains),
        title=f"{label} by province",
        legend_title=label,
        fmt=formatter(fmt),
    )


def regency_map(
    result: dict[str, Any], key: str, label: str, fmt: str, boundaries: geo.Boundaries
) -> str:
    rows = indicator_rows(result, "regency", key)
    paths, viewbox = geo.to_svg_paths(boundaries)
    return svg.choropleth(
        paths,
        viewbox,
        {r["group"]: r["estimate"] for r in rows},
        names={r["group"]: r["name"] for r in rows},
        flags={r["group"]: r["reliability"] for r in rows},
        title=f"{label} by regency",
        legend_title=label,
        fmt=formatter(fmt),
    )


def ranked_plot(result: dict[str, Any], breakdown: str, key: str, label: str, fmt: str) -> str:
    rows = [
        {
            "label": r["name"] or r["group"],
            "estimate": r["estimate"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "reliability": r["reliability"],
        }
        for r in indicator_rows(result, breakdown, key)
        if r["estimate"] is not None
    ]
    return svg.dot_plot(
        rows,
        title=f"{label} by {breakdown}",
        fmt=formatter(fmt),
        reference=headline_value(result, key),
    )


def group_chart(result: dict[str, Any], breakdown: str, key: str, label: str, fmt: str) -> str:
    rows = [
        {
            "label": r["name"] or "missing",
            "value": r["estimate"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "reliability": r["reliability"],
        }
        for r in indicator_rows(result, breakdown, key)
        if r["estimate"] is not None
    ]
    return svg.bar_chart(
        rows, title=f"{label} by {breakdown}", fmt=formatter(fmt), orientation="horizontal"
    )


def decile_chart(result: dict[str, Any]) -> str:
    rows = [
        {
            "label": r["label"],
            "value": r["estimate"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "reliability": r["reliability"],
        }
        for r in result.get("deciles", [])
    ]
    return svg.bar_chart(
        rows,
        title="Share of total welfare by decile",
        fmt=formatter("percent"),
        orientation="vertical",
    )


def lorenz_chart(result: dict[str, Any]) -> str:
    points = [(r["p"], r["estimate"]) for r in result.get("lorenz", [])]
    return svg.line_chart(
        [{"name": "Lorenz curve", "points": points}],
        title="Lorenz curve",
        x_label="Cumulative population share",
        y_label="Cumulative welfare share",
        diagonal=True,
    )
