"""The REST API: same access helpers as the pages, token or session authentication.

The OpenAPI schema is served at ``/api/openapi.json`` and browsable at ``/api/docs``.
Scripts send ``Authorization: Bearer <token>`` (tokens are created on the profile page or with
``manage.py create_token``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from agencies import actions as agency_actions
from agencies.access import readable
from agencies.models import Agency, ApiToken, hash_secret
from analyses import actions as analysis_actions
from analyses import exports
from analyses.access import get_analysis
from analyses.models import Analysis
from analyses.models import Status as RunStatus
from datasets import actions as dataset_actions
from datasets.access import get_dataset, get_version
from datasets.models import Dataset
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, NinjaAPI, Query, Status
from ninja.errors import HttpError, ValidationError
from ninja.files import UploadedFile
from ninja.security import HttpBearer, SessionAuth
from programmes import comparison
from programmes.access import get_programme, get_simulation
from programmes.models import Programme, Simulation

from api import lists, sharing, uploads, versions
from api import services as service_endpoints
from api.prepared import Prepared
from api.schemas import (
    CSV_TOO,
    ERRORS,
    AnalysisIn,
    AnalysisOut,
    DatasetListOut,
    DatasetOut,
    Decimal,
    Encoding,
    ErrorOut,
    ProgrammeOut,
    Separator,
    ShareIn,
    SimulationOut,
    Thousands,
    UploadOut,
)
from setara.errors import SetaraError

TOKEN_USE_RESOLUTION = timedelta(minutes=1)


# Every concrete field of the user, read with the token in one query.
USER_FIELDS = [field.attname for field in get_user_model()._meta.concrete_fields]
TOKEN_USER = Prepared(
    lambda key_hash: ApiToken.objects.filter(
        key_hash=key_hash.as_text, revoked_at__isnull=True, user__is_active=True
    ).values_list("pk", "last_used_at", *(f"user__{name}" for name in USER_FIELDS))
)


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``: the token's SHA-256 looked up (a unique index), its
    active user loaded in the same query."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = next(iter(TOKEN_USER.rows(key_hash=hash_secret(token))), None)
        if found is None:
            return None
        token_id, last_used_at, *user_values = found
        user = get_user_model().from_db(TOKEN_USER.using, USER_FIELDS, user_values)
        now = timezone.now()
        if last_used_at is None or now - last_used_at > TOKEN_USE_RESOLUTION:
            # One write a minute at most: a script's burst of reads never queues on the lock.
            ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
        request.user = user
        return user


class SignedInSession(SessionAuth):
    """The browser session; its CSRF check applies only when the session has a user.

    An anonymous request carries no session that a forged request could ride on, so it gets
    401 (sign in) rather than 403 "CSRF check Failed".
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


api = NinjaAPI(
    title="Setara API",
    version="1",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[TokenAuth(), SignedInSession()],
)
api.add_router("/datasets", versions.router)
api.add_router("/uploads", uploads.router)
api.add_router("/services", service_endpoints.router)


@api.exception_handler(ValidationError)
def invalid_body(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    """400 with one readable line per problem, e.g. "agencies: Input should be a valid list"."""
    problems = []
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ())[1:] if p != "body")
        if not where:
            problems.append("the request body must be a JSON object with the documented fields")
        else:
            message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append(f"{where}: {message}")
    return api.create_response(
        request, {"detail": "; ".join(problems), "errors": exc.errors}, status=400
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": "Forbidden"}, status=403)


@api.exception_handler(dataset_actions.NotAllowed)
def not_allowed(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=409)


@api.exception_handler(analysis_actions.BreakdownError)
def bad_breakdown(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(SetaraError)
def bad_input(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=400)


def _dataset_out(d: Dataset) -> dict[str, Any]:
    return {
        "id": d.pk,
        "name": d.name,
        "description": d.description,
        "owner": d.owner,
        "shared_with": [a.slug for a in d.shared_with.all()],
        "published": d.published,
        "versions": list(d.versions.all()),
    }


def _analysis_out(a: Analysis) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "owner": a.owner,
        "dataset": a.dataset_version.dataset_id,
        "dataset_version": a.dataset_version.number,
        "dimension": a.dimension,
        "breakdowns": a.breakdowns,
        "ci_method": a.ci_method,
        "status": a.status,
        "progress": a.progress,
        "error": a.error,
        "shared_with": [x.slug for x in a.shared_with.all()],
        "published": a.published,
    }


# Lists are paginated: ``limit`` rows (default PAGE_SIZE, at most MAX_PAGE) from ``offset``;
# the ``X-Total-Count`` header gives the number of rows in the whole list.
PAGE_SIZE, MAX_PAGE = 50, 200
PAGINATED = (
    f"Paginated: `limit` rows (default {PAGE_SIZE}, at most {MAX_PAGE}) from row `offset` "
    "(0 is the first), newest first; the `X-Total-Count` response header gives the number of "
    "rows in the whole list."
)
DATASET_ROWS = (
    " Each row sums its versions up (validation checks counted as `warnings` and `errors`); "
    "the row's `url`, the dataset's detail, has every version in full (mapping, validation "
    "report)."
)
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"rows per page (at most {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=10**9, description="rows to skip")]
TOTAL_HEADER = {
    "responses": {
        200: {  # an int, as ninja keys its responses: merged into the 200 response, not beside it
            "headers": {
                "X-Total-Count": {
                    "description": "the number of rows in the whole list",
                    "schema": {"type": "integer"},
                }
            }
        }
    }
}


def _list(request: HttpRequest, found: lists.Rows) -> HttpResponse:
    """A page of a list (rows built by :mod:`api.lists` in the schema's exact shape), rendered
    as JSON directly: validating a hundred rows again with pydantic doubled a list's CPU time."""
    response = api.create_response(request, found.rows, status=200)
    response["X-Total-Count"] = str(found.total)
    return response


@api.get(
    "/datasets",
    response={200: list[DatasetListOut], **ERRORS},
    tags=["datasets"],
    description=PAGINATED + DATASET_ROWS,
    openapi_extra=TOTAL_HEADER,
)
def list_datasets(request: HttpRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> Any:
    return _list(request, lists.dataset_rows(request.user, lists.Page(limit, offset)))


@api.get("/datasets/{dataset_id}", response={200: DatasetOut, **ERRORS}, tags=["datasets"])
def dataset_detail(request: HttpRequest, dataset_id: int) -> dict[str, Any]:
    return _dataset_out(get_dataset(request.user, dataset_id))


@api.post(
    "/datasets",
    response={202: UploadOut, 413: ErrorOut, **ERRORS},
    tags=["datasets"],
    summary="Upload a survey file (a new dataset); processed in the background",
    description=uploads.DESCRIPTION,
)
def upload_dataset(
    request: HttpRequest,
    file: File[UploadedFile],
    agency: Form[str],
    name: Form[str] = "",
    separator: Form[Separator | None] = None,
    decimal: Form[Decimal | None] = None,
    thousands: Form[Thousands | None] = None,
    encoding: Form[Encoding | None] = None,
) -> HttpResponse:
    owner = Agency.objects.filter(slug=agency).first()
    if owner is None:
        raise HttpError(400, f"unknown agency {agency!r}")
    given = {"separator": separator, "decimal": decimal, "thousands": thousands}
    given = {k: v for k, v in (given | {"encoding": encoding}).items() if v is not None}
    try:
        job = dataset_actions.receive(
            request.user, file, agency=owner, name=name, csv_dialect=given
        )
    except dataset_actions.NotAllowed as exc:
        raise PermissionDenied from exc
    body = uploads.upload_out(job)
    response = api.create_response(request, body, status=202)
    response["Location"] = body["status_url"]
    return response


@api.post("/datasets/{dataset_id}/sharing", response={200: DatasetOut, **ERRORS}, tags=["datasets"])
def share_dataset(request: HttpRequest, dataset_id: int, body: ShareIn) -> dict[str, Any]:
    dataset = get_dataset(request.user, dataset_id, "share")
    _share(request, dataset, body)
    return _dataset_out(dataset)


def _share(request: HttpRequest, obj: Any, body: ShareIn) -> None:
    sharing.apply_share(request, obj, body)


@api.get(
    "/analyses",
    response={200: list[AnalysisOut], **ERRORS},
    tags=["analyses"],
    description=PAGINATED,
    openapi_extra=TOTAL_HEADER,
)
def list_analyses(request: HttpRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> Any:
    return _list(request, lists.analysis_rows(request.user, lists.Page(limit, offset)))


@api.post("/analyses", response={201: AnalysisOut, **ERRORS}, tags=["analyses"])
def create_analysis(request: HttpRequest, body: AnalysisIn) -> Status:
    version = get_version(request.user, body.dataset, body.version, "edit")
    analysis = analysis_actions.create(
        request.user,
        version,
        dimension=body.dimension,
        breakdowns=body.breakdowns,
        title=body.title,
        ci_method=body.ci_method,
        request=request,
    )
    return Status(201, _analysis_out(analysis))


@api.get("/analyses/{analysis_id}", response={200: AnalysisOut, **ERRORS}, tags=["analyses"])
def analysis_detail(request: HttpRequest, analysis_id: int) -> dict[str, Any]:
    return _analysis_out(get_analysis(request.user, analysis_id))


@api.get(
    "/analyses/{analysis_id}/results",
    tags=["analyses"],
    summary="Results as tidy JSON rows (format=json) or CSV (format=csv)",
    response={200: dict[str, Any], **ERRORS},
    openapi_extra=CSV_TOO,
)
def analysis_results(request: HttpRequest, analysis_id: int, format: str = "json") -> Any:
    analysis = get_analysis(request.user, analysis_id)
    return _results(
        request,
        analysis,
        format,
        exports.to_csv,
        lambda result: {
            "analysis": analysis.pk,
            "rows": exports.tidy(result).to_dicts(),
            "notes": result.get("notes", []),
        },
    )


def _results(
    request: HttpRequest,
    job: Any,
    fmt: str,
    to_csv: Callable[[Any], bytes],
    to_json: Callable[[Any], Any],
) -> Any:
    """A finished job's stored result as CSV or JSON, the read recorded as an export."""
    if fmt not in ("json", "csv"):
        raise HttpError(400, "format must be json or csv")
    if job.status != RunStatus.DONE or not job.result:
        kind = job._meta.verbose_name
        raise HttpError(409, f"the {kind} is {job.status}, results are not ready")
    agency_actions.record_export(request.user, job, f"api-{fmt}", request)
    if fmt == "json":
        return to_json(job.result)
    response = HttpResponse(to_csv(job.result), content_type="text/csv; charset=utf-8")
    name = f"{job._meta.model_name}-{job.pk}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@api.post(
    "/analyses/{analysis_id}/sharing", response={200: AnalysisOut, **ERRORS}, tags=["analyses"]
)
def share_analysis(request: HttpRequest, analysis_id: int, body: ShareIn) -> dict[str, Any]:
    analysis = get_analysis(request.user, analysis_id, "share")
    _share(request, analysis, body)
    return _analysis_out(analysis)


@api.delete("/analyses/{analysis_id}", response={204: None, **ERRORS}, tags=["analyses"])
def delete_analysis(request: HttpRequest, analysis_id: int) -> Status:
    analysis = get_analysis(request.user, analysis_id, "delete")
    analysis_actions.delete(request.user, analysis, request)
    return Status(204, None)


def _programme_out(p: Programme) -> dict[str, Any]:
    return {
        "id": p.pk,
        "name": p.name,
        "description": p.description,
        "owner": p.owner,
        "published": p.published,
        "versions": list(p.versions.all()),
    }


def _simulation_out(s: Simulation) -> dict[str, Any]:
    return {
        "id": s.pk,
        "title": s.title,
        "owner": s.owner,
        "dataset": s.dataset_version.dataset_id,
        "dataset_version": s.dataset_version.number,
        "scenario_name": s.scenario_name,
        "status": s.status,
        "error": s.error,
    }


@api.get("/programmes", response={200: list[ProgrammeOut], **ERRORS}, tags=["programmes"])
def list_programmes(request: HttpRequest) -> list[dict[str, Any]]:
    found = readable(request.user, Programme.objects.select_related("owner"))
    return [_programme_out(p) for p in found.prefetch_related("versions")]


@api.get("/programmes/{programme_id}", response={200: ProgrammeOut, **ERRORS}, tags=["programmes"])
def programme_detail(request: HttpRequest, programme_id: int) -> dict[str, Any]:
    return _programme_out(get_programme(request.user, programme_id))


@api.get(
    "/simulations/{simulation_id}", response={200: SimulationOut, **ERRORS}, tags=["programmes"]
)
def simulation_detail(request: HttpRequest, simulation_id: int) -> dict[str, Any]:
    return _simulation_out(get_simulation(request.user, simulation_id))


@api.get(
    "/simulations/{simulation_id}/results",
    tags=["programmes"],
    summary="Every simulation table as JSON (format=json) or stacked CSV (format=csv)",
    response={200: dict[str, Any], **ERRORS},
    openapi_extra=CSV_TOO,
)
def simulation_results(request: HttpRequest, simulation_id: int, format: str = "json") -> Any:
    sim = get_simulation(request.user, simulation_id)
    return _results(request, sim, format, comparison.to_csv, lambda result: result)


# The monitoring endpoints use the names above (pagination, errors), so they join last.
from api.monitoring import router as monitoring_router  # noqa: E402

api.add_router("/monitoring", monitoring_router)
