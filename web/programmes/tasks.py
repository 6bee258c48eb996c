"""The background task that runs a simulation (run by ``manage.py db_worker``)."""

from __future__ import annotations

from analyses.models import Status
from datasets.storage import read_version
from django.utils import timezone
from django_tasks import task

from programmes import specs
from programmes.models import Simulation
from setara.errors import SetaraError


@task()
def run_simulation(simulation_id: int) -> str:
    sim = Simulation.objects.select_related("dataset_version").get(pk=simulation_id)
    if sim.status not in (Status.QUEUED, Status.RUNNING):
        return sim.status
    Simulation.objects.filter(pk=sim.pk).update(
        status=Status.RUNNING, progress=5, started_at=timezone.now()
    )
    try:
        result = specs.run(
            read_version(sim.dataset_version.path),
            sim.dataset_version.mapping,
            baseline=[p for v in sim.baseline.all() for p in specs.parse(v.spec)],
            scenario=[p for v in sim.scenario.all() for p in specs.parse(v.spec)],
            scenario_name=sim.scenario_name,
            date=sim.date,
            groups=specs.parse_groups(sim.groups),
            proxies=[p.strip() for p in sim.proxies.split(",") if p.strip()],
            categorical=sim.categorical,
        )
    except SetaraError as exc:
        _finish(sim.pk, Status.FAILED, error=str(exc))
        return Status.FAILED
    except Exception as exc:
        _finish(sim.pk, Status.FAILED, error=f"internal error: {type(exc).__name__}")
        raise
    _finish(sim.pk, Status.DONE, result=result)
    return Status.DONE


def _finish(pk: int, status: str, *, result: object = None, error: str = "") -> None:
    Simulation.objects.filter(pk=pk).update(
        status=status, result=result, error=error, progress=100, finished_at=timezone.now()
    )
