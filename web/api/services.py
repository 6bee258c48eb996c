"""The API's public-services endpoints: facility and village files, access analyses and siting
scenarios (list, detail, create, run again, results). Each goes through the action the pages use
(``services.actions``) and the same access helper (``services.access``)."""

from __future__ import annotations

from typing import Any, Literal

from agencies import actions as agency_actions
from agencies.access import readable
from agencies.models import Agency
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import BaseModel, Field
from services import actions, exports
from services.access import MODELS, get_object
from setara_web.spreadsheet import to_csv

from api.schemas import CSV_TOO, ERRORS, STRICT_BODY, AgencyOut, Name, ShareIn
from api.sharing import apply_share

router = Router(tags=["public services"])
FileKind = Literal["facilities", "villages"]
JobKind = Literal["access", "siting"]


class PlaceFileOut(Schema):
    id: int
    name: str
    original_name: str
    n_rows: int
    columns: list[str]
    owner: AgencyOut
    published: bool
    shared_with: list[str]

    @staticmethod
    def resolve_shared_with(obj: Any) -> list[str]:
        return sorted(a.slug for a in obj.shared_with.all())


class JobOut(Schema):
    id: int
    title: str
    owner: AgencyOut
    facility_set: int
    demand_set: int
    travel: int | None
    status: str
    progress: int
    error: str
    options: dict[str, Any]
    published: bool
    shared_with: list[str]


class _JobIn(BaseModel):
    model_config = STRICT_BODY
    title: Name
    facility_set: int
    demand_set: int
    travel: int | None = Field(
        None, description="an uploaded travel model (matrix or road network); none: great circle"
    )
    speed_kmh: float = Field(30.0, ge=1.0, le=500.0)
    circuity: float = Field(1.2, ge=1.0, le=5.0)
    groups: list[str] = []


class AccessIn(_JobIn):
    threshold: float = Field(60.0, gt=0.0, le=10_000.0)
    facility_type: str = ""
    region_column: str = "kode_wilayah"


class SitingIn(_JobIn):
    model: Literal["lscp", "mclp", "pmedian", "pcenter"]
    minutes: float = Field(60.0, gt=0.0, le=10_000.0)
    p: int | None = Field(None, ge=0)
    budget: float | None = Field(None, ge=0.0)
    weight_column: str = ""


OPTIONS = {
    "access": ["threshold", "speed_kmh", "circuity", "facility_type", "region_column", "groups"],
    "siting": ["model", "minutes", "p", "budget", "weight_column", "speed_kmh", "circuity"],
}


def _job_out(kind: str, job: Any) -> dict[str, Any]:
    return {
        "id": job.pk,
        "title": job.title,
        "owner": job.owner,
        "facility_set": job.facility_set_id,
        "demand_set": job.demand_set_id,
        "travel": job.travel_id,
        "status": job.status,
        "progress": job.progress,
        "error": job.error,
        "options": {name: getattr(job, name) for name in OPTIONS[kind]},
        "published": job.published,
        "shared_with": sorted(a.slug for a in job.shared_with.all()),
    }


@router.get("/files/{kind}", response={200: list[PlaceFileOut], **ERRORS})
def list_files(request: HttpRequest, kind: FileKind) -> Any:
    found = MODELS[kind].objects.select_related("owner").prefetch_related("shared_with")
    return readable(request.user, found)[:200]


@router.get("/files/{kind}/{pk}", response={200: PlaceFileOut, **ERRORS})
def file_detail(request: HttpRequest, kind: FileKind, pk: int) -> Any:
    return get_object(request.user, kind, pk)


@router.post("/files/{kind}", response={201: PlaceFileOut, **ERRORS})
def upload_file(
    request: HttpRequest,
    kind: FileKind,
    file: File[UploadedFile],
    agency: Form[str],
    name: Form[str] = "",
) -> Status:
    """Checked by ``setara.access.read_facilities`` / ``read_demand``: a file with a bad row
    is refused with 400 and the library's message, and nothing is stored."""
    owner = Agency.objects.filter(slug=agency).first()
    if owner is None:
        raise HttpError(400, f"unknown agency {agency!r}")
    try:
        obj = actions.upload_places(
            request.user, owner, kind=kind, uploaded=file, name=name, request=request
        )
    except actions.NotAllowed as exc:
        raise PermissionDenied from exc
    return Status(201, obj)


def _inputs(request: HttpRequest, body: _JobIn) -> dict[str, Any]:
    return {
        "facility_set": get_object(request.user, "facilities", body.facility_set, "edit"),
        "demand_set": get_object(request.user, "villages", body.demand_set),
        "travel": None if body.travel is None else get_object(request.user, "travel", body.travel),
    }


def _list(request: HttpRequest, kind: str) -> list[dict[str, Any]]:
    found = MODELS[kind].objects.select_related("owner").prefetch_related("shared_with")
    return [_job_out(kind, job) for job in readable(request.user, found)[:200]]


@router.get("/access", response={200: list[JobOut], **ERRORS})
def list_access(request: HttpRequest) -> list[dict[str, Any]]:
    """The access analyses the user may read, newest first (at most 200)."""
    return _list(request, "access")


@router.get("/siting", response={200: list[JobOut], **ERRORS})
def list_siting(request: HttpRequest) -> list[dict[str, Any]]:
    """The siting scenarios the user may read, newest first (at most 200)."""
    return _list(request, "siting")


@router.post("/access", response={201: JobOut, **ERRORS})
def create_access(request: HttpRequest, body: AccessIn) -> Status:
    inputs = _inputs(request, body)
    options = body.model_dump(exclude=set(inputs))
    job = actions.create_access(request.user, **inputs, request=request, **options)
    return Status(201, _job_out("access", job))


@router.post("/siting", response={201: JobOut, **ERRORS})
def create_siting(request: HttpRequest, body: SitingIn) -> Status:
    inputs = _inputs(request, body)
    options = body.model_dump(exclude=set(inputs))
    job = actions.create_siting(request.user, **inputs, request=request, **options)
    return Status(201, _job_out("siting", job))


@router.get("/{kind}/{pk}", response={200: JobOut, **ERRORS})
def job_detail(request: HttpRequest, kind: JobKind, pk: int) -> dict[str, Any]:
    return _job_out(kind, get_object(request.user, kind, pk))


@router.post("/{kind}/{pk}/run", response={202: JobOut, **ERRORS})
def run_again(request: HttpRequest, kind: JobKind, pk: int) -> Status:
    """Queue a done or failed job again (409 when it is queued or running)."""
    job = get_object(request.user, kind, pk, "edit")
    try:
        actions.rerun(request.user, job, request)
    except actions.NotAllowed as exc:
        raise HttpError(409, str(exc)) from exc
    job.refresh_from_db()
    return Status(202, _job_out(kind, job))


@router.get(
    "/{kind}/{pk}/results",
    summary="Results as JSON (format=json) or the main table as CSV (format=csv)",
    response={200: dict[str, Any], **ERRORS},
    openapi_extra=CSV_TOO,
)
def job_results(request: HttpRequest, kind: JobKind, pk: int, format: str = "json") -> Any:
    job = get_object(request.user, kind, pk)
    if format not in ("json", "csv"):
        raise HttpError(400, "format must be json or csv")
    if job.status != "done" or not job.result:
        raise HttpError(409, f"the {kind} job is {job.status}, results are not ready")
    agency_actions.record_export(request.user, job, f"api-{format}", request)
    if format == "json":
        return job.result
    frame = (exports.regions_frame if kind == "access" else exports.sites_frame)(job.result)
    response = HttpResponse(to_csv(frame), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{job.pk}.csv"'
    return response


@router.post("/files/{kind}/{pk}/sharing", response={200: PlaceFileOut, **ERRORS})
def share_file(request: HttpRequest, kind: FileKind, pk: int, body: ShareIn) -> Any:
    """Share a facilities or villages file with named agencies (``agencies`` replaces the
    list) and/or publish it; managers of the owning agency only (403), others 404."""
    obj = get_object(request.user, kind, pk, "share")
    apply_share(request, obj, body)
    return obj


@router.post("/{kind}/{pk}/sharing", response={200: JobOut, **ERRORS})
def share_job(request: HttpRequest, kind: JobKind, pk: int, body: ShareIn) -> dict[str, Any]:
    """Share an access analysis or siting scenario as the page does: ``agencies`` replaces
    the list, ``published`` publishes or withdraws; each change audited."""
    job = get_object(request.user, kind, pk, "share")
    apply_share(request, job, body)
    return _job_out(kind, job)
