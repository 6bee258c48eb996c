"""Travel times: haversine against GeographicLib's ellipsoidal geodesics, the k-d tree search
against brute force, OD matrices and road networks against hand-built cases."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from setara.access import GreatCircle, MatrixCost, NetworkCost, RoadNetwork, haversine_km
from setara.access.travel import nearest_from_pairs
from setara.access.world import synthetic_archipelago
from setara.errors import InputValueError

DATA = Path(__file__).parents[1] / "data" / "access"
# The mean-radius sphere differs from the WGS 84 ellipsoid by at most ~0.56 % of the distance
# (flattening 1/298.257: the meridian radius of curvature runs from 6,335 to 6,400 km); the
# table's pairs, mostly near the equator, stay within 0.6 %.
SPHERE_VS_ELLIPSOID = 0.006


def test_haversine_against_geodesic_table() -> None:
    table = pl.read_csv(DATA / "geodesic_reference.csv")
    km = haversine_km(*(table[c].to_numpy() for c in ("lat1", "lon1", "lat2", "lon2")))
    relative = np.abs(km / table["geodesic_km"].to_numpy() - 1)
    assert relative.max() < SPHERE_VS_ELLIPSOID
    # GeographicLib's documented example: JFK to LHR is 5,551.7594 km on WGS 84
    assert table["geodesic_km"][0] == pytest.approx(5551.7594, abs=1e-4)
    # and the sphere is not the ellipsoid: the error is real, not zero
    assert relative.max() > 0.001


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), cutoff=st.floats(1.0, 400.0))
def test_tree_search_equals_brute_force(seed: int, cutoff: float) -> None:
    rng = np.random.default_rng(seed)
    d_lat, d_lon = rng.uniform(-11, 6, 40), rng.uniform(95, 141, 40)
    f_lat, f_lon = rng.uniform(-11, 6, 15), rng.uniform(95, 141, 15)
    cost = GreatCircle(d_lat, d_lon, f_lat, f_lon, speed_kmh=40, circuity=1.3)
    dense = haversine_km(d_lat[:, None], d_lon[:, None], f_lat[None, :], f_lon[None, :])
    minutes = dense * 1.3 / 40 * 60
    np.testing.assert_allclose(cost.nearest(), minutes.min(axis=1), rtol=1e-9)
    pairs = cost.pairs(cutoff)
    got = np.full(minutes.shape, np.nan)
    got[pairs.demand, pairs.facility] = pairs.minutes
    expected = np.where(minutes <= cutoff, minutes, np.nan)
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    subset = np.array([1, 4, 7])
    np.testing.assert_allclose(cost.nearest(subset), minutes[:, subset].min(axis=1), rtol=1e-9)


def test_speed_and_circuity_are_checked() -> None:
    one = np.array([0.0])
    with pytest.raises(InputValueError, match="circuity must be 1 or more"):
        GreatCircle(one, one, one, one, circuity=0.8)
    with pytest.raises(InputValueError, match="speed_kmh must be a positive number"):
        GreatCircle(one, one, one, one, speed_kmh=0)


def test_matrix_cost_and_unknown_ids() -> None:
    matrix = pl.DataFrame(
        {"origin": ["a", "a", "b"], "destination": ["x", "y", "y"], "minutes": [30.0, 10.0, 70.0]}
    )
    cost = MatrixCost(matrix, pl.Series(["a", "b", "c"]), pl.Series(["x", "y"]))
    np.testing.assert_array_equal(cost.nearest(), [10.0, 70.0, np.inf])
    np.testing.assert_array_equal(cost.nearest(np.array([0])), [30.0, np.inf, np.inf])
    assert cost.pairs(60).minutes.tolist() == [30.0, 10.0]
    bad = matrix.with_columns(pl.Series("origin", ["a", "q", "r"]))
    with pytest.raises(
        InputValueError, match=r"'origin' has 2 ids in 3 rows .*\(first at row 2: 'q'\)"
    ):
        MatrixCost(bad, pl.Series(["a", "b"]), pl.Series(["x", "y"]))


def _line_network(ferry: bool) -> RoadNetwork:
    """Two islands: a-b-c on one (5 and 7 minutes), d-e on the other (4 minutes); with
    ``ferry`` c-d sails 60 minutes four times in 12 hours (wait = 180 / 2 = 90 minutes)."""
    nodes = pl.DataFrame(
        {"id": list("abcde"), "lat": [0.0] * 5, "lon": [0.0, 0.05, 0.1, 1.0, 1.05]}
    )
    edges = pl.DataFrame(
        {"from": ["a", "b", "d"], "to": ["b", "c", "e"], "minutes": [5.0, 7.0, 4.0]}
    )
    ferries = pl.DataFrame(
        {"from": ["c"], "to": ["d"], "minutes": [60.0], "departures_per_day": [4]}
    )
    return RoadNetwork(nodes, edges, ferries if ferry else None)


def test_network_times_equal_hand_computed_dijkstra() -> None:
    net = _line_network(ferry=True)
    # demand exactly on nodes a, c and e; one facility on node a
    cost = NetworkCost(net, np.zeros(3), np.array([0.0, 0.1, 1.05]), np.zeros(1), np.zeros(1))
    np.testing.assert_allclose(cost.nearest(), [0.0, 12.0, 12.0 + 60 + 90 + 4], atol=1e-6)
    pairs = cost.pairs(100.0)
    assert sorted(pairs.demand.tolist()) == [0, 1]
    np.testing.assert_allclose(np.sort(pairs.minutes), [0.0, 12.0], atol=1e-6)


def test_island_without_ferry_is_unreachable_not_near() -> None:
    net = _line_network(ferry=False)
    # the village on the second island is 0.9 degrees (about 100 km) from the facility
    cost = NetworkCost(net, np.zeros(2), np.array([0.05, 1.0]), np.zeros(1), np.zeros(1))
    times = cost.nearest()
    assert times[0] == pytest.approx(5.0)
    assert np.isinf(times[1])
    assert cost.pairs(10_000).demand.tolist() == [0]


def test_snapping_stops_at_the_maximum_distance() -> None:
    net = _line_network(ferry=False)
    # 0.5 degrees of longitude from every node: about 55 km of sea
    cost = NetworkCost(
        net, np.zeros(1), np.array([0.55]), np.zeros(1), np.zeros(1), max_snap_km=2.0
    )
    assert cost.unsnapped() == (1, 0)
    assert np.isinf(cost.nearest()[0])
    near = NetworkCost(
        net,
        np.zeros(1),
        np.array([0.06]),
        np.zeros(1),
        np.zeros(1),
        max_snap_km=2.0,
        connector_kmh=5.0,
    )
    walk_km = haversine_km(np.zeros(1), np.array([0.06]), np.zeros(1), np.array([0.05]))[0]
    assert near.nearest()[0] == pytest.approx(5.0 + walk_km / 5.0 * 60)


def test_ferry_wait_is_half_the_headway() -> None:
    table = pl.DataFrame({"departures_per_day": [4.0, 12.0], "minutes": [60.0, 30.0]})
    np.testing.assert_allclose(RoadNetwork.ferry_wait(table), [90.0, 30.0])
    np.testing.assert_allclose(RoadNetwork.ferry_wait(table, service_hours=24), [180.0, 60.0])
    with pytest.raises(InputValueError, match="1 missing or non-positive frequencies in 1 rows"):
        RoadNetwork.ferry_wait(pl.DataFrame({"departures_per_day": [0.0]}))


def test_network_pairs_and_nearest_agree_with_dense_dijkstra() -> None:
    from scipy.sparse.csgraph import dijkstra

    nodes, edges, ferries = synthetic_archipelago(
        islands=3, side=6, ferries=[(0, 1)], rng=np.random.default_rng(5)
    )
    net = RoadNetwork(nodes, edges, ferries)
    rng = np.random.default_rng(6)
    # facilities on islands 0 and 1 (nodes 0-71), which the ferry joins; island 2 has none
    d_at, f_at = rng.integers(0, nodes.height, 30), rng.integers(0, 72, 4)
    lat, lon = nodes["lat"].to_numpy(), nodes["lon"].to_numpy()
    cost = NetworkCost(net, lat[d_at], lon[d_at], lat[f_at], lon[f_at])
    full = dijkstra(net.graph, directed=True, indices=f_at)  # facilities x nodes
    expected = full[:, d_at].min(axis=0)
    np.testing.assert_allclose(cost.nearest(), expected, atol=1e-6)
    on_island_2 = nodes["island"].to_numpy()[d_at] == 2
    assert on_island_2.sum() > 0
    assert np.isinf(cost.nearest()[on_island_2]).all()
    assert np.isfinite(cost.nearest()[~on_island_2]).all()
    pairs = cost.pairs(120.0)
    got = np.full((30, 4), np.inf)
    got[pairs.demand, pairs.facility] = pairs.minutes
    dense = full[:, d_at].T
    np.testing.assert_allclose(got, np.where(dense <= 120.0, dense, np.inf), atol=1e-6)
    np.testing.assert_allclose(
        nearest_from_pairs(pairs), np.where(expected <= 120, expected, np.inf), atol=1e-6
    )
