"""Quality checks before approval, with the library's ``check_quality``: the follow-up list on
the submission page and in the API, the justification it requires, outliers against the
region's approved history."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from agencies.actions import NotAllowed, set_language
from django.test import Client
from monitoring.models import RealisationRow, ReportingForm, Submission
from monitoring_world import PASSWORD, ROWS, build, fresh

from monitoring import quality, workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    return build()


HISTORY = ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def _history(world: dict[str, Any], budgets: list[float]) -> None:
    """Accepted earlier quarters of regency 32.01 (rows for 32.01.01 and 32.01.02); the
    outlier rule needs at least five earlier values of a region (``min_points``)."""
    for quarter, (period, budget) in enumerate(zip(HISTORY, budgets, strict=True)):
        sub = Submission.objects.create(
            form=world["form"],
            agency=world["agencies"]["reg3201"],
            region_code="32.01",
            period=period,
            state="accepted",
            approvals=2,
            locked=True,
        )
        RealisationRow.objects.bulk_create(
            RealisationRow(
                submission=sub,
                region_code=code,
                budget_allocated=budget * 2,
                budget_realised=budget,
                beneficiaries_planned=100,
                beneficiaries_reached=90 + quarter,
            )
            for code in ("32.01.01", "32.01.02")
        )


def _draft(world: dict[str, Any], rows: list[dict[str, Any]]) -> Submission:
    analyst = world["users"]["reg_analyst"]
    sub = workflow.create_submission(
        analyst, world["form"], world["agencies"]["reg3201"], period="2026-Q1"
    )
    workflow.replace_rows(analyst, sub, pl.DataFrame(rows), source="test")
    return sub


def test_clean_rows_pass_and_submit_without_justification(world: dict[str, Any]) -> None:
    sub = _draft(world, ROWS)
    assert quality.follow_up(sub).height == 0
    assert workflow.submit(fresh(world["users"]["reg_analyst"]), sub).state == "submitted"


def test_realised_above_allocated_needs_a_justification(world: dict[str, Any]) -> None:
    rows = [dict(ROWS[0], budget_realised=1_200_000.0), ROWS[1]]
    sub = _draft(world, rows)
    found = quality.follow_up(sub)
    assert found.select("row", "rule", "column", "severity").rows() == [
        (0, "ratio", "budget_realised", "error")
    ]
    analyst = fresh(world["users"]["reg_analyst"])
    with pytest.raises(NotAllowed, match="1 quality check"):
        workflow.submit(analyst, sub)
    sub = workflow.submit(analyst, sub, justification="top-up from the 2025 carry-over")
    stored = Submission.objects.get(pk=sub.pk)
    assert (stored.quality_errors, stored.quality_warnings) == (1, 0)
    # the approver sees the justification and the follow-up list
    province = Client()
    assert province.login(username="m_prov_manager", password=PASSWORD)
    page = province.get(f"/monitoring/submissions/{sub.pk}/").content.decode()
    assert "top-up from the 2025 carry-over" in page and "budget_realised" in page
    api = province.get(f"/api/monitoring/submissions/{sub.pk}/follow-up").json()
    assert [(f["row"], f["rule"], f["severity"]) for f in api] == [(0, "ratio", "error")]


def test_outlier_against_the_regions_history(world: dict[str, Any]) -> None:
    _history(world, [800_000.0, 820_000.0, 790_000.0, 810_000.0, 795_000.0, 805_000.0])
    usual = [
        dict(row, budget_realised=805_000.0, budget_allocated=9e7, beneficiaries_planned=100)
        for row in ROWS
    ]
    usual = [dict(row, beneficiaries_reached=92) for row in usual]
    assert quality.follow_up(_draft(world, usual)).height == 0
    Submission.objects.filter(period="2026-Q1").delete()
    spike = [dict(usual[0], budget_realised=8e7), usual[1]]
    found = quality.follow_up(_draft(world, spike))
    assert found.select("row", "region_code", "rule", "column", "severity").rows() == [
        (0, "32.01.01", "outlier_history", "budget_realised", "warning")
    ]


BOGOR = [f"32.01.{i:02d}" for i in range(1, 41)]  # the 40 kecamatan of Kabupaten Bogor


def _district_form(world: dict[str, Any]) -> None:
    """The realisation form reported per district (``row_level``), as a manager sets it."""
    world["form"].row_level = "district"
    world["form"].save()


def test_district_form_report_missing_districts_gets_one_finding(world: dict[str, Any]) -> None:
    """Regency 32.01 reports 2 of its 40 districts: one error counting the 38 missing and
    naming the first five (from idn-area-data's list), shown on the page in Indonesian and
    in the API; submitting needs a justification."""
    _district_form(world)
    sub = _draft(world, ROWS)
    found = quality.follow_up(sub)
    assert found.select("row", "region_code", "period", "rule", "value", "severity").rows() == [
        (None, "32.01", "2026-Q1", "complete", 38.0, "error")
    ]
    assert found["message"][0] == (
        "38 of 40 expected regions have no row in period 2026-Q1: "
        "32.01.03, 32.01.04, 32.01.05, 32.01.06, 32.01.07, …"
    )
    analyst = fresh(world["users"]["reg_analyst"])
    with pytest.raises(NotAllowed, match="1 quality check"):
        workflow.submit(analyst, sub)
    set_language(analyst, "id")
    client = Client()
    assert client.login(username="m_reg_analyst", password=PASSWORD)
    text = client.get(f"/monitoring/submissions/{sub.pk}/").content.decode()
    assert "38 dari 40 wilayah yang diharapkan tidak memiliki baris pada periode 2026-Q1" in text
    assert "32.01.03, 32.01.04, 32.01.05, 32.01.06, 32.01.07, …" in text
    api = client.get(f"/api/monitoring/submissions/{sub.pk}/follow-up").json()
    assert [(f["region_code"], f["message_id"]) for f in api] == [
        ("32.01", "quality.complete.missing_rows")
    ]
    assert api[0]["details"]["params"] == (
        '{"period":"2026-Q1","missing":38,"expected":40,'
        '"codes":"32.01.03, 32.01.04, 32.01.05, 32.01.06, 32.01.07, …","area":"32.01"}'
    )


def test_district_form_with_every_district_is_complete(world: dict[str, Any]) -> None:
    """All 40 districts: no completeness finding; a code that is no district of the list
    (32.01.99) is a warning naming it."""
    _district_form(world)
    rows = [dict(ROWS[i % 2], region_code=code) for i, code in enumerate(BOGOR)]
    assert quality.follow_up(_draft(world, rows)).height == 0
    Submission.objects.filter(period="2026-Q1").delete()
    found = quality.follow_up(_draft(world, [*rows, dict(ROWS[0], region_code="32.01.99")]))
    assert found.select("region_code", "rule", "severity", "message").rows() == [
        ("32.01.99", "complete", "warning", "region 32.01.99 in period 2026-Q1 is not expected")
    ]


def test_forms_reported_per_region_have_no_district_rule(world: dict[str, Any]) -> None:
    """The default row level (the submitting region): two districts of 40 are no finding, and
    a province's report on a district form is not checked against a district list."""
    sub = _draft(world, ROWS)
    assert world["form"].row_level == "region"
    assert quality.completeness_rule(sub) is None
    assert quality.follow_up(sub).height == 0
    _district_form(world)
    province = Submission(form=world["form"], region_code="32", period="2026-Q1")
    assert quality.completeness_rule(province) is None


def test_row_level_is_set_on_the_form_page_and_shown_by_the_api(world: dict[str, Any]) -> None:
    """A manager creates a form reported per district; the API and the form page say so."""
    set_language(world["users"]["nat_analyst"], "id")
    client = Client()
    assert client.login(username="m_nat_analyst", password=PASSWORD)
    fields = {"agency": world["agencies"]["nat"].pk, "name": "PKH per kecamatan"}
    fields |= {"kind": "realisation", "period_type": "quarterly"}
    fields |= {"approval_levels": "regency, province, national", "row_level": "district"}
    assert client.post("/monitoring/forms/new/", fields).status_code == 302
    created = ReportingForm.objects.get(name="PKH per kecamatan")
    assert created.row_level == "district"
    api = client.get(f"/api/monitoring/forms/{created.pk}").json()
    assert api["row_level"] == "district"
    page = client.get(f"/monitoring/forms/{created.pk}/").content.decode()
    assert "Baris per: setiap kecamatan di kabupaten/kota" in page
    bad = {**fields, "name": "x", "row_level": "village"}
    assert client.post("/monitoring/forms/new/", bad).status_code == 400
