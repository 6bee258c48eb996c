"""OpenStreetMap extracts: a small PBF written with pyosmium is read back into a network
whose times are computed here by hand."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import osmium
import pytest

from setara.access import NetworkCost, RoadNetwork, haversine_km
from setara.access.osm import read_osm_network
from setara.errors import ReadError

# island A: nodes 1-2-3 on a primary road (50 km/h), 3-4 residential (20 km/h, one way 3->4)
# island B: nodes 10-11 tertiary (30 km/h); a ferry way 3-5-10 with duration 1:30
NODES = {
    1: (0.0, 0.0),
    2: (0.0, 0.01),
    3: (0.0, 0.02),
    4: (0.0, 0.03),
    5: (0.0, 0.5),
    10: (0.0, 1.0),
    11: (0.0, 1.02),
    20: (0.0, 2.0),
}


@pytest.fixture(scope="module")
def pbf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("osm") / "tiny.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    for ref, (lat, lon) in NODES.items():
        writer.add_node(osmium.osm.mutable.Node(id=ref, location=(lon, lat), tags={}))
    ways = [
        (100, [1, 2, 3], {"highway": "primary"}),
        (101, [3, 4], {"highway": "residential", "oneway": "yes"}),
        (102, [10, 11], {"highway": "tertiary"}),
        (103, [3, 5, 10], {"route": "ferry", "duration": "1:30"}),
        (104, [11, 20], {"waterway": "river"}),  # not a road: ignored
    ]
    for ref, refs, tags in ways:
        writer.add_way(osmium.osm.mutable.Way(id=ref, nodes=refs, tags=tags))
    writer.close()
    return path


def _km(a: int, b: int) -> float:
    (la, oa), (lb, ob) = NODES[a], NODES[b]
    return float(haversine_km(np.array([la]), np.array([oa]), np.array([lb]), np.array([ob]))[0])


def test_pbf_tables(pbf: Path) -> None:
    nodes, edges, ferries = read_osm_network(pbf)
    assert sorted(nodes["id"].to_list()) == [1, 2, 3, 4, 5, 10, 11]  # 20 is on the river only
    assert edges.select("from", "to").rows() == [(1, 2), (2, 3), (3, 4), (10, 11)]
    assert edges["speed_kmh"].to_list() == [50.0, 50.0, 20.0, 30.0]
    assert edges["oneway"].to_list() == [False, False, True, False]
    assert ferries.rows() == [(3, 10, 90.0, 240.0)]


def test_pbf_network_times_by_hand(pbf: Path) -> None:
    net = RoadNetwork(*read_osm_network(pbf))
    at = [1, 4, 11]
    lat = np.array([NODES[r][0] for r in at])
    lon = np.array([NODES[r][1] for r in at])
    # one facility at node 4, the end of the one-way street 3 -> 4
    times = NetworkCost(net, lat, lon, lat[1:2], lon[1:2]).nearest()
    road = (_km(1, 2) + _km(2, 3)) / 50 * 60
    street = _km(3, 4) / 20 * 60
    ferry = 90 + 240 / 2  # sailing plus half the default 4-hour headway
    expected = [road + street, 0.0, _km(10, 11) / 30 * 60 + ferry + street]
    np.testing.assert_allclose(times, expected, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(
        NetworkCost(net, lat, lon, lat[1:2], lon[1:2]).pairs(1_000).minutes, expected, rtol=1e-9
    )
    # travel runs from the village to the facility: from node 4 no one can drive against the
    # one-way street to a facility at node 1
    back = NetworkCost(net, lat[1:2], lon[1:2], lat[:1], lon[:1])
    assert np.isinf(back.nearest()[0]) and back.pairs(1_000).minutes.size == 0


def test_not_an_osm_file(tmp_path: Path) -> None:
    bad = tmp_path / "x.osm.pbf"
    bad.write_bytes(b"not a pbf")
    with pytest.raises(ReadError, match="cannot read"):
        read_osm_network(bad)


def test_cli_reads_the_pbf(pbf: Path, tmp_path: Path) -> None:
    import polars as pl
    from click.testing import CliRunner

    from setara.cli import cli

    demand = pl.DataFrame(
        {"id": ["a", "b"], "lat": [0.0, 0.0], "lon": [0.0, 1.02], "population": [10.0, 20.0]}
    )
    facilities = pl.DataFrame({"id": ["x"], "lat": [0.0], "lon": [0.03]})
    demand.write_csv(tmp_path / "d.csv")
    facilities.write_csv(tmp_path / "f.csv")
    crossings = pl.DataFrame(
        {"from": [10], "to": [3], "minutes": [30.0], "departures_per_day": [12.0]}
    )
    crossings.write_csv(tmp_path / "ferries.csv")
    base = [
        "access",
        "--facilities",
        str(tmp_path / "f.csv"),
        "--demand",
        str(tmp_path / "d.csv"),
        "--measure",
        "nearest",
        "--per",
        "demand",
        "--format",
        "csv",
        "--cost",
        f"network:{pbf}",
    ]
    osm_only = CliRunner().invoke(cli, base, catch_exceptions=False)
    with_table = CliRunner().invoke(
        cli, [*base, "--ferries", str(tmp_path / "ferries.csv")], catch_exceptions=False
    )
    first = pl.read_csv(osm_only.output.encode())["value"].to_list()
    second = pl.read_csv(with_table.output.encode())["value"].to_list()
    street = _km(3, 4) / 20 * 60
    road = (_km(1, 2) + _km(2, 3)) / 50 * 60 + street
    tertiary = _km(10, 11) / 30 * 60
    np.testing.assert_allclose(first, [road, tertiary + 90 + 120 + street], rtol=1e-9)
    # the table's crossing (30 min sailing, every hour over 12 hours: 30 min wait) is faster
    np.testing.assert_allclose(second, [road, tertiary + 30 + 30 + street], rtol=1e-9)
