"""Facilities and demand files: every format reads to the same table, and each kind of bad
row is refused with the column, the count and the first row."""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path

import polars as pl
import pytest

from setara.access import read_demand, read_facilities, validate_demand, validate_facilities
from setara.errors import ColumnNotFoundError, InputValueError, ReadError

FACILITIES = pl.DataFrame(
    {
        "id": ["P1", "P2", "P3"],
        "lat": [-6.2, -6.9, -7.25],
        "lon": [106.8, 107.6, 112.75],
        "type": ["puskesmas", "SD", "puskesmas"],
        "capacity": [3.0, 12.0, 5.0],
        "status": ["existing", "candidate", "existing"],
        "cost": [0.0, 1500.0, 0.0],
        "kode_wilayah": ["31.71", "32.73", "35.78.01.1001"],
    }
)


def _write_gpkg(path: Path, frame: pl.DataFrame, srs: int = 4326) -> None:
    """A minimal GeoPackage point layer written by hand (OGC 12-128r18 tables)."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE gpkg_contents (table_name TEXT, data_type TEXT, identifier TEXT)")
    con.execute(
        "CREATE TABLE gpkg_geometry_columns (table_name TEXT, column_name TEXT, "
        "geometry_type_name TEXT, srs_id INTEGER, z INTEGER, m INTEGER)"
    )
    con.execute("INSERT INTO gpkg_contents VALUES ('sites', 'features', 'sites')")
    con.execute(f"INSERT INTO gpkg_geometry_columns VALUES ('sites', 'geom', 'POINT', {srs}, 0, 0)")
    attrs = [c for c in frame.columns if c not in ("lat", "lon")]
    con.execute(f"CREATE TABLE sites (fid INTEGER PRIMARY KEY, geom BLOB, {', '.join(attrs)})")
    for row in frame.iter_rows(named=True):
        # header: magic, version 0, flags (little endian, no envelope), srs id; then WKB point
        blob = b"GP" + bytes([0, 1]) + struct.pack("<i", srs)
        blob += struct.pack("<BIdd", 1, 1, row["lon"], row["lat"])
        values = [row[c] for c in attrs]
        con.execute(
            f"INSERT INTO sites (geom, {', '.join(attrs)}) "
            f"VALUES (?, {', '.join('?' * len(attrs))})",
            [blob, *values],
        )
    con.commit()
    con.close()


def _write_geojson(path: Path, frame: pl.DataFrame) -> None:
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")},
        }
        for r in frame.iter_rows(named=True)
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx", "geojson", "gpkg"])
def test_every_format_reads_the_same_facilities(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"facilities.{suffix}"
    if suffix == "csv":
        FACILITIES.write_csv(path)
    elif suffix == "parquet":
        FACILITIES.write_parquet(path)
    elif suffix == "xlsx":
        FACILITIES.write_excel(path)
    elif suffix == "geojson":
        _write_geojson(path, FACILITIES)
    else:
        _write_gpkg(path, FACILITIES)
    got = read_facilities(path)
    expected = validate_facilities(FACILITIES)
    columns = ["id", "lat", "lon", "type", "capacity", "status", "cost", "kode_wilayah"]
    assert got.select(columns).to_dicts() == expected.select(columns).to_dicts()


def test_geopackage_in_a_projected_system_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utm.gpkg"
    _write_gpkg(path, FACILITIES, srs=32748)
    with pytest.raises(ReadError, match="EPSG:32748"):
        read_facilities(path)


def test_geojson_polygons_are_refused_with_their_count(tmp_path: Path) -> None:
    path = tmp_path / "areas.geojson"
    _write_geojson(path, FACILITIES)
    doc = json.loads(path.read_text())
    doc["features"][1]["geometry"] = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 1]]]}
    path.write_text(json.dumps(doc))
    with pytest.raises(
        ReadError, match=r"1 features that are not points in 3 \(first is feature 2"
    ):
        read_facilities(path)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"lat": [-6.2, None, None]}, r"'lat' has missing values: 2 in 3 rows \(first at row 2\)"),
        (
            {"lon": [106.8, 207.6, 112.75]},
            r"'lon' has values outside \[-180, 180\]: 1 in 3 rows \(first at row 2\)",
        ),
        (
            {"lat": [-6.2, -6.9, 95.0]},
            r"'lat' has values outside \[-90, 90\]: 1 in 3 rows \(first at row 3\)",
        ),
        ({"id": ["P1", "P2", "P1"]}, r"'id' has duplicate values: 2 in 3 rows \(first at row 1\)"),
        (
            {"capacity": [3.0, -1.0, 5.0]},
            r"'capacity' has missing or negative values: 1 in 3 rows \(first at row 2\)",
        ),
        (
            {"kode_wilayah": ["31.71", "99.01", "32.99"]},
            r"'kode_wilayah' has unknown codes: 2 in 3 rows \(first at row 2\)",
        ),
        (
            {"status": ["existing", "maybe", "existing"]},
            r"'status' has values other than existing, planned, candidate: "
            r"1 in 3 rows \(first at row 2\)",
        ),
        (
            {"lat": ["-6.2", "x", "-7.25"]},
            r"'lat' has text that is not a number: 1 in 3 rows \(first at row 2\)",
        ),
    ],
)
def test_bad_facility_rows_are_named(change: dict[str, list[object]], message: str) -> None:
    frame = FACILITIES.with_columns(pl.Series(k, v, strict=False) for k, v in change.items())
    with pytest.raises(InputValueError, match=message):
        validate_facilities(frame)


def test_defaults_and_missing_columns() -> None:
    bare = validate_facilities(FACILITIES.select("id", "lat", "lon"))
    assert bare["capacity"].to_list() == [1.0, 1.0, 1.0]
    assert bare["status"].to_list() == ["existing"] * 3
    with pytest.raises(ColumnNotFoundError, match="need columns lon"):
        validate_facilities(FACILITIES.drop("lon"))
    with pytest.raises(ColumnNotFoundError, match="need columns population"):
        validate_demand(FACILITIES.select("id", "lat", "lon"))


def test_negative_population_is_refused(tmp_path: Path) -> None:
    demand = pl.DataFrame(
        {"id": ["a", "b"], "lat": [0.0, 1.0], "lon": [100.0, 101.0], "population": [10.0, -3.0]}
    )
    path = tmp_path / "villages.csv"
    demand.write_csv(path)
    with pytest.raises(
        InputValueError, match=r"'population' has missing or negative values: 1 in 2"
    ):
        read_demand(path)
