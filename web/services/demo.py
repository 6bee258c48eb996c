"""The demo's facilities and villages (no Django): villages drawn inside their provinces'
outlines, regencies as contiguous areas of each province, puskesmas and schools with capacities,
candidate sites with costs. Seeded, so every run gives the same world."""

from __future__ import annotations

import numpy as np
import polars as pl
from setara_web.viz.geo import province_boundaries, ring_area

from setara.regions import read_regencies

#: Provinces whose villages count as 3T (*terdepan, terluar, tertinggal*) in the demo: the
#: eastern provinces, a simplification of the official list of 3T regencies.
DEMO_3T = ("53", "81", "82", "91", "92")


def _inside(lon: np.ndarray, lat: np.ndarray, rings: list[list[tuple[float, float]]]) -> np.ndarray:
    """Even-odd rule over every ring (holes included), vectorised over the points."""
    inside = np.zeros(lon.size, dtype=bool)
    for ring in rings:
        xy = np.asarray(ring, dtype=float)
        x0, y0 = xy[:, 0][None, :], xy[:, 1][None, :]
        x1, y1 = np.roll(xy[:, 0], -1)[None, :], np.roll(xy[:, 1], -1)[None, :]
        px, py = lon[:, None], lat[:, None]
        crosses = (y0 > py) != (y1 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
        inside ^= (crosses & (px < at)).sum(axis=1) % 2 == 1
    return inside


def _points_in(
    rings: list[list[tuple[float, float]]], n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniformly inside the rings (rejection sampling in their bounding box)."""
    xy = np.concatenate([np.asarray(r, dtype=float) for r in rings])
    (west, south), (east, north) = xy.min(axis=0), xy.max(axis=0)
    lon_out, lat_out = np.empty(0), np.empty(0)
    while lon_out.size < n:
        lon = rng.uniform(west, east, 4 * n)
        lat = rng.uniform(south, north, 4 * n)
        keep = _inside(lon, lat, rings)
        lon_out, lat_out = np.r_[lon_out, lon[keep]], np.r_[lat_out, lat[keep]]
    return lon_out[:n], lat_out[:n]


def demo_places(*, villages: int, rng: np.random.Generator) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Villages (``id, lat, lon, kode_wilayah, population, poor, urban, is_3t``) spread over
    the provinces in proportion to their area, and facilities (``id, lat, lon, type, capacity,
    status, cost, kode_wilayah``): puskesmas, SD and SMP at 30 % of the villages (10 % in 3T
    provinces)
    and up to 300 candidate sites in 3T provinces."""
    provinces = province_boundaries()
    regencies = read_regencies()
    codes = [c for c in provinces.features if c in set(regencies["province_code"])]
    area = np.array([sum(abs(ring_area(r)) for r in provinces.features[c]) for c in codes])
    counts = rng.multinomial(villages, area / area.sum())
    parts = []
    for code, n in zip(codes, counts, strict=True):
        if n == 0:
            continue
        rings = list(provinces.features[code])
        lon, lat = _points_in(rings, int(n), rng)
        mine = regencies.filter(pl.col("province_code") == code)["code"].to_numpy()
        # Regencies as contiguous areas: each village joins the nearest of one seed village
        # per regency.
        seeds = rng.choice(n, size=min(mine.size, n), replace=False)
        d2 = (lon[:, None] - lon[seeds][None, :]) ** 2 + (lat[:, None] - lat[seeds][None, :]) ** 2
        parts.append(
            pl.DataFrame(
                {"lat": lat, "lon": lon, "kode_wilayah": mine[: seeds.size][d2.argmin(axis=1)]}
            )
        )
    demand = pl.concat(parts)
    n = demand.height
    population = np.round(rng.lognormal(7.6, 0.7, n))
    is_3t = demand["kode_wilayah"].str.slice(0, 2).is_in(list(DEMO_3T)).to_numpy()
    poor_rate = np.clip(rng.beta(2, 12, n) + 0.12 * is_3t, 0, 0.9)
    demand = demand.with_columns(
        pl.Series("id", [f"DS{i:06d}" for i in range(n)]),
        pl.Series("population", population),
        pl.Series("poor", np.round(population * poor_rate)),
        pl.Series("urban", rng.random(n) < np.where(is_3t, 0.15, 0.45)),
        pl.Series("is_3t", is_3t),
    ).select("id", "lat", "lon", "kode_wilayah", "population", "poor", "urban", "is_3t")
    return demand, _facilities(demand, is_3t, rng)


def _facilities(demand: pl.DataFrame, is_3t: np.ndarray, rng: np.random.Generator) -> pl.DataFrame:
    n = demand.height
    chance = np.where(is_3t, 0.10, 0.30)
    existing = np.flatnonzero(rng.random(n) < chance)
    candidates = rng.choice(np.flatnonzero(is_3t & ~np.isin(np.arange(n), existing)), 300)
    rows = np.r_[existing, np.unique(candidates)]
    k = rows.size
    kinds = np.array(["puskesmas", "SD", "SMP"])
    status = np.where(np.arange(k) < existing.size, "existing", "candidate")
    shift = rng.normal(0.0, 0.01, size=(k, 2))
    return pl.DataFrame(
        {
            "id": [f"F{i:05d}" for i in range(k)],
            "lat": demand["lat"].to_numpy()[rows] + shift[:, 0],
            "lon": demand["lon"].to_numpy()[rows] + shift[:, 1],
            "type": np.where(status == "candidate", "puskesmas", kinds[rng.integers(0, 3, k)]),
            "capacity": rng.integers(2, 12, k).astype(float),
            "status": status,
            "cost": np.where(status == "candidate", rng.integers(8, 30, k) * 500.0, 0.0),
            "kode_wilayah": demand["kode_wilayah"].to_numpy()[rows],
        }
    )


#: Provinces whose islands without a puskesmas get a ferry to the nearest island with one.
FERRY_PROVINCES = ("53", "81")
ROAD_KMH, ROAD_CIRCUITY, ROAD_MAX_KM, ROAD_NEIGHBOURS = 40.0, 1.3, 40.0, 6
FERRY_KMH, FERRY_DEPARTURES, FERRIES, FERRY_MAX_KM = 20.0, 2.0, 4, 100.0


def _islands(frame: pl.DataFrame) -> np.ndarray:
    """An island number for each point: the first ring of its province's outline holding it
    (-1 for none: a point just off the coast)."""
    provinces = province_boundaries()
    lon, lat = frame["lon"].to_numpy(), frame["lat"].to_numpy()
    code = frame["kode_wilayah"].str.slice(0, 2).to_numpy()
    island = np.full(frame.height, -1, dtype=np.int64)
    first = 0
    for province in np.unique(code):
        rings = provinces.features.get(str(province), ())
        mine = np.flatnonzero(code == province)
        for k, ring in enumerate(rings):
            free = mine[island[mine] < 0]
            island[free[_inside(lon[free], lat[free], [ring])]] = first + k
        first += len(rings)
    return island


def demo_network(
    demand: pl.DataFrame, facilities: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """A road network over the demo world: nodes (``id, lat, lon``) at every village and
    facility; roads (``from, to, length_km, speed_kmh``) to each node's nearest neighbours on the
    same island (within 40 km, 1.3 x the straight line at 40 km/h), so no road crosses the sea;
    and ferries (``from, to, minutes, departures_per_day``) from the most populous islands of
    NTT and Maluku without a puskesmas to the nearest node of an island with one, if within
    100 km (at 20 km/h, two departures a day). Their villages reach a puskesmas only by ferry."""
    from scipy.spatial import cKDTree

    from setara.access import haversine_km

    nodes = pl.concat(
        [demand.select("id", "lat", "lon", "kode_wilayah"),
         facilities.select("id", "lat", "lon", "kode_wilayah")]
    )  # fmt: skip
    lat, lon = nodes["lat"].to_numpy(), nodes["lon"].to_numpy()
    island = _islands(demand)
    xyz = np.column_stack(
        [np.cos(np.radians(lat)) * np.cos(np.radians(lon)),
         np.cos(np.radians(lat)) * np.sin(np.radians(lon)), np.sin(np.radians(lat))]
    )  # fmt: skip
    # A facility lies on its village's island (it was drawn about 1 km from it).
    village_tree = cKDTree(xyz[: demand.height])
    _, nearest_village = village_tree.query(xyz[demand.height :], k=1)
    island = np.r_[island, island[nearest_village]]
    _, near = cKDTree(xyz).query(xyz, k=ROAD_NEIGHBOURS + 1)
    tail = np.repeat(np.arange(nodes.height), ROAD_NEIGHBOURS)
    head = near[:, 1:].ravel()
    km = haversine_km(lat[tail], lon[tail], lat[head], lon[head])
    keep = (island[tail] == island[head]) & (island[tail] >= 0) & (km <= ROAD_MAX_KM)
    pair = np.unique(np.sort(np.column_stack([tail[keep], head[keep]]), axis=1), axis=0)
    ids = nodes["id"]
    edges = pl.DataFrame(
        {
            "from": ids.gather(pair[:, 0]),
            "to": ids.gather(pair[:, 1]),
            "length_km": haversine_km(
                lat[pair[:, 0]], lon[pair[:, 0]], lat[pair[:, 1]], lon[pair[:, 1]]
            ) * ROAD_CIRCUITY,
            "speed_kmh": ROAD_KMH,
        }
    )  # fmt: skip
    return nodes.select("id", "lat", "lon"), edges, _ferries(nodes, island, demand, facilities)


def _ferries(
    nodes: pl.DataFrame, island: np.ndarray, demand: pl.DataFrame, facilities: pl.DataFrame
) -> pl.DataFrame:
    from scipy.spatial import cKDTree

    from setara.access import haversine_km

    n_villages = demand.height
    lat, lon = nodes["lat"].to_numpy(), nodes["lon"].to_numpy()
    puskesmas = np.r_[
        np.zeros(n_villages, dtype=bool),
        ((facilities["type"] == "puskesmas") & (facilities["status"] == "existing")).to_numpy(),
    ]
    served = np.isin(island, island[puskesmas])
    in_east = nodes["kode_wilayah"].str.slice(0, 2).is_in(list(FERRY_PROVINCES)).to_numpy()
    people = np.r_[demand["population"].to_numpy(), np.zeros(facilities.height)]
    lonely = pl.DataFrame({"island": island, "people": people, "row": np.arange(island.size)})
    lonely = lonely.filter(pl.Series(in_east & ~served & (island >= 0)))
    port_rows = np.flatnonzero(served & in_east)
    tree = cKDTree(np.column_stack([lat[port_rows], lon[port_rows]]))
    rows = lonely["row"].to_numpy()
    _, at = tree.query(np.column_stack([lat[rows], lon[rows]]), k=1)
    km = haversine_km(lat[rows], lon[rows], lat[port_rows[at]], lon[port_rows[at]])
    # Each island's shortest crossing (within 100 km) to a served island; the most populous
    # islands get one.
    best = (
        lonely.with_columns(pl.Series("km", km), pl.Series("to", port_rows[at]))
        .with_columns(pl.col("people").sum().over("island").alias("island_people"))
        .filter(pl.col("km") <= FERRY_MAX_KM)
        .sort("km")
        .group_by("island", maintain_order=True)
        .first()
        .sort(["island_people", "island"], descending=[True, False])
        .head(FERRIES)
    )
    a, b = best["row"].to_numpy(), best["to"].to_numpy()
    km = best["km"].to_numpy()
    return pl.DataFrame(
        {
            "from": nodes["id"].gather(a),
            "to": nodes["id"].gather(b),
            "minutes": np.round(km / FERRY_KMH * 60.0),
            "departures_per_day": np.full(a.size, FERRY_DEPARTURES),
        }
    )
