"""Point layers from GeoJSON and GeoPackage files, read without GDAL.

Facilities and villages are points, so both formats are read with the standard library:
GeoJSON with :mod:`json` (RFC 7946: coordinates are ``[longitude, latitude]`` in WGS 84) and
GeoPackage with :mod:`sqlite3`, decoding the GeoPackage binary header and the WKB point that
follows it (OGC 12-128r18, sec. 2.1.3). Only ``Point`` geometries are accepted; any other
geometry is refused with its count and first feature, never guessed (a polygon's centroid is
the caller's decision). Layers in another coordinate system than EPSG:4326 are refused too.
"""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path
from typing import Any

import polars as pl

from setara.errors import ReadError

__all__ = ["read_geojson_points", "read_geopackage_points"]

WGS84 = (0, 4326)  # GeoPackage srs_id 0 is "undefined geographic", 4326 is WGS 84


def _frame(
    properties: list[dict[str, Any]], lon: list[float | None], lat: list[float | None]
) -> pl.DataFrame:
    frame = pl.DataFrame(properties, infer_schema_length=None) if properties else pl.DataFrame()
    if frame.width == 0:
        frame = pl.DataFrame({"_": [None] * len(lon)}).drop("_")
    coords = pl.DataFrame({"lat": lat, "lon": lon}, schema={"lat": pl.Float64, "lon": pl.Float64})
    return pl.concat(
        [frame.drop([c for c in ("lat", "lon") if c in frame.columns]), coords], how="horizontal"
    )


def _refuse_other(kinds: list[str], path: Path) -> None:
    bad = [i for i, kind in enumerate(kinds) if kind != "Point"]
    if bad:
        raise ReadError(
            f"{str(path)!r} has {len(bad):,} features that are not points in {len(kinds):,} "
            f"(first is feature {bad[0] + 1:,}, a {kinds[bad[0]]}); give facilities and villages "
            "as points (for areas, their centroids)"
        )


def read_geojson_points(path: str | Path) -> pl.DataFrame:
    """Read a GeoJSON FeatureCollection of points: the properties plus ``lat`` and ``lon``.

    A feature without geometry keeps missing coordinates (the validation reports it).

    Examples
    --------
    >>> import json, tempfile, os
    >>> doc = {"type": "FeatureCollection", "features": [{"type": "Feature",
    ...        "geometry": {"type": "Point", "coordinates": [106.8, -6.2]},
    ...        "properties": {"id": "A"}}]}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "f.geojson")
    ...     _ = open(p, "w").write(json.dumps(doc))
    ...     read_geojson_points(p).row(0)
    ('A', -6.2, 106.8)
    """
    file = Path(path)
    try:
        doc = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"cannot read {str(file)!r} as GeoJSON: {exc}") from exc
    features = doc.get("features") if isinstance(doc, dict) else None
    if not isinstance(features, list):
        raise ReadError(f"{str(file)!r} is not a GeoJSON FeatureCollection (no 'features' list)")
    kinds: list[str] = []
    lon: list[float | None] = []
    lat: list[float | None] = []
    props: list[dict[str, Any]] = []
    for feature in features:  # reading a file is a loop over its records, not a kernel
        geometry = (feature or {}).get("geometry") or {}
        kinds.append(str(geometry.get("type", "Point")))
        coords = geometry.get("coordinates") or [None, None]
        lon.append(coords[0] if len(coords) > 1 else None)
        lat.append(coords[1] if len(coords) > 1 else None)
        props.append(dict((feature or {}).get("properties") or {}))
    _refuse_other(kinds, file)
    return _frame(props, lon, lat)


def _wkb_point(blob: bytes) -> tuple[str, float | None, float | None]:
    """Geometry type and (lon, lat) of a GeoPackage geometry blob."""
    if len(blob) < 8 or blob[:2] != b"GP":
        raise ValueError("not a GeoPackage geometry")
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0x07, 0)
    wkb = blob[8 + envelope :]
    order = "<" if wkb[0] == 1 else ">"
    (kind,) = struct.unpack(order + "I", wkb[1:5])
    kind %= 1000  # ISO WKB Z/M variants (1001, 2001, 3001) are still points
    if kind != 1:
        names = {
            2: "LineString",
            3: "Polygon",
            4: "MultiPoint",
            5: "MultiLineString",
            6: "MultiPolygon",
            7: "GeometryCollection",
        }
        return names.get(kind, f"geometry type {kind}"), None, None
    if flags & 0x10:  # empty geometry
        return "Point", None, None
    x, y = struct.unpack(order + "dd", wkb[5:21])
    return "Point", x, y


def read_geopackage_points(path: str | Path, *, layer: str | None = None) -> pl.DataFrame:
    """Read a point layer of a GeoPackage: its attribute columns plus ``lat`` and ``lon``.

    ``layer`` defaults to the only feature layer; a file with several needs one named.
    """
    file = Path(path)
    try:
        con = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ReadError(f"cannot open {str(file)!r} as a GeoPackage: {exc}") from exc
    try:
        layers = con.execute(
            "SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c JOIN "
            "gpkg_geometry_columns g ON g.table_name = c.table_name "
            "WHERE c.data_type = 'features'"
        ).fetchall()
        if layer is not None:
            layers = [row for row in layers if row[0] == layer]
        if len(layers) != 1:
            found = ", ".join(repr(r[0]) for r in layers) or "none"
            raise ReadError(f"{str(file)!r} needs one point layer named (feature layers: {found})")
        table, column, srs = layers[0]
        if srs not in WGS84:
            raise ReadError(
                f"layer {table!r} of {str(file)!r} is in EPSG:{srs}; save it in EPSG:4326 (WGS 84)"
            )
        cursor = con.execute(f'SELECT * FROM "{table}"')
        names = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    except sqlite3.Error as exc:
        raise ReadError(f"cannot read {str(file)!r} as a GeoPackage: {exc}") from exc
    finally:
        con.close()
    at = names.index(column)
    kinds: list[str] = []
    lon: list[float | None] = []
    lat: list[float | None] = []
    props: list[dict[str, Any]] = []
    for row in rows:
        try:
            kind, x, y = _wkb_point(row[at]) if row[at] is not None else ("Point", None, None)
        except (ValueError, struct.error, IndexError) as exc:
            raise ReadError(f"{str(file)!r} has a malformed geometry: {exc}") from exc
        kinds.append(kind)
        lon.append(x)
        lat.append(y)
        props.append({n: v for n, v in zip(names, row, strict=True) if n != column})
    _refuse_other(kinds, file)
    return _frame(props, lon, lat)
