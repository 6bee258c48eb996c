"""Administrative indicators derived from a form's approved realisation rows: an approval puts
the regency's, province's and nation's values (ratios of sums) on the score card in the same
step, a return or reopening takes them off again, bulk approval does not query per row, and
the catalogue form, the API and model validation know the two new fields."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest
from agencies import actions as agency_actions
from agencies.actions import create_token
from audit.models import AuditEvent
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from monitoring.actions import InvalidInput
from monitoring.models import IndicatorValue, Submission
from monitoring_world import PASSWORD, ROWS, build, fresh

from monitoring import access, actions, derive, quality, workflow

pytestmark = pytest.mark.django_db

# regency 32.02 of the same province, with other numbers than monitoring_world.ROWS
ROWS_3202 = [
    {
        "region_code": "32.02.01",
        "budget_allocated": 6_000_000.0,
        "budget_realised": 3_000_000.0,
        "beneficiaries_planned": 700,
        "beneficiaries_reached": 350,
    }
]
# by hand: 32.01 realised 2.3 M of 3 M, reached 240 of 300; 32.02 realised 3 M of 6 M, 350 of 700
BUDGET_3201 = 100 * 2_300_000 / 3_000_000
BUDGET_32 = 100 * (2_300_000 + 3_000_000) / (3_000_000 + 6_000_000)  # 58.89, not mean 63.33
REACH_32 = 100 * (240 + 350) / (300 + 700)


@pytest.fixture
def world(monkeypatch: Any) -> dict[str, Any]:
    cache.clear()
    found = build()
    empty = pl.DataFrame(schema={"row": pl.Int64, "severity": pl.String, "message": pl.String})
    monkeypatch.setattr(quality, "follow_up", lambda s: empty)
    reg = agency_actions.create_agency(
        None, slug="m-reg3202", name="M reg3202", kind="regional", region_code="32.02"
    )
    user = agency_actions.create_user(None, username="m_reg3202", password=PASSWORD)
    agency_actions.add_member(None, reg, user, "analyst")
    found["agencies"]["reg3202"], found["users"]["reg3202_analyst"] = reg, fresh(user)
    users, nat = found["users"], found["agencies"]["nat"]
    for code, formula in (("BUDGET", "budget_realisation"), ("REACH", "beneficiary_coverage")):
        indicator = actions.create_indicator(
            users["nat_analyst"], nat, code=code, name_id=f"{code} id", name_en=f"{code} en",
            unit="%", polarity="higher", source_kind="administrative", period_type="quarterly",
            source_form=found["form"], formula=formula,
        )  # fmt: skip
        indicator.published = True
        indicator.save()
        found[code.lower()] = indicator
    return found


def _submitted(world: dict[str, Any], key: str, rows: list[dict[str, Any]], period: str) -> Any:
    user = world["users"]["reg_analyst" if key == "reg3201" else f"{key}_analyst"]
    sub = workflow.create_submission(user, world["form"], world["agencies"][key], period=period)
    workflow.replace_rows(user, sub, pl.DataFrame(rows), source="test")
    return workflow.submit(fresh(user), sub)


def _values(indicator: Any) -> dict[tuple[str, str], float]:
    found = IndicatorValue.objects.filter(indicator=indicator)
    return {(v.region_code, v.period): v.value for v in found}


def _card(user: Any, region: str) -> dict[str, Any]:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    page = client.get(f"/monitoring/dashboard/?region={region}")
    assert page.status_code == 200
    return {r["code"]: r["value"] for r in page.context["card"]}


def test_approval_puts_ratios_of_sums_on_the_score_card(world: dict[str, Any]) -> None:
    users = world["users"]
    first = _submitted(world, "reg3201", ROWS, "2026-Q1")
    assert _values(world["budget"]) == {}  # submitted is not approved
    workflow.approve(fresh(users["prov_manager"]), first)
    assert _values(world["budget"]) == pytest.approx(
        {
            ("32.01", "2026-Q1"): BUDGET_3201,
            ("32", "2026-Q1"): BUDGET_3201,
            ("", "2026-Q1"): BUDGET_3201,
        }
    )
    second = _submitted(world, "reg3202", ROWS_3202, "2026-Q1")
    workflow.approve(fresh(users["prov_manager"]), second)
    budget = _values(world["budget"])
    assert budget[("32", "2026-Q1")] == pytest.approx(BUDGET_32)
    assert budget[("", "2026-Q1")] == pytest.approx(BUDGET_32)
    assert budget[("32.02", "2026-Q1")] == pytest.approx(50.0)
    assert _values(world["reach"])[("32", "2026-Q1")] == pytest.approx(REACH_32)
    card = _card(users["outsider"], "32")
    assert card["BUDGET"] == pytest.approx(BUDGET_32)
    assert card["REACH"] == pytest.approx(REACH_32)
    assert _card(users["outsider"], "32.01")["BUDGET"] == pytest.approx(BUDGET_3201)
    # the step's audit event says how many values it stored (3 regions x 2 indicators)
    event = AuditEvent.objects.filter(object_id=str(second.pk), after__step="approve").get()
    assert event.after["derived_values"] == 6


def test_return_takes_the_regency_off_and_recomputes_the_province(world: dict[str, Any]) -> None:
    users = world["users"]
    first = _submitted(world, "reg3201", ROWS, "2026-Q1")
    second = _submitted(world, "reg3202", ROWS_3202, "2026-Q1")
    workflow.bulk_approve(fresh(users["prov_manager"]), [first.pk, second.pk])
    assert _card(users["outsider"], "32")["BUDGET"] == pytest.approx(BUDGET_32)
    workflow.return_submission(fresh(users["nat_manager"]), fresh_sub(first), comment="check SP2D")
    budget = _values(world["budget"])
    assert ("32.01", "2026-Q1") not in budget
    assert budget[("32", "2026-Q1")] == pytest.approx(50.0)  # 32.02 alone
    assert "BUDGET" not in _card(users["outsider"], "32.01")
    assert _card(users["outsider"], "32")["BUDGET"] == pytest.approx(50.0)


def fresh_sub(sub: Submission) -> Submission:
    return Submission.objects.select_related("form", "agency").get(pk=sub.pk)


def test_reopening_removes_the_values_and_is_audited(world: dict[str, Any]) -> None:
    users = world["users"]
    sub = _submitted(world, "reg3201", ROWS, "2026-Q1")
    sub = workflow.approve(fresh(users["prov_manager"]), sub)
    sub = workflow.approve(fresh(users["nat_manager"]), sub, final=True)
    assert _values(world["budget"])[("", "2026-Q1")] == pytest.approx(BUDGET_3201)
    workflow.reopen(fresh(users["nat_manager"]), sub, comment="wrong quarter")
    assert _values(world["budget"]) == {} and _values(world["reach"]) == {}
    event = AuditEvent.objects.filter(object_id=str(sub.pk), after__step="reopen").get()
    assert event.after["derived_values"] == 0 and event.after["comment"] == "wrong quarter"
    assert "BUDGET" not in _card(users["outsider"], "")


def test_permissions_unchanged_and_nothing_derived_on_refusal(world: dict[str, Any]) -> None:
    users = world["users"]
    sub = _submitted(world, "reg3201", ROWS, "2026-Q1")
    with pytest.raises(PermissionDenied):
        workflow.approve(fresh(users["reg_manager"]), sub)
    with pytest.raises(PermissionDenied):
        workflow.approve(fresh(users["other_prov"]), sub)
    assert IndicatorValue.objects.count() == 0


def test_bulk_approval_queries_do_not_grow_with_rows(world: dict[str, Any]) -> None:
    users = world["users"]

    def approved_queries(period: str, rows: list[dict[str, Any]]) -> int:
        subs = [_submitted(world, "reg3201", rows, period)]
        subs.append(_submitted(world, "reg3202", ROWS_3202, period))
        with CaptureQueriesContext(connection) as seen:
            workflow.bulk_approve(fresh(users["prov_manager"]), [s.pk for s in subs])
        return len(seen)

    many = [
        {"region_code": f"32.01.{i:02d}", "budget_allocated": 1000.0, "budget_realised": 900.0}
        for i in range(1, 81)
    ]
    assert approved_queries("2026-Q1", ROWS) == approved_queries("2026-Q2", many)
    assert _values(world["budget"])[("32.01", "2026-Q2")] == pytest.approx(90.0)


def test_rebuild_agrees_with_the_step_by_step_values(world: dict[str, Any]) -> None:
    users = world["users"]
    for key, rows, period in (
        ("reg3201", ROWS, "2026-Q1"),
        ("reg3202", ROWS_3202, "2026-Q1"),
        ("reg3201", ROWS, "2026-Q2"),
    ):
        workflow.approve(fresh(users["prov_manager"]), _submitted(world, key, rows, period))

    def both() -> dict[tuple[str, str, str], float]:
        found = IndicatorValue.objects.filter(indicator__in=[world["budget"], world["reach"]])
        return {(v.indicator.code, v.region_code, v.period): v.value for v in found}

    stepwise = both()
    assert derive.rebuild(world["form"].pk) == len(stepwise)
    rebuilt = both()
    assert rebuilt == pytest.approx(stepwise)


def test_a_new_derived_indicator_gets_the_approved_values(world: dict[str, Any]) -> None:
    users = world["users"]
    workflow.approve(fresh(users["prov_manager"]), _submitted(world, "reg3201", ROWS, "2026-Q1"))
    total = actions.create_indicator(
        users["nat_analyst"], world["agencies"]["nat"], code="SPENT", name_id="s", name_en="s",
        polarity="higher", source_kind="administrative", period_type="quarterly",
        source_form=world["form"], formula="budget_realised",
    )  # fmt: skip
    assert _values(total)[("32", "2026-Q1")] == pytest.approx(2_300_000.0)
    actions.update_indicator(users["nat_analyst"], total, source_form=None, formula="")
    assert _values(total) == {}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"formula": "budget_realisation"}, "both a form and a formula"),
        ({"with_form": True}, "both a form and a formula"),
        ({"with_form": True, "formula": "participants", "period_type": "annual"}, "period type"),
        (
            {"with_form": True, "formula": "participants", "source_kind": "survey"},
            "Only an administrative",
        ),
        ({"with_form": True, "formula": "median"}, "formula"),
    ],
)
def test_bad_derivations_are_refused(
    world: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    fields = {"source_kind": "administrative", "period_type": "quarterly", "measure_spec": "gini"}
    if extra.pop("with_form", False):
        fields["source_form"] = world["form"]
    with pytest.raises(InvalidInput, match=message):
        actions.create_indicator(
            world["users"]["nat_analyst"], world["agencies"]["nat"], code="X", name_id="x",
            name_en="x", polarity="higher", **fields | extra,
        )  # fmt: skip


def test_catalogue_form_and_api_offer_the_derivation(world: dict[str, Any]) -> None:
    users = world["users"]
    client = Client()
    assert client.login(username=users["nat_analyst"].username, password=PASSWORD)
    page = client.get("/monitoring/indicators/new/").content.decode()
    assert 'name="formula"' in page and 'value="beneficiary_coverage"' in page
    assert f'<option value="{world["form"].pk}">' in page
    shown = client.get(f"/monitoring/indicators/{world['budget'].pk}/").content.decode()
    assert "Bansos realisation" in shown
    api = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(users['nat_analyst'], 'test')}")
    got = api.get(f"/api/monitoring/indicators/{world['reach'].pk}").json()
    assert (got["source_form"], got["formula"]) == (world["form"].pk, "beneficiary_coverage")
    body = {
        "agency": "m-nat", "code": "API", "name_id": "a", "name_en": "a", "polarity": "higher",
        "source_kind": "administrative", "period_type": "quarterly",
        "source_form": world["form"].pk, "formula": "budget_realisation",
    }  # fmt: skip

    def post(data: dict[str, Any], user: Any = users["nat_analyst"]) -> Any:
        sender = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(user, 'test')}")
        return sender.post("/api/monitoring/indicators", json.dumps(data), "application/json")

    created = post(body)
    assert created.status_code == 201, created.content
    assert created.json()["formula"] == "budget_realisation"
    assert post({**body, "code": "API2", "formula": "mean"}).status_code == 400
    # a form the caller cannot read is unknown to them
    partner_form = world["partner_form"].pk
    refused = post({**body, "code": "API3", "source_form": partner_form}, users["prov_manager"])
    assert refused.status_code == 400
    assert access.get_indicator(users["nat_analyst"], created.json()["id"]).source_form_id
