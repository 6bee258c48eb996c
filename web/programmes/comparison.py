"""The scenario comparison page as plain data and SVG (no Django import).

From the stored simulation tables: the programmes' cost, reach and targeting errors; poverty
and inequality before and after with 95% intervals of the change (design-based); benefit
incidence by decile; the change in the poverty headcount by province on the map; winners and
losers by decile.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl
from analyses.dashboard import formatter
from setara_web import spreadsheet
from setara_web.viz import geo, svg

MEASURES = [
    ("fgt0", "Poverty headcount (P0)", "percent"),
    ("fgt1", "Poverty gap (P1)", "percent"),
    ("fgt2", "Poverty severity (P2)", "index"),
    ("gini", "Gini index", "index"),
    ("theil", "Theil T", "index"),
    ("palma", "Palma ratio", "ratio"),
]


def change_format(fmt: str) -> str:
    """The format of a change of a value shown in ``fmt``: percentage points for percents."""
    return "pp" if fmt == "percent" else fmt


def _pick(rows: list[dict[str, Any]], **where: Any) -> list[dict[str, Any]]:
    return [r for r in rows if all(r.get(k) == v for k, v in where.items())]


def impact_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """National before / after (baseline, scenario) / change rows per measure."""
    rows = result["tables"]["impact"]
    scenario = result["scenario"]
    out = []
    for key, label, fmt in MEASURES:

        def one(run: str, stage: str, key: str = key) -> dict[str, Any] | None:
            found = _pick(rows, scenario=run, measure=key, domain="all", stage=stage)
            return found[0] if found else None

        out.append(
            {
                "key": key,
                "label": label,
                "fmt": fmt,
                "change_fmt": change_format(fmt),
                "before": one("baseline", "before"),
                "baseline": one("baseline", "after"),
                "after": one(scenario, "after"),
                "change": one(scenario, "change"),
                "vs_baseline": one(scenario, "vs_baseline"),
            }
        )
    return out


TEXT = {
    "incidence": "Benefit incidence by decile: {name}",
    "map_title": "Change in the poverty headcount (P0) by province",
    "map_legend": "Change in P0 (percentage points)",
}


def incidence_charts(
    result: dict[str, Any], text: Mapping[str, str] = TEXT
) -> list[tuple[str, str]]:
    """One bar chart per programme of the scenario: share of its spending by decile."""
    rows = result["tables"]["distribution"]
    scenario = result["scenario"]
    charts = []
    names = sorted(
        {r["programme"] for r in _pick(rows, scenario=scenario, grouping="decile")},
        key=lambda n: (n == "all programmes", n),
    )
    for name in names:
        decile = sorted(
            _pick(rows, scenario=scenario, grouping="decile", programme=name),
            key=lambda r: int(r["group"]),
        )
        bars = [{"label": f"D{r['group']}", "value": r["incidence"]} for r in decile]
        charts.append(
            (
                name,
                svg.bar_chart(
                    bars,
                    title=text["incidence"].format(name=text.get(name, name)),
                    fmt=formatter("percent"),
                ),
            )
        )
    return charts


def poverty_map(
    result: dict[str, Any], text: Mapping[str, str] = TEXT
) -> tuple[str, list[dict[str, Any]]]:
    """Change of the poverty headcount (scenario vs before) by province, map and rows."""
    rows = result["tables"]["impact"]
    scenario = result["scenario"]
    by_code: dict[str, dict[str, Any]] = {}
    for stage in ("before", "after", "change"):
        for r in _pick(rows, scenario=scenario, measure="fgt0", domain="region", stage=stage):
            by_code.setdefault(str(r["group"]), {"code": str(r["group"])})[stage] = r
    shapes = geo.province_boundaries()
    paths, viewbox = geo.to_svg_paths(shapes)
    change = {c: (v.get("change") or {}).get("estimate") for c, v in by_code.items()}
    flags = {c: (v.get("change") or {}).get("reliability") for c, v in by_code.items()}
    drawn = svg.choropleth(
        paths,
        viewbox,
        change,
        names=dict(shapes.names),
        flags=flags,
        contains=dict(shapes.contains),
        title=text["map_title"],
        legend_title=text["map_legend"],
        fmt=formatter("pp"),
    )
    table = [v | {"name": shapes.names.get(c, c)} for c, v in sorted(by_code.items())]
    return drawn, table


def group_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Poverty headcount before, after and change (scenario) for each yes/no group."""
    rows = result["tables"]["impact"]
    scenario = result["scenario"]
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows:
        if r["domain"] in ("all", "region") or r["measure"] != "fgt0":
            continue
        if r["scenario"] != scenario or r["stage"] not in ("before", "after", "change"):
            continue
        cell = cells.setdefault(
            (r["domain"], str(r["group"])), {"domain": r["domain"], "group": str(r["group"])}
        )
        cell[r["stage"]] = r
    return [cells[k] for k in sorted(cells)]


def build(result: dict[str, Any], text: Mapping[str, str] = TEXT) -> dict[str, Any]:
    tables = result["tables"]
    drawn, regions = poverty_map(result, text)
    return {
        "programmes": tables["programmes"],
        "impact": impact_rows(result),
        "incidence": incidence_charts(result, text),
        "map": drawn,
        "regions": regions,
        "groups": group_rows(result),
        "winners": tables["winners"],
        "verdict": tables.get("verdict", []),
        "fgt1_verdict": next(
            (r for r in tables.get("verdict", []) if r["objective"] == "fgt1"), None
        ),
        "targeting": tables.get("targeting", []),
        "notes": result.get("notes", []),
        "skipped": _skipped(result.get("skipped")),
        "scenario": result["scenario"],
        "households": result.get("households"),
        "persons": result.get("persons"),
    }


def _skipped(skipped: dict[str, Any] | None) -> dict[str, Any] | None:
    """Why the verdict and targeting comparison did not run: the yearly saving (>= 0)."""
    if not skipped:
        return None
    return {"reason": skipped["reason"], "saving": max(-float(skipped["per_year"]), 0.0)}


def to_csv(result: dict[str, Any]) -> bytes:
    """Every table stacked, with a ``table`` column (as ``setara simulate --format csv``)."""
    parts = [
        pl.DataFrame(rows, infer_schema_length=None).with_columns(pl.lit(name).alias("table"))
        for name, rows in result["tables"].items()
        if rows
    ]
    frame = pl.concat(parts, how="diagonal_relaxed")
    return spreadsheet.to_csv(frame.select("table", pl.exclude("table")))
