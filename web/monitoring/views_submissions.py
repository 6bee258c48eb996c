"""Submission pages: entry form and uploads, the follow-up list of failed checks, the workflow
buttons (submit, approve, accept, return, reopen) and the approval inbox with bulk approval."""

from __future__ import annotations

from typing import Any

import polars as pl
from agencies.access import agencies_where
from agencies.actions import NotAllowed
from agencies.models import Agency, Role
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from setara_web.messages import say

from monitoring import access, downloads, quality, workflow
from monitoring.choices import FormKind
from monitoring.forms import CommentForm, NewSubmissionForm, UploadForm
from monitoring.imports import columns_for
from monitoring.models import ReportingForm, Submission
from setara.errors import SetaraError

BLANK_ROWS = 5  # empty lines under the rows already entered
ROWS_SHOWN = 500  # rows shown in the entry form; larger submissions are uploaded as files


def new_submission_agencies(user: Any, form: ReportingForm) -> QuerySet[Agency]:
    """The user's agencies (analyst role) that submit ``form`` (the first approval level)."""
    mine = agencies_where(user, Role.ANALYST)
    return mine.filter(pk__in=[a.pk for a in mine if access.tier_of(a) == form.approval_levels[0]])


@login_required
@require_POST
def submission_new(request: HttpRequest, pk: int) -> HttpResponse:
    reporting_form = access.get_form(request.user, pk)
    agencies = new_submission_agencies(request.user, reporting_form)
    form = NewSubmissionForm(request.POST, agencies=agencies)
    if not form.is_valid():
        messages.error(request, _("Choose your agency and a period."))
        return redirect("monitoring-form", pk=pk)
    try:
        submission = workflow.create_submission(
            request.user, reporting_form, request=request, **form.cleaned_data
        )
    except (SetaraError, NotAllowed) as exc:
        messages.error(request, say(str(exc)))
        return redirect("monitoring-form", pk=pk)
    return redirect("monitoring-submission", pk=submission.pk)


def _entered_rows(request: HttpRequest, kind: str) -> pl.DataFrame:
    """The rows typed into the entry form (a blank line is skipped)."""
    names = [c.name for c in columns_for(kind)]
    count = min(int(request.POST.get("rows", "0") or 0), ROWS_SHOWN + BLANK_ROWS)
    rows = []
    for i in range(count):
        row = {name: request.POST.get(f"r{i}-{name}", "").strip() for name in names}
        if any(row.values()):
            rows.append(row)
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String))


def _post(request: HttpRequest, submission: Submission) -> str | None:
    """Run the step the POST asks for; an error message, or None when done."""
    user, post = request.user, request.POST
    comment = CommentForm(post).data.get("comment", "")
    try:
        if "save_rows" in post:
            frame = _entered_rows(request, submission.form.kind)
            workflow.replace_rows(user, submission, frame, source="entry form", request=request)
            messages.success(request, _("%(n)d rows saved.") % {"n": frame.height})
        elif "upload_rows" in post or "upload_beneficiaries" in post:
            upload = UploadForm(post, request.FILES)
            if not upload.is_valid():
                return _("Choose a CSV or XLSX file.")
            file = upload.cleaned_data["file"]
            if "upload_rows" in post:
                n = workflow.upload_rows(user, submission, file, request)
            else:
                n = workflow.upload_beneficiaries(user, submission, file, request)
            messages.success(request, _("%(n)d rows read and saved.") % {"n": n})
        elif "submit" in post:
            justification = post.get("justification", "")
            workflow.submit(user, submission, justification=justification, request=request)
            messages.success(request, _("Submitted for approval."))
        elif "approve" in post:
            workflow.approve(user, submission, comment=comment, request=request)
            messages.success(request, _("Approved."))
        elif "return" in post:
            workflow.return_submission(user, submission, comment=comment, request=request)
            messages.success(request, _("Returned to the reporting agency."))
        elif "reopen" in post:
            workflow.reopen(user, submission, comment=comment, request=request)
            messages.success(request, _("Reopened: the reporting agency can correct the data."))
        else:
            return _("Unknown step.")
    except (SetaraError, NotAllowed) as exc:
        return say(str(exc))
    return None


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = access.get_submission(request.user, pk)
    error = None
    if request.method == "POST":
        error = _post(request, submission)
        if error is None:
            return redirect("monitoring-submission", pk=pk)
        submission = access.get_submission(request.user, pk)
    kind = submission.form.kind
    model = workflow.kind_model(kind)
    found = model.objects.filter(submission=submission).order_by("region_code")
    if kind == FormKind.INDICATOR_VALUES:
        found = found.select_related("indicator")
    rows = list(found)
    names = [c.name for c in columns_for(kind)]
    table = [[(n, _cell(r, n)) for n in names] for r in rows[:ROWS_SHOWN]]
    may = {a: access.may_act(request.user, submission, a) for a in access.ACTIONS}
    follow_up = quality.follow_up(submission) if rows else None
    return render(
        request,
        "monitoring/submission.html",
        {
            "submission": submission,
            "names": names,
            "table": table,
            "blank": range(len(table), len(table) + BLANK_ROWS),
            "row_count": len(rows),
            "entry_rows": len(table) + BLANK_ROWS,
            "follow_up": follow_up.to_dicts() if follow_up is not None else None,
            "beneficiaries": submission.beneficiaries.count(),
            "events": submission.events.select_related("agency"),
            "may": may,
            "final": access.next_level(submission) == submission.form.approval_levels[-1],
            "upload_form": UploadForm(),
            "error": error,
        },
        status=400 if error else 200,
    )


def _cell(row: Any, name: str) -> Any:
    value = row.indicator.code if name == "indicator_code" else getattr(row, name)
    return "" if value is None else value


@login_required
def submission_template(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    reporting_form = access.get_form(request.user, pk)
    example = EXAMPLES[FormKind(reporting_form.kind)]
    frame = downloads.template_frame(columns_for(reporting_form.kind), [example])
    return downloads.template_response(frame, fmt, f"form-{reporting_form.pk}")


EXAMPLES = {
    FormKind.REALISATION: {
        "region_code": "32.01.01",
        "budget_allocated": 1_500_000_000.0,
        "budget_realised": 1_200_000_000.0,
        "beneficiaries_planned": 2_000,
        "beneficiaries_reached": 1_850,
    },
    FormKind.EMPOWERMENT: {
        "region_code": "32.01.01",
        "participants": 120,
        "followed_up": 100,
        "outcome_improved": 64,
    },
    FormKind.INDICATOR_VALUES: {
        "indicator_code": "SDG 1.2.1",
        "region_code": "32.01",
        "value": 7.4,
    },
}


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """What the user's agencies may approve now; tick many and approve them at once."""
    error = None
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("submission") if v.isdigit()]
        if not ids:
            error = _("Tick at least one submission.")
        else:
            comment = request.POST.get("comment", "")
            try:
                done = workflow.bulk_approve(request.user, ids, comment=comment, request=request)
            except (SetaraError, NotAllowed) as exc:
                error = _("Nothing was approved: %(reason)s") % {"reason": say(str(exc))}
            except PermissionDenied:
                error = _("Nothing was approved: one of them is not yours to approve.")
            else:
                messages.success(request, _("%(n)d submissions approved.") % {"n": len(done)})
                return redirect("monitoring-inbox")
    waiting = access.inbox(request.user)
    return render(
        request,
        "monitoring/inbox.html",
        {"waiting": waiting, "error": error},
        status=400 if error else 200,
    )
