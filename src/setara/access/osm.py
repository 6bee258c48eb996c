"""Road networks and ferries from an OpenStreetMap extract (``.osm.pbf``), read by pyosmium.

The file is streamed once (pyosmium's ``FileProcessor`` with node locations): every way with
a ``highway`` class in ``speeds`` becomes edges between its consecutive nodes (length by the
haversine formula, time at the class speed; ``oneway=yes`` one-way, ``oneway=-1`` reversed),
and every ``route=ferry`` way one crossing between its end nodes. A crossing's time is its
``duration`` tag (``HH:MM`` or ``HH:MM:SS``) or its length at ``ferry_kmh``; OpenStreetMap
carries no timetable, so every OSM crossing gets ``ferry_headway_minutes`` between departures
(the expected wait is half of it, :class:`~setara.access.network.RoadNetwork`): give a
crossings table with real frequencies where they are known.

The default speeds (km/h) are planning assumptions for Indonesian roads, not measurements;
pass your own ``speeds`` (for example from a ministry's road survey).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from setara.access.travel import haversine_km
from setara.errors import ReadError

__all__ = ["DEFAULT_SPEEDS", "read_osm_network"]

DEFAULT_SPEEDS = {
    "motorway": 80.0,
    "trunk": 60.0,
    "primary": 50.0,
    "secondary": 40.0,
    "tertiary": 30.0,
    "unclassified": 25.0,
    "residential": 20.0,
    "living_street": 10.0,
    "service": 15.0,
    "track": 10.0,
    "motorway_link": 50.0,
    "trunk_link": 40.0,
    "primary_link": 35.0,
    "secondary_link": 30.0,
    "tertiary_link": 25.0,
    "road": 20.0,
    "path": 5.0,
    "footway": 5.0,
}


def _duration_minutes(text: str | None) -> float | None:
    """``"1:30"`` -> 90, ``"00:45:30"`` -> 45.5, ``"40"`` -> 40; None when unreadable."""
    if not text:
        return None
    try:
        parts = [float(p) for p in text.strip().split(":")]
    except ValueError:
        return None
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        return parts[0] * 60 + parts[1]
    if len(parts) == 3:
        return parts[0] * 60 + parts[1] + parts[2] / 60
    return None


def read_osm_network(
    path: str | Path,
    *,
    speeds: dict[str, float] | None = None,
    ferry_kmh: float = 15.0,
    ferry_headway_minutes: float = 240.0,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Nodes (``id, lat, lon``), edges (``from, to, length_km, speed_kmh, oneway``) and ferries
    (``from, to, minutes, headway_minutes``) of an OSM extract, for
    :class:`~setara.access.network.RoadNetwork`."""
    try:
        import osmium
    except ImportError as exc:  # pragma: no cover - osmium is a dependency
        raise ReadError("reading OSM PBF needs the 'osmium' package (pyosmium)") from exc
    file = Path(path)
    if not file.exists():
        raise ReadError(f"file {str(file)!r} does not exist")
    speed_of = DEFAULT_SPEEDS if speeds is None else speeds
    ref: list[int] = []
    lat: list[float] = []
    lon: list[float] = []
    tail: list[int] = []
    head: list[int] = []
    speed: list[float] = []
    oneway: list[bool] = []
    ferries: list[tuple[int, int, int, int, float | None]] = []  # from, to, first, last, min
    try:
        # a reader's loop over the file's objects, streamed (the kernels stay vectorised)
        for obj in osmium.FileProcessor(str(file)).with_locations():
            if not isinstance(obj, osmium.osm.Way):
                continue
            tags = obj.tags
            kind = tags.get("highway")
            is_ferry = tags.get("route") == "ferry"
            if not is_ferry and kind not in speed_of:
                continue
            start = len(ref)
            for node in obj.nodes:
                if node.location.valid():
                    ref.append(node.ref)
                    lat.append(node.location.lat)
                    lon.append(node.location.lon)
            if len(ref) - start < 2:
                continue
            if is_ferry:
                ferries.append(
                    (
                        ref[start],
                        ref[-1],
                        start,
                        len(ref) - 1,
                        _duration_minutes(tags.get("duration")),
                    )
                )
                continue
            direction = tags.get("oneway", "no")
            pairs = range(start, len(ref) - 1)
            if direction == "-1":
                tail.extend(ref[i + 1] for i in pairs)
                head.extend(ref[i] for i in pairs)
            else:
                tail.extend(ref[i] for i in pairs)
                head.extend(ref[i + 1] for i in pairs)
            speed.extend([float(speed_of[str(kind)])] * len(pairs))
            oneway.extend([direction in ("yes", "true", "1", "-1")] * len(pairs))
    except RuntimeError as exc:
        raise ReadError(f"cannot read {str(file)!r} as an OSM file: {exc}") from exc
    ids, first = np.unique(np.array(ref, dtype=np.int64), return_index=True)
    n_lat, n_lon = np.array(lat)[first], np.array(lon)[first]
    nodes = pl.DataFrame({"id": ids, "lat": n_lat, "lon": n_lon})
    t_row = np.searchsorted(ids, np.array(tail, dtype=np.int64))
    h_row = np.searchsorted(ids, np.array(head, dtype=np.int64))
    edges = pl.DataFrame(
        {
            "from": np.array(tail, dtype=np.int64),
            "to": np.array(head, dtype=np.int64),
            "length_km": haversine_km(n_lat[t_row], n_lon[t_row], n_lat[h_row], n_lon[h_row]),
            "speed_kmh": np.array(speed, dtype=float),
            "oneway": np.array(oneway, dtype=bool),
        }
    )
    p_lat, p_lon = np.array(lat), np.array(lon)
    ferry_rows = []
    for a, b, begin, end, minutes in ferries:  # a handful of crossings
        km = float(
            haversine_km(
                p_lat[begin:end],
                p_lon[begin:end],
                p_lat[begin + 1 : end + 1],
                p_lon[begin + 1 : end + 1],
            ).sum()
        )
        ferry_rows.append((a, b, minutes if minutes is not None else km / ferry_kmh * 60.0))
    ferry_table = pl.DataFrame(
        {
            "from": [r[0] for r in ferry_rows],
            "to": [r[1] for r in ferry_rows],
            "minutes": [r[2] for r in ferry_rows],
            "headway_minutes": [ferry_headway_minutes] * len(ferry_rows),
        },
        schema={
            "from": pl.Int64,
            "to": pl.Int64,
            "minutes": pl.Float64,
            "headway_minutes": pl.Float64,
        },
    )
    return nodes, edges, ferry_table
