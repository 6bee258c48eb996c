"""The demo's road network: roads never cross the sea, a few ferries join islands of NTT and
Maluku that have no puskesmas to islands that have one, and with the network their villages
reach a puskesmas only by ferry while islands with neither stay unreachable."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from services import compute, costs
from services.demo import (
    FERRY_MAX_KM,
    ROAD_CIRCUITY,
    ROAD_MAX_KM,
    _islands,
    demo_network,
    demo_places,
)

from setara.access import access_values, haversine_km


@pytest.fixture(scope="module")
def world() -> dict[str, pl.DataFrame]:
    demand, supply = demo_places(villages=3_000, rng=np.random.default_rng(5))
    nodes, edges, ferries = demo_network(demand, supply)
    return {"demand": demand, "supply": supply, "nodes": nodes, "edges": edges, "ferries": ferries}


def _island_of(world: dict[str, pl.DataFrame]) -> dict[str, int]:
    demand = world["demand"]
    return dict(zip(demand["id"].to_list(), _islands(demand).tolist(), strict=True))


def test_roads_stay_on_their_island(world: dict[str, pl.DataFrame]) -> None:
    edges, island = world["edges"], _island_of(world)
    both = edges.filter(pl.col("from").str.starts_with("DS") & pl.col("to").str.starts_with("DS"))
    assert both.height > edges.height // 2  # the rest join a facility to its neighbours
    assert [island[a] for a in both["from"]] == [island[b] for b in both["to"]]
    assert edges["length_km"].max() <= ROAD_MAX_KM * ROAD_CIRCUITY
    assert set(edges["from"]) | set(edges["to"]) <= set(world["nodes"]["id"])


def test_ferries_join_islands_without_a_puskesmas_to_islands_with_one(
    world: dict[str, pl.DataFrame],
) -> None:
    ferries, nodes, supply = world["ferries"], world["nodes"], world["supply"]
    assert 1 <= ferries.height <= 4
    where = {k: (a, b) for k, a, b in nodes.select("id", "lat", "lon").rows()}
    a = np.array([where[i] for i in ferries["from"]])
    b = np.array([where[i] for i in ferries["to"]])
    km = haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    assert (km <= FERRY_MAX_KM).all()
    assert ferries["minutes"].to_list() == np.round(km / 20.0 * 60).tolist()
    pkm = supply.filter((pl.col("type") == "puskesmas") & (pl.col("status") == "existing"))
    assert not set(ferries["from"]) & set(pkm["id"])


def test_ferried_islands_reach_a_puskesmas_only_by_ferry(world: dict[str, pl.DataFrame]) -> None:
    demand, supply = world["demand"], world["supply"]
    tables = {k: world[k] for k in ("nodes", "edges", "ferries")}
    travel = costs.Travel("network", tables)
    result = compute.access_result(
        demand, supply, threshold=60.0, speed_kmh=30.0, circuity=1.3,
        facility_type="puskesmas", travel=travel,
    )  # fmt: skip
    roads = costs.Travel("network", {k: tables[k] for k in ("nodes", "edges")})
    by_road = compute.access_result(
        demand, supply, threshold=60.0, speed_kmh=30.0, circuity=1.3,
        facility_type="puskesmas", travel=roads,
    )  # fmt: skip
    only = result["travel"]["ferry_only"]
    assert only["villages"] > 0 and only["people"] > 0
    # The people the ferries bring within reach are exactly those no road reaches.
    population = demand["population"].sum()
    gained = by_road["overall"]["unreachable_share"] - result["overall"]["unreachable_share"]
    assert gained * population == pytest.approx(only["people"], rel=1e-9)
    # Every ferry-only village lies on an island a ferry leaves from.
    island = _island_of(world)
    ferried = {island[f] for f in world["ferries"]["from"] if f in island}
    minutes = access_values(
        demand, supply, costs.travel_cost(demand, supply, travel, speed_kmh=30, circuity=1)[0],
        ["nearest"], facility_type="puskesmas",
    )["nearest"].to_numpy()  # fmt: skip
    no_road = ~np.isfinite(
        access_values(
            demand, supply, costs.travel_cost(demand, supply, roads, speed_kmh=30, circuity=1)[0],
            ["nearest"], facility_type="puskesmas",
        )["nearest"].to_numpy()
    )  # fmt: skip
    rescued = np.flatnonzero(np.isfinite(minutes) & no_road)
    assert rescued.size == only["villages"]
    assert {island[demand["id"][int(i)]] for i in rescued} <= ferried
