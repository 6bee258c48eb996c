"""The monitoring demo seeding (``seed_monitoring``) and the change-over-time page on its two
rounds, checked against the library called directly."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.db.models import Count, Sum
from django.test import Client
from monitoring.models import (
    Indicator,
    IndicatorValue,
    Plan,
    RealisationRow,
    Submission,
    SubmissionEvent,
    Target,
)

from setara.demo_rounds import generate_round
from setara.monitoring import change, growth_redistribution

pytestmark = pytest.mark.django_db
PERSONS = 10_000  # per round: the smallest demo survey


def test_seed_then_change_page(monkeypatch: Any) -> None:
    from datasets import actions as dataset_actions

    cache.clear()
    # the test's transaction never commits: stored files take their final names at once
    monkeypatch.setattr(dataset_actions.transaction, "on_commit", lambda f, *a, **k: f())
    call_command("seed_demo", persons=0, stdout=io.StringIO())
    out = io.StringIO()
    call_command("seed_monitoring", persons=PERSONS, stdout=out)
    assert "monitoring demo:" in out.getvalue()
    plan = Plan.objects.get()
    assert (plan.start_year, plan.end_year, plan.published) == (2025, 2029, True)
    assert "illustrative" in plan.document_title
    assert Indicator.objects.filter(published=True).count() == 13
    # targets for the nation, provinces and regencies, each year of the plan
    assert set(Target.objects.values_list("year", flat=True)) == set(range(2025, 2030))
    assert Target.objects.filter(region_code="32.04").exists()
    states = dict(
        Submission.objects.filter(period="2025-Q3").values_list("state").annotate(n=Count("pk"))
    )
    assert states["returned"] == 1 and states["submitted"] > 0 and states["accepted"] > 0
    assert set(Submission.objects.filter(period="2025-Q1").values_list("state", flat=True)) == {
        "accepted"
    }
    assert Submission.objects.filter(period="2025-Q1").count() == 3 * 514
    returned = SubmissionEvent.objects.get(step="return")
    assert returned.comment and returned.submission.region_code == "53.01"
    # survey values carry their interval and RSE
    p0 = IndicatorValue.objects.get(indicator__code="SDG 1.2.1", region_code="", period="2025")
    assert p0.ci_low < p0.value < p0.ci_high and p0.rse > 0
    # realisation values are derived from the approved rows: every regency, province and the
    # nation in Q1 (all accepted), the nation's value the ratio of the sums of all rows
    budget = IndicatorValue.objects.filter(indicator__code="PROG-PKH-BUDGET")
    q1 = budget.filter(period="2025-Q1")
    assert q1.filter(region_code__regex=r"^\d\d\.\d\d$").count() == 514
    sums = RealisationRow.objects.filter(
        submission__period="2025-Q1", submission__form__name="Realisasi PKH (demo)"
    ).aggregate(realised=Sum("budget_realised"), allocated=Sum("budget_allocated"))
    national = 100 * float(sums["realised"]) / float(sums["allocated"])
    assert q1.get(region_code="").value == pytest.approx(national)
    # Jawa Barat's Q3 reports wait for the province: no value yet
    assert not budget.filter(period="2025-Q3", region_code="32.04").exists()
    assert not IndicatorValue.objects.filter(submission__isnull=False).exists()
    # a second run finds the plan and changes nothing
    call_command("seed_monitoring", persons=PERSONS, stdout=io.StringIO())
    assert Plan.objects.count() == 1

    client = Client()
    client.force_login(get_user_model().objects.get(username="viewer.bappenas"))
    versions = client.get("/monitoring/dashboard/change/").context["versions"]
    rounds = [v for v in versions if "putaran" in v.dataset.name]
    assert [v.number for v in rounds] == [1, 2]
    page = client.get(
        f"/monitoring/dashboard/change/?before={rounds[0].pk}&after={rounds[1].pk}&common_psu=1"
    )
    assert page.status_code == 200 and not page.context.get("error")
    r1, r2 = (generate_round(PERSONS, year=y, seed=2026) for y in (2024, 2025))
    design = {"weight": "weight", "strata": "stratum", "psu": "psu"}
    direct = change(r1, r2, welfare="expenditure_pc", measures=["fgt:alpha=0,line=@poverty_line"],
                    design=design, common_psu=True).frame.row(0, named=True)  # fmt: skip
    shown = page.context["rows"][0]
    assert shown["change"] == f"{100 * direct['change']:+.1f} pp"
    assert shown["ci"] == f"{100 * direct['ci_low']:+.1f} pp – {100 * direct['ci_high']:+.1f} pp"
    split = growth_redistribution(r1, r2, welfare="expenditure_pc", line="@poverty_line",
                                  design=design).frame.row(0, named=True)  # fmt: skip
    assert page.context["split"][0]["growth"] == f"{100 * split['growth']:+.1f} pp"
    assert "<polygon" in page.context["gic_chart"]
