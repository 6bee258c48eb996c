"""The background tasks of access analyses and siting scenarios (run by ``manage.py
db_worker``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from analyses import jobs
from django.conf import settings
from django_tasks import task

from services import compute
from services.costs import Travel
from services.models import AccessAnalysis, SitingScenario, TravelModel
from setara.errors import SetaraError


def read_places(relative: str) -> pl.DataFrame:
    """A stored (validated) facilities or villages table."""
    return pl.read_parquet(Path(settings.STORAGE_DIR) / relative)


def read_travel(travel: TravelModel | None) -> Travel | None:
    """A stored (checked) travel model's tables, or None for great-circle distance."""
    if travel is None:
        return None
    return Travel(travel.kind, {name: read_places(path) for name, path in travel.paths.items()})


def _run(
    model: Any, pk: int, step: str, work: Callable[[Any, pl.DataFrame, pl.DataFrame], Any]
) -> str:
    """Claim the job, read its two files, run ``work(job, facilities, villages)`` and store
    the result; a user mistake (``SetaraError``) fails the job with its message."""
    lease = jobs.claim(model, pk)
    if lease is None:  # not queued: already run, being run, or deleted
        return "skipped"
    with lease:
        job = model.objects.select_related("facility_set", "demand_set", "travel").get(pk=pk)
        lease.progress(5, "reading the facilities and villages")
        try:
            facilities = read_places(job.facility_set.path)
            demand = read_places(job.demand_set.path)
            lease.progress(20, step)
            result = work(job, facilities, demand)
        except SetaraError as exc:
            return lease.fail(str(exc))
        except Exception:
            lease.fail(jobs.INTERNAL_ERROR)
            raise
        return lease.done(result)


@task()
def run_access(analysis_id: int) -> str:
    return _run(
        AccessAnalysis,
        analysis_id,
        "travel times",
        lambda job, facilities, demand: compute.access_result(
            demand,
            facilities,
            threshold=job.threshold,
            speed_kmh=job.speed_kmh,
            circuity=job.circuity,
            facility_type=job.facility_type or None,
            region_column=job.region_column,
            groups=job.groups,
            travel=read_travel(job.travel),
        ),
    )


@task()
def run_siting(scenario_id: int) -> str:
    return _run(
        SitingScenario,
        scenario_id,
        "solving",
        lambda job, facilities, demand: compute.siting_result(
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
            travel=read_travel(job.travel),
        ),
    )
