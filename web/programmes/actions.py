"""Every state change of programmes and simulations, each with its audit event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from agencies import actions as agency_actions
from agencies.access import check, has_role
from agencies.actions import next_number
from agencies.models import Agency, Role
from analyses import jobs
from analyses.models import run_job
from audit.actions import record, snapshot
from audit.models import Action
from datasets.actions import NotAllowed
from datasets.models import DatasetVersion, VersionStatus
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from programmes import specs
from programmes.models import Programme, ProgrammeVersion, Simulation
from programmes.tasks import run_simulation


def create(
    user: Any,
    agency: Agency,
    *,
    name: str,
    spec: str,
    description: str = "",
    template: str = "",
    request: HttpRequest | None = None,
) -> ProgrammeVersion:
    """A new programme with its first version; the text must parse (else SpecError)."""
    if not has_role(user, agency, Role.ANALYST):
        raise NotAllowed("you need the analyst role in the agency that will own the programme")
    _checked(spec, agency.pk)
    with transaction.atomic():
        programme = Programme.objects.create(
            owner=agency, created_by=user, name=name, description=description
        )
        record(
            Action.CREATE,
            actor=user,
            obj=programme,
            request=request,
            after=snapshot(programme, ["name", "description", "owner"]),
        )
        return _version(user, programme, spec, template, "", request)


def save_version(
    user: Any,
    programme: Programme,
    *,
    spec: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> ProgrammeVersion:
    """Save an edited text as the next version (earlier versions stay as they were)."""
    check(user, programme, "edit")
    _checked(spec, programme.owner_id)
    with transaction.atomic():
        locked = Programme.objects.select_for_update().get(pk=programme.pk)
        locked.save(update_fields=["updated_at"])
        return _version(user, locked, spec, "", note, request)


def _checked(spec: str, agency_id: int) -> None:
    """The text parses and every variable it names exists in the agency's data (a typo is
    caught at save with the closest name, not when a simulation runs)."""
    from programmes.editor import check_names, known_variables

    check_names(specs.parse(spec), known_variables(agency_id))


def _version(
    user: Any,
    programme: Programme,
    spec: str,
    template: str,
    note: str,
    request: HttpRequest | None,
) -> ProgrammeVersion:
    version = ProgrammeVersion.objects.create(
        programme=programme,
        number=next_number(programme.versions),
        spec=spec,
        template=template,
        note=note,
        created_by=user,
    )
    record(
        Action.CREATE,
        actor=user,
        obj=version,
        agency_id=programme.owner_id,
        object_type="programme version",
        request=request,
        after={"number": version.number, "template": template, "note": note},
    )
    return version


def delete(user: Any, programme: Programme, request: HttpRequest | None = None) -> None:
    check(user, programme, "delete")
    used = (
        Simulation.objects.filter(scenario__programme=programme).exists()
        or Simulation.objects.filter(baseline__programme=programme).exists()
    )
    if used:
        raise NotAllowed("simulations use this programme; delete them first")
    agency_actions.delete(user, programme, ["name", "description", "owner", "published"], request)


def simulate(
    user: Any,
    dataset_version: DatasetVersion,
    *,
    baseline: list[ProgrammeVersion],
    scenario: list[ProgrammeVersion],
    title: str,
    scenario_name: str = "scenario",
    date: dt.date | None = None,
    groups: str = "",
    proxies: str = "",
    categorical: str = "",
    request: HttpRequest | None = None,
    run_now: bool = False,
) -> Simulation:
    """Queue a simulation, owned by the dataset's agency, of programme versions the user can
    read."""
    check(user, dataset_version.dataset, "edit")
    if dataset_version.status != VersionStatus.ACCEPTED:
        raise NotAllowed("only an accepted dataset version can be simulated on")
    if not scenario:
        raise NotAllowed("choose at least one programme for the scenario")
    for version in [*baseline, *scenario]:
        check(user, version.programme, "read")
    specs.parse_groups(groups)
    with transaction.atomic():
        sim = Simulation.objects.create(
            owner_id=dataset_version.dataset.owner_id,
            created_by=user,
            dataset_version=dataset_version,
            title=title,
            scenario_name=scenario_name or "scenario",
            date=date,
            groups=groups,
            proxies=proxies,
            categorical=categorical,
        )
        sim.baseline.set(baseline)
        sim.scenario.set(scenario)
        record(
            Action.CREATE,
            actor=user,
            obj=sim,
            request=request,
            after={
                "title": title,
                "dataset_version": dataset_version.pk,
                "baseline": [v.pk for v in baseline],
                "scenario": [v.pk for v in scenario],
            },
        )
        if not run_now:
            run_job(run_simulation, sim, now=False)
    if run_now:
        run_job(run_simulation, sim, now=True)
    return sim


def delete_simulation(user: Any, sim: Simulation, request: HttpRequest | None = None) -> None:
    agency_actions.delete(user, sim, ["title", "dataset_version", "published"], request)


def rerun_simulation(user: Any, sim: Simulation, request: HttpRequest | None = None) -> Simulation:
    """Queue a done or failed simulation again; of concurrent reruns exactly one is queued."""
    check(user, sim, "edit")
    with transaction.atomic():
        before = Simulation.objects.values_list("status", flat=True).get(pk=sim.pk)
        if not jobs.requeue(Simulation, sim.pk):
            raise NotAllowed(_("The simulation is already queued or running."))
        record(
            Action.UPDATE,
            actor=user,
            obj=sim,
            request=request,
            before={"status": before},
            after={"status": "queued"},
        )
    sim.refresh_from_db()
    return sim
