"""The background task that runs a simulation (run by ``manage.py db_worker``)."""

from __future__ import annotations

from analyses import jobs
from datasets.storage import read_version
from django_tasks import task

from programmes import specs
from programmes.models import Simulation
from setara.errors import SetaraError


@task()
def run_simulation(simulation_id: int) -> str:
    lease = jobs.claim(Simulation, simulation_id)
    if lease is None:  # not queued: already run, being run, or deleted
        return "skipped"
    with lease:
        sim = Simulation.objects.select_related("dataset_version").get(pk=simulation_id)
        lease.progress(5, "simulating")
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
            return lease.fail(str(exc))
        except Exception:
            lease.fail(jobs.INTERNAL_ERROR)
            raise
        return lease.done(result)
