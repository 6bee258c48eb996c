"""The visualisation layer, tested by value without Django: boundaries, readers, SVG output."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import string
import struct
import threading
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from setara_web.viz import (
    BoundaryError,
    bar_chart,
    choropleth,
    dot_plot,
    line_chart,
    province_boundaries,
    quantile_breaks,
    read_boundaries,
    to_svg_paths,
    use,
    word,
    words,
)
from setara_web.viz.draw import INK, MARK, MUTED, NO_DATA, SEQUENTIAL, SERIES_COLOURS
from setara_web.viz.geo import DATA_FILE, ring_centroid

from setara.errors import SetaraError
from setara.regions import read_provinces

SVG = "{http://www.w3.org/2000/svg}"
ALLOWED_TAGS = {"svg", "g", "path", "rect", "circle", "line", "polyline", "text", "title", "desc"}
ALLOWED_TAGS |= {"defs", "pattern"}  # the hatch fills of unreliable estimates
DRAWN = 33
INSIDE = {"64": ("65",), "91": ("93", "94", "95"), "92": ("96",)}
# An inland point in each drawn province, from published city coordinates (rounded); a swapped
# crosswalk entry puts a point in the wrong polygon.
INLAND_POINTS = {
    "11": (96.85, 4.63),
    "12": (98.67, 3.59),
    "13": (100.37, -0.30),
    "14": (101.45, 0.51),
    "15": (103.61, -1.61),
    "16": (104.76, -2.99),
    "17": (102.52, -3.47),
    "18": (105.31, -5.11),
    "19": (106.0, -2.2),
    "21": (104.5, 1.05),
    "31": (106.83, -6.2),
    "32": (107.61, -6.91),
    "33": (110.82, -7.57),
    "34": (110.37, -7.80),
    "35": (112.63, -7.98),
    "36": (106.15, -6.12),
    "51": (115.22, -8.65),
    "52": (116.12, -8.58),
    "53": (124.28, -9.86),
    "61": (109.34, -0.03),
    "62": (113.92, -2.21),
    "63": (114.83, -3.44),
    "64": (117.15, -0.50),
    "71": (124.83, 1.32),
    "72": (120.75, -1.39),
    "73": (119.90, -2.97),
    "74": (122.3, -4.0),
    "75": (123.06, 0.54),
    "76": (119.36, -2.94),
    "81": (129.5, -3.1),
    "82": (127.55, 1.1),
    "91": (138.94, -4.10),
    "92": (133.0, -1.3),
}
one = "{:.1f}".format


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def tag(element: ET.Element) -> str:
    return element.tag.removeprefix(SVG)


def contains_point(rings: list[list[tuple[float, float]]], lon: float, lat: float) -> bool:
    """Even-odd ray casting over all rings of an area."""
    inside = False
    for ring in rings:
        for (x0, y0), (x1, y1) in zip(ring, [*ring[1:], ring[0]], strict=True):
            if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                inside = not inside
    return inside


def province_map(values: dict[str, float | None], **options: object) -> str:
    provinces = province_boundaries()
    paths, viewbox = to_svg_paths(provinces)
    kwargs: dict[str, object] = {
        "names": provinces.names,
        "contains": provinces.contains,
        "title": "Poverty headcount",
        "legend_title": "P0 (%)",
        "fmt": one,
    }
    kwargs.update(options)
    return choropleth(paths, viewbox, values, **kwargs)  # type: ignore[arg-type]


def regions(svg: str) -> dict[str, ET.Element]:
    return {g.get("data-code", ""): g for g in parse(svg).iter(f"{SVG}g") if g.get("data-code")}


def all_charts() -> dict[str, str]:
    rows = [
        {
            "label": "Aceh",
            "estimate": 14.2,
            "ci_low": 12.0,
            "ci_high": 16.4,
            "reliability": "reliable",
        },
        {
            "label": "Papua",
            "estimate": 26.0,
            "ci_low": 8.0,
            "ci_high": 44.0,
            "reliability": "unreliable",
        },
        {
            "label": "Maluku",
            "estimate": 16.1,
            "ci_low": 11.0,
            "ci_high": 21.2,
            "reliability": "caution",
        },
    ]
    deciles = [
        {
            "label": f"Desil {d}",
            "value": d * 1.8,
            "ci_low": d * 1.8 - 0.4,
            "ci_high": d * 1.8 + 0.4,
            "reliability": "reliable",
        }
        for d in range(1, 11)
    ]
    share = np.linspace(0, 1, 11)
    lorenz = [{"name": "2024", "points": list(zip(share, share**2, strict=True))}]
    return {
        "map": province_map({"11": 14.2, "91": 26.0}, flags={"91": "unreliable"}),
        "dots": dot_plot(rows, title="P0 by province", fmt=one, reference=9.4),
        "bars": bar_chart(deciles, title="Consumption share by decile", fmt=one),
        "hbars": bar_chart(
            [{"label": "Urban", "value": -2.0}], title="Gap", fmt=one, orientation="horizontal"
        ),
        "lines": line_chart(
            lorenz, title="Lorenz curve", x_label="Population", y_label="Share", diagonal=True
        ),
    }


# Boundaries and the crosswalk -------------------------------------------------------------


def test_every_province_is_drawn_or_inside_a_parent() -> None:
    provinces = province_boundaries()
    official = set(read_provinces()["code"].to_list())
    inner = {code for codes in provinces.contains.values() for code in codes}
    assert len(official) == 38
    assert len(provinces.features) == DRAWN
    assert set(provinces.features) | inner == official
    assert not set(provinces.features) & inner
    assert dict(provinces.contains) == INSIDE
    assert set(provinces.names) == official


def test_crosswalk_document_lists_all_38_provinces() -> None:
    text = (DATA_FILE.parent / "CROSSWALK.md").read_text(encoding="utf-8")
    rows = [line.split(" | ") for line in text.splitlines() if re.match(r"\| \d\d \|", line)]
    assert [r[0].strip("| ") for r in rows] == read_provinces()["code"].to_list()
    drawn = Counter("own polygon" in r[3] for r in rows)
    assert drawn == {True: DRAWN, False: 5}
    assert (DATA_FILE.parent / "LICENSE-ISC.md").exists()
    assert (DATA_FILE.parent / "LICENSE-ODbL.md").exists()


@pytest.mark.parametrize(("code", "point"), sorted(INLAND_POINTS.items()))
def test_inland_point_lies_in_its_province(code: str, point: tuple[float, float]) -> None:
    features = province_boundaries().features
    assert [c for c, rings in features.items() if contains_point(rings, *point)] == [code]


def test_lampung_and_maluku_utara_are_split_by_longitude() -> None:
    features = province_boundaries().features
    lampung = [ring_centroid(ring) for ring in features["18"]]
    maluku_utara = [ring_centroid(ring) for ring in features["82"]]
    assert lampung and all(103 < lon < 107 and -6.5 < lat < -3 for lon, lat in lampung)
    assert maluku_utara and all(124 < lon < 130 and -2.5 < lat < 3 for lon, lat in maluku_utara)


def test_shipped_file_is_small_rounded_and_keyed_by_code() -> None:
    document = json.loads(DATA_FILE.read_bytes())
    assert DATA_FILE.stat().st_size < 300_000
    assert all(set(f["properties"]) == {"code", "name", "contains"} for f in document["features"])
    numbers = re.findall(r"-?\d+\.\d+", DATA_FILE.read_text(encoding="utf-8"))
    assert numbers and max(len(n.split(".")[1]) for n in numbers) <= 3


def test_svg_paths_project_west_left_and_north_up() -> None:
    paths, viewbox = to_svg_paths(province_boundaries())
    _, _, width, height = (float(v) for v in viewbox.split())
    assert width == 800 and 250 < height < 350  # 46° of longitude by 17° of latitude
    numbers = [float(n) for d in paths.values() for n in re.findall(r"-?[\d.]+", d)]
    assert min(numbers) >= 0 and max(numbers) <= width
    assert not any(re.search(r"\d\.\d\d", d) for d in paths.values())

    def first_point(code: str) -> tuple[float, float]:
        x, y = re.match(r"M([\d.]+) ([\d.]+)", paths[code]).groups()  # type: ignore[union-attr]
        return float(x), float(y)

    aceh, papua, ntt = first_point("11"), first_point("91"), first_point("53")
    assert aceh[0] < ntt[0] < papua[0]
    assert aceh[1] < ntt[1]
    assert to_svg_paths(province_boundaries()) == (paths, viewbox)


# Uploaded boundaries ----------------------------------------------------------------------

SQUARE = [(95.0, 5.0), (95.1, 5.0), (95.1, 5.1), (95.0, 5.1), (95.0, 5.0)]


def geojson(*features: dict[str, object]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(properties: dict[str, object], kind: str = "Polygon") -> dict[str, object]:
    coords = [SQUARE] if kind == "Polygon" else [[SQUARE]] if kind == "MultiPolygon" else SQUARE[0]
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": {"type": kind, "coordinates": coords},
    }


def test_geojson_regencies_with_numeric_codes_are_normalised_and_merged() -> None:
    data = geojson(
        feature({"KDKAB": 1101}),
        feature({"KDKAB": "1101"}, "MultiPolygon"),
        feature({"KDKAB": "11.02"}),
    )
    boundaries = read_boundaries(data, "aceh.geojson")
    assert boundaries.level == "regency"
    assert set(boundaries.features) == {"11.01", "11.02"}
    assert len(boundaries.features["11.01"]) == 2
    assert boundaries.features["11.02"][0] == SQUARE
    assert boundaries.names["11.01"] == "Kabupaten Aceh Selatan"


def test_geojson_key_argument_names_the_code_property() -> None:
    boundaries = read_boundaries(
        geojson(feature({"ADM1": "31", "name": "x"})), "p.json", key="ADM1"
    )
    assert boundaries.level == "province" and list(boundaries.features) == ["31"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (geojson(), "a.geojson", "is empty (0 features)"),
        (geojson(feature({"nama": "Aceh"})), "a.geojson", "no kode wilayah property"),
        (
            geojson(feature({"kode": "11"}), feature({"kode": "99"}), feature({"kode": "xx"})),
            "a.geojson",
            "has 2 unknown province kode wilayah in 3 features (first at feature 2; e.g. '99',",
        ),
        (
            geojson(feature({"kode": "11"}), feature({"kode": "11.01"})),
            "a.geojson",
            "all of one level",
        ),
        (
            geojson(feature({"kode": "11"}, "Point")),
            "a.geojson",
            "1 of 1 features have geometry type 'Point'",
        ),
        (b"{not json", "a.geojson", "is not valid JSON"),
        (
            geojson({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [["x"]]}}),
            "a.geojson",
            "feature 1 is malformed",
        ),
        (b"\x00\x01shapefile", "a.shp", "neither GeoJSON (.geojson) nor GeoPackage (.gpkg)"),
        (b"not sqlite at all", "a.gpkg", "is not a GeoPackage"),
    ],
)
def test_unusable_boundary_files_raise_clear_errors(
    data: bytes, filename: str, message: str
) -> None:
    with pytest.raises(BoundaryError, match=re.escape(message)):
        read_boundaries(data, filename)


def test_projected_coordinates_are_rejected() -> None:
    projected = {
        "type": "Polygon",
        "coordinates": [[(500000, 9e6), (500100, 9e6), (500100, 9.1e6)]],
    }
    data = geojson({"type": "Feature", "properties": {"code": "11"}, "geometry": projected})
    with pytest.raises(BoundaryError, match=r"3 of 3 points .*\(EPSG:4326\)"):
        read_boundaries(data, "utm.geojson")


def test_boundary_error_is_a_value_error_and_a_setara_error() -> None:
    assert issubclass(BoundaryError, ValueError) and issubclass(BoundaryError, SetaraError)


def wkb_polygon(rings: list[list[tuple[float, ...]]], order: str = "<", kind: int = 3) -> bytes:
    dims = len(rings[0][0])
    out = struct.pack(f"{order}BII", 1 if order == "<" else 0, kind, len(rings))
    for ring in rings:
        out += struct.pack(f"{order}I", len(ring))
        out += struct.pack(f"{order}{len(ring) * dims}d", *(v for p in ring for v in p))
    return out


def gpkg_blob(wkb: bytes) -> bytes:
    """GeoPackage header: magic, version, flags (little-endian; envelope minx maxx miny maxy)."""
    return (
        b"GP"
        + bytes([0, 0b0000_0011])
        + struct.pack("<i", 4326)
        + struct.pack("<4d", 95, 96, 5, 6)
        + wkb
    )


def geopackage(tmp_path: Path, rows: list[tuple[str, bytes]]) -> bytes:
    path = tmp_path / "kabupaten.gpkg"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            "CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT);"
            "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT,"
            " geometry_type_name TEXT, srs_id INTEGER);"
            "INSERT INTO gpkg_contents VALUES ('kabupaten', 'features');"
            "INSERT INTO gpkg_geometry_columns VALUES ('kabupaten', 'geom', 'GEOMETRY', 4326);"
            'CREATE TABLE kabupaten (fid INTEGER PRIMARY KEY, geom BLOB, "KDKAB" TEXT);'
        )
        connection.executemany("INSERT INTO kabupaten (KDKAB, geom) VALUES (?, ?)", rows)
    connection.close()
    return path.read_bytes()


def test_geopackage_polygons_and_multipolygons_are_read(tmp_path: Path) -> None:
    square_z = [(x, y, 12.5) for x, y in SQUARE]
    multi_big_endian = struct.pack(">BII", 0, 6, 2) + wkb_polygon([SQUARE], ">") * 2
    data = geopackage(
        tmp_path,
        [
            ("1101", gpkg_blob(wkb_polygon([SQUARE]))),
            ("1102", gpkg_blob(multi_big_endian)),
            ("1103", gpkg_blob(wkb_polygon([square_z], kind=1003))),  # Polygon Z
        ],
    )
    boundaries = read_boundaries(data, "kabupaten.gpkg")
    assert boundaries.level == "regency"
    assert boundaries.features == {"11.01": [SQUARE], "11.02": [SQUARE, SQUARE], "11.03": [SQUARE]}


def test_geopackage_points_are_rejected(tmp_path: Path) -> None:
    point = struct.pack("<BIdd", 1, 1, 95.0, 5.0)
    data = geopackage(
        tmp_path, [("1101", gpkg_blob(wkb_polygon([SQUARE]))), ("1102", gpkg_blob(point))]
    )
    with pytest.raises(
        BoundaryError, match=r"1 of 2 features have geometry type 'Point' \(first at feature 2\)"
    ):
        read_boundaries(data, "kabupaten.gpkg")


# Maps and charts --------------------------------------------------------------------------


def test_quantile_breaks_match_numpy() -> None:
    values = [3.2, 7.7, 1.0, 9.9, 4.4, 4.4, 12.0, 0.5]
    expected = np.quantile(values, np.linspace(0, 1, 6))  # type 7, NumPy's default "linear"
    assert quantile_breaks([*values, None, float("nan")], 5) == pytest.approx(list(expected))
    assert quantile_breaks([2.0, 2.0], 5) == [2.0]
    assert quantile_breaks([], 5) == []


def test_map_is_an_accessible_image_with_one_region_per_drawn_province() -> None:
    root = parse(province_map({"11": 14.2}))
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("role") == "img" and root.get("width") == "800"
    assert title is not None and desc is not None
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Poverty headcount"
    assert root.get("viewBox", "").startswith("0 0 800 ")
    drawn = regions(province_map({"11": 14.2}))
    assert set(drawn) == set(province_boundaries().features)
    assert all(len(g.findall(f"{SVG}path")) == 1 for g in drawn.values())


def test_fills_follow_the_quantile_classes() -> None:
    codes = sorted(province_boundaries().features)
    svg = province_map({code: float(i) for i, code in enumerate(codes)})
    fills = {code: g.find(f"{SVG}path").get("fill") for code, g in regions(svg).items()}  # type: ignore[union-attr]
    # Breaks of 0..32 in five classes: 6.4, 12.8, 19.2, 25.6 (so 7, 6, 7, 6, 7 areas).
    assert Counter(fills.values()) == dict(zip(SEQUENTIAL, (7, 6, 7, 6, 7), strict=True))
    assert fills[codes[0]] == SEQUENTIAL[0] and fills[codes[6]] == SEQUENTIAL[0]
    assert fills[codes[7]] == SEQUENTIAL[1] and fills[codes[-1]] == SEQUENTIAL[-1]
    assert "0.0 to 6.4" in svg and "25.6 to 32.0" in svg


def test_missing_values_are_grey_and_named_no_data() -> None:
    svg = province_map({"11": 14.2, "31": None})
    drawn = regions(svg)
    jakarta = drawn["31"]
    assert jakarta.find(f"{SVG}path").get("fill") == NO_DATA  # type: ignore[union-attr]
    assert jakarta.findtext(f"{SVG}title") == "Daerah Khusus Ibukota Jakarta: no data"
    assert drawn["11"].findtext(f"{SVG}title") == "Aceh: 14.2"
    assert "No data" in svg


def test_unreliable_and_caution_estimates_are_patterned_and_named() -> None:
    svg = province_map(
        {"11": 14.2, "91": 26.0, "81": 16.1, "53": 20.0},
        flags={"11": "reliable", "91": "unreliable", "81": "caution", "53": "small n"},
    )
    root, drawn = parse(svg), regions(svg)
    pattern_ids = {p.get("id") for p in root.iter(f"{SVG}pattern")}

    def overlay(code: str) -> str | None:
        paths = drawn[code].findall(f"{SVG}path")
        return paths[1].get("fill") if len(paths) == 2 else None

    assert overlay("11") is None
    hatch, dots = overlay("91"), overlay("81")
    assert hatch and hatch.endswith("-hatch)") and hatch[5:-1] in pattern_ids
    assert dots and dots.endswith("-dots)") and dots[5:-1] in pattern_ids
    assert overlay("53") == hatch
    assert "(unreliable)" in (drawn["91"].findtext(f"{SVG}title") or "")
    assert "(use with caution)" in (drawn["81"].findtext(f"{SVG}title") or "")
    assert "(small n, unreliable)" in (drawn["53"].findtext(f"{SVG}title") or "")
    assert "Unreliable (hatched): Nusa Tenggara Timur, Papua." in svg


def test_provinces_inside_a_parent_are_listed_with_their_values() -> None:
    svg = province_map({"64": 6.1, "65": 7.0, "94": 30.5}, flags={"94": "unreliable"})
    text = " ".join(t.text or "" for t in parse(svg).iter(f"{SVG}text"))
    assert "Kalimantan Utara 7.0 (in Kalimantan Timur)" in text
    assert "Papua Tengah 30.5 (unreliable) (in Papua)" in text
    assert "Papua Selatan no data (in Papua)" in text
    tooltip = regions(svg)["64"].findtext(f"{SVG}title")
    assert tooltip == "Kalimantan Timur: 6.1; this area also covers Kalimantan Utara 7.0"


def test_no_inline_styles_and_only_basic_elements() -> None:
    for name, svg in all_charts().items():
        elements = list(parse(svg).iter())
        assert all("style" not in e.attrib for e in elements), name
        assert {tag(e) for e in elements} <= ALLOWED_TAGS, name
        assert "style=" not in svg and "<style" not in svg and "<script" not in svg, name


def test_user_text_is_escaped() -> None:
    label = '<script>alert("x")</script> & "Kota"\x00'
    rows = [{"label": label, "estimate": 1.0, "value": 1.0}]
    outputs = [
        dot_plot(rows, title=label, fmt=one),
        bar_chart(rows, title=label, fmt=one),
        line_chart(
            [{"name": label, "points": [(0, 0), (1, 1)]}], title=label, x_label=label, y_label="y"
        ),
        province_map({"11": 1.0}, names={"11": label}, title=label, legend_title=label),
    ]
    for svg in outputs:
        assert "<script" not in svg and "&lt;script&gt;" in svg
        root = parse(svg)
        assert root.findtext(f"{SVG}title") == label.replace("\x00", "")


def test_dot_plot_ranks_rows_and_grows_with_them() -> None:
    rows = [
        {
            "label": f"Kabupaten {i}",
            "estimate": i % 97,
            "ci_low": i % 97 - 1,
            "ci_high": i % 97 + 1,
            "reliability": "unreliable" if i == 5 else "reliable",
        }
        for i in range(514)
    ]
    rows.append({"label": "Kota Kosong", "estimate": None})
    root = parse(dot_plot(rows, title="P0", fmt=one, reference=40.0, reference_label="Indonesia"))
    assert root.get("viewBox") == f"0 0 800 {84 + 18 * 515 + 44}"
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "setara-row"]
    labels = [g.findtext(f"{SVG}text") for g in groups]
    assert len(groups) == 515 and labels[0] == "Kabupaten 96" and labels[-1] == "Kota Kosong"
    assert groups[-1].findall(f"{SVG}text")[1].text == "no data"
    hollow = [
        g
        for g in groups
        if (c := g.find(f"{SVG}circle")) is not None and c.get("fill") == "#ffffff"
    ]
    assert [g.findtext(f"{SVG}text") for g in hollow] == ["Kabupaten 5"]
    assert groups[0].findtext(f"{SVG}title") == "Kabupaten 96: 96.0, CI 95.0 to 97.0"
    assert any(t.text == "Indonesia 40.0" for t in root.iter(f"{SVG}text"))


def test_bar_chart_draws_error_bars_only_with_intervals() -> None:
    rows = [
        {"label": "Desil 1", "value": 3.0, "ci_low": 2.5, "ci_high": 3.5},
        {"label": "Desil 2", "value": 4.0},
    ]
    for orientation in ("vertical", "horizontal"):
        root = parse(bar_chart(rows, title="Share", fmt=one, orientation=orientation))  # type: ignore[arg-type]
        bars = [g for g in root.iter(f"{SVG}g") if g.get("class") == "setara-bar"]
        assert [len(g.findall(f"{SVG}line")) for g in bars] == [3, 0]  # whisker and two caps
        assert [g.findtext(f"{SVG}title") for g in bars] == [
            "Desil 1: 3.0, CI 2.5 to 3.5",
            "Desil 2: 4.0",
        ]


def test_lorenz_chart_has_a_line_of_equality() -> None:
    share = [0.0, 0.5, 1.0]
    root = parse(
        line_chart(
            [{"name": "2024", "points": list(zip(share, [0.0, 0.2, 1.0], strict=True))}],
            title="Lorenz",
            x_label="Population",
            y_label="Consumption",
            diagonal=True,
        )
    )
    polylines = list(root.iter(f"{SVG}polyline"))
    assert len(polylines) == 1 and polylines[0].get("points", "").count(",") == 3
    first, last = (
        polylines[0].get("points", "").split()[0],
        polylines[0].get("points", "").split()[-1],
    )
    diagonal = [ln for ln in root.iter(f"{SVG}line") if ln.get("stroke-dasharray") == "3 3"][-1]
    assert (diagonal.get("x1"), diagonal.get("y1")) == tuple(first.split(","))
    assert (diagonal.get("x2"), diagonal.get("y2")) == tuple(last.split(","))
    assert any(t.text == "Line of equality" for t in root.iter(f"{SVG}text"))


def contrast_on_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio of an sRGB colour against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_lines_and_text_have_enough_contrast() -> None:
    assert contrast_on_white(INK) >= 4.5 and contrast_on_white(MUTED) >= 4.5  # text
    assert all(contrast_on_white(c) >= 3 for c in (MARK, *SERIES_COLOURS))  # graphics


def test_fpdf2_draws_every_chart() -> None:
    fpdf = pytest.importorskip("fpdf")
    for name, svg in all_charts().items():
        pdf = fpdf.FPDF()
        pdf.add_page()
        pdf.image(io.BytesIO(svg.encode()), w=180)
        assert bytes(pdf.output()).startswith(b"%PDF"), name


def test_province_map_renders_repeatedly_with_the_same_output() -> None:
    values = {code: float(int(code) % 17) for code in province_boundaries().names}
    outputs = {province_map(values) for _ in range(100)}
    assert len(outputs) == 1


# Wording and translations -----------------------------------------------------------------

# Indonesian for every phrase, as the web app would pass from its message catalogue. Two keys
# are pure punctuation ("{value} ({note})" and "{status} ({marking}): {areas}.") and stay alike.
INDONESIAN = {
    "no_data": "tidak ada data",
    "no_data_legend": "Tidak ada data",
    "value_ci": "{value}, SK {low} sampai {high}",
    "value_flag": "{value} ({note})",
    "caution_note": "gunakan dengan hati-hati, RSE 25-50%",
    "unreliable_note": "tidak andal, RSE > 50%",
    "other_flag_note": "{flag}, tidak andal",
    "reliable_legend": "Andal",
    "caution_legend": "Gunakan dengan hati-hati, RSE 25-50%",
    "unreliable_legend": "Tidak andal, RSE > 50%",
    "range": "{low} sampai {high}",
    "also_covers": "{area}; wilayah ini juga mencakup {inner}",
    "inside_parent": "{area} (di {parent})",
    "inside_note": "Digambar di dalam poligon provinsi lain (batasnya lebih tua): {areas}.",
    "flagged_note": "{status} ({marking}): {areas}.",
    "dotted": "bertitik",
    "hatched": "berarsir",
    "line_of_equality": "Garis kesetaraan",
    "dot_plot": "Diagram titik",
    "bar_chart": "Diagram batang",
    "map_of": "Peta {measure}",
    "desc_empty": "{kind} dengan {rows} baris, tanpa nilai.",
    "desc_range": (
        "{kind} dengan {rows} baris, {known} bernilai, dari {low} ({low_label})"
        " sampai {high} ({high_label})."
    ),
    "desc_off_map": "{count} nilai untuk wilayah di luar peta ini.",
    "desc_lines": "Diagram garis {y_label} terhadap {x_label}: {series}",
    "desc_series": "{name} ({count} titik)",
}
VIZ_SOURCE = Path(words.__file__).parent


def literal_words(phrase: str) -> list[str]:
    """The fixed text of a phrase between placeholders, where it has letters (" to ", ...)."""
    parts = [text for text, *_field in string.Formatter().parse(phrase)]
    return [part for part in parts if re.search("[A-Za-z]", part)]


def every_phrase_charts() -> dict[str, str]:
    """Charts that between them need every phrase: flags of each kind, an area drawn inside
    another, missing values, a value off the map, a chart without values and a Lorenz curve."""
    rows = [
        {"label": "Aceh", "estimate": 14.2, "ci_low": 12.0, "ci_high": 16.4},
        {"label": "Maluku", "estimate": 16.1, "reliability": "caution"},
        {"label": "Papua", "estimate": 26.0, "reliability": "unreliable"},
        {"label": "Bali", "estimate": None},
    ]
    lorenz = [{"name": "2024", "points": [(0.0, 0.0), (0.5, 0.2), (1.0, 1.0)]}]
    return {
        "map": province_map(
            {"11": 14.2, "64": 6.1, "65": 7.0, "81": 16.1, "53": 20.0, "99": 1.0},
            flags={"81": "caution", "53": "small n"},
            title="Kemiskinan",
            legend_title="P0",
        ),
        "dots": dot_plot(rows, title="P0 per provinsi", fmt=one),
        "bars": bar_chart(rows, title="Kesenjangan", fmt=one),
        "empty": bar_chart([{"label": "Desil 1"}], title="Kosong", fmt=one),
        "lines": line_chart(
            lorenz, title="Lorenz", x_label="Penduduk", y_label="Konsumsi", diagonal=True
        ),
    }


def all_text(svg: str) -> str:
    """Titles, descriptions, tooltips and drawn text (footnote lines joined back up)."""
    return " ".join(part.strip() for part in parse(svg).itertext())


def test_every_phrase_is_translated_and_no_english_is_left() -> None:
    with use(INDONESIAN):
        text = " ".join(all_text(svg) for svg in every_phrase_charts().values())
    for key, phrase in INDONESIAN.items():
        for part in literal_words(phrase):
            assert part.strip() in text, (key, part)
        for part in literal_words(words.DEFAULT[key]):
            assert part not in text, (key, part)
    english = " ".join(all_text(svg) for svg in every_phrase_charts().values())
    assert all(p in english for phrase in words.DEFAULT.values() for p in literal_words(phrase))


def test_translated_legends_and_footnotes() -> None:
    with use(INDONESIAN):
        charts = every_phrase_charts()
    legend = [
        " ".join(g.itertext())
        for svg in charts.values()
        for g in parse(svg).iter(f"{SVG}g")
        if g.get("class") == "setara-legend-item"
    ]
    assert "Tidak ada data" in legend and "Andal" in legend
    assert "Gunakan dengan hati-hati, RSE 25-50%" in legend
    assert any(re.fullmatch(r"\d+\.\d sampai \d+\.\d", item) for item in legend)
    text = all_text(charts["map"])
    assert "Kalimantan Utara 7.0 (di Kalimantan Timur)" in text
    assert "Gunakan dengan hati-hati, RSE 25-50% (bertitik): Maluku." in text
    assert "Tidak andal, RSE > 50% (berarsir): Nusa Tenggara Timur." in text
    assert "Nusa Tenggara Timur: 20.0 (small n, tidak andal)" in text
    assert parse(charts["map"]).findtext(f"{SVG}desc", "").startswith("Peta P0 dengan 33 baris")
    assert any(t.text == "Garis kesetaraan" for t in parse(charts["lines"]).iter(f"{SVG}text"))


def test_partial_overlay_falls_back_to_english() -> None:
    with use({"range": "{low} s.d. {high}", "dotted": "bertitik"}):
        svg = province_map({"11": 14.2, "81": 16.1, "31": None}, flags={"81": "caution"})
        assert word("no_data") == "no data"
    legend = [
        " ".join(g.itertext())
        for g in parse(svg).iter(f"{SVG}g")
        if g.get("class") == "setara-legend-item"
    ]
    assert legend[0] == "14.2 s.d. 14.6" and not [item for item in legend if " to " in item]
    assert " to 16.1 (Maluku)." in (parse(svg).findtext(f"{SVG}desc") or "")  # not overlaid
    assert "No data" in svg and "Use with caution (bertitik): Maluku." in svg


def test_overlays_nest_and_are_restored_even_after_an_error() -> None:
    with use({"dotted": "bertitik", "hatched": "berarsir"}):
        with use({"hatched": "diarsir"}):
            assert (word("dotted"), word("hatched")) == ("bertitik", "diarsir")
        assert word("hatched") == "berarsir"
        with pytest.raises(RuntimeError), use({"dotted": "bertotol"}):
            assert word("dotted") == "bertotol"
            raise RuntimeError
        assert word("dotted") == "bertitik"
    assert (word("dotted"), word("hatched")) == ("dotted", "hatched")


def test_an_overlay_in_one_thread_does_not_reach_another() -> None:
    inside, done = threading.Event(), threading.Event()
    seen: list[str] = []

    def render_in_indonesian() -> None:
        with use(INDONESIAN):
            inside.set()
            done.wait(5)
            seen.append(word("no_data"))

    worker = threading.Thread(target=render_in_indonesian)
    worker.start()
    assert inside.wait(5)
    assert word("no_data") == "no data"  # while the worker's overlay is active
    done.set()
    worker.join(5)
    assert seen == ["tidak ada data"]


def test_placeholders_are_kept_and_may_be_reordered() -> None:
    assert word("range", low="2.2%", high="4.0%") == "2.2% to 4.0%"
    with use({"range": "{high} turun ke {low}"}):
        assert word("range", low="2.2%", high="4.0%") == "4.0% turun ke 2.2%"
    with (
        pytest.raises(ValueError, match=r"'inside_note' has placeholders \[\], expected"),
        use({"inside_note": "Digambar di dalam poligon provinsi lain."}),
    ):
        pass
    with (
        pytest.raises(ValueError, match=r"'range' is not a format string"),
        use({"range": "{low sampai {high}"}),
    ):
        pass
    with (
        pytest.raises(ValueError, match=r"unknown viz phrase keys \['no_dta'\]"),
        use({"no_dta": "tidak ada data"}),
    ):
        pass
    assert set(INDONESIAN) == set(words.DEFAULT)


def test_every_phrase_key_is_used_by_the_charts() -> None:
    source = "".join(
        (VIZ_SOURCE / name).read_text(encoding="utf-8") for name in ("svg.py", "draw.py")
    )
    assert [key for key in words.DEFAULT if f'"{key}"' not in source] == []
