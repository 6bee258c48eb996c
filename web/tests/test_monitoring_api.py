"""The monitoring API: a system submits realisation with its rows, the province approves, the
national level accepts; persona answers (outsider 404, viewer 403), strict bodies, lists."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
from agencies.actions import create_token
from django.test import Client
from monitoring.models import IndicatorValue, Submission
from monitoring_world import ROWS, build

from monitoring import quality

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(monkeypatch: Any) -> dict[str, Any]:
    found = build()
    empty = pl.DataFrame(schema={"row": pl.Int64, "severity": pl.String, "message": pl.String})
    monkeypatch.setattr(quality, "follow_up", lambda s: empty)
    return found


class Api:
    def __init__(self, user: Any) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'test')}")

    def get(self, path: str) -> Any:
        return self.client.get(f"/api/monitoring{path}")

    def post(self, path: str, body: Any, method: str = "post") -> Any:
        send = getattr(self.client, method)
        return send(f"/api/monitoring{path}", json.dumps(body), content_type="application/json")


def _create(world: dict[str, Any], rows: list[dict[str, Any]] = ROWS) -> Any:
    body = {"form": world["form"].pk, "agency": "m-reg3201", "period": "2026-Q1", "rows": rows}
    return Api(world["users"]["reg_analyst"]).post("/submissions", body)


def test_a_system_submits_and_the_chain_approves(world: dict[str, Any]) -> None:
    users = world["users"]
    created = _create(world)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["state"] == "draft"
    regency = Api(users["reg_analyst"])
    assert regency.post(f"/submissions/{pk}/submit", {}).json()["state"] == "submitted"
    province, nation = Api(users["prov_manager"]), Api(users["nat_manager"])
    # the province approves; accepting is the national step (409 for a wrong kind of step)
    assert province.post(f"/submissions/{pk}/accept", {}).status_code == 409
    assert nation.post(f"/submissions/{pk}/approve", {}).status_code == 403
    inbox = province.get("/submissions?inbox=true")
    assert [s["id"] for s in inbox.json()] == [pk] and inbox["X-Total-Count"] == "1"
    approved = province.post(f"/submissions/{pk}/approve", {"comment": "ok"})
    assert approved.json()["state"] == "approved" and approved.json()["locked"] is True
    assert province.post(f"/submissions/{pk}/approve", {}).status_code == 409
    assert nation.post(f"/submissions/{pk}/approve", {}).status_code == 409  # final: accept
    assert nation.post(f"/submissions/{pk}/accept", {}).json()["state"] == "accepted"
    # locked: the rows cannot be replaced
    assert regency.post(f"/submissions/{pk}/rows", {"rows": ROWS}, "put").status_code == 409


def test_refused_rows_create_nothing(world: dict[str, Any]) -> None:
    bad = [dict(ROWS[0], region_code="33.01.01"), ROWS[1]]
    response = _create(world, bad)
    assert response.status_code == 400
    assert "region_code: 1 of 2 rows lie outside region 32.01" in response.json()["detail"]
    assert not Submission.objects.exists()


def test_strict_bodies(world: dict[str, Any]) -> None:
    api = Api(world["users"]["reg_analyst"])
    body = {"form": world["form"].pk, "agency": "m-reg3201", "period": "2026-Q1", "x": 1}
    assert api.post("/submissions", body).status_code == 400
    body = {"form": world["form"].pk, "agency": "m-reg3201", "period": "2026-Q1"}
    row = dict(ROWS[0], budget_realised=-5.0)
    assert api.post("/submissions", {**body, "rows": [row]}).status_code == 400
    assert api.post("/submissions", {**body, "values": []}).status_code == 400  # wrong kind
    assert api.post("/submissions", {**body, "agency": "nope"}).status_code == 400


def test_personas(world: dict[str, Any]) -> None:
    users = world["users"]
    pk = _create(world).json()["id"]
    for outsider in ("outsider", "other_prov", "partner_analyst"):
        assert Api(users[outsider]).get(f"/submissions/{pk}").status_code == 404, outsider
    viewer = Api(users["reg_viewer"])
    assert viewer.get(f"/submissions/{pk}").status_code == 200
    assert viewer.post(f"/submissions/{pk}/rows", {"rows": ROWS}, "put").status_code == 403
    assert viewer.post(f"/submissions/{pk}/submit", {}).status_code == 403
    listed = Api(users["outsider"]).get("/submissions")
    assert listed.json() == [] and listed["X-Total-Count"] == "0"
    assert Client().get(f"/api/monitoring/submissions/{pk}").status_code == 401


def test_indicator_catalogue_and_values(world: dict[str, Any]) -> None:
    users = world["users"]
    api = Api(users["nat_analyst"])
    body = {
        "agency": "m-nat",
        "code": "SDG 1.2.1",
        "name_id": "Persentase penduduk miskin",
        "name_en": "Poverty rate",
        "polarity": "lower",
        "source_kind": "survey",
        "measure_spec": "fgt:alpha=0,line=@poverty_line",
    }
    created = api.post("/indicators", body)
    assert created.status_code == 201, created.content
    assert api.post("/indicators", {**body, "code": "B", "measure_spec": "nope"}).status_code == 400
    assert Api(users["reg_analyst"]).post("/indicators", body).status_code == 403
    listed = api.get("/indicators?limit=1")
    assert listed["X-Total-Count"] == "1" and listed.json()[0]["code"] == "SDG 1.2.1"
    indicator = created.json()["id"]
    IndicatorValue.objects.create(
        indicator_id=indicator, region_code="32", period="2025", value=7.1
    )
    values = api.get(f"/values?indicator={indicator}").json()
    assert [(v["region_code"], v["value"]) for v in values] == [("32", 7.1)]
    # the indicator is not shared: another agency sees neither it nor its values
    assert Api(users["prov_manager"]).get(f"/indicators/{indicator}").status_code == 404
    assert Api(users["prov_manager"]).get("/values").json() == []


def test_bulk_approve_all_or_nothing(world: dict[str, Any]) -> None:
    users = world["users"]
    regency = Api(users["reg_analyst"])
    ids = []
    for period in ("2025-Q1", "2025-Q2"):
        body = {"form": world["form"].pk, "agency": "m-reg3201", "period": period, "rows": ROWS}
        pk = regency.post("/submissions", body).json()["id"]
        regency.post(f"/submissions/{pk}/submit", {})
        ids.append(pk)
    draft = regency.post(
        "/submissions", {"form": world["form"].pk, "agency": "m-reg3201", "period": "2025-Q3"}
    ).json()["id"]
    province = Api(users["prov_manager"])
    assert (
        province.post("/submissions/bulk-approve", {"submissions": [*ids, draft]}).status_code
        == 409
    )
    assert set(Submission.objects.filter(pk__in=ids).values_list("state", flat=True)) == {
        "submitted"
    }
    done = province.post("/submissions/bulk-approve", {"submissions": ids})
    assert [s["state"] for s in done.json()] == ["approved", "approved"]


def test_indicator_values_form(world: dict[str, Any]) -> None:
    """A regency reports administrative indicator values; unapproved ones stay hidden."""
    from monitoring import actions

    users, agencies = world["users"], world["agencies"]
    indicator = actions.create_indicator(
        users["nat_analyst"],
        agencies["nat"],
        code="ADM 1",
        name_id="Cakupan",
        name_en="Coverage",
        polarity="higher",
        source_kind="administrative",
    )
    indicator.published = True
    indicator.save()
    form = actions.create_form(
        users["nat_analyst"],
        agencies["nat"],
        indicators=[indicator],
        name="Coverage",
        kind="indicator_values",
        period_type="annual",
    )
    form.published = True
    form.save()
    regency = Api(users["reg_analyst"])
    values = [
        {"indicator_code": "ADM 1", "region_code": "32.01", "value": 81.5},
        {
            "indicator_code": "ADM 1",
            "region_code": "32.01",
            "disaggregation": "sex",
            "group": "female",
            "value": 84.0,
        },
    ]
    body = {"form": form.pk, "agency": "m-reg3201", "period": "2025", "values": values}
    bad = {**body, "values": [dict(values[0], indicator_code="ADM 9")]}
    refused = regency.post("/submissions", bad)
    assert (
        refused.status_code == 400
        and "name no indicator of the form (ADM 1)" in (refused.json()["detail"])
    )
    pk = regency.post("/submissions", body).json()["id"]
    stored = IndicatorValue.objects.filter(submission_id=pk).order_by("group")
    assert [(v.group, v.value, v.period) for v in stored] == [
        ("", 81.5, "2025"),
        ("female", 84.0, "2025"),
    ]
    nation = Api(users["nat_manager"])
    assert nation.get(f"/values?indicator={indicator.pk}").json() == []  # not approved yet
    regency.post(f"/submissions/{pk}/submit", {})
    Api(users["prov_manager"]).post(f"/submissions/{pk}/approve", {})
    shown = nation.get(f"/values?indicator={indicator.pk}").json()
    assert sorted(v["value"] for v in shown) == [81.5, 84.0]
