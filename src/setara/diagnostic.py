"""The standard national and provincial diagnostic on a Susenas-like survey.

Welfare is per-capita expenditure; poverty uses the province x urban/rural lines of the data
(column ``poverty_line``); inequality uses the mid-rank Gini, Theil T, Atkinson(1), Palma and
S80/S20. Every estimate carries its SE, 95% interval and BPS reliability flag.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from setara.demo import DEMO_DESIGN, DEMO_WELFARE
from setara.estimation import estimate, survey_design
from setara.results import Results

DIAGNOSTIC_MEASURES = (
    "mean",
    "median",
    "gini",
    "theil",
    "atkinson:epsilon=1",
    "palma",
    "qsr",
    "fgt:alpha=0,line=@poverty_line",
    "fgt:alpha=1,line=@poverty_line",
    "fgt:alpha=2,line=@poverty_line",
)

LABELS = {
    ("mean", ""): "Mean expenditure per capita (Rp/month)",
    ("quantile", "p=0.5"): "Median expenditure per capita",
    ("gini", ""): "Gini index",
    ("ge", "alpha=1"): "Theil T",
    ("atkinson", "epsilon=1"): "Atkinson (e=1)",
    ("palma", ""): "Palma ratio",
    ("qsr", ""): "S80/S20",
    ("fgt", "alpha=0,line=@poverty_line"): "Poverty headcount P0",
    ("fgt", "alpha=1,line=@poverty_line"): "Poverty gap P1",
    ("fgt", "alpha=2,line=@poverty_line"): "Poverty severity P2",
}


def diagnostic(
    frame: Any,
    *,
    welfare: str = DEMO_WELFARE,
    region: str = "province_name",
    progress: Callable[[int, int, str], None] | None = None,
) -> Results:
    """National and regional estimates of the diagnostic bundle (demo column layout)."""
    design = survey_design(
        frame,
        weight=DEMO_DESIGN["weight"],
        strata=DEMO_DESIGN["strata"],
        psu=DEMO_DESIGN["psu"],
    )
    results = estimate(
        frame,
        design,
        welfare=welfare,
        measures=DIAGNOSTIC_MEASURES,
        by=region,
        overall=True,
        progress=progress,
    )
    labelled = results.frame.with_columns(pl.col(region).fill_null("INDONESIA"))
    return Results(labelled, (region,), results.level, results.notes)


def _fmt(value: float | None, big: bool) -> str:
    if value is None:
        return "-"
    return f"{value:,.0f}" if big else f"{value:.4f}"


def render_report(results: Results, frame: Any = None) -> str:
    """A readable text report: national table, then the provinces ranked by headcount."""
    region = results.by[0]
    df = results.frame
    lines = ["SETARA DIAGNOSTIC (synthetic demo data: not official statistics)", ""]
    nat = df.filter(pl.col(region) == "INDONESIA")
    lines.append(f"{'Indicator':42s} {'Estimate':>14s} {'95% CI':>27s} {'RSE':>6s}  Reliability")
    for row in nat.iter_rows(named=True):
        label = LABELS.get((row["measure"], row["params"]), f"{row['measure']} {row['params']}")
        big = row["measure"] in ("mean", "quantile")
        ci = f"[{_fmt(row['ci_low'], big)}, {_fmt(row['ci_high'], big)}]"
        rse = f"{row['rse']:.1%}" if row["rse"] is not None else "-"
        value = _fmt(row["estimate"], big)
        lines.append(f"{label:42s} {value:>14s} {ci:>27s} {rse:>6s}  {row['reliability']}")
    lines += [
        "",
        "Provinces ranked by poverty headcount (P0, Gini; * = use with caution, ! = unreliable)",
    ]
    head = df.filter((pl.col("measure") == "fgt") & pl.col("params").str.starts_with("alpha=0"))
    gini = df.filter(pl.col("measure") == "gini").select(
        region, pl.col("estimate").alias("gini"), pl.col("reliability").alias("gini_rel")
    )
    table = (
        head.filter(pl.col(region) != "INDONESIA")
        .join(gini, on=region, how="left")
        .sort("estimate", descending=True)
    )
    mark = {"reliable": " ", "caution": "*"}
    lines.append(f"{'Province':28s} {'P0':>7s} {'95% CI':>17s}   {'Gini':>6s}   {'n':>7s}")
    for row in table.iter_rows(named=True):
        flag = mark.get(row["reliability"], "!")
        ci = f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
        lines.append(
            f"{row[region][:28]:28s} {row['estimate']:7.3f}{flag}{ci:>17s}   "
            f"{row['gini']:6.3f}{mark.get(row['gini_rel'], '!')}  {row['n']:7,d}"
        )
    if results.notes:
        lines += [""] + [f"note: {n}" for n in results.notes]
    return "\n".join(lines)
