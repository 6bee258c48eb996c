"""Jobs always end: a result that cannot be saved fails the job with a translated reason; a job
whose lease expired is retried once, then failed, by the recovery the worker and the pages run;
a run that lost its lease cannot overwrite its replacement; reruns work after a failure.
(The real worker killed with SIGKILL is in test_faults.py.)"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from analyses import compute, jobs
from analyses.models import Analysis
from audit.models import AuditEvent
from django.core.management import call_command
from django.utils import timezone
from django.utils.translation import override
from programmes.models import Simulation


def lost(job: Any, *, attempts: int) -> None:
    """Make ``job`` look like its worker died a while ago in the middle of attempt ``attempts``."""
    long_ago = timezone.now() - timedelta(hours=1)
    type(job).objects.filter(pk=job.pk).update(
        status="running", attempts=attempts, heartbeat_at=long_ago, started_at=long_ago
    )


def test_a_result_that_cannot_be_saved_fails_the_job(
    world: dict[str, Any],
    as_persona: Any,
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The issue: one `inf` in the income column, and the analysis stayed "running" at 100%.
    analysis = world["analysis"]
    real_run = compute.run

    def run_with_infinity(*args: Any, **kwargs: Any) -> dict[str, Any]:
        result = real_run(*args, **kwargs)
        result["headline"][0]["estimate"] = float("inf")
        return result

    monkeypatch.setattr(compute, "run", run_with_infinity)
    analyst = as_persona("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        assert analyst.post(f"/analyses/{analysis.pk}/", {"rerun": "1"}).status_code == 302
    analysis.refresh_from_db()
    assert (analysis.status, analysis.result) == ("failed", None)
    assert analysis.error == jobs.SAVE_FAILED
    page = analyst.get(f"/analyses/{analysis.pk}/").content.decode()
    assert "The result could not be saved" in page
    with override("id"):
        assert analysis.error_text() != jobs.SAVE_FAILED  # shown in Bahasa Indonesia
        assert "tidak dapat disimpan" in analysis.error_text()

    monkeypatch.setattr(compute, "run", real_run)  # the data fixed: rerun works after a failure
    with django_capture_on_commit_callbacks(execute=True):
        analyst.post(f"/analyses/{analysis.pk}/", {"rerun": "1"})
    analysis.refresh_from_db()
    assert (analysis.status, analysis.error, analysis.attempts) == ("done", "", 1)
    assert analysis.result["headline"]


def test_lost_job_is_retried_once_then_failed(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    analysis = world["analysis"]
    lost(analysis, attempts=1)
    with django_capture_on_commit_callbacks(execute=True):
        outcome = jobs.recover()
    assert ("analyses.Analysis", analysis.pk, "queued") in outcome
    analysis.refresh_from_db()
    assert (analysis.status, analysis.attempts) == ("done", 2)  # the retry ran and finished

    lost(analysis, attempts=2)  # the retry's worker died too: no third try
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert jobs.recover() == [("analyses.Analysis", analysis.pk, "failed")]
    assert callbacks == []  # nothing queued
    analysis.refresh_from_db()
    assert (analysis.status, analysis.error) == ("failed", jobs.WORKER_LOST)
    trail = AuditEvent.objects.filter(actor_name=jobs.WORKER_NAME, object_id=str(analysis.pk))
    assert [e.after["status"] for e in trail.order_by("pk")] == ["queued", "failed"]


def test_a_job_with_a_fresh_lease_is_left_alone(world: dict[str, Any]) -> None:
    analysis = world["analysis"]
    Analysis.objects.filter(pk=analysis.pk).update(
        status="running", attempts=1, heartbeat_at=timezone.now()
    )
    assert jobs.recover() == []
    analysis.refresh_from_db()
    assert analysis.status == "running"
    assert jobs.recover_if_stale(analysis) is False


def test_polling_a_lost_simulation_recovers_it(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    sim = world["simulation"]
    lost(sim, attempts=2)
    status = as_persona("reader").get(f"/simulations/{sim.pk}/status.json").json()
    assert status["status"] == "failed"
    assert status["error"].startswith("The worker running this job stopped")
    sim.refresh_from_db()
    assert sim.status == "failed"
    # A rerun of the failed simulation (issue: rerun refused, "still running").
    with django_capture_on_commit_callbacks(execute=True):
        response = as_persona("analyst").post(f"/simulations/{sim.pk}/", {"rerun": "1"})
    assert response.status_code == 302
    sim.refresh_from_db()
    assert sim.status == "done" and sim.result


def test_recover_jobs_command_and_legacy_running_rows(world: dict[str, Any], capsys: Any) -> None:
    # Rows left "running" before leases existed (no heartbeat) are recovered too.
    Simulation.objects.filter(pk=world["simulation"].pk).update(
        status="running", attempts=2, heartbeat_at=None, started_at=None
    )
    call_command("recover_jobs")
    assert "1 job(s) recovered" in capsys.readouterr().out
    assert Simulation.objects.get(pk=world["simulation"].pk).status == "failed"


def test_a_run_that_lost_its_lease_cannot_overwrite_its_replacement(world: dict[str, Any]) -> None:
    analysis = world["analysis"]
    analysis.status, analysis.attempts, analysis.result = "queued", 0, None
    analysis.save()
    late = jobs.claim(Analysis, analysis.pk)
    assert late is not None and late.attempt == 1
    assert jobs.claim(Analysis, analysis.pk) is None  # a second claim of the same job fails
    lost(analysis, attempts=1)
    jobs.recover()  # attempt 1 presumed dead: queued again, and claimed by a new worker
    current = jobs.claim(Analysis, analysis.pk)
    assert current is not None and current.attempt == 2
    late.progress(50, "late")
    assert late.done({"stale": True}) == jobs.SUPERSEDED
    analysis.refresh_from_db()
    assert (analysis.status, analysis.result, analysis.progress) == ("running", None, 1)
    current.done({"fresh": True})
    analysis.refresh_from_db()
    assert (analysis.status, analysis.result) == ("done", {"fresh": True})


def test_rerun_of_a_running_job_is_refused_with_a_message(
    world: dict[str, Any], as_persona: Any
) -> None:
    analysis = world["analysis"]
    Analysis.objects.filter(pk=analysis.pk).update(status="running", heartbeat_at=timezone.now())
    analyst = as_persona("analyst")
    response = analyst.post(f"/analyses/{analysis.pk}/", {"rerun": "1"}, follow=True)
    assert "already queued or running" in response.content.decode()
    assert Analysis.objects.get(pk=analysis.pk).status == "running"
