"""Charts and maps of a stored result, as SVG strings (built from plain data, no Django)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from setara_web import numbers
from setara_web.viz import geo, svg

# Chart wording; the web layer passes translations of these (the charts stay Django-free).
TEXT = {
    "by": "{label} by {breakdown}",
    "extremes": "{label}: the {k} highest and {k} lowest",
    "deciles": "Share of total welfare by decile",
    "lorenz": "Lorenz curve",
    "population": "Cumulative population share",
    "welfare": "Cumulative welfare share",
    "province": "province",
    "regency": "regency / city",
    "significance": "▲ significantly above, ▼ significantly below the national figure (95%)",
}
SIGNIFICANCE_MARKS = {"above": "▲", "below": "▼"}
DIFF_FILTERS = ("above", "below", "not different")


def marked(name: str, flag: str | None) -> str:
    """An area's name with its significance mark against the national figure."""
    mark = SIGNIFICANCE_MARKS.get(flag or "")
    return f"{name} {mark}" if mark else name


def with_difference(rows: list[dict[str, Any]], key: str, diff: str | None) -> list[dict[str, Any]]:
    """Rows of the areas whose indicator ``key`` differs from the nation as ``diff`` says
    (``above``, ``below``, ``not different``; None keeps every area)."""
    if diff not in DIFF_FILTERS:
        return rows
    keep = {r["group"] for r in rows if r["indicator"] == key and r.get("diff_flag") == diff}
    return [r for r in rows if r["group"] in keep]


def formatter(fmt: str, language: str | None = None) -> Callable[[float | None], str]:
    """How values of unit ``fmt`` are written, in ``language``'s style (default: the one of the
    enclosing :func:`setara_web.numbers.use` block)."""

    def format_value(value: float | None) -> str:
        if fmt == "percent":
            return numbers.percent(value, 1, language=language)
        if fmt == "pp":  # a change of a percentage, in percentage points
            if value is None or value != value:
                return numbers.MISSING
            sign = "+" if value >= 0 else ""
            return sign + numbers.number(100 * value, 1, language=language) + " pp"
        if fmt == "number":
            return numbers.number(value, 1, language=language)
        return numbers.number(value, 0 if fmt == "money" else 3, language=language)

    return format_value


def indicator_rows(result: dict[str, Any], breakdown: str, key: str) -> list[dict[str, Any]]:
    return [r for r in result["breakdowns"].get(breakdown, []) if r["indicator"] == key]


def headline_value(result: dict[str, Any], key: str) -> float | None:
    for row in result["headline"]:
        if row["indicator"] == key:
            return row["estimate"]  # type: ignore[no-any-return]
    return None


def area_map(
    result: dict[str, Any],
    breakdown: str,
    key: str,
    label: str,
    fmt: str,
    boundaries: geo.Boundaries,
    text: Mapping[str, str] | None = None,
) -> str:
    """Choropleth of indicator ``key`` over the ``breakdown`` (province or regency) areas."""
    words = text or TEXT
    rows = indicator_rows(result, breakdown, key)
    paths, viewbox = geo.to_svg_paths(boundaries)
    return svg.choropleth(
        paths,
        viewbox,
        {r["group"]: r["estimate"] for r in rows},
        names=dict(boundaries.names)
        | {r["group"]: marked(r["name"], r.get("diff_flag")) for r in rows},
        flags={r["group"]: r["reliability"] for r in rows},
        contains=dict(boundaries.contains),
        title=words["by"].format(label=label, breakdown=words[breakdown]),
        legend_title=label,
        fmt=formatter(fmt),
        note=words.get("significance", TEXT["significance"]),
    )


def ranked_plot(
    result: dict[str, Any],
    breakdown: str,
    key: str,
    label: str,
    fmt: str,
    *,
    extremes: int | None = None,
    text: Mapping[str, str] | None = None,
) -> str:
    """Areas ranked by the indicator with 95% CIs; ``extremes=k`` keeps the k highest and the
    k lowest (the dashboard's overview of 514 regencies; the full ranking has its own page)."""
    rows = [
        {
            "label": marked(r["name"] or r["group"], r.get("diff_flag")),
            "estimate": r["estimate"],
            "ci_low": r["ci_low"],
            "ci_high": r["ci_high"],
            "reliability": r["reliability"],
        }
        for r in indicator_rows(result, breakdown, key)
        if r["estimate"] is not None
    ]
    words = text or TEXT
    title = words["by"].format(label=label, breakdown=words.get(breakdown, breakdown))
    if extremes is not None and len(rows) > 2 * extremes:
        rows.sort(key=lambda r: r["estimate"])
        rows = rows[:extremes] + rows[-extremes:]
        title = words["extremes"].format(label=label, k=extremes)
    return svg.dot_plot(
        rows,
        title=title,
        fmt=formatter(fmt),
        reference=headline_value(result, key),
    )


def group_chart(
    result: dict[str, Any],
    breakdown: str,
    key: str,
    label: str,
    fmt: str,
    text: Mapping[str, str] | None = None,
) -> str:
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
        rows,
        title=(text or TEXT)["by"].format(
            label=label, breakdown=(text or TEXT).get(breakdown, breakdown)
        ),
        fmt=formatter(fmt),
        orientation="horizontal",
    )


def decile_chart(result: dict[str, Any], text: Mapping[str, str] | None = None) -> str:
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
        title=(text or TEXT)["deciles"],
        fmt=formatter("percent"),
        orientation="vertical",
    )


def lorenz_chart(result: dict[str, Any], text: Mapping[str, str] | None = None) -> str:
    points = [(r["p"], r["estimate"]) for r in result.get("lorenz", [])]
    words = text or TEXT
    return svg.line_chart(
        [{"name": words["lorenz"], "points": points}],
        title=words["lorenz"],
        x_label=words["population"],
        y_label=words["welfare"],
        diagonal=True,
        fmt=numbers.general,
    )


def natural_key(group: str | None) -> tuple[float, str]:
    """Sort key of a group label by its leading number: age groups 0-6, 7-12, …, 60+ and
    quintiles Q1…Q5 in their natural order rather than as text ("60+" before "7-12")."""
    text = group or ""
    digits = ""
    for char in text.lstrip("QKDqkd"):
        if not char.isdigit():
            break
        digits += char
    return (float(digits) if digits else float("inf"), text)
