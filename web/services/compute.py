"""What the worker computes for the public-services pages (no Django here: tested by value).

:func:`access_result` gives the regencies ranked by the share of people beyond the travel-time
threshold, with the gap between groups (poor and non-poor, rural and urban, 3T and not) and a
grid of travel times for the map; :func:`siting_result` the plan of a siting scenario with its
coverage before and after by group. Counts are exact (the demand table is a census or register:
every person counted once), so there are no standard errors.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from services.costs import Travel, ferry_only, travel_cost
from setara.access import access_values, coverage_change, site_places
from setara.errors import ColumnNotFoundError, InputValueError

#: Grid cell side in degrees for the map (about 28 km at the equator): Indonesia's ~84,000
#: villages fall in a few thousand cells, so the page stays small.
CELL_DEG = 0.25
#: Travel-time classes of the map (minutes); the last class is "beyond the last edge".
TIME_CLASSES = (15.0, 30.0, 60.0, 120.0)
REGION = "region"


def region_codes(demand: pl.DataFrame, region_column: str) -> pl.Series:
    """The region of every demand point: ``region_column`` as text, or, when it is
    ``kode_wilayah``, the regency code (``32.01``) taken from it."""
    if region_column not in demand.columns:
        raise ColumnNotFoundError(
            f"region column {region_column!r} is not in the villages file; it has "
            + ", ".join(demand.columns[:20])
        )
    text = demand[region_column].cast(pl.String).fill_null("")
    if region_column == "kode_wilayah":
        digits = text.str.replace_all(".", "", literal=True)
        text = digits.str.slice(0, 2) + "." + digits.str.slice(2, 2)
    return text.alias(REGION)


def group_split(demand: pl.DataFrame, column: str) -> tuple[pl.Expr, pl.Expr]:
    """People in and out of a group: a true/false column (urban, is_3t) splits each village's
    population; a count column (poor) gives that count and the rest of the population."""
    if column not in demand.columns:
        raise ColumnNotFoundError(f"group column {column!r} is not in the villages file")
    dtype = demand[column].dtype
    population = pl.col("population")
    if dtype == pl.Boolean:
        flag = pl.col(column).fill_null(False)
        return (
            pl.when(flag).then(population).otherwise(0.0),
            pl.when(flag).then(0.0).otherwise(population),
        )
    if dtype.is_numeric():
        count = pl.col(column).cast(pl.Float64).fill_null(0.0)
        bad = demand.select(((count < 0) | (count > population)).sum()).item()
        if bad:
            raise InputValueError(
                f"group column {column!r} has {bad} values below 0 or above the population "
                f"in {demand.height:,} villages"
            )
        return count, population - count
    raise InputValueError(
        f"group column {column!r} must be true/false (urban, 3T) or a count of people (poor)"
    )


def _share(people: pl.Expr, beyond: pl.Expr) -> pl.Expr:
    total = people.sum()
    return pl.when(total > 0).then((people * beyond).sum() / total).otherwise(None)


def access_result(
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    *,
    threshold: float,
    speed_kmh: float,
    circuity: float,
    facility_type: str | None = None,
    region_column: str = "kode_wilayah",
    groups: Sequence[str] = (),
    travel: Travel | None = None,
) -> dict[str, Any]:
    """Regencies ranked by the share of people beyond ``threshold`` minutes, the gap between
    each group's share and the rest's (percentage points), the overall row, the map grid and
    the travel model used (``travel``: an uploaded matrix or road network; great circle at
    ``speed_kmh`` and ``circuity`` when None), with the villages reached only by ferry."""
    cost, described = travel_cost(
        demand, facilities, travel, speed_kmh=speed_kmh, circuity=circuity
    )
    nearest = access_values(demand, facilities, cost, ["nearest"], facility_type=facility_type)
    minutes = nearest["nearest"].to_numpy()
    by_ferry = ferry_only(demand, facilities, travel, minutes, facility_type=facility_type)
    if by_ferry is not None:
        described["ferry_only"] = by_ferry
    frame = demand.select("population", "lat", "lon", *groups).with_columns(
        region_codes(demand, region_column),
        pl.Series("minutes", minutes),
        pl.Series("beyond", ~(minutes <= threshold)).cast(pl.Float64),
    )
    reach = pl.col("minutes").is_finite()
    agg = [
        pl.col("population").sum().alias("population"),
        (pl.col("population") * pl.col("beyond")).sum().alias("beyond_people"),
        _share(pl.col("population"), pl.col("beyond")).alias("beyond_share"),
        (
            pl.when(reach).then(pl.col("population") * pl.col("minutes")).otherwise(0.0).sum()
            / pl.when(reach).then(pl.col("population")).otherwise(0.0).sum()
        ).alias("mean_minutes"),
        _share(pl.col("population"), (~reach).cast(pl.Float64)).alias("unreachable_share"),
    ]
    for column in groups:
        inside, outside = group_split(demand, column)
        agg += [
            _share(inside, pl.col("beyond")).alias(f"{column}:in"),
            _share(outside, pl.col("beyond")).alias(f"{column}:out"),
        ]
    gaps = [(pl.col(f"{c}:in") - pl.col(f"{c}:out")).alias(f"{c}:gap") for c in groups]
    regions = (
        frame.group_by(REGION)
        .agg(agg)
        .with_columns(gaps)
        .sort(["beyond_share", REGION], descending=[True, False], nulls_last=True)
    )
    if region_column == "kode_wilayah":
        from setara.regions import read_regencies

        names = read_regencies().select(pl.col("code").alias(REGION), "name")
        regions = regions.join(names, on=REGION, how="left", maintain_order="left")
    else:
        regions = regions.with_columns(pl.col(REGION).alias("name"))
    overall = frame.select(agg).with_columns(gaps).with_columns(pl.lit("").alias(REGION))
    return {
        "threshold": threshold,
        "groups": list(groups),
        "facility_type": facility_type or "",
        "n_villages": demand.height,
        "n_facilities": int((facilities["status"] != "candidate").sum()),
        "overall": _records(overall)[0],
        "regions": _records(regions),
        "cells": grid_cells(frame),
        "travel": described,
    }


def grid_cells(frame: pl.DataFrame) -> list[list[float | None]]:
    """``[lat_index, lon_index, mean minutes, share beyond, population]`` per occupied cell of
    :data:`CELL_DEG`; the mean is over people who can reach a facility (None when nobody can)."""
    reach = pl.col("minutes").is_finite()
    cells = (
        frame.with_columns(
            (pl.col("lat") / CELL_DEG).floor().cast(pl.Int32).alias("i"),
            (pl.col("lon") / CELL_DEG).floor().cast(pl.Int32).alias("j"),
        )
        .group_by("i", "j")
        .agg(
            (
                pl.when(reach).then(pl.col("population") * pl.col("minutes")).otherwise(0.0).sum()
                / pl.when(reach).then(pl.col("population")).otherwise(0.0).sum()
            ).alias("minutes"),
            _share(pl.col("population"), pl.col("beyond")).alias("beyond"),
            pl.col("population").sum().alias("population"),
        )
        .sort("i", "j")
    )
    return [[_clean(v) for v in row] for row in cells.rows()]


def siting_result(
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    *,
    model: str,
    minutes: float,
    p: int | None,
    budget: float | None,
    weight_column: str = "",
    speed_kmh: float,
    circuity: float,
    groups: Sequence[str] = (),
    time_limit: float = 60.0,
    travel: Travel | None = None,
) -> dict[str, Any]:
    """The plan of a siting scenario: chosen candidates, objective, bound, gap, status, cost,
    and people within ``minutes`` of an open site before and after, overall and by group,
    with the travel model used (as in :func:`access_result`)."""
    cost, described = travel_cost(
        demand, facilities, travel, speed_kmh=speed_kmh, circuity=circuity
    )
    plan = site_places(
        demand,
        facilities,
        cost,
        model=model,
        minutes=minutes,
        weight=weight_column or None,
        p=p,
        budget=budget,
        time_limit=time_limit,
    )
    chosen = facilities[plan.chosen].select("id", "lat", "lon", "type", "cost")
    by_group = []
    for column in groups:
        inside, outside = group_split(demand, column)
        parts = demand.select(inside.alias("in"), outside.alias("out"))
        for side in ("in", "out"):
            change = coverage_change(
                parts.rename({side: "people"}), plan.covered_before, plan.covered_after,
                weight="people",
            )  # fmt: skip
            by_group.append({"group": column, "side": side, **_records(change)[0]})
    total = coverage_change(demand, plan.covered_before, plan.covered_after)
    return {
        "model": model,
        "minutes": minutes,
        "p": p,
        "budget": budget,
        "objective": _clean(plan.objective),
        "bound": _clean(plan.bound),
        "gap": _clean(plan.gap),
        "status": plan.status,
        "cost": _clean(plan.cost),
        "sites": _records(chosen),
        "coverage": _records(total)[0],
        "by_group": by_group,
        "travel": described,
    }


def _clean(value: Any) -> Any:
    """JSON-safe: NaN and infinities become None, NumPy scalars plain numbers."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dicts()]
