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
