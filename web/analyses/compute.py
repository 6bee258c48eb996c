"""The diagnostic of one mapped survey, as plain JSON-ready data (no Django import).

Three dimensions share one shape: an indicator with design-based standard errors, intervals on
the indicator's scale (``ci_method``), reliability flags with their reason (BPS rule: RSE > 25%
caution, > 50% unreliable; n < 30 small; with the NCHS interval checks unless the agency chose
BPS alone), nationally, by province, by regency and by groups; province and regency rows carry
their difference from the national figure, its SE and whether it is significant.
Economic: per-capita welfare, poverty (FGT 0/1/2) and inequality (Gini, Theil, Palma,
S80/S20), decile shares, Lorenz curve and the Theil between/within decomposition. Education:
school enrolment rate of the school-age rows (those where enrolment is recorded), and from the
columns the data carry, years of schooling, attainment, APK/APM by level, out-of-school
children and distance to school. Health: health-insurance coverage, and outpatient visits, unmet
need, insurance by scheme and distance to facilities (:mod:`analyses.sectors`). Coded columns
are read through their code tables (:mod:`datasets.labels`); group breakdowns come in their
declared order.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from itertools import groupby
from typing import Any

import numpy as np
import polars as pl
from datasets.labels import apply_labels, order_of
from datasets.validation import normalise_codes, to_binary

import setara
from analyses import sectors
from analyses.sectors import Indicator
from setara.decomposition import decompose_ge
from setara.regions import read_provinces, read_regencies

Progress = Callable[[int, str], None]
BREAKDOWNS = ("province", "regency", "sex", "urban", "disability", "age_group", "quintile")
AGE_BREAKS = [6, 12, 15, 18, 24, 59]
AGE_LABELS = ["0-6", "7-12", "13-15", "16-18", "19-24", "25-59", "60+"]

QUINTILES = ["Q1 (poorest)", "Q2", "Q3", "Q4", "Q5 (richest)"]


def indicators(dimension: str, line: str) -> list[Indicator]:
    if dimension == "economic":
        return [
            Indicator("p0", f"fgt:alpha=0,line={line}", "Poverty headcount (P0)", "percent"),
            Indicator("p1", f"fgt:alpha=1,line={line}", "Poverty gap (P1)", "percent"),
            Indicator("p2", f"fgt:alpha=2,line={line}", "Poverty severity (P2)", "index"),
            Indicator("gini", "gini", "Gini index", "index"),
            Indicator("theil", "theil", "Theil T", "index"),
            Indicator("palma", "palma", "Palma ratio", "ratio"),
            Indicator("s80s20", "qsr", "S80/S20 ratio", "ratio"),
            Indicator("mean", "mean", "Mean welfare per capita", "money"),
            Indicator("median", "median", "Median welfare per capita", "money"),
        ]
    label = "School enrolment rate" if dimension == "education" else "Health insurance coverage"
    return [Indicator("rate", "mean", label, "percent")]


OUTCOME = {"economic": "welfare", "education": "enrolled", "health": "health_insurance"}


def _rows(results: setara.Results, keys: dict[str, str], by: str | None) -> list[dict[str, Any]]:
    out = []
    for row in results.frame.iter_rows(named=True):
        spec = row["measure"] + (":" + row["params"] if row["params"] else "")
        out.append(
            {
                "indicator": keys.get(spec, spec),
                "group": None if by is None else (None if row[by] is None else str(row[by])),
                "estimate": row["estimate"],
                "se": row["se"],
                "ci_low": row["ci_low"],
                "ci_high": row["ci_high"],
                "n": row["n"],
                "rse": row["rse"],
                "reliability": row["reliability"],
                "reliability_reason": row["reliability_reason"],
                "diff_national": row["diff_national"],
                "diff_se": row["diff_se"],
                "diff_flag": row["diff_flag"],
            }
        )
    return out


def _spec_keys(items: list[Indicator]) -> dict[str, str]:
    """Engine spec text as it appears in results (measure:params) -> indicator key."""
    keys = {}
    for ind in items:
        name, _, params = ind.spec.partition(":")
        measure = {"theil": "ge", "qsr": "qsr", "median": "quantile"}.get(name, name)
        text = {"theil": "alpha=1", "median": "p=0.5"}.get(name, params)
        keys[measure + (":" + text if text else "")] = ind.key
    return keys


def prepare(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    labels: dict[str, dict[str, str]] | None = None,
) -> pl.DataFrame:
    """Rename mapped columns to their roles, read coded columns through their code tables and
    derive codes, binaries, age groups."""
    frame = frame.select([pl.col(col).alias(role) for role, col in mapping.items()])
    frame, _unknown = apply_labels(frame, {r: r for r in frame.columns}, labels or {})
    columns = []
    for role in ("province_code", "regency_code"):
        if role in frame.columns:
            columns.append(normalise_codes(frame[role], role).alias(role))
    for role in (
        "disability",
        "enrolled",
        "health_insurance",
        "outpatient_visit",
        "health_complaint",
    ):
        if role in frame.columns:
            columns.append(to_binary(frame[role]).alias(role))
    if "urban" in frame.columns and frame["urban"].dtype != pl.String:
        flag = to_binary(frame["urban"])
        columns.append(pl.Series("urban", np.where(flag.to_numpy() == 1, "urban", "rural")))
    if "disability" in frame.columns:
        flag = to_binary(frame["disability"]).to_numpy()
        columns.append(
            pl.Series(
                "disability_group", np.where(flag == 1, "with disability", "without disability")
            )
        )
    if "age" in frame.columns:
        age = frame["age"].cast(pl.Float64).to_numpy()
        group = np.searchsorted(np.array(AGE_BREAKS, dtype=float), age, side="left")
        labels = np.array(AGE_LABELS, dtype=object)[np.minimum(group, len(AGE_LABELS) - 1)]
        columns.append(
            pl.Series("age_group", np.where(np.isnan(age), None, labels), dtype=pl.String)
        )
    frame = frame.with_columns(columns)
    if "province_code" not in frame.columns and "regency_code" in frame.columns:
        frame = frame.with_columns(pl.col("regency_code").str.slice(0, 2).alias("province_code"))
    if "welfare" in frame.columns:
        frame = frame.with_columns(_quintiles(frame["welfare"], frame["weight"]))
    return frame


def _quintiles(welfare: pl.Series, weight: pl.Series) -> pl.Series:
    """Population welfare quintile of each row (Q1 poorest), from weighted ranks."""
    y = welfare.cast(pl.Float64).fill_nan(None).to_numpy()
    w = weight.cast(pl.Float64).to_numpy()
    order = np.argsort(np.where(np.isnan(y), np.inf, y), kind="stable")
    valid = ~np.isnan(y[order])
    cum = np.cumsum(np.where(valid, w[order], 0.0))
    share = (cum - 0.5 * np.where(valid, w[order], 0.0)) / max(cum[-1], 1e-300)
    q = np.minimum((share * 5).astype(np.int64), 4) + 1
    labels = np.array(QUINTILES, dtype=object)
    out = np.empty(len(y), dtype=object)
    out[order] = np.where(valid, labels[q - 1], None)
    return pl.Series("quintile", out, dtype=pl.String)


def _group_column(breakdown: str) -> str:
    return {
        "province": "province_code",
        "regency": "regency_code",
        "disability": "disability_group",
    }.get(breakdown, breakdown)


def available_breakdowns(mapping: dict[str, str]) -> list[str]:
    needs = {
        "province": ("province_code", "regency_code"),
        "regency": ("regency_code",),
        "sex": ("sex",),
        "urban": ("urban",),
        "disability": ("disability",),
        "age_group": ("age",),
        "quintile": ("welfare",),
    }
    return [b for b in BREAKDOWNS if any(r in mapping for r in needs[b])]


def run(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    *,
    dimension: str,
    breakdowns: list[str],
    progress: Progress | None = None,
    labels: dict[str, dict[str, str]] | None = None,
    ci_method: str = "logit",
    reliability: str = "bps+nchs",
    lonely_psu: str = "adjust",
) -> dict[str, Any]:
    """Compute the diagnostic; the returned dict is stored and rendered without recomputing.

    ``ci_method`` is the interval of bounded indicators (``setara.estimate``); ``reliability``
    the agency's rule set, ``"bps+nchs"`` or ``"bps"``.
    """
    started = time.perf_counter()
    report = progress or (lambda pct, msg: None)
    data = prepare(frame, mapping, labels)
    line = "@poverty_line" if "poverty_line" in mapping else "0.5*median"
    items = indicators(dimension, line)
    if dimension in ("education", "health"):
        data, more = getattr(sectors, dimension)(data)
        items += more
    outcome = OUTCOME[dimension]
    design = setara.survey_design(
        data,
        weight="weight",
        strata="strata" if "strata" in data.columns else None,
        psu="psu" if "psu" in data.columns else None,
        lonely_psu=lonely_psu,
    )
    wanted = [b for b in breakdowns if b in available_breakdowns(mapping)]
    steps = 1 + len(wanted) + (2 if dimension == "economic" else 0)
    done = 0

    def step(message: str) -> None:
        nonlocal done
        done += 1
        report(min(99, int(100 * done / steps)), message)

    report(1, "national estimates")
    options: dict[str, Any] = {
        "ci_method": ci_method,
        "reliability": setara.ReliabilityRule(standards=tuple(reliability.split("+"))),
    }
    notes: list[str] = []
    regional_keys = sectors.regional(dimension, items)
    result: dict[str, Any] = {
        "dimension": dimension,
        "poverty_line": line if dimension == "economic" else None,
        "ci_method": ci_method,
        "reliability_standards": reliability,
        "indicators": [i.__dict__ for i in items],
        "regional_indicators": regional_keys,
        "headline": _estimate(data, design, items, outcome, None, notes, options),
        "breakdowns": {},
        "notes": notes,
    }
    step("national estimates")
    regional = [i for i in items if i.key in regional_keys]
    for breakdown in wanted:
        column = _group_column(breakdown)
        chosen = regional
        if dimension == "economic" and breakdown not in ("province", "regency"):
            chosen = regional[:2]
        if breakdown == "age_group":  # an age group holds no one of another level's ages
            chosen = [i for i in chosen if not i.key.startswith(("apk_", "apm_"))]
        areas = breakdown in ("province", "regency")
        rows = _estimate(data, design, chosen, outcome, column, [], options, overall=areas)
        rows = [r for r in rows if r["group"] is not None or not areas]
        order = _declared_order(breakdown, labels or {})
        result["breakdowns"][breakdown] = sectors.sort_rows(_named(rows, breakdown), order)
        step(f"by {breakdown}")
    if dimension == "economic":
        dist = setara.estimate(
            data, design, welfare="welfare", measures=["shares:groups=10", "lorenz"], **options
        )
        frame_rows = dist.frame
        result["deciles"] = [
            {"label": f"D{i + 1}", **_stat(r)}
            for i, r in enumerate(
                frame_rows.filter(pl.col("measure") == "share").iter_rows(named=True)
            )
        ]
        lorenz = frame_rows.filter(pl.col("measure") == "lorenz")
        result["lorenz"] = (
            [{"p": 0.0, "estimate": 0.0}]
            + [
                {"p": float(r["params"].split("=")[1]), **_stat(r)}
                for r in lorenz.iter_rows(named=True)
            ]
            + [{"p": 1.0, "estimate": 1.0}]
        )
        step("distribution")
        result["decomposition"] = []
        for group in ("province_code", "urban"):
            if group in data.columns:
                dec = decompose_ge(data, design, welfare="welfare", group=group, alpha=1)
                for r in dec.frame.iter_rows(named=True):
                    result["decomposition"].append(
                        {
                            "group": group.replace("_code", ""),
                            "component": r["measure"].replace("ge_", ""),
                            **_stat(r),
                        }
                    )
        step("decomposition")
    result["seconds"] = round(time.perf_counter() - started, 2)
    result["rows"] = frame.height
    report(100, "done")
    return result


def _estimate(
    data: pl.DataFrame,
    design: Any,
    items: list[Indicator],
    outcome: str,
    by: str | None,
    notes: list[str],
    options: dict[str, Any],
    *,
    overall: bool = False,
) -> list[dict[str, Any]]:
    """Rows of ``items``, one engine call per outcome column (derived columns marked ``_``);
    ``overall`` adds the national rows and each area's difference from them."""
    rows: list[dict[str, Any]] = []
    for column, group in groupby(items, key=lambda i: i.outcome or outcome):
        chosen = list(group)
        res = setara.estimate(
            data,
            design,
            welfare=column,
            measures=[i.spec for i in chosen],
            by=by,
            overall=overall,
            **options,
        )
        rows += _rows(res, _spec_keys(chosen), by)
        # a derived column is missing outside its population by construction: no note
        notes += [n for n in res.notes if not column.startswith("_") and n not in notes]
    return rows


def _declared_order(breakdown: str, labels: dict[str, dict[str, str]]) -> list[str]:
    """The natural order of a group breakdown's categories."""
    fixed = {
        "age_group": AGE_LABELS,
        "quintile": QUINTILES,
        "disability": ["with disability", "without disability"],
    }
    if breakdown in fixed:
        return fixed[breakdown]
    return order_of(breakdown, labels)


def _stat(row: dict[str, Any]) -> dict[str, Any]:
    keys = ("estimate", "se", "ci_low", "ci_high", "n", "rse", "reliability", "reliability_reason")
    return {k: row.get(k) for k in keys}


def _named(rows: list[dict[str, Any]], breakdown: str) -> list[dict[str, Any]]:
    if breakdown not in ("province", "regency"):
        for row in rows:
            row["name"] = row["group"]
        return rows
    table = read_provinces() if breakdown == "province" else read_regencies()
    names = dict(zip(table["code"].to_list(), table["name"].to_list(), strict=True))
    for row in rows:
        row["name"] = names.get(row["group"], row["group"])
    return rows
