"""The public-services section: uploads checked by the library, access analyses and siting
scenarios run by the worker and agreeing with the library, pages, downloads, permissions."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from audit.models import AuditEvent
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from services import actions, compute, mapping
from services.models import AccessAnalysis, DemandSet, FacilitySet, SitingScenario
from services.tasks import run_access

from setara.access import (
    access_gap,
    access_values,
    build_cost,
    validate_demand,
    validate_facilities,
)

# Two regencies (Kabupaten Bogor 32.01, Kabupaten Kupang 53.01), villages on a line east of
# each town; the facilities sit at the towns, candidates further out.
TOWNS = {"32.01": (-6.6, 106.8), "53.01": (-10.2, 123.6)}


def villages() -> pl.DataFrame:
    rows = []
    for r, (code, (lat, lon)) in enumerate(TOWNS.items()):
        for i in range(20):
            rows.append(
                {
                    "id": f"V{r}{i:02d}",
                    "lat": lat,
                    "lon": lon + 0.03 * i,
                    "population": 1000.0 + 50 * i * (1 + 2 * r),
                    "poor": 100.0 + 20 * i * (r + 1),
                    "urban": i < 5,
                    "is_3t": code == "53.01",
                    "kode_wilayah": code,
                }
            )
    return pl.DataFrame(rows)


def facilities() -> pl.DataFrame:
    rows = [
        {"id": "PKM-BGR", "lat": -6.6, "lon": 106.8, "status": "existing", "cost": 0.0},
        {"id": "PKM-KPG", "lat": -10.2, "lon": 123.6, "status": "existing", "cost": 0.0},
        {"id": "C1", "lat": -6.6, "lon": 107.25, "status": "candidate", "cost": 500.0},
        {"id": "C2", "lat": -10.2, "lon": 124.05, "status": "candidate", "cost": 400.0},
        {"id": "C3", "lat": -10.2, "lon": 123.9, "status": "candidate", "cost": 300.0},
    ]
    return pl.DataFrame(rows).with_columns(pl.lit("puskesmas").alias("type"))


def csv_upload(frame: pl.DataFrame, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, frame.write_csv().encode(), content_type="text/csv")


def upload(user: Any, agency: Any, kind: str, frame: pl.DataFrame, capture: Any) -> Any:
    """Upload as the page does; the stored file gets its name when the row commits."""
    with capture(execute=True):
        name = "pkm.csv" if kind == "facilities" else "desa.csv"
        return actions.upload_places(user, agency, kind=kind, uploaded=csv_upload(frame, name))


@pytest.fixture
def places(world: dict[str, Any], django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.get(username="analyst")
    alpha = world["agencies"]["alpha"]
    capture = django_capture_on_commit_callbacks
    fac = upload(analyst, alpha, "facilities", facilities(), capture)
    dem = upload(analyst, alpha, "villages", villages(), capture)
    analysis = actions.create_access(
        analyst, fac, dem, title="Puskesmas 30", threshold=30.0, speed_kmh=30.0,
        circuity=1.2, groups=["poor", "urban", "is_3t"], run_now=True,
    )  # fmt: skip
    common = {"minutes": 60.0, "speed_kmh": 30.0, "circuity": 1.2, "groups": ["poor", "is_3t"]}
    mclp = actions.create_siting(
        analyst, fac, dem, title="MCLP p=1", model="mclp", p=1, run_now=True, **common
    )
    lscp = actions.create_siting(
        analyst, fac, dem, title="LSCP", model="lscp", run_now=True, **common
    )
    return {"facilities": fac, "villages": dem, "access": analysis, "mclp": mclp, "lscp": lscp}


def test_access_result_agrees_with_the_library(places: dict[str, Any]) -> None:
    job = places["access"]
    assert job.status == "done", job.error
    result = job.result
    demand, supply = validate_demand(villages()), validate_facilities(facilities())
    cost = build_cost(demand, supply, speed_kmh=30.0, circuity=1.2)
    nearest = access_values(demand, supply, cost, ["nearest"])["nearest"].to_numpy()
    beyond = (nearest > 30.0).astype(float)
    frame = demand.with_columns(pl.Series("beyond", beyond), pl.col("kode_wilayah").alias("reg"))
    by_code = {r["region"]: r for r in result["regions"]}
    for code in TOWNS:
        part = frame.filter(pl.col("reg") == code)
        share = (part["population"] * part["beyond"]).sum() / part["population"].sum()
        assert by_code[code]["beyond_share"] == pytest.approx(share, rel=1e-12)
        # The rural-minus-urban gap is the engine's gap of the 0/1 column "beyond" (exact).
        engine = access_gap(part, "beyond", group="urban", comparison=True, reference=False)
        assert by_code[code]["urban:gap"] == pytest.approx(engine["estimate"][0], abs=1e-12)
        poor_share = (part["poor"] * part["beyond"]).sum() / part["poor"].sum()
        assert by_code[code]["poor:in"] == pytest.approx(poor_share, rel=1e-12)
    shares = [r["beyond_share"] for r in result["regions"]]
    assert shares == sorted(shares, reverse=True) and shares[0] > shares[-1]
    assert by_code["53.01"]["name"] == "Kabupaten Kupang"


def test_siting_scenarios_run_and_say_optimal_only_when_proven(places: dict[str, Any]) -> None:
    mclp, lscp = places["mclp"].result, places["lscp"].result
    assert places["mclp"].status == "done" and places["lscp"].status == "done"
    assert mclp["status"] == "optimal" and mclp["gap"] <= 1e-6
    assert len(mclp["sites"]) == 1
    # Within 60 minutes (25 km) the towns reach 7 villages each; every village is reached only
    # with C1 (Bogor) and C2 (Kupang); C3 alone leaves Kupang's last villages out.
    assert sorted(s["id"] for s in lscp["sites"]) == ["C1", "C2"]
    assert lscp["coverage"]["share_after"] == pytest.approx(1.0)
    sides = {(g["group"], g["side"]) for g in mclp["by_group"]}
    assert sides == {("poor", "in"), ("poor", "out"), ("is_3t", "in"), ("is_3t", "out")}


def test_pages_render_with_table_map_and_downloads(places: dict[str, Any], as_persona: Any) -> None:
    client = as_persona("reader")
    for key in ("access", "mclp", "lscp", "facilities", "villages"):
        from agencies.actions import share
        from django.contrib.auth import get_user_model

        manager = get_user_model().objects.get(username="manager")
        share(manager, places[key], [places["facilities"].owner.__class__.objects.get(slug="beta")])
    page = client.get(f"/services/access/{places['access'].pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="regions-table"' in text and "Kabupaten Kupang" in text
    assert "<svg" in text and "setara-access-map" in text and len(page.content) < 1_000_000
    csv = client.get(f"/services/access/{places['access'].pk}/export.csv")
    assert csv.status_code == 200
    table = pl.read_csv(io.BytesIO(csv.content), infer_schema=False)
    assert table["region"].to_list()[0] == places["access"].result["regions"][0]["region"]
    xlsx = client.get(f"/services/access/{places['access'].pk}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    siting = client.get(f"/services/siting/{places['lscp'].pk}/").content.decode()
    assert "optimal (proven)" in siting and "C1" in siting
    ids = f"{places['mclp'].pk},{places['lscp'].pk}"
    compare = client.get(f"/services/compare/?ids={ids}").content.decode()
    assert "MCLP p=1" in compare and "LSCP" in compare and "<circle" in compare
    listing = client.get("/services/").content.decode()
    assert "Puskesmas 30" in listing and "desa" in listing


def test_bad_file_shows_the_library_message_and_stores_nothing(
    world: dict[str, Any], as_persona: Any
) -> None:
    bad = villages().with_columns(
        pl.when(pl.col("id") == "V003").then(95.0).otherwise(pl.col("lat")).alias("lat")
    )
    stored = sorted(Path(settings.STORAGE_DIR).rglob("places-*"))
    before = DemandSet.objects.count()
    response = as_persona("analyst").post(
        "/services/villages/upload/",
        {"agency": world["agencies"]["alpha"].pk, "file": csv_upload(bad, "desa.csv")},
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "lat" in text and "1 in 40 rows" in text and "desa.csv" in text
    assert "Traceback" not in text
    assert DemandSet.objects.count() == before
    assert sorted(Path(settings.STORAGE_DIR).rglob("places-*")) == stored


def test_upload_page_stores_and_audits(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("analyst").post(
            "/services/facilities/upload/",
            {"agency": world["agencies"]["alpha"].pk, "file": csv_upload(facilities(), "pkm.csv")},
        )
    assert response.status_code == 302
    stored = FacilitySet.objects.get()
    assert stored.n_rows == 5 and stored.types == ["puskesmas"]
    assert (Path(settings.STORAGE_DIR) / stored.path).exists()
    assert AuditEvent.objects.filter(object_type="facilityset", object_id=str(stored.pk)).exists()


def test_worker_task_skips_a_job_that_is_not_queued_and_fails_with_the_reason(
    places: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    assert run_access.call(places["access"].pk) == "skipped"
    from django.contrib.auth import get_user_model

    analyst = get_user_model().objects.get(username="analyst")
    existing = facilities().filter(pl.col("status") == "existing")
    owner = places["facilities"].owner
    only_existing = upload(
        analyst, owner, "facilities", existing, django_capture_on_commit_callbacks
    )
    job = actions.create_siting(
        analyst, only_existing, places["villages"], title="none", model="mclp", p=1,
        run_now=True,
    )  # fmt: skip
    assert job.status == "failed" and "candidate" in job.error


PAGES = [
    "/services/access/{access}/",
    "/services/access/{access}/status.json",
    "/services/access/{access}/export.csv",
    "/services/access/{access}/export.pdf",
    "/services/siting/{mclp}/",
    "/services/siting/{mclp}/export.xlsx",
    "/services/siting/{mclp}/export.pdf",
    "/services/files/facilities/{facilities}/",
    "/services/files/villages/{villages}/",
    "/services/compare/?ids={mclp}",
]


def test_outsider_gets_404_everywhere(places: dict[str, Any], as_persona: Any) -> None:
    client = as_persona("outsider")
    ids = {k: v.pk for k, v in places.items()}
    for url in PAGES:
        assert client.get(url.format(**ids)).status_code == 404, url
        if "?" not in url and "export" not in url and "status" not in url:
            assert client.post(url.format(**ids), {"delete": "1"}).status_code == 404, url


def test_viewer_reads_but_gets_403_on_writes(places: dict[str, Any], as_persona: Any) -> None:
    client = as_persona("viewer")
    ids = {k: v.pk for k, v in places.items()}
    for url in PAGES:
        assert client.get(url.format(**ids)).status_code == 200, url
    assert client.post(f"/services/access/{ids['access']}/", {"rerun": "1"}).status_code == 403
    assert client.post(f"/services/siting/{ids['mclp']}/", {"delete": "1"}).status_code == 403
    for url in ("/services/facilities/upload/", "/services/access/new/"):
        assert client.get(url).status_code == 403
    assert AccessAnalysis.objects.filter(pk=ids["access"]).exists()
    assert SitingScenario.objects.filter(pk=ids["mclp"]).exists()


def test_a_file_in_use_cannot_be_deleted(places: dict[str, Any], as_persona: Any) -> None:
    client = as_persona("manager")
    url = f"/services/files/villages/{places['villages'].pk}/"
    response = client.post(url, {"delete": "1", "confirmed": "1"}, follow=True)
    assert DemandSet.objects.filter(pk=places["villages"].pk).exists()
    assert "delete them first" in response.content.decode()


def test_map_of_84000_villages_stays_small() -> None:
    rng = np.random.default_rng(11)
    n = 84_000
    frame = pl.DataFrame(
        {
            "lat": rng.uniform(-10.5, 5.5, n),
            "lon": rng.uniform(95.5, 140.5, n),
            "population": rng.integers(200, 5000, n).astype(float),
            "minutes": rng.exponential(40.0, n),
        }
    ).with_columns((pl.col("minutes") > 60).cast(pl.Float64).alias("beyond"))
    cells = compute.grid_cells(frame)
    svg = mapping.travel_map(
        cells, title="t", description="d", words={"minutes": "min", "unreachable": "-",
                                                  "new_site": "new"},
    )  # fmt: skip
    assert 1_000 < len(cells) < 20_000
    assert sum(c[4] for c in cells) == pytest.approx(frame["population"].sum())
    assert len(svg.encode()) < 900_000, len(svg)


@pytest.mark.parametrize("language", ["id", "en"])
def test_pages_in_one_language(places: dict[str, Any], as_persona: Any, language: str) -> None:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model
    from test_one_language import ENGLISH, INDONESIAN, NAMES, visible_words

    set_language(get_user_model().objects.get(username="admin"), language)
    client = as_persona("admin")
    foreign = ENGLISH if language == "id" else INDONESIAN
    # Data: column names, titles, file names, regency names, model acronyms, agency names.
    data = {"poor", "urban", "is_3t", "puskesmas", "mclp", "lscp", "p", "pkm", "desa", "alpha"}
    data |= {"kabupaten", "bogor", "kupang", "c", "v", "highs", "kode", "wilayah", "is", "t"}
    ids = {k: v.pk for k, v in places.items()}
    urls = [
        "/services/",
        "/services/facilities/upload/",
        "/services/villages/upload/",
        "/services/access/new/",
        "/services/siting/new/",
        *(u.format(**ids) for u in PAGES if "export" not in u and "status" not in u),
    ]
    found = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        mixed = sorted((visible_words(response.content.decode()) & foreign) - NAMES - data)
        if mixed:
            found[url] = mixed
    assert found == {}, found


def test_api_lists_details_creates_runs_and_serves_results(
    places: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    ids = {k: v.pk for k, v in places.items()}
    listed = client.get("/api/services/files/villages").json()
    assert [f["id"] for f in listed] == [ids["villages"]] and listed[0]["n_rows"] == 40
    detail = client.get(f"/api/services/access/{ids['access']}").json()
    assert detail["status"] == "done" and detail["options"]["threshold"] == 30.0
    result = client.get(f"/api/services/access/{ids['access']}/results").json()
    assert result["regions"] == places["access"].result["regions"]
    csv = client.get(f"/api/services/siting/{ids['lscp']}/results?format=csv")
    assert csv.status_code == 200 and b"C1" in csv.content
    body = {
        "title": "API MCLP",
        "facility_set": ids["facilities"],
        "demand_set": ids["villages"],
        "model": "mclp",
        "p": 2,
        "minutes": 60.0,
    }
    with django_capture_on_commit_callbacks(execute=False) as queued:
        created = client.post("/api/services/siting", body, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "queued" and len(queued) == 1
    bad = client.post(
        "/api/services/access",
        {"title": "x", "facility_set": ids["facilities"], "demand_set": ids["villages"],
         "groups": ["nonexistent"]},
        content_type="application/json",
    )  # fmt: skip
    assert bad.status_code == 400 and "nonexistent" in bad.json()["detail"]
    rerun = client.post(f"/api/services/access/{ids['access']}/run")
    assert rerun.status_code == 202 and rerun.json()["status"] == "queued"
    again = client.post(f"/api/services/access/{ids['access']}/run")
    assert again.status_code == 409
    upload = client.post(
        "/api/services/files/facilities",
        {"agency": "alpha", "file": csv_upload(facilities().with_columns(cost=-1.0), "f.csv")},
    )
    assert upload.status_code == 400 and "cost" in upload.json()["detail"]


def test_api_outsider_404_and_viewer_403(places: dict[str, Any], as_persona: Any) -> None:
    ids = {k: v.pk for k, v in places.items()}
    reads = [
        f"/api/services/access/{ids['access']}",
        f"/api/services/access/{ids['access']}/results",
        f"/api/services/siting/{ids['mclp']}",
        f"/api/services/files/facilities/{ids['facilities']}",
    ]
    outsider, viewer = as_persona("outsider"), as_persona("viewer")
    for url in reads:
        assert outsider.get(url).status_code == 404, url
        assert viewer.get(url).status_code == 200, url
    assert outsider.get("/api/services/access").json() == []
    run = f"/api/services/siting/{ids['mclp']}/run"
    assert outsider.post(run).status_code == 404
    assert viewer.post(run).status_code == 403
    body = {"title": "x", "facility_set": ids["facilities"], "demand_set": ids["villages"]}
    assert (
        viewer.post("/api/services/access", body, content_type="application/json").status_code
        == 403
    )
    assert (
        outsider.post("/api/services/access", body, content_type="application/json").status_code
        == 404
    )


def test_demo_villages_lie_inside_their_provinces() -> None:
    from services.demo import _inside, demo_places
    from setara_web.viz.geo import province_boundaries

    # The even-odd test itself, on a 4 x 4 square with a 2 x 2 hole (by hand).
    square = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)]
    hole = [(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0)]
    lon, lat = np.array([0.5, 2.0, 3.5, 5.0, -0.1]), np.array([0.5, 2.0, 2.0, 2.0, 2.0])
    assert _inside(lon, lat, [square, hole]).tolist() == [True, False, True, False, False]
    demand, supply = demo_places(villages=3_000, rng=np.random.default_rng(5))
    provinces = province_boundaries().features
    province = demand["kode_wilayah"].str.slice(0, 2)
    for code in province.unique().to_list():
        part = demand.filter(province == code)
        rings = list(provinces[code])
        assert _inside(part["lon"].to_numpy(), part["lat"].to_numpy(), rings).all(), code
    assert demand.height == 3_000 and province.n_unique() >= 30
    validate_demand(demand)
    checked = validate_facilities(supply)
    assert set(checked["status"]) == {"existing", "candidate"}
    assert (checked.filter(pl.col("status") == "candidate")["cost"] > 0).all()
