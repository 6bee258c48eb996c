"""The score card's table of every region (one build per state of the data, changes seen at
once) and the score-card API (``/api/monitoring/scorecard``) against the page's rows."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agencies.actions import create_token
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from monitoring.models import Submission, Target
from test_monitoring_dashboard import _client, world

from monitoring import actions, score_table

pytestmark = pytest.mark.django_db
__all__ = ["world"]  # the dashboard tests' world, used as a fixture here

COMPARED = ("code", "period", "value", "ci_low", "ci_high", "rse", "approved", "baseline",
            "target_low", "target_high", "target_scope", "achievement", "category", "light",
            "verdict", "rse_flag")  # fmt: skip


def _api(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'test')}")


def _card(client: Client, query: str) -> dict[str, dict[str, Any]]:
    page = client.get(f"/monitoring/dashboard/?{query}")
    assert page.status_code == 200
    return {r["code"]: r for r in page.context["card"]}


def _api_rows(client: Client, query: str) -> dict[str, dict[str, Any]]:
    answer = client.get(f"/api/monitoring/scorecard?{query}")
    assert answer.status_code == 200, answer.content
    return {r["code"]: r for r in answer.json()["rows"]}


@pytest.mark.parametrize(
    ("user", "query"),
    [
        ("nat_manager", "region=32"),
        ("nat_manager", "region=32.01"),
        ("outsider", "region=32"),
        ("nat_manager", "region=32.01&unapproved=1"),
    ],
)
def test_api_rows_equal_the_pages_rows(world: dict[str, Any], user: str, query: str) -> None:
    person = world["users"][user]
    page = _card(_client(person), query)
    api = _api_rows(_api(person), query.replace("unapproved=1", "unapproved=true"))
    assert set(api) == set(page) and page
    for code, row in page.items():
        assert {k: api[code][k] for k in COMPARED} == {k: row[k] for k in COMPARED}
        assert api[code]["se"] == row["se"]


def test_api_values_by_hand(world: dict[str, Any]) -> None:
    answer = _api(world["users"]["outsider"]).get("/api/monitoring/scorecard?region=32")
    body = answer.json()
    assert (body["region"], body["region_name"], body["plan"]) == ("32", "Jawa Barat",
                                                                   world["plan"].pk)  # fmt: skip
    [p0] = body["rows"]  # SECRET is neither published nor shared with the outsider
    assert (p0["code"], p0["name_id"], p0["name_en"], p0["period"]) == ("P0", "P0 id", "P0 en",
                                                                         "2025")  # fmt: skip
    assert (p0["value"], p0["ci_low"], p0["ci_high"], p0["rse"]) == (7.0, 6.5, 7.5, 0.03)
    assert (p0["target_low"], p0["target_high"], p0["target_scope"]) == (8.0, 8.0, "national")
    assert p0["achievement"] == pytest.approx((2 - 7 / 8) * 100)  # lower is better
    assert (p0["category"], p0["light"], p0["verdict"], p0["rse_flag"]) == (
        "very_high", "green", "met", "reliable")  # fmt: skip
    older = _api(world["users"]["outsider"]).get("/api/monitoring/scorecard?region=32&period=2024")
    [p0_2024] = older.json()["rows"]
    assert (p0_2024["period"], p0_2024["value"], p0_2024["target_low"]) == ("2024", 9.5, None)


def test_api_permissions_as_the_page(world: dict[str, Any]) -> None:
    users = world["users"]
    assert Client().get("/api/monitoring/scorecard?region=32").status_code == 401
    outsider, owner, regency = (_api(users[k]) for k in ("outsider", "nat_manager", "reg_analyst"))
    for query in ("region=99.99", "region=abc", "plan=999999"):
        assert outsider.get(f"/api/monitoring/scorecard?{query}").status_code == 404
    assert outsider.get("/api/monitoring/scorecard?region=32&period=2025-Q9").status_code == 400
    # unapproved rows for the indicator's owner agency only; others get the approved value
    url = "/api/monitoring/scorecard?region=32.01&unapproved=true"
    assert _api_rows(owner, url.split("?")[1])["BUDGET"]["value"] == 40.0
    assert _api_rows(regency, url.split("?")[1])["BUDGET"]["value"] == 90.0
    assert (
        "/api/monitoring/scorecard"
        in json.loads(Client().get("/api/openapi.json").content)["paths"]
    )


def test_each_region_is_cut_from_one_table_built_once(world: dict[str, Any]) -> None:
    client = _client(world["users"]["nat_manager"])
    client.get("/monitoring/dashboard/?region=32")
    with CaptureQueriesContext(connection) as seen:
        assert _card(client, "region=32.01")["BUDGET"]["value"] == 90.0
    read = [q["sql"] for q in seen.captured_queries if "monitoring_target" in q["sql"]]
    assert len(read) == 1 and read[0].startswith("SELECT (SELECT")  # only the data stamp


def test_another_process_maps_the_file_the_first_one_wrote(world: dict[str, Any]) -> None:
    api = _api(world["users"]["nat_manager"])
    built = _api_rows(api, "region=32.01")
    files = list((settings.DATA_DIR / "score-tables").glob(f"plan-{world['plan'].pk}-*.arrow"))
    assert files
    score_table._tables.clear()  # as a fresh server process
    with CaptureQueriesContext(connection) as seen:
        mapped = _api_rows(api, "region=32.01")
    values = [q["sql"] for q in seen.captured_queries if "monitoring_indicatorvalue" in q["sql"]]
    assert len(values) == 1 and values[0].startswith("SELECT (SELECT")  # only the data stamp
    assert mapped == built and mapped["BUDGET"]["value"] == 90.0


def test_a_new_or_changed_target_shows_at_once(world: dict[str, Any]) -> None:
    client, api = _client(world["users"]["nat_manager"]), _api(world["users"]["nat_manager"])
    assert _card(client, "region=32")["P0"]["target_scope"] == "national"
    analyst, plan, p0 = world["users"]["nat_analyst"], world["plan"], world["p0"]
    actions.save_target(analyst, plan, p0, region_code="32", year=2025, target_value=6.0)
    row = _card(client, "region=32")["P0"]
    assert (row["target_low"], row["target_scope"], row["verdict"]) == (6.0, "region", "not_met")
    assert _api_rows(api, "region=32")["P0"]["verdict"] == "not_met"
    target = Target.objects.get(plan=plan, indicator=p0, region_code="32")
    target.target_value = 7.0  # inside the CI 6.5-7.5
    target.save()
    assert _card(client, "region=32")["P0"]["verdict"] == "cannot_tell"
    assert _api_rows(api, "region=32")["P0"]["verdict"] == "cannot_tell"


def test_an_approval_changes_page_and_api_at_once(world: dict[str, Any]) -> None:
    client, api = _client(world["users"]["nat_manager"]), _api(world["users"]["nat_manager"])
    assert _card(client, "region=32.01")["BUDGET"]["period"] == "2025-Q1"
    assert _api_rows(api, "region=32.01")["BUDGET"]["value"] == 90.0
    pending = Submission.objects.get(period="2025-Q2")
    pending.state, pending.approvals = "approved", 1
    pending.save()
    row = _card(client, "region=32.01")["BUDGET"]
    assert (row["period"], row["value"], row["approved"]) == ("2025-Q2", 40.0, True)
    assert _api_rows(api, "region=32.01")["BUDGET"]["value"] == 40.0
