"""A synthetic archipelago for demos, tests and benchmarks: islands of grid roads, ferries
between some of them, villages and facilities on the islands.

Island ``k`` is a ``side x side`` grid of road nodes ``spacing_km`` apart (jittered), centred
on the equator at longitude ``106 + k x island_gap_deg``; the sea between islands is far wider
than any snapping distance. Ferries join consecutive islands listed in ``ferries``; an island
in no ferry pair is reachable from nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

__all__ = ["synthetic_archipelago", "synthetic_places"]

KM_PER_DEG = 111.195  # on the mean-radius sphere, at the equator


def synthetic_archipelago(
    *,
    islands: int = 3,
    side: int = 10,
    spacing_km: float = 2.0,
    island_gap_deg: float = 1.0,
    ferries: Sequence[tuple[int, int]] = ((0, 1),),
    ferry_minutes: float = 90.0,
    departures_per_day: float = 4.0,
    road_kmh: float = 40.0,
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Nodes (``id, lat, lon, island``), edges (``from, to, length_km, speed_kmh``) and
    ferries (``from, to, minutes, departures_per_day``) of a grid archipelago.

    Examples
    --------
    >>> nodes, edges, ferries = synthetic_archipelago(rng=np.random.default_rng(1))
    >>> nodes.height, edges.height, ferries.height
    (300, 540, 1)
    """
    step = spacing_km / KM_PER_DEG
    grid = np.meshgrid(np.arange(islands), np.arange(side), np.arange(side), indexing="ij")
    k, r, c = (g.ravel() for g in grid)
    jitter = rng.uniform(-0.2, 0.2, size=(k.size, 2)) * step
    lat = (r - (side - 1) / 2) * step + jitter[:, 0]
    lon = 106.0 + k * island_gap_deg + (c - (side - 1) / 2) * step + jitter[:, 1]
    node = np.arange(k.size)
    right = node[c < side - 1]
    down = node[r < side - 1]
    tail = np.r_[right, down]
    head = np.r_[right + 1, down + side]
    from setara.access.travel import haversine_km

    length = haversine_km(lat[tail], lon[tail], lat[head], lon[head])
    ids = pl.Series(node).cast(pl.String)
    nodes = pl.DataFrame({"id": ids, "lat": lat, "lon": lon, "island": k})
    edges = pl.DataFrame(
        {
            "from": ids.gather(tail),
            "to": ids.gather(head),
            "length_km": length,
            "speed_kmh": np.full(tail.size, road_kmh),
        }
    )
    corner = (side - 1) * side + side - 1  # the east-most node of the last row; west = row start
    pairs = np.asarray(list(ferries), dtype=np.int64).reshape(-1, 2)
    east = pairs[:, 0] * side * side + corner
    west = pairs[:, 1] * side * side + (side - 1) * side
    ferry = pl.DataFrame(
        {
            "from": ids.gather(east),
            "to": ids.gather(west),
            "minutes": np.full(len(pairs), ferry_minutes),
            "departures_per_day": np.full(len(pairs), departures_per_day),
        }
    )
    return nodes, edges, ferry


def synthetic_places(
    nodes: pl.DataFrame,
    *,
    villages: int,
    facilities: int,
    candidates: int = 0,
    rng: np.random.Generator,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Villages (``id, lat, lon, population, poor, urban, is_3t, island``) and facilities
    (``id, lat, lon, type, capacity, status, cost``) placed near random road nodes."""
    lat, lon = nodes["lat"].to_numpy(), nodes["lon"].to_numpy()
    island = nodes["island"].to_numpy() if "island" in nodes.columns else np.zeros(lat.size)
    at = rng.integers(0, lat.size, villages)
    shift = rng.normal(0.0, 0.002, size=(villages, 2))
    population = rng.integers(200, 5000, villages).astype(float)
    demand = pl.DataFrame(
        {
            "id": [f"V{i:06d}" for i in range(villages)],
            "lat": lat[at] + shift[:, 0],
            "lon": lon[at] + shift[:, 1],
            "population": population,
            "poor": np.round(population * rng.uniform(0.02, 0.35, villages)),
            "urban": rng.random(villages) < 0.4,
            "is_3t": island[at] == island.max(),
            "island": island[at].astype(np.int64),
        }
    )
    n = facilities + candidates
    where = rng.integers(0, lat.size, n)
    kinds = np.array(["puskesmas", "SD", "SMP"])
    supply = pl.DataFrame(
        {
            "id": [f"F{i:05d}" for i in range(n)],
            "lat": lat[where],
            "lon": lon[where],
            "type": kinds[rng.integers(0, 3, n)],
            "capacity": rng.integers(1, 10, n).astype(float),
            "status": np.where(np.arange(n) < facilities, "existing", "candidate"),
            "cost": np.where(np.arange(n) < facilities, 0.0, rng.integers(5, 20, n) * 100.0),
        }
    )
    return demand, supply
