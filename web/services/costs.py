"""Travel models of the public-services section (no Django here: tested by value).

An analysis or a scenario reaches its facilities by great-circle distance (speed and circuity),
by an uploaded origin-destination matrix (``origin`` = village id, ``destination`` = facility
id, ``minutes``) or by an uploaded road network (``nodes``, ``edges`` and optional ``ferries``
tables, read by :class:`setara.access.RoadNetwork`). :func:`check_tables` runs the library's
checks at upload, :func:`travel_cost` builds the cost in the worker and says what was used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

from setara.access import (
    NetworkCost,
    RoadNetwork,
    access_values,
    build_cost,
)
from setara.access.travel import TravelCost
from setara.errors import ColumnNotFoundError, InputValueError

#: The tables of each kind of travel model, required first.
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "matrix": (("matrix",), ()),
    "network": (("nodes", "edges"), ("ferries",)),
}
#: A village or facility farther than this from every road node is off the network.
MAX_SNAP_KM = 2.0


@dataclass(frozen=True)
class Travel:
    """An uploaded travel model's tables (``kind`` matrix or network)."""

    kind: str
    tables: Mapping[str, pl.DataFrame] = field(default_factory=dict)

    def network(self, *, ferries: bool = True) -> RoadNetwork:
        """The road network, with or without its ferry crossings."""
        extra = self.tables.get("ferries") if ferries else None
        return RoadNetwork(self.tables["nodes"], self.tables["edges"], extra)


def check_tables(kind: str, tables: Mapping[str, pl.DataFrame]) -> dict[str, int]:
    """Check an upload with the library's readers and return its counts (``pairs``, or
    ``nodes, edges, ferries``); a bad table raises the library's message.

    Examples
    --------
    >>> nodes = pl.DataFrame({"id": ["a", "b"], "lat": [0.0, 0.0], "lon": [0.0, 0.1]})
    >>> edges = pl.DataFrame({"from": ["a"], "to": ["b"], "minutes": [9.0]})
    >>> check_tables("network", {"nodes": nodes, "edges": edges})
    {'nodes': 2, 'edges': 1, 'ferries': 0}
    """
    if kind not in TABLES:
        raise InputValueError(f"unknown travel model {kind!r}; use matrix or network")
    required, optional = TABLES[kind]
    missing = [name for name in required if name not in tables]
    if missing:
        raise InputValueError(f"a {kind} travel model needs the {', '.join(missing)} table")
    unknown = set(tables) - set(required) - set(optional)
    if unknown:
        raise InputValueError(f"a {kind} travel model has no {', '.join(sorted(unknown))} table")
    if kind == "matrix":
        matrix = tables["matrix"]
        missing = [c for c in ("origin", "destination", "minutes") if c not in matrix.columns]
        if missing:
            raise ColumnNotFoundError(
                f"matrix needs columns origin, destination, minutes; {', '.join(missing)} "
                f"missing (it has {', '.join(matrix.columns[:10])})"
            )
        duplicated = int(matrix.select("origin", "destination").is_duplicated().sum())
        if duplicated:
            raise InputValueError(
                f"matrix has {duplicated:,} rows repeating an (origin, destination) pair in "
                f"{matrix.height:,} rows; give each pair once"
            )
        # The library's own checks of columns and minutes (ids are checked against the
        # villages and facilities when a job runs).
        build_cost(
            pl.DataFrame({"id": matrix["origin"].unique(), "lat": 0.0, "lon": 0.0}),
            pl.DataFrame({"id": matrix["destination"].unique(), "lat": 0.0, "lon": 0.0}),
            cost="matrix",
            matrix=matrix,
        )
        return {"pairs": matrix.height}
    Travel(kind, tables).network()
    ferries = tables.get("ferries")
    return {
        "nodes": tables["nodes"].height,
        "edges": tables["edges"].height,
        "ferries": 0 if ferries is None else ferries.height,
    }


def travel_cost(
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    travel: Travel | None,
    *,
    speed_kmh: float,
    circuity: float,
) -> tuple[TravelCost, dict[str, Any]]:
    """The cost between the villages and the facilities and a description of it for the page
    (``kind`` and its counts: villages and facilities off the road network among them)."""
    if travel is None:
        cost = build_cost(demand, facilities, speed_kmh=speed_kmh, circuity=circuity)
        return cost, {"kind": "haversine", "speed_kmh": speed_kmh, "circuity": circuity}
    if travel.kind == "matrix":
        matrix = travel.tables["matrix"]
        cost = build_cost(demand, facilities, cost="matrix", matrix=matrix)
        return cost, {"kind": "matrix", "pairs": matrix.height}
    cost = build_cost(
        demand, facilities, cost="network", network=travel.network(), max_snap_km=MAX_SNAP_KM
    )
    off_demand, off_facilities = _unsnapped(cost)
    ferries = travel.tables.get("ferries")
    return cost, {
        "kind": "network",
        "nodes": travel.tables["nodes"].height,
        "edges": travel.tables["edges"].height,
        "ferries": 0 if ferries is None else ferries.height,
        "max_snap_km": MAX_SNAP_KM,
        "off_road_villages": off_demand,
        "off_road_facilities": off_facilities,
    }


def _unsnapped(cost: TravelCost) -> tuple[int, int]:
    if isinstance(cost, NetworkCost):
        return cost.unsnapped()
    return 0, 0


def ferry_only(
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    travel: Travel | None,
    minutes: np.ndarray,
    *,
    facility_type: str | None,
) -> dict[str, float] | None:
    """Villages (and their people) that reach a facility with the ferries and none without
    them: ``minutes`` (nearest, with ferries) finite where the same search on the network
    without its ferries gives ``inf``. None when the model has no ferries."""
    if travel is None or travel.kind != "network" or "ferries" not in travel.tables:
        return None
    roads = build_cost(
        demand,
        facilities,
        cost="network",
        network=travel.network(ferries=False),
        max_snap_km=MAX_SNAP_KM,
    )
    by_road = access_values(demand, facilities, roads, ["nearest"], facility_type=facility_type)
    only = np.isfinite(minutes) & ~np.isfinite(by_road["nearest"].to_numpy())
    people = demand["population"].cast(pl.Float64).to_numpy()
    return {"villages": int(only.sum()), "people": float(people[only].sum())}


def table_names(kind: str) -> Sequence[str]:
    """Every table of a kind of travel model, required ones first."""
    required, optional = TABLES[kind]
    return (*required, *optional)
