"""Travel times between demand locations and facilities, in minutes.

Three sources of cost, one interface (:class:`TravelCost`): ``pairs(max_minutes, facilities)``
gives every (demand, facility) pair within a cut-off as three flat arrays (:class:`Pairs`), and
``nearest(facilities)`` the time from each demand point to its nearest facility (``inf`` when
none can be reached). Measures work on these arrays only, so they are the same whatever the
cost came from.

- :class:`GreatCircle` — haversine distance on a sphere of radius 6,371.0088 km (the IUGG mean
  radius), times a circuity factor, at a mode speed. On the WGS 84 ellipsoid the sphere is off
  by at most about 0.5 % (Karney 2013 gives the exact geodesic; the test compares both).
  Neighbours are found with a k-d tree on unit vectors (the chord is monotone in the angle),
  so no dense demand x facility matrix is ever built.
- :class:`MatrixCost` — a user origin-destination table ``origin, destination, minutes``
  (origin = demand id, destination = facility id), e.g. from OSRM, Valhalla or r5py.
- :class:`setara.access.network.NetworkCost` — shortest paths on a road network with ferries.

References
----------
Karney, C. F. F. (2013). Algorithms for geodesics. J. Geodesy 87, 43-55.
Moritz, H. (2000). Geodetic Reference System 1980. J. Geodesy 74, 128-133 (mean radius R1).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import polars as pl
from scipy.spatial import cKDTree

from setara.errors import ColumnNotFoundError, InputValueError
from setara.kernels.groups import FloatArray, IntArray

__all__ = [
    "EARTH_RADIUS_KM",
    "GreatCircle",
    "MatrixCost",
    "Pairs",
    "TravelCost",
    "haversine_km",
    "nearest_from_pairs",
]

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Pairs:
    """(demand, facility) pairs within a cut-off: row indices into the demand and facilities
    tables and the travel time in minutes, as three flat arrays of equal length."""

    demand: IntArray
    facility: IntArray
    minutes: FloatArray
    n_demand: int
    n_facilities: int


class TravelCost(Protocol):
    """What every travel-cost source offers to the measures and the siting models."""

    n_demand: int
    n_facilities: int

    def pairs(self, max_minutes: float, facilities: IntArray | None = None) -> Pairs:
        """Pairs within ``max_minutes`` (facilities restricted to ``facilities`` rows)."""
        ...

    def nearest(self, facilities: IntArray | None = None) -> FloatArray:
        """Minutes from each demand point to its nearest facility (``inf``: unreachable)."""
        ...


def haversine_km(
    lat1: FloatArray, lon1: FloatArray, lat2: FloatArray, lon2: FloatArray
) -> FloatArray:
    """Great-circle distance in km on the mean-radius sphere (haversine formula).

    Examples
    --------
    >>> round(float(haversine_km(np.array([0.0]), np.array([0.0]), np.array([0.0]),
    ...                          np.array([1.0]))[0]), 3)
    111.195
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat, dlon = p2 - p1, np.radians(lon2) - np.radians(lon1)
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0))))


def _unit(lat: FloatArray, lon: FloatArray) -> FloatArray:
    p, q = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(p) * np.cos(q), np.cos(p) * np.sin(q), np.sin(p)])


def _chord_to_km(chord: FloatArray) -> FloatArray:
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2, 0.0, 1.0)))


def _subset(facilities: IntArray | None, n: int) -> IntArray:
    return np.arange(n) if facilities is None else np.asarray(facilities, dtype=np.int64)


class GreatCircle:
    """Great-circle travel: ``minutes = km x circuity / speed_kmh x 60``.

    Examples
    --------
    >>> cost = GreatCircle(np.array([0.0]), np.array([0.0]), np.array([0.0, 0.0]),
    ...                    np.array([0.1, 1.0]), speed_kmh=60)
    >>> np.round(cost.nearest(), 2)
    array([11.12])
    >>> cost.pairs(30).facility
    array([0])
    """

    def __init__(
        self,
        demand_lat: FloatArray,
        demand_lon: FloatArray,
        facility_lat: FloatArray,
        facility_lon: FloatArray,
        *,
        speed_kmh: float = 30.0,
        circuity: float = 1.0,
    ) -> None:
        if not (np.isfinite(speed_kmh) and speed_kmh > 0):
            raise InputValueError(f"speed_kmh must be a positive number, not {speed_kmh}")
        if not (np.isfinite(circuity) and circuity >= 1):
            raise InputValueError(
                f"circuity must be 1 or more (roads are never shorter than "
                f"the great circle), not {circuity}"
            )
        self.minutes_per_km = 60.0 * circuity / speed_kmh
        self.demand = _unit(demand_lat, demand_lon)
        self.facility = _unit(facility_lat, facility_lon)
        self.n_demand, self.n_facilities = len(self.demand), len(self.facility)
        self._demand_tree = cKDTree(self.demand)

    def nearest(self, facilities: IntArray | None = None) -> FloatArray:
        rows = _subset(facilities, self.n_facilities)
        if rows.size == 0:
            return np.full(self.n_demand, np.inf)
        chord, _ = cKDTree(self.facility[rows]).query(self.demand, k=1, workers=-1)
        return _chord_to_km(np.asarray(chord, dtype=float)) * self.minutes_per_km

    def pairs(self, max_minutes: float, facilities: IntArray | None = None) -> Pairs:
        rows = _subset(facilities, self.n_facilities)
        km = min(max_minutes / self.minutes_per_km, np.pi * EARTH_RADIUS_KM)
        chord = 2 * np.sin(km / (2 * EARTH_RADIUS_KM)) * (1 + 1e-12)
        empty = np.zeros(0, dtype=np.int64)
        if rows.size == 0 or max_minutes < 0:
            return Pairs(empty, empty, np.zeros(0), self.n_demand, self.n_facilities)
        found = self._demand_tree.sparse_distance_matrix(
            cKDTree(self.facility[rows]), chord, output_type="ndarray"
        )
        minutes = _chord_to_km(found["v"]) * self.minutes_per_km
        keep = minutes <= max_minutes
        return Pairs(
            found["i"][keep].astype(np.int64),
            rows[found["j"][keep]],
            minutes[keep],
            self.n_demand,
            self.n_facilities,
        )


def rows_of(ids: pl.Series, known: pl.Series, *, what: str, where: str) -> IntArray:
    """Row of each id in ``known`` (compared as text); ids not there are refused with their
    count and the first one (``what``: the column named, ``where``: the table searched)."""
    lookup = pl.DataFrame({"key": known.cast(pl.String), "row": np.arange(known.len())})
    joined = pl.DataFrame({"key": ids.cast(pl.String)}).join(
        lookup, on="key", how="left", maintain_order="left"
    )
    missing = joined["row"].is_null().to_numpy()
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise InputValueError(
            f"{what} has {int(missing.sum()):,} ids in {ids.len():,} rows that are not in "
            f"{where} (first at row {first + 1:,}: {joined['key'][first]!r})"
        )
    return joined["row"].to_numpy().astype(np.int64)


def nearest_from_pairs(pairs: Pairs, facilities: IntArray | None = None) -> FloatArray:
    """Minutes to the nearest facility from a pairs table (``inf`` where none)."""
    keep = np.ones(pairs.minutes.size, dtype=bool)
    if facilities is not None:
        chosen = np.zeros(pairs.n_facilities, dtype=bool)
        chosen[np.asarray(facilities, dtype=np.int64)] = True
        keep = chosen[pairs.facility]
    best = np.full(pairs.n_demand, np.inf)
    np.minimum.at(best, pairs.demand[keep], pairs.minutes[keep])
    return best


class MatrixCost:
    """A user origin-destination table: ``origin`` (demand id), ``destination`` (facility id),
    ``minutes``. Pairs absent from the table are unreachable."""

    def __init__(
        self, matrix: pl.DataFrame, demand_ids: pl.Series, facility_ids: pl.Series
    ) -> None:
        missing = [c for c in ("origin", "destination", "minutes") if c not in matrix.columns]
        if missing:
            raise ColumnNotFoundError(f"matrix needs columns {', '.join(missing)}")
        minutes = matrix["minutes"].cast(pl.Float64, strict=False).to_numpy().astype(float)
        bad = ~np.isfinite(minutes) | (minutes < 0)
        if bad.any():
            raise InputValueError(
                f"matrix column 'minutes' has {int(bad.sum()):,} missing or negative values in "
                f"{minutes.size:,} rows (first at row {int(np.flatnonzero(bad)[0]) + 1:,})"
            )
        self.n_demand, self.n_facilities = demand_ids.len(), facility_ids.len()
        self._pairs = Pairs(
            rows_of(
                matrix["origin"], demand_ids, what="matrix column 'origin'", where="the demand file"
            ),
            rows_of(
                matrix["destination"],
                facility_ids,
                what="matrix column 'destination'",
                where="the facilities file",
            ),
            minutes,
            self.n_demand,
            self.n_facilities,
        )

    def nearest(self, facilities: IntArray | None = None) -> FloatArray:
        return nearest_from_pairs(self._pairs, facilities)

    def pairs(self, max_minutes: float, facilities: IntArray | None = None) -> Pairs:
        p = self._pairs
        keep = p.minutes <= max_minutes
        if facilities is not None:
            chosen = np.zeros(self.n_facilities, dtype=bool)
            chosen[np.asarray(facilities, dtype=np.int64)] = True
            keep &= chosen[p.facility]
        return Pairs(
            p.demand[keep], p.facility[keep], p.minutes[keep], self.n_demand, self.n_facilities
        )
