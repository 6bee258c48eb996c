"""Travel models in the public-services section: an uploaded origin-destination matrix or road
network with ferries, checked by the library at upload (nothing stored on a bad table), used by
the worker, described on the result page, and giving the library's own values."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from audit.models import AuditEvent
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from services import actions, compute, costs
from services.models import TravelModel

from setara.access import (
    NetworkCost,
    RoadNetwork,
    access_values,
    build_cost,
    site_places,
    synthetic_archipelago,
    validate_demand,
    validate_facilities,
)
from setara.errors import SetaraError

# Three islands 1 degree apart (no road crosses the sea); a ferry joins islands 0 and 1, whose
# villages reach a facility only by it; island 2 has neither a facility nor a ferry.
SAIL, DEPARTURES = 90.0, 4.0


def archipelago() -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return synthetic_archipelago(
        islands=3, side=6, spacing_km=2.0, ferries=((0, 1),), ferry_minutes=SAIL,
        departures_per_day=DEPARTURES, rng=np.random.default_rng(3),
    )  # fmt: skip


def places() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A village at every node (population 100 + node id, poor a tenth); two puskesmas on
    island 0 and a candidate on islands 1 and 2."""
    nodes = archipelago()[0]
    k = np.arange(nodes.height)
    demand = pl.DataFrame(
        {
            "id": [f"V{i:03d}" for i in k],
            "lat": nodes["lat"],
            "lon": nodes["lon"],
            "population": 100.0 + k,
            "poor": np.round((100.0 + k) / 10),
            "urban": k % 3 == 0,
            "is_3t": nodes["island"].to_numpy() == 2,
            "island": nodes["island"].cast(pl.String),
        }
    )
    at = [0, 14, 36 + 14, 72 + 14]  # node rows: two on island 0, one on islands 1 and 2
    facilities = pl.DataFrame(
        {
            "id": ["P1", "P2", "C1", "C2"],
            "lat": nodes["lat"].gather(at),
            "lon": nodes["lon"].gather(at),
            "type": ["puskesmas"] * 4,
            "capacity": [3.0, 2.0, 2.0, 2.0],
            "status": ["existing", "existing", "candidate", "candidate"],
            "cost": [0.0, 0.0, 500.0, 400.0],
        }
    )
    return validate_demand(demand), validate_facilities(facilities)


def network_travel(ferries: bool = True) -> costs.Travel:
    nodes, edges, ferry = archipelago()
    tables = {"nodes": nodes.drop("island"), "edges": edges}
    return costs.Travel("network", {**tables, **({"ferries": ferry} if ferries else {})})


def matrix() -> pl.DataFrame:
    """Village -> facility minutes: only P1, 10 + the village number of minutes."""
    demand, _ = places()
    return pl.DataFrame(
        {"origin": demand["id"], "destination": "P1", "minutes": 10.0 + np.arange(demand.height)}
    )


def _library_nearest(travel: costs.Travel) -> np.ndarray:
    demand, facilities = places()
    tables = [travel.tables[t] for t in costs.table_names("network") if t in travel.tables]
    cost = NetworkCost(
        RoadNetwork(*tables),
        demand["lat"].to_numpy(), demand["lon"].to_numpy(),
        facilities["lat"].to_numpy(), facilities["lon"].to_numpy(), max_snap_km=costs.MAX_SNAP_KM,
    )  # fmt: skip
    return access_values(demand, facilities, cost, ["nearest"])["nearest"].to_numpy()


def test_network_access_equals_the_library_and_counts_ferry_only_villages() -> None:
    demand, facilities = places()
    travel = network_travel()
    result = compute.access_result(
        demand, facilities, threshold=300.0, speed_kmh=30.0, circuity=1.2,
        region_column="island", groups=["poor"], travel=travel,
    )  # fmt: skip
    minutes = _library_nearest(travel)
    island = demand["island"].to_numpy()
    assert np.isfinite(minutes[island == "1"]).all() and np.isinf(minutes[island == "2"]).all()
    # The crossing costs its sailing time plus half the headway (12 h / 4 departures / 2).
    assert minutes[island == "1"].min() > SAIL + 12 * 60 / DEPARTURES / 2
    by_island = {r["region"]: r for r in result["regions"]}
    for code in ("0", "1", "2"):
        part = island == code
        people = demand["population"].to_numpy()[part]
        reach = np.isfinite(minutes[part])
        beyond = ~(minutes[part] <= 300.0)
        assert by_island[code]["beyond_share"] == pytest.approx(
            (people * beyond).sum() / people.sum(), rel=1e-12
        )
        if reach.any():
            mean = (people[reach] * minutes[part][reach]).sum() / people[reach].sum()
            assert by_island[code]["mean_minutes"] == pytest.approx(mean, rel=1e-12)
    assert by_island["2"]["unreachable_share"] == 1.0
    described = result["travel"]
    assert described["kind"] == "network" and described["ferries"] == 1
    assert (described["nodes"], described["edges"]) == (108, 180)
    assert (described["off_road_villages"], described["off_road_facilities"]) == (0, 0)
    ferry_villages = island == "1"
    assert described["ferry_only"] == {
        "villages": int(ferry_villages.sum()),
        "people": float(demand["population"].to_numpy()[ferry_villages].sum()),
    }
    # Without the ferry island 1 is as cut off as island 2.
    roads = compute.access_result(
        demand, facilities, threshold=300.0, speed_kmh=30.0, circuity=1.2,
        region_column="island", travel=network_travel(ferries=False),
    )  # fmt: skip
    assert {r["region"]: r for r in roads["regions"]}["1"]["unreachable_share"] == 1.0
    assert "ferry_only" not in roads["travel"]


def test_matrix_access_and_siting_equal_the_library() -> None:
    demand, facilities = places()
    travel = costs.Travel("matrix", {"matrix": matrix()})
    result = compute.access_result(
        demand, facilities, threshold=60.0, speed_kmh=30.0, circuity=1.2,
        region_column="island", travel=travel,
    )  # fmt: skip
    assert result["travel"] == {"kind": "matrix", "pairs": demand.height}
    minutes = 10.0 + np.arange(demand.height)
    people = demand["population"].to_numpy()
    overall = result["overall"]
    assert overall["beyond_share"] == pytest.approx(people[minutes > 60].sum() / people.sum())
    assert overall["mean_minutes"] == pytest.approx((people * minutes).sum() / people.sum())
    # Siting on the network: the scenario's plan is the library's plan on the same cost.
    plan = compute.siting_result(
        demand, facilities, model="mclp", minutes=240.0, p=1, budget=None,
        speed_kmh=30.0, circuity=1.2, groups=["is_3t"], travel=network_travel(),
    )  # fmt: skip
    cost = build_cost(demand, facilities, cost="network", network=network_travel().network())
    library = site_places(demand, facilities, cost, model="mclp", minutes=240.0, p=1)
    assert [s["id"] for s in plan["sites"]] == facilities["id"].gather(library.chosen).to_list()
    assert plan["objective"] == pytest.approx(library.objective)
    assert plan["coverage"]["covered_after"] == pytest.approx(people[library.covered_after].sum())
    assert plan["travel"]["kind"] == "network"


@pytest.mark.parametrize(
    ("kind", "tables", "words"),
    [
        ("matrix", {"matrix": pl.DataFrame({"origin": ["a"], "minutes": [1.0]})}, "destination"),
        ("matrix", {"matrix": pl.DataFrame({"origin": ["a", "b"], "destination": ["x", "x"],
                                            "minutes": [1.0, -2.0]})},
         "1 missing or negative values in 2 rows"),
        ("matrix", {"matrix": pl.DataFrame({"origin": ["a", "a"], "destination": ["x", "x"],
                                            "minutes": [1.0, 2.0]})}, "repeating"),
        ("network", {"nodes": archipelago()[0]}, "edges"),
        ("network", {"nodes": archipelago()[0],
                     "edges": archipelago()[1].with_columns(pl.lit("999").alias("to"))},
         "'to' has 180 ids"),
        ("network", {"nodes": archipelago()[0], "edges": archipelago()[1],
                     "ferries": archipelago()[2].drop("departures_per_day")},
         "departures_per_day"),
    ],
)  # fmt: skip
def test_bad_tables_are_refused_with_the_library_message(
    kind: str, tables: dict[str, pl.DataFrame], words: str
) -> None:
    with pytest.raises(SetaraError, match=words):
        costs.check_tables(kind, tables)


def _csv(frame: pl.DataFrame, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, frame.write_csv().encode(), content_type="text/csv")


def _network_files(ferry: pl.DataFrame | None = None) -> dict[str, Any]:
    nodes, edges, ferries = archipelago()
    return {
        "nodes": _csv(nodes.drop("island"), "simpul.csv"),
        "edges": _csv(edges, "jalan.csv"),
        "ferries": _csv(ferries if ferry is None else ferry, "feri.csv"),
    }


@pytest.fixture
def network_world(world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Alpha's villages, facilities and road network with its ferry, and an access analysis
    and a siting scenario run on it."""
    analyst = get_user_model().objects.get(username="analyst")
    alpha = world["agencies"]["alpha"]
    demand, facilities = places()
    with django_capture_on_commit_callbacks(execute=True):
        fac = actions.upload_places(
            analyst, alpha, kind="facilities", uploaded=_csv(facilities, "pkm.csv")
        )
        dem = actions.upload_places(
            analyst, alpha, kind="villages", uploaded=_csv(demand, "desa.csv")
        )
        travel = actions.upload_travel(
            analyst, alpha, kind="network", files=_network_files(), name="Jalan dan feri"
        )
    access = actions.create_access(
        analyst, fac, dem, title="By road and ferry", threshold=300.0, region_column="island",
        groups=["poor", "is_3t"], travel=travel, run_now=True,
    )  # fmt: skip
    siting = actions.create_siting(
        analyst, fac, dem, title="One new puskesmas by road", model="mclp", minutes=240.0, p=1,
        groups=["is_3t"], travel=travel, run_now=True,
    )  # fmt: skip
    return {"travel": travel, "access": access, "siting": siting, "alpha": alpha}


def test_worker_uses_the_uploaded_network(network_world: dict[str, Any]) -> None:
    travel, job = network_world["travel"], network_world["access"]
    assert travel.counts == {"nodes": 108, "edges": 180, "ferries": 1}
    for relative in travel.paths.values():
        assert (Path(settings.STORAGE_DIR) / relative).exists()
    assert job.status == "done", job.error
    demand, facilities = places()
    expected = compute.access_result(
        demand, facilities, threshold=300.0, speed_kmh=job.speed_kmh, circuity=job.circuity,
        region_column="island", groups=["poor", "is_3t"], travel=network_travel(),
    )  # fmt: skip
    stored = json.loads(json.dumps(job.result))
    assert stored["regions"] == json.loads(json.dumps(expected["regions"]))
    assert stored["travel"]["ferry_only"]["villages"] == 36
    assert network_world["siting"].status == "done", network_world["siting"].error
    assert network_world["siting"].result["travel"]["kind"] == "network"


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["road network Jalan dan feri", "1 ferry route", "36 villages", "only by ferry"]),
        (
            "id",
            [
                "jaringan jalan Jalan dan feri",
                "1 rute feri",
                "36 desa",
                "hanya dapat mencapai fasilitas dengan feri",
            ],
        ),
    ],
)
def test_result_pages_name_the_travel_model(
    network_world: dict[str, Any], as_persona: Any, language: str, words: list[str]
) -> None:
    from agencies.actions import set_language

    set_language(get_user_model().objects.get(username="analyst"), language)
    client = as_persona("analyst")
    for kind in ("access", "siting"):
        page = client.get(f"/services/{kind}/{network_world[kind].pk}/")
        text = page.content.decode()
        assert page.status_code == 200
        assert words[0] in text and words[1] in text
        if kind == "access":
            assert words[2] in text and words[3] in text, text[text.find("travel-notes") :][:600]
    detail = client.get(f"/services/files/travel/{network_world['travel'].pk}/")
    assert detail.status_code == 200 and "feri.csv" in detail.content.decode()


def test_bad_ferries_table_stores_nothing(world: dict[str, Any], as_persona: Any) -> None:
    ferries = archipelago()[2].with_columns(pl.lit(0.0).alias("departures_per_day"))
    stored = sorted(Path(settings.STORAGE_DIR).rglob("travel-*"))
    events = AuditEvent.objects.count()
    client = as_persona("analyst")
    events = AuditEvent.objects.count()  # signing in is audited
    response = client.post(
        "/services/travel/upload/",
        {"agency": world["agencies"]["alpha"].pk, "kind": "network", **_network_files(ferries)},
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "1 missing or non-positive frequencies in 1 rows" in text and "feri.csv" in text
    assert "Traceback" not in text
    assert TravelModel.objects.count() == 0 and AuditEvent.objects.count() == events
    assert sorted(Path(settings.STORAGE_DIR).rglob("travel-*")) == stored


def test_upload_page_and_form_choose_the_travel_model(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    alpha = world["agencies"]["alpha"].pk
    missing = client.post("/services/travel/upload/", {"agency": alpha, "kind": "network"})
    assert missing.status_code == 400 and TravelModel.objects.count() == 0
    buffer = io.BytesIO()
    matrix().write_parquet(buffer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/services/travel/upload/",
            {"agency": alpha, "kind": "matrix", "name": "OSRM",
             "matrix": SimpleUploadedFile("od.parquet", buffer.getvalue())},
        )  # fmt: skip
    assert response.status_code == 302
    stored = TravelModel.objects.get()
    assert (stored.kind, stored.counts) == ("matrix", {"pairs": 108})
    assert AuditEvent.objects.filter(object_type="travelmodel", object_id=str(stored.pk)).exists()
    form = client.get("/services/access/new/").content.decode()
    assert f'<option value="{stored.pk}">OSRM</option>' in form
    # Someone who cannot read the model cannot run with it (404 like any hidden object).
    outsider = as_persona("outsider")
    assert outsider.get(f"/services/files/travel/{stored.pk}/").status_code == 404
    body = {"title": "x", "facility_set": 1, "demand_set": 1, "travel": stored.pk}
    answer = outsider.post("/api/services/access", data=json.dumps(body),
                           content_type="application/json")  # fmt: skip
    assert answer.status_code == 404


def test_api_runs_with_the_travel_model(
    network_world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from services.models import AccessAnalysis
    from services.tasks import run_access

    client = as_persona("analyst")
    job = network_world["access"]
    body = {
        "title": "API by road", "facility_set": job.facility_set_id,
        "demand_set": job.demand_set_id, "travel": network_world["travel"].pk,
        "threshold": 300.0, "region_column": "island", "groups": ["poor", "is_3t"],
    }  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        created = client.post("/api/services/access", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["travel"] == network_world["travel"].pk
    pk = created.json()["id"]
    assert run_access.call(pk) == "done"
    ran = AccessAnalysis.objects.get(pk=pk)
    assert ran.result["regions"] == job.result["regions"]
    assert ran.result["travel"] == job.result["travel"]
    detail = client.get(f"/api/services/access/{job.pk}").json()
    assert detail["travel"] == network_world["travel"].pk


# A tiny OpenStreetMap extract in NTT: a primary road 1-2-3 and a ferry (1:30) from 3 to
# island B's tertiary road 10-11.
OSM_NODES = {1: (-8.0, 120.0), 2: (-8.0, 120.01), 3: (-8.0, 120.02), 5: (-8.0, 120.5),
             10: (-8.0, 121.0), 11: (-8.0, 121.02)}  # fmt: skip


def _pbf(folder: Path) -> Path:
    import osmium

    path = folder / "ntt.osm.pbf"
    writer = osmium.SimpleWriter(str(path))
    for ref, (lat, lon) in OSM_NODES.items():
        writer.add_node(osmium.osm.mutable.Node(id=ref, location=(lon, lat), tags={}))
    ways = [
        (100, [1, 2, 3], {"highway": "primary"}),
        (102, [10, 11], {"highway": "tertiary"}),
        (103, [3, 5, 10], {"route": "ferry", "duration": "1:30"}),
    ]
    for ref, refs, tags in ways:
        writer.add_way(osmium.osm.mutable.Way(id=ref, nodes=refs, tags=tags))
    writer.close()
    return path


def test_openstreetmap_extract_is_read_by_the_library_and_used(
    world: dict[str, Any],
    as_persona: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    from setara.access.osm import read_osm_network

    pbf = _pbf(tmp_path)
    client = as_persona("analyst")
    alpha = world["agencies"]["alpha"].pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/services/travel/upload/",
            {"agency": alpha, "kind": "network", "name": "OSM NTT",
             "osm": SimpleUploadedFile("ntt.osm.pbf", pbf.read_bytes())},
        )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    travel = TravelModel.objects.get()
    assert travel.counts == {"nodes": 6, "edges": 3, "ferries": 1}  # 5 is on the ferry way
    nodes, edges, ferries = read_osm_network(pbf)
    demand = validate_demand(
        pl.DataFrame({"id": ["A", "B"], "lat": [-8.0, -8.0], "lon": [120.0, 121.02],
                      "population": [100.0, 200.0]})
    )  # fmt: skip
    supply = validate_facilities(
        pl.DataFrame({"id": ["PKM"], "lat": [-8.0], "lon": [120.02], "status": ["existing"]})
    )
    from services.tasks import read_travel

    result = compute.access_result(
        demand, supply, threshold=60.0, speed_kmh=30.0, circuity=1.2, region_column="id",
        travel=read_travel(travel),
    )  # fmt: skip
    library = NetworkCost(
        RoadNetwork(nodes, edges, ferries),
        demand["lat"].to_numpy(), demand["lon"].to_numpy(),
        supply["lat"].to_numpy(), supply["lon"].to_numpy(),
    ).nearest()  # fmt: skip
    by_id = {r["region"]: r["mean_minutes"] for r in result["regions"]}
    assert [by_id["A"], by_id["B"]] == pytest.approx(library.tolist(), rel=1e-12)
    # B crosses: 90 minutes' sailing plus half the extract's default 240-minute headway.
    assert by_id["B"] > 90 + 120
    assert result["travel"]["ferry_only"] == {"villages": 1, "people": 200.0}
    page = client.get(f"/services/files/travel/{travel.pk}/").content.decode()
    assert page.count("ntt.osm.pbf") == 3  # nodes, roads and ferries all read from it
    not_pbf = client.post(
        "/services/travel/upload/",
        {"agency": alpha, "kind": "network",
         "osm": SimpleUploadedFile("x.osm.pbf", b"not a protobuf")},
    )  # fmt: skip
    assert not_pbf.status_code == 400 and "x.osm.pbf" in not_pbf.content.decode()
    assert TravelModel.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "words"),
    [("en", "road network Jalan dan feri"), ("id", "jaringan jalan Jalan dan feri")],
)
def test_pdf_cover_names_the_travel_model(
    network_world: dict[str, Any], as_persona: Any, language: str, words: str
) -> None:
    """The PDF cover says the job ran on the road network with its ferry, not great circle."""
    import subprocess

    from agencies.actions import set_language

    set_language(get_user_model().objects.get(username="analyst"), language)
    client = as_persona("analyst")
    for kind in ("access", "siting"):
        pdf = client.get(f"/services/{kind}/{network_world[kind].pk}/export.pdf")
        assert pdf.status_code == 200
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert words in " ".join(text.split()), text[:800]
        assert "great-circle" not in text and "lingkaran besar" not in text
