"""Quality checks before approval, with the library's ``check_quality``: the follow-up list on
the submission page and in the API, the justification it requires, outliers against the
region's approved history."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from agencies.actions import NotAllowed
from django.test import Client
from monitoring.models import RealisationRow, Submission
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
