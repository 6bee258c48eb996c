"""Every state change of the public-services section, each with its audit event."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import polars as pl
from agencies import actions as agency_actions
from agencies.access import check, has_role
from agencies.actions import NotAllowed
from agencies.models import Agency, Role
from analyses import jobs
from analyses.models import run_job
from audit.actions import record, snapshot
from audit.models import Action
from datasets import storage
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from services import costs
from services.models import (
    AccessAnalysis,
    DemandSet,
    FacilitySet,
    SitingModel,
    SitingScenario,
    TravelModel,
)
from services.tasks import run_access, run_siting
from setara.access import read_demand, read_facilities
from setara.access.osm import read_osm_network
from setara.errors import InputValueError, SetaraError
from setara.io import read_survey

#: File types the library reads for facilities and villages.
SUFFIXES = (".csv", ".parquet", ".xlsx", ".geojson", ".json", ".gpkg")
#: File types of the tables of a travel model (read as surveys are).
TABLE_SUFFIXES = (".csv", ".parquet", ".xlsx")
KINDS: dict[str, Any] = {"facilities": FacilitySet, "villages": DemandSet}
READERS: dict[str, Any] = {
    "facilities": read_facilities,
    "villages": read_demand,
    "osm": read_osm_network,
}
ALLOWED = {"table": TABLE_SUFFIXES, "osm": (".pbf",)}


def _read(kind: str, uploaded: Any) -> Any:
    """Read and validate the upload with the library (``kind``: facilities, villages,
    ``table`` for a travel model's table, ``osm`` for an OpenStreetMap extract: its nodes,
    roads and ferries); its message names the file, not the temporary path."""
    name = str(uploaded.name)
    suffix = Path(name).suffix.lower()
    allowed = ALLOWED.get(kind, SUFFIXES)
    if suffix not in allowed:
        raise storage.UploadError(
            f"file {name!r} has an unsupported type {suffix or '(no suffix)'}; upload one of "
            + ", ".join(allowed)
        )
    target = Path(settings.FILE_UPLOAD_TEMP_DIR) / f"places-{uuid.uuid4().hex}{suffix}"
    try:
        with open(target, "wb") as handle:
            for chunk in uploaded.chunks():
                handle.write(chunk)
        try:
            return READERS.get(kind, read_survey)(target)
        except SetaraError as exc:
            message = str(exc).replace(str(target), name)
            raise storage.UploadError(f"file {name!r}: {message}") from exc
        except (OSError, ValueError, RuntimeError, pl.exceptions.PolarsError) as exc:
            raise storage.UploadError(f"file {name!r} could not be read as {suffix}") from exc
    finally:
        target.unlink(missing_ok=True)


def upload_places(
    user: Any,
    agency: Agency,
    *,
    kind: str,
    uploaded: Any,
    name: str = "",
    request: HttpRequest | None = None,
) -> FacilitySet | DemandSet:
    """Store a validated facilities or villages file; a file with bad rows raises the
    library's message and nothing is stored."""
    if not has_role(user, agency, Role.ANALYST):
        raise NotAllowed("you need the analyst role in the agency that will own the file")
    model = KINDS[kind]
    frame = _read(kind, uploaded)
    relative = f"{agency.slug}/places-{uuid.uuid4().hex}.parquet"
    partial = storage.write_partial(frame, relative)
    extra = {"types": sorted(set(frame["type"].to_list()) - {""})} if kind == "facilities" else {}
    try:
        with transaction.atomic():
            obj = model.objects.create(
                owner=agency,
                created_by=user,
                name=name or Path(uploaded.name).stem,
                original_name=str(uploaded.name)[:255],
                path=relative,
                n_rows=frame.height,
                columns=frame.columns,
                **extra,
            )
            record(
                Action.CREATE,
                actor=user,
                obj=obj,
                request=request,
                after={**snapshot(obj, ["name", "owner"]), "rows": frame.height},
            )
            transaction.on_commit(lambda: storage.commit_file(relative))
            return obj  # type: ignore[no-any-return]
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def upload_travel(
    user: Any,
    agency: Agency,
    *,
    kind: str,
    files: dict[str, Any],
    name: str = "",
    request: HttpRequest | None = None,
) -> TravelModel:
    """Store a travel model: an origin-destination ``matrix``, or a road network's ``nodes``
    and ``edges`` with optional ``ferries`` (or an ``osm`` extract giving all three: its roads
    and its ``route=ferry`` ways), each read and checked by the library first (a bad table
    raises its message naming the file, and nothing is stored)."""
    if not has_role(user, agency, Role.ANALYST):
        raise NotAllowed("you need the analyst role in the agency that will own the file")
    given = {table: f for table, f in files.items() if f is not None}
    if "osm" in given and len(given) > 1:
        raise InputValueError(
            "an OpenStreetMap extract gives the nodes, roads and ferries itself; upload it alone"
        )
    if "osm" in given:
        found = zip(("nodes", "edges", "ferries"), _read("osm", given["osm"]), strict=True)
        tables = {table: frame for table, frame in found if frame.height or table != "ferries"}
    else:
        tables = {table: _read("table", f) for table, f in given.items()}
    try:
        counts = costs.check_tables(kind, tables)
    except SetaraError as exc:
        named = ", ".join(f"{t} {str(f.name)!r}" for t, f in given.items())
        raise storage.UploadError(f"{exc} ({named})") from exc
    paths = {t: f"{agency.slug}/travel-{uuid.uuid4().hex}.parquet" for t in tables}
    written = []
    try:
        for table, frame in tables.items():
            written.append(storage.write_partial(frame, paths[table]))
        with transaction.atomic():
            first = next(iter(given.values()))
            obj = TravelModel.objects.create(
                owner=agency,
                created_by=user,
                name=name or Path(first.name).stem,
                kind=kind,
                paths=paths,
                original_names={t: str(f.name)[:255] for t, f in given.items()},
                counts=counts,
            )
            record(
                Action.CREATE,
                actor=user,
                obj=obj,
                request=request,
                after={**snapshot(obj, ["name", "owner", "kind"]), **counts},
            )
            for relative in paths.values():
                transaction.on_commit(lambda r=relative: storage.commit_file(r))  # type: ignore[misc]
            return obj
    except BaseException:
        for partial in written:
            partial.unlink(missing_ok=True)
        raise


def _check_columns(demand_set: DemandSet, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c and c not in demand_set.columns]
    if missing:
        raise InputValueError(
            f"{what} {', '.join(map(repr, missing))} is not in the villages file "
            f"{demand_set.name!r}; it has " + ", ".join(demand_set.columns[:20])
        )


def _inputs(
    user: Any, facility_set: FacilitySet, demand_set: DemandSet, travel: TravelModel | None
) -> None:
    """The user may run jobs in the facilities' agency and read the other files."""
    check(user, facility_set, "edit")
    check(user, demand_set, "read")
    if travel is not None:
        check(user, travel, "read")


def create_access(
    user: Any,
    facility_set: FacilitySet,
    demand_set: DemandSet,
    *,
    title: str,
    threshold: float = 60.0,
    speed_kmh: float = 30.0,
    circuity: float = 1.2,
    facility_type: str = "",
    region_column: str = "kode_wilayah",
    groups: list[str] | None = None,
    travel: TravelModel | None = None,
    request: HttpRequest | None = None,
    run_now: bool = False,
) -> AccessAnalysis:
    """Queue an access analysis owned by the facilities' agency (``travel``: an uploaded
    travel model; great-circle distance at ``speed_kmh`` x ``circuity`` when None)."""
    _inputs(user, facility_set, demand_set, travel)
    groups = [g for g in groups or [] if g]
    _check_columns(demand_set, [region_column, *groups], "column")
    if facility_type and facility_type not in facility_set.types:
        raise InputValueError(
            f"no facility of type {facility_type!r} in {facility_set.name!r}; types: "
            + (", ".join(facility_set.types) or "none")
        )
    with transaction.atomic():
        job = AccessAnalysis.objects.create(
            owner_id=facility_set.owner_id,
            created_by=user,
            title=title,
            facility_set=facility_set,
            demand_set=demand_set,
            travel=travel,
            threshold=threshold,
            speed_kmh=speed_kmh,
            circuity=circuity,
            facility_type=facility_type,
            region_column=region_column,
            groups=groups,
        )
        record(
            Action.CREATE,
            actor=user,
            obj=job,
            request=request,
            after=snapshot(
                job, ["title", "facility_set", "demand_set", "travel", "threshold", "groups"]
            ),
        )
        if not run_now:
            run_job(run_access, job, now=False)
    if run_now:
        run_job(run_access, job, now=True)
    return job


def create_siting(
    user: Any,
    facility_set: FacilitySet,
    demand_set: DemandSet,
    *,
    title: str,
    model: str,
    minutes: float = 60.0,
    p: int | None = None,
    budget: float | None = None,
    weight_column: str = "",
    speed_kmh: float = 30.0,
    circuity: float = 1.2,
    groups: list[str] | None = None,
    travel: TravelModel | None = None,
    request: HttpRequest | None = None,
    run_now: bool = False,
) -> SitingScenario:
    """Queue a siting scenario owned by the facilities' agency (``travel`` as for
    :func:`create_access`)."""
    _inputs(user, facility_set, demand_set, travel)
    if model not in SitingModel.values:
        raise InputValueError(f"unknown siting model {model!r}; use {', '.join(SitingModel)}")
    if model in ("pmedian", "pcenter") and p is None:
        raise InputValueError(_("p-median and p-centre need the number of new sites (p)."))
    if model == "mclp" and p is None and budget is None:
        raise InputValueError(_("MCLP needs the number of new sites (p), a budget or both."))
    groups = [g for g in groups or [] if g]
    _check_columns(demand_set, [weight_column, *groups], "column")
    with transaction.atomic():
        job = SitingScenario.objects.create(
            owner_id=facility_set.owner_id,
            created_by=user,
            title=title,
            facility_set=facility_set,
            demand_set=demand_set,
            travel=travel,
            model=model,
            minutes=minutes,
            p=p,
            budget=budget,
            weight_column=weight_column,
            speed_kmh=speed_kmh,
            circuity=circuity,
            groups=groups,
        )
        record(
            Action.CREATE,
            actor=user,
            obj=job,
            request=request,
            after=snapshot(
                job, ["title", "model", "travel", "minutes", "p", "budget", "weight_column"]
            ),
        )
        if not run_now:
            run_job(run_siting, job, now=False)
    if run_now:
        run_job(run_siting, job, now=True)
    return job


def rerun(
    user: Any, job: AccessAnalysis | SitingScenario, request: HttpRequest | None = None
) -> None:
    """Queue a done or failed job again; of concurrent reruns exactly one is queued."""
    check(user, job, "edit")
    model = type(job)
    with transaction.atomic():
        before = model.objects.values_list("status", flat=True).get(pk=job.pk)
        if not jobs.requeue(model, job.pk):
            raise NotAllowed(_("It is already queued or running."))
        record(
            Action.UPDATE,
            actor=user,
            obj=job,
            request=request,
            before={"status": before},
            after={"status": "queued"},
        )


def delete(user: Any, obj: Any, request: HttpRequest | None = None) -> None:
    """Delete a file (refused while a job uses it) or a job."""
    if isinstance(obj, TravelModel):
        if (
            AccessAnalysis.objects.filter(travel=obj).exists()
            or SitingScenario.objects.filter(travel=obj).exists()
        ):
            raise NotAllowed(_("Analyses or scenarios use this file; delete them first."))
        agency_actions.delete(user, obj, ["name", "owner", "kind", "published"], request)
        for relative in obj.paths.values():
            (Path(settings.STORAGE_DIR) / relative).unlink(missing_ok=True)
        return
    if isinstance(obj, FacilitySet | DemandSet):
        field = "facility_set" if isinstance(obj, FacilitySet) else "demand_set"
        used = (
            AccessAnalysis.objects.filter(**{field: obj}).exists()
            or SitingScenario.objects.filter(**{field: obj}).exists()
        )
        if used:
            raise NotAllowed(_("Analyses or scenarios use this file; delete them first."))
        path = Path(settings.STORAGE_DIR) / obj.path
        agency_actions.delete(user, obj, ["name", "owner", "published"], request)
        path.unlink(missing_ok=True)
        return
    agency_actions.delete(user, obj, ["title", "owner", "published"], request)
