"""An access analysis: the travel cost chosen, the measures per demand point, and summaries
by region and group.

:func:`build_cost` makes the cost from its name (``haversine``, a ``matrix:`` table or a
``network``), :func:`access_values` computes one column per measure spec for every demand
point, and :func:`summarise` gives population-weighted summaries by the ``by`` columns:
the mean value (for coverage, the share of people within the threshold); for ``nearest``
the mean over people who can reach a facility and, in ``unreachable_share``, the share who
cannot reach any (islands without a ferry).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from setara.access.measures import (
    AccessSpec,
    coverage,
    floating_catchment,
    parse_access_spec,
    provider_ratio,
)
from setara.access.travel import GreatCircle, MatrixCost, TravelCost
from setara.errors import ColumnNotFoundError, InputValueError

__all__ = ["access_values", "build_cost", "coverage_change", "summarise", "to_long"]


def build_cost(
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    *,
    cost: str = "haversine",
    speed_kmh: float = 30.0,
    circuity: float = 1.0,
    matrix: pl.DataFrame | None = None,
    network: object | None = None,
    max_snap_km: float = 2.0,
) -> TravelCost:
    """The travel cost between ``demand`` and ``facilities``: ``haversine``, ``matrix`` (with
    ``matrix``) or ``network`` (with a :class:`~setara.access.network.RoadNetwork`)."""
    d_lat, d_lon = demand["lat"].to_numpy(), demand["lon"].to_numpy()
    f_lat, f_lon = facilities["lat"].to_numpy(), facilities["lon"].to_numpy()
    if cost == "haversine":
        return GreatCircle(d_lat, d_lon, f_lat, f_lon, speed_kmh=speed_kmh, circuity=circuity)
    if cost == "matrix" and matrix is not None:
        return MatrixCost(matrix, demand["id"], facilities["id"])
    if cost == "network" and network is not None:
        from setara.access.network import NetworkCost, RoadNetwork

        if not isinstance(network, RoadNetwork):
            raise InputValueError("network must be a RoadNetwork")
        return NetworkCost(network, d_lat, d_lon, f_lat, f_lon, max_snap_km=max_snap_km)
    raise InputValueError(f"unknown travel cost {cost!r}; use haversine, matrix or network")


def _rows_of_type(facilities: pl.DataFrame, facility_type: str | None) -> np.ndarray:
    usable = facilities["status"] != "candidate"
    if facility_type is not None:
        usable &= facilities["type"].str.to_lowercase() == facility_type.lower()
        if not usable.any():
            kinds = ", ".join(sorted(set(facilities["type"].to_list())))
            raise InputValueError(f"no facility of type {facility_type!r}; types: {kinds}")
    return np.flatnonzero(usable.to_numpy())


def access_values(
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    cost: TravelCost,
    specs: Sequence[str | AccessSpec],
    *,
    facility_type: str | None = None,
) -> pl.DataFrame:
    """One column per measure spec (named by its text) for every demand point, beside ``id``.

    Existing and planned facilities count; candidates only in siting. ``facility_type``
    keeps facilities of that type (puskesmas, SD, ...).

    Examples
    --------
    >>> d = pl.DataFrame({"id": ["a", "b"], "lat": [0.0, 0.0], "lon": [0.0, 1.0],
    ...                   "population": [100.0, 300.0]})
    >>> f = pl.DataFrame({"id": ["x"], "lat": [0.0], "lon": [0.1], "capacity": [2.0],
    ...                   "status": ["existing"], "type": [""]})
    >>> v = access_values(d, f, build_cost(d, f, speed_kmh=60), ["coverage:60", "2sfca:60"])
    >>> v.row(0)
    ('a', 1.0, 0.02)
    """
    parsed = [parse_access_spec(s) if isinstance(s, str) else s for s in specs]
    texts = [p.text for p in parsed]
    if len(set(texts)) != len(texts):
        raise InputValueError("a measure is given twice; give each --measure once")
    rows = _rows_of_type(facilities, facility_type)
    population = demand["population"].to_numpy().astype(float)
    capacity = facilities["capacity"].to_numpy().astype(float)
    nearest = cost.nearest(rows) if any(p.kind in ("nearest", "coverage") for p in parsed) else None
    columns: dict[str, np.ndarray] = {"id": demand["id"].to_numpy()}
    for spec in parsed:
        if spec.kind == "nearest" and nearest is not None:
            columns[spec.text] = nearest
        elif spec.kind == "coverage" and nearest is not None:
            columns[spec.text] = coverage(nearest, spec.cutoff)
        else:
            pairs = cost.pairs(spec.cutoff, rows)
            if spec.kind == "ratio":
                columns[spec.text] = provider_ratio(pairs, population, capacity)
            else:
                columns[spec.text] = floating_catchment(pairs, population, capacity, spec.weight())
    return pl.DataFrame(columns)


def to_long(values: pl.DataFrame) -> pl.DataFrame:
    """``demand_id, measure, value``: one row per demand point and measure."""
    return values.unpivot(index="id", variable_name="measure", value_name="value").rename(
        {"id": "demand_id"}
    )


def summarise(
    demand: pl.DataFrame, values: pl.DataFrame, *, by: Sequence[str] = ()
) -> pl.DataFrame:
    """Population-weighted summaries: ``measure, <by>, value, population, unreachable_share``
    (exact: the demand table is a census or register, every person counted once)."""
    missing = [c for c in by if c not in demand.columns]
    if missing:
        raise ColumnNotFoundError(f"--by column {', '.join(map(repr, missing))} is not in demand")
    measures = [c for c in values.columns if c != "id"]
    frame = demand.select(*by, "population").with_columns(values.select(measures))
    parts = []
    for name in measures:  # one row block per measure spec (a handful), not per row
        finite = pl.col(name).is_finite()
        w = pl.col("population")
        agg = [
            (
                (pl.when(finite).then(pl.col(name) * w).otherwise(0.0)).sum()
                / pl.when(finite).then(w).otherwise(0.0).sum()
            ).alias("value"),
            w.sum().alias("population"),
            (pl.when(finite).then(0.0).otherwise(w).sum() / w.sum()).alias("unreachable_share"),
        ]
        grouped = (
            frame.group_by(list(by), maintain_order=True).agg(agg) if by else frame.select(agg)
        )
        parts.append(grouped.with_columns(pl.lit(name).alias("measure")))
    out = pl.concat(parts, how="vertical_relaxed")
    out = out.select("measure", *by, "value", "population", "unreachable_share")
    return out.sort(["measure", *by], maintain_order=True) if by else out


def coverage_change(
    demand: pl.DataFrame,
    covered_before: np.ndarray,
    covered_after: np.ndarray,
    *,
    by: Sequence[str] = (),
    weight: str = "population",
) -> pl.DataFrame:
    """People within reach before and after a siting plan (:class:`~setara.access.Siting`'s
    ``covered_before`` and ``covered_after``), by region or group: ``<by>, population,
    covered_before, covered_after, share_before, share_after, gained``.

    Examples
    --------
    >>> d = pl.DataFrame({"population": [10.0, 30.0, 60.0], "is_3t": [True, False, True]})
    >>> coverage_change(d, np.array([True, False, False]), np.array([True, True, True]),
    ...                 by=["is_3t"]).select("is_3t", "share_before", "gained").rows()
    [(False, 0.0, 30.0), (True, 0.14285714285714285, 60.0)]
    """
    missing = [c for c in by if c not in demand.columns]
    if missing:
        raise ColumnNotFoundError(f"by column {', '.join(map(repr, missing))} is not in demand")
    w = pl.col(weight)
    frame = demand.select(*by, weight).with_columns(
        pl.Series("_before", covered_before), pl.Series("_after", covered_after)
    )
    agg = [
        w.sum().alias("population"),
        (w * pl.col("_before")).sum().alias("covered_before"),
        (w * pl.col("_after")).sum().alias("covered_after"),
    ]
    out = frame.group_by(list(by), maintain_order=True).agg(agg) if by else frame.select(agg)
    out = out.with_columns(
        (pl.col("covered_before") / pl.col("population")).alias("share_before"),
        (pl.col("covered_after") / pl.col("population")).alias("share_after"),
        (pl.col("covered_after") - pl.col("covered_before")).alias("gained"),
    )
    return out.sort(list(by)) if by else out
