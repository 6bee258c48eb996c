"""The background tasks of access analyses and siting scenarios (run by ``manage.py
db_worker``)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from analyses import jobs
from django.conf import settings
from django_tasks import task

from services import compute
from services.models import AccessAnalysis, SitingScenario
from setara.errors import SetaraError


def read_places(relative: str) -> pl.DataFrame:
    """A stored (validated) facilities or villages table."""
    return pl.read_parquet(Path(settings.STORAGE_DIR) / relative)


@task()
def run_access(analysis_id: int) -> str:
    lease = jobs.claim(AccessAnalysis, analysis_id)
    if lease is None:  # not queued: already run, being run, or deleted
        return "skipped"
    with lease:
        job = AccessAnalysis.objects.select_related("facility_set", "demand_set").get(
            pk=analysis_id
        )
        lease.progress(5, "reading the facilities and villages")
        try:
            facilities = read_places(job.facility_set.path)
            demand = read_places(job.demand_set.path)
            lease.progress(20, "travel times")
            result = compute.access_result(
                demand,
                facilities,
                threshold=job.threshold,
                speed_kmh=job.speed_kmh,
                circuity=job.circuity,
                facility_type=job.facility_type or None,
                region_column=job.region_column,
                groups=job.groups,
            )
        except SetaraError as exc:
            return lease.fail(str(exc))
        except Exception:
            lease.fail(jobs.INTERNAL_ERROR)
            raise
        return lease.done(result)


@task()
def run_siting(scenario_id: int) -> str:
    lease = jobs.claim(SitingScenario, scenario_id)
    if lease is None:
        return "skipped"
    with lease:
        job = SitingScenario.objects.select_related("facility_set", "demand_set").get(
            pk=scenario_id
        )
        lease.progress(5, "reading the facilities and villages")
        try:
            facilities = read_places(job.facility_set.path)
            demand = read_places(job.demand_set.path)
            lease.progress(20, "solving")
            result = compute.siting_result(
                demand,
                facilities,
                model=job.model,
                minutes=job.minutes,
                p=job.p,
                budget=job.budget,
                weight_column=job.weight_column,
                speed_kmh=job.speed_kmh,
                circuity=job.circuity,
                groups=job.groups,
                time_limit=settings.SITING_TIME_LIMIT,
            )
        except SetaraError as exc:
            return lease.fail(str(exc))
        except Exception:
            lease.fail(jobs.INTERNAL_ERROR)
            raise
        return lease.done(result)
