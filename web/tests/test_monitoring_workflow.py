"""The approval workflow of monitoring submissions: who may act, locking, reopening, audit.

The quality checks are replaced here by a stub returning a chosen follow-up list, so these
tests are about the workflow alone (the checks themselves are tested in
``test_monitoring_quality.py``).
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from agencies.actions import NotAllowed
from audit.models import AuditEvent
from django.core.exceptions import PermissionDenied
from django.http import Http404
from monitoring.models import RealisationRow, Submission, SubmissionEvent
from monitoring_world import ROWS, build, fresh

from monitoring import access, quality, workflow

pytestmark = pytest.mark.django_db


def _follow_up(failures: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "row": list(range(failures)),
            "severity": ["warning"] * failures,
            "message": ["budget_realised is an outlier"] * failures,
        }
    )


@pytest.fixture
def world(monkeypatch: Any) -> dict[str, Any]:
    found = build()
    found["failures"] = 0
    monkeypatch.setattr(quality, "follow_up", lambda s: _follow_up(found["failures"]))
    return found


def _submitted(world: dict[str, Any], period: str = "2026-Q1") -> Submission:
    users = world["users"]
    sub = workflow.create_submission(
        users["reg_analyst"], world["form"], world["agencies"]["reg3201"], period=period
    )
    workflow.replace_rows(users["reg_analyst"], sub, pl.DataFrame(ROWS), source="test")
    return workflow.submit(fresh(users["reg_analyst"]), sub)


def test_full_path_regency_province_national(world: dict[str, Any]) -> None:
    users = world["users"]
    sub = _submitted(world)
    assert sub.state == "submitted" and not sub.locked
    sub = workflow.approve(
        fresh(users["prov_manager"]), access.get_submission(users["prov_manager"], sub.pk)
    )
    assert (sub.state, sub.locked, sub.approvals) == ("approved", True, 1)
    sub = workflow.approve(fresh(users["nat_manager"]), sub, final=True)
    assert (sub.state, sub.locked, sub.approvals) == ("accepted", True, 2)
    steps = list(SubmissionEvent.objects.filter(submission=sub).values_list("step", flat=True))
    assert steps == ["create", "edit", "submit", "approve", "accept"]
    audited = AuditEvent.objects.filter(object_type="submission", object_id=str(sub.pk))
    assert sorted(e.after["step"] for e in audited) == sorted(steps)


def test_regency_cannot_approve_its_own_submission(world: dict[str, Any]) -> None:
    sub = _submitted(world)
    with pytest.raises(PermissionDenied):
        workflow.approve(fresh(world["users"]["reg_manager"]), sub)


def test_other_province_cannot_see_or_approve(world: dict[str, Any]) -> None:
    sub = _submitted(world)
    other = fresh(world["users"]["other_prov"])
    with pytest.raises(Http404):
        access.get_submission(other, sub.pk)
    with pytest.raises(PermissionDenied):
        workflow.approve(other, sub)
    assert sub.pk not in access.inbox(other).values_list("pk", flat=True)


def test_national_cannot_skip_the_province(world: dict[str, Any]) -> None:
    sub = _submitted(world)
    with pytest.raises(PermissionDenied):
        workflow.approve(fresh(world["users"]["nat_manager"]), sub)


def test_viewer_reads_but_cannot_edit_and_outsider_gets_404(world: dict[str, Any]) -> None:
    users = world["users"]
    sub = workflow.create_submission(
        users["reg_analyst"], world["form"], world["agencies"]["reg3201"], period="2026-Q2"
    )
    assert access.get_submission(fresh(users["reg_viewer"]), sub.pk) == sub
    with pytest.raises(PermissionDenied):
        access.get_submission(fresh(users["reg_viewer"]), sub.pk, "edit")
    with pytest.raises(PermissionDenied):
        workflow.replace_rows(fresh(users["reg_viewer"]), sub, pl.DataFrame(ROWS), source="x")
    for outsider in ("outsider", "reg33_analyst", "partner_analyst"):
        with pytest.raises(Http404):
            access.get_submission(fresh(users[outsider]), sub.pk)


def test_approved_data_is_locked_until_an_audited_reopening(world: dict[str, Any]) -> None:
    users = world["users"]
    sub = workflow.approve(fresh(users["prov_manager"]), _submitted(world))
    analyst = fresh(users["reg_analyst"])
    with pytest.raises(NotAllowed):
        workflow.replace_rows(analyst, sub, pl.DataFrame(ROWS[:1]), source="late fix")
    assert RealisationRow.objects.filter(submission=sub).count() == 2
    # only the level that approved may reopen, and only with a reason
    with pytest.raises(PermissionDenied):
        workflow.reopen(fresh(users["nat_manager"]), sub, comment="no")
    with pytest.raises(workflow.InvalidInput):
        workflow.reopen(fresh(users["prov_manager"]), sub, comment="  ")
    sub = workflow.reopen(fresh(users["prov_manager"]), sub, comment="budget line 2 wrong")
    assert (sub.state, sub.locked, sub.approvals) == ("returned", False, 0)
    event = AuditEvent.objects.filter(object_id=str(sub.pk), after__step="reopen").get()
    assert event.before["locked"] is True and event.after["comment"] == "budget line 2 wrong"
    assert workflow.replace_rows(analyst, sub, pl.DataFrame(ROWS[:1]), source="fix") == 1


def test_return_needs_a_comment_and_unlocks(world: dict[str, Any]) -> None:
    users = world["users"]
    sub = _submitted(world)
    with pytest.raises(workflow.InvalidInput):
        workflow.return_submission(fresh(users["prov_manager"]), sub, comment="")
    sub = workflow.return_submission(fresh(users["prov_manager"]), sub, comment="check Q1")
    assert sub.state == "returned" and not sub.locked
    trail = SubmissionEvent.objects.filter(submission=sub, step="return").get()
    assert trail.comment == "check Q1" and trail.agency == world["agencies"]["prov32"]
    assert workflow.submit(fresh(users["reg_analyst"]), sub).state == "submitted"


def test_failed_checks_need_a_stored_justification(world: dict[str, Any]) -> None:
    users = world["users"]
    world["failures"] = 2
    sub = workflow.create_submission(
        users["reg_analyst"], world["form"], world["agencies"]["reg3201"], period="2026-Q3"
    )
    workflow.replace_rows(users["reg_analyst"], sub, pl.DataFrame(ROWS), source="test")
    with pytest.raises(NotAllowed, match="2 quality check"):
        workflow.submit(fresh(users["reg_analyst"]), sub)
    assert Submission.objects.get(pk=sub.pk).state == "draft"
    sub = workflow.submit(fresh(users["reg_analyst"]), sub, justification="flood relief in Q3")
    assert sub.justification == "flood relief in Q3"
    event = AuditEvent.objects.get(object_id=str(sub.pk), after__step="submit")
    assert event.after["justification"] == "flood relief in Q3"
    assert event.after["failed_checks"] == 2


def test_bulk_approval_is_all_or_nothing_and_each_step_audited(world: dict[str, Any]) -> None:
    users = world["users"]
    subs = [_submitted(world, period) for period in ("2025-Q1", "2025-Q2", "2025-Q3")]
    inbox = list(access.inbox(fresh(users["prov_manager"])).values_list("pk", flat=True))
    assert sorted(inbox) == sorted(s.pk for s in subs)
    # one of them is not the province's to approve any more: nothing is approved
    workflow.approve(fresh(users["prov_manager"]), subs[2])
    with pytest.raises(NotAllowed):
        workflow.bulk_approve(fresh(users["prov_manager"]), [s.pk for s in subs])
    assert (
        Submission.objects.filter(pk__in=[subs[0].pk, subs[1].pk], state="submitted").count() == 2
    )
    done = workflow.bulk_approve(fresh(users["prov_manager"]), [subs[0].pk, subs[1].pk])
    assert [s.state for s in done] == ["approved", "approved"]
    approvals = AuditEvent.objects.filter(after__step="approve", object_type="submission")
    assert approvals.count() == 3
    assert list(access.inbox(fresh(users["prov_manager"]))) == []
    assert len(access.inbox(fresh(users["nat_manager"]))) == 3


def test_partner_submits_to_national(world: dict[str, Any]) -> None:
    users = world["users"]
    partner = fresh(users["partner_analyst"])
    sub = workflow.create_submission(
        partner, world["partner_form"], world["agencies"]["partner"], period="2026"
    )
    workflow.replace_rows(partner, sub, pl.DataFrame(ROWS), source="test")
    workflow.submit(partner, sub)
    with pytest.raises(Http404):
        access.get_submission(fresh(users["prov_manager"]), sub.pk)
    sub = workflow.approve(
        fresh(users["nat_manager"]), access.get_submission(users["nat_manager"], sub.pk)
    )
    assert sub.state == "accepted" and sub.locked


def test_regency_cannot_submit_a_partner_form_nor_rows_outside_its_region(
    world: dict[str, Any],
) -> None:
    users = world["users"]
    with pytest.raises(Http404):  # the partner's form is not shared with the regency
        workflow.create_submission(
            users["reg_analyst"], world["partner_form"], world["agencies"]["reg3201"], period="2026"
        )
    with pytest.raises(NotAllowed, match="not a regency agency"):
        workflow.create_submission(
            users["partner_analyst"], world["form"], world["agencies"]["partner"], period="2026-Q1"
        )
    sub = workflow.create_submission(
        users["reg_analyst"], world["form"], world["agencies"]["reg3201"], period="2026-Q4"
    )
    rows = [dict(ROWS[0], region_code="33.01.01"), ROWS[1]]
    with pytest.raises(workflow.tables.TableError, match=r"lie outside region 32\.01"):
        workflow.replace_rows(users["reg_analyst"], sub, pl.DataFrame(rows), source="x")
    assert not RealisationRow.objects.filter(submission=sub).exists()
