"""The monitoring part of the REST API (``/api/monitoring/...``): indicators, plans and
targets, reporting forms, submissions and their workflow steps, indicator values.

Same authentication, access helpers and error answers as the rest of the API; lists are
paginated like ``/api/datasets`` (``limit``, ``offset``, ``X-Total-Count``). Systems that
already collect realisation data create a submission with its rows in one request, then
submit it.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from agencies.access import readable
from agencies.models import Agency
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from monitoring.choices import FormKind
from monitoring.models import Indicator, IndicatorValue, Plan, ReportingForm, Submission, Target
from monitoring.queries import approved_values
from monitoring.schemas import (
    BulkIn,
    FollowUpOut,
    FormOut,
    IndicatorIn,
    IndicatorOut,
    PlanOut,
    RowsIn,
    StepIn,
    SubmissionIn,
    SubmissionOut,
    SubmitIn,
    TargetIn,
    TargetOut,
    ValueOut,
)
from ninja import Router, Status
from ninja.errors import HttpError

from api.api import ERRORS, PAGE_SIZE, PAGINATED, TOTAL_HEADER, Limit, Offset, api
from api.lists import OWNER
from monitoring import access, actions, quality, workflow

router = Router(tags=["monitoring"])
LIST = {"openapi_extra": TOTAL_HEADER, "description": PAGINATED}


def _page(request: HttpRequest, queryset: QuerySet[Any], row: Any, limit: int, offset: int) -> Any:
    """One page of ``queryset`` as rows built by ``row`` from ``.values()``-free instances;
    the whole list's size in ``X-Total-Count``."""
    total = queryset.count()
    rows = [row(obj) for obj in queryset[offset : offset + limit]]
    response: HttpResponse = api.create_response(request, rows, status=200)
    response["X-Total-Count"] = str(total)
    return response


def _owner(obj: Any) -> dict[str, str]:
    return {key: getattr(obj.owner, name.split("__")[1]) for name, key in OWNER.items()}


def _indicator(i: Indicator) -> dict[str, Any]:
    fields = IndicatorOut.model_fields.keys() - {"owner", "source_form"}
    out = {f: getattr(i, f) for f in fields}
    return {**out, "id": i.pk, "source_form": i.source_form_id, "owner": _owner(i)}


def _plan(p: Plan) -> dict[str, Any]:
    fields = PlanOut.model_fields.keys() - {"owner"}
    return {**{f: getattr(p, f) for f in fields}, "id": p.pk, "owner": _owner(p)}


def _target(t: Target) -> dict[str, Any]:
    fields = TargetOut.model_fields.keys() - {"indicator", "indicator_code"}
    out = {f: getattr(t, f) for f in fields}
    return {**out, "indicator": t.indicator_id, "indicator_code": t.indicator.code}


def _form(f: ReportingForm) -> dict[str, Any]:
    fields = FormOut.model_fields.keys() - {"owner", "programme", "indicators"}
    out = {k: getattr(f, k) for k in fields}
    codes = [i.code for i in f.indicators.all()]
    return {**out, "programme": f.programme_id, "indicators": codes, "owner": _owner(f)}


def _submission(s: Submission) -> dict[str, Any]:
    fields = SubmissionOut.model_fields.keys() - {"form", "agency"}
    return {**{k: getattr(s, k) for k in fields}, "form": s.form_id, "agency": s.agency.slug}


@router.get("/indicators", response={200: list[IndicatorOut], **ERRORS}, **LIST)
def list_indicators(request: HttpRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> Any:
    found = readable(request.user, Indicator.objects.select_related("owner")).order_by("code", "pk")
    return _page(request, found, _indicator, limit, offset)


@router.get("/indicators/{indicator_id}", response={200: IndicatorOut, **ERRORS})
def indicator_detail(request: HttpRequest, indicator_id: int) -> dict[str, Any]:
    return _indicator(access.get_indicator(request.user, indicator_id))


def _agency(slug: str) -> Agency:
    found = Agency.objects.filter(slug=slug).first()
    if found is None:
        raise HttpError(400, f"unknown agency {slug!r}")
    return found


@router.post("/indicators", response={201: IndicatorOut, **ERRORS})
def create_indicator(request: HttpRequest, body: IndicatorIn) -> Status:
    fields = body.model_dump()
    agency = _agency(fields.pop("agency"))
    if fields["source_form"] is not None:
        form_id = fields["source_form"]
        fields["source_form"] = (
            readable(request.user, ReportingForm.objects.all()).filter(pk=form_id).first()
        )
        if fields["source_form"] is None:
            raise HttpError(400, f"unknown reporting form {form_id}")
    indicator = actions.create_indicator(request.user, agency, request=request, **fields)
    return Status(201, _indicator(indicator))


@router.get("/plans", response={200: list[PlanOut], **ERRORS}, **LIST)
def list_plans(request: HttpRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> Any:
    found = readable(request.user, Plan.objects.select_related("owner")).order_by("-pk")
    return _page(request, found, _plan, limit, offset)


@router.get("/plans/{plan_id}/targets", response={200: list[TargetOut], **ERRORS}, **LIST)
def list_targets(
    request: HttpRequest, plan_id: int, limit: Limit = PAGE_SIZE, offset: Offset = 0
) -> Any:
    plan = access.get_plan(request.user, plan_id)
    indicators = readable(request.user, Indicator.objects.all()).values("pk")
    found = plan.targets.filter(indicator__in=indicators).select_related("indicator")
    return _page(request, found.order_by("pk"), _target, limit, offset)


@router.post("/plans/{plan_id}/targets", response={200: TargetOut, **ERRORS})
def save_target(request: HttpRequest, plan_id: int, body: TargetIn) -> dict[str, Any]:
    """Create or replace the target of one indicator, region and year."""
    plan = access.get_plan(request.user, plan_id)
    values = body.model_dump()
    indicator = access.get_indicator(request.user, values.pop("indicator"))
    target = actions.save_target(request.user, plan, indicator, request=request, **values)
    return _target(target)


@router.get("/forms", response={200: list[FormOut], **ERRORS}, **LIST)
def list_forms(request: HttpRequest, limit: Limit = PAGE_SIZE, offset: Offset = 0) -> Any:
    found = readable(request.user, ReportingForm.objects.select_related("owner"))
    return _page(request, found.prefetch_related("indicators").order_by("pk"), _form, limit, offset)


@router.get("/forms/{form_id}", response={200: FormOut, **ERRORS})
def form_detail(request: HttpRequest, form_id: int) -> dict[str, Any]:
    return _form(access.get_form(request.user, form_id))


@router.get("/submissions", response={200: list[SubmissionOut], **ERRORS}, **LIST)
def list_submissions(
    request: HttpRequest,
    form: int | None = None,
    state: str | None = None,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
    inbox: bool = False,
) -> Any:
    """Submissions the user may read (``inbox=true``: those their agencies may approve now)."""
    found = access.inbox(request.user) if inbox else access.readable_submissions(request.user)
    if form is not None:
        found = found.filter(form_id=form)
    if state:
        found = found.filter(state=state)
    return _page(request, found.order_by("-pk"), _submission, limit, offset)


@router.post("/submissions/bulk-approve", response={200: list[SubmissionOut], **ERRORS})
def bulk_approve(request: HttpRequest, body: BulkIn) -> list[dict[str, Any]]:
    """Approve or accept many submissions at once: all of them, or none (each audited)."""
    done = workflow.bulk_approve(
        request.user, body.submissions, comment=body.comment, request=request
    )
    return [_submission(s) for s in done]


@router.get("/submissions/{submission_id}", response={200: SubmissionOut, **ERRORS})
def submission_detail(request: HttpRequest, submission_id: int) -> dict[str, Any]:
    return _submission(access.get_submission(request.user, submission_id))


def _rows_frame(submission: Submission, body: RowsIn) -> pl.DataFrame | None:
    """The body's rows (or values) as a table, checked like an upload; None when absent."""
    values = submission.form.kind == FormKind.INDICATOR_VALUES
    given, other = (body.values, body.rows) if values else (body.rows, body.values)
    if other is not None:
        wanted = "values" if values else "rows"
        raise HttpError(400, f"a {submission.form.kind} form takes {wanted}")
    if given is None:
        return None
    return pl.DataFrame([row.model_dump() for row in given], infer_schema_length=None)


@router.post("/submissions", response={201: SubmissionOut, **ERRORS})
def create_submission(request: HttpRequest, body: SubmissionIn) -> Status:
    """A draft with its rows in one request (nothing is created when a row is refused)."""
    from django.db import transaction

    form = access.get_form(request.user, body.form)
    agency = _agency(body.agency)
    with transaction.atomic():
        submission = workflow.create_submission(
            request.user, form, agency, period=body.period, request=request
        )
        frame = _rows_frame(submission, body)
        if frame is not None:
            workflow.replace_rows(request.user, submission, frame, source="api", request=request)
    return Status(201, _submission(access.get_submission(request.user, submission.pk)))


@router.put("/submissions/{submission_id}/rows", response={200: SubmissionOut, **ERRORS})
def replace_rows(request: HttpRequest, submission_id: int, body: RowsIn) -> dict[str, Any]:
    submission = access.get_submission(request.user, submission_id)
    frame = _rows_frame(submission, body)
    if frame is None:
        raise HttpError(400, "give rows (or values for an indicator form)")
    workflow.replace_rows(request.user, submission, frame, source="api", request=request)
    return _submission(access.get_submission(request.user, submission_id))


@router.get("/submissions/{submission_id}/follow-up", response={200: list[FollowUpOut], **ERRORS})
def follow_up(request: HttpRequest, submission_id: int) -> list[dict[str, Any]]:
    """The failed quality checks of the submission's rows."""
    submission = access.get_submission(request.user, submission_id)
    found = quality.follow_up(submission)
    keep = set(FollowUpOut.model_fields) - {"details"}
    out = []
    for row in found.to_dicts():
        details = {k: row.pop(k) for k in list(row) if k not in keep}
        out.append({**{k: None for k in keep}, **row, "details": details})
    return out


@router.post("/submissions/{submission_id}/submit", response={200: SubmissionOut, **ERRORS})
def submit(request: HttpRequest, submission_id: int, body: SubmitIn) -> dict[str, Any]:
    submission = access.get_submission(request.user, submission_id)
    done = workflow.submit(
        request.user, submission, justification=body.justification, request=request
    )
    return _submission(done)


def _step(request: HttpRequest, submission_id: int, run: Any, **options: Any) -> dict[str, Any]:
    """Run one workflow step (``run(user, submission, request=, **options)``)."""
    submission = access.get_submission(request.user, submission_id)
    run(request.user, submission, request=request, **options)
    return _submission(access.get_submission(request.user, submission_id))


@router.post("/submissions/{submission_id}/approve", response={200: SubmissionOut, **ERRORS})
def approve(request: HttpRequest, submission_id: int, body: StepIn) -> dict[str, Any]:
    """Approve at an intermediate level (409 when the next step is the final acceptance)."""
    return _step(request, submission_id, workflow.approve, comment=body.comment, final=False)


@router.post("/submissions/{submission_id}/accept", response={200: SubmissionOut, **ERRORS})
def accept(request: HttpRequest, submission_id: int, body: StepIn) -> dict[str, Any]:
    """Accept at the last level of the form's approval levels."""
    return _step(request, submission_id, workflow.approve, comment=body.comment, final=True)


@router.post("/submissions/{submission_id}/return", response={200: SubmissionOut, **ERRORS})
def return_submission(request: HttpRequest, submission_id: int, body: StepIn) -> dict[str, Any]:
    return _step(request, submission_id, workflow.return_submission, comment=body.comment)


@router.post("/submissions/{submission_id}/reopen", response={200: SubmissionOut, **ERRORS})
def reopen(request: HttpRequest, submission_id: int, body: StepIn) -> dict[str, Any]:
    return _step(request, submission_id, workflow.reopen, comment=body.comment)


def _value(v: IndicatorValue) -> dict[str, Any]:
    fields = ValueOut.model_fields.keys() - {"indicator", "submission"}
    return {
        **{k: getattr(v, k) for k in fields},
        "indicator": v.indicator.code,
        "submission": v.submission_id,
    }


@router.get("/values", response={200: list[ValueOut], **ERRORS}, **LIST)
def list_values(
    request: HttpRequest,
    indicator: int | None = None,
    region_code: str | None = None,
    limit: Limit = PAGE_SIZE,
    offset: Offset = 0,
) -> Any:
    """Approved values (survey estimates, and reports approved or accepted) of the indicators
    the user may read."""
    indicators = readable(request.user, Indicator.objects.all()).values("pk")
    found = approved_values().filter(indicator__in=indicators).select_related("indicator")
    if indicator is not None:
        found = found.filter(indicator_id=indicator)
    if region_code is not None:
        found = found.filter(region_code=region_code)
    return _page(request, found.order_by("pk"), _value, limit, offset)


# The score card's endpoint lives beside the dashboard it mirrors (monitoring.api_scorecard).
from monitoring.api_scorecard import router as scorecard_router  # noqa: E402

router.add_router("", scorecard_router)
