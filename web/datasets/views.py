"""Dataset pages: list, upload (new dataset or version), mapping and validation, sharing."""

from __future__ import annotations

from typing import Any

from agencies import confirm, sharing
from agencies.access import permissions, readable
from agencies.views import writable_agencies
from analyses import jobs
from analyses.models import Status
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from datasets import actions
from datasets.access import get_dataset, get_upload, get_version
from datasets.forms import DialectForm, LabelsForm, MappingForm, UploadForm
from datasets.labels import CODED_ROLES, coded_roles
from datasets.models import Dataset, DatasetVersion, Upload
from datasets.storage import UploadError, read_version
from setara.errors import SetaraError

WAITING = (Status.QUEUED, Status.RUNNING)


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    datasets = readable(request.user, Dataset.objects.select_related("owner"))
    uploads = Upload.objects.filter(created_by=request.user, status__in=WAITING)
    return render(request, "datasets/list.html", {"datasets": datasets, "uploads": uploads})


@login_required
def upload(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    dataset = get_dataset(request.user, pk, "edit") if pk is not None else None
    agencies = writable_agencies(request)
    if dataset is None and not agencies:
        raise PermissionDenied
    error = None
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        new_version=dataset is not None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.receive(
                request.user,
                form.cleaned_data["file"],
                dataset=dataset,
                agency=form.cleaned_data.get("agency"),
                name=form.cleaned_data.get("name", ""),
                description=form.cleaned_data.get("description", ""),
            )
        except (UploadError, SetaraError) as exc:
            error = str(exc)
        except actions.NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            return redirect("dataset-upload-status", pk=job.pk)
    status = 400 if error or form.errors else 200
    return render(
        request,
        "datasets/upload.html",
        {"form": form, "dataset": dataset, "error": error},
        status=status,
    )


@login_required
def upload_status(request: HttpRequest, pk: int) -> HttpResponse:
    """An upload being processed by the worker (the page follows it), or why it failed; once
    processed, the new version's page, where the column roles are checked."""
    job = get_upload(request.user, pk)
    jobs.recover_if_stale(job)
    if job.status == Status.DONE and job.version is not None:
        messages.success(request, _("File stored. Check the column roles below."))
        return redirect("dataset-version", pk=job.version.dataset_id, number=job.version.number)
    return render(request, "datasets/upload_status.html", {"job": job})


@login_required
def upload_status_json(request: HttpRequest, pk: int) -> JsonResponse:
    job = get_upload(request.user, pk)
    jobs.recover_if_stale(job)
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "message": _(job.progress_message) if job.progress_message else "",
            "error": job.error_text(),
        }
    )


@login_required
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_dataset(request.user, pk)
    if request.method == "POST":
        if "delete" in request.POST:
            if (page := confirm.needed(request, dataset, "delete")) is not None:
                return page
            try:
                actions.delete(request.user, dataset, request)
            except actions.NotAllowed as exc:
                messages.error(request, str(exc))
                return redirect("dataset", pk=pk)
            messages.success(request, _("Dataset deleted."))
            return redirect("datasets")
        return sharing.handle(request, dataset, request.path)
    can = permissions(request.user, dataset)
    return render(
        request,
        "datasets/detail.html",
        {
            "dataset": dataset,
            "versions": dataset.versions.select_related("uploaded_by"),
            "can": can,
            "share_form": sharing.form_for(request.user, dataset),
            "uploads": dataset.uploads.filter(status__in=WAITING) if can["edit"] else [],
        },
    )


def _coded(version: DatasetVersion) -> list[dict[str, Any]]:
    """The coded roles of the version with their codes (reads only those columns)."""
    roles = [r for r in CODED_ROLES if r in version.mapping]
    if not roles:
        return []
    columns = sorted({version.mapping[r] for r in roles})
    frame = read_version(version.path, columns=columns)
    return coded_roles(frame, version.mapping, version.labels)


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = get_version(request.user, pk, number)
    can = permissions(request.user, version.dataset)
    initial = {**version.mapping, "lonely_psu": version.lonely_psu}
    form = MappingForm(initial=initial, columns=version.columns)
    dialect_form = None
    if version.csv_dialect is not None:
        dialect_form = DialectForm(initial=DialectForm.initial_for(version.csv_dialect))
    coded = _coded(version)
    labels_form = LabelsForm(coded=coded)
    if request.method == "POST":
        if not can["edit"]:
            raise PermissionDenied
        if "dialect" in request.POST:
            dialect_form = DialectForm(request.POST)
            if dialect_form.is_valid():
                try:
                    actions.change_dialect(
                        request.user, version, dialect_form.cleaned_data["dialect"], request
                    )
                except actions.NotAllowed as exc:
                    messages.error(request, str(exc))
                except SetaraError as exc:
                    messages.error(request, str(exc))
                else:
                    messages.success(request, _("File read again. Check the column roles."))
                return redirect("dataset-version", pk=pk, number=number)
        else:
            form = MappingForm(request.POST, columns=version.columns)
            labels_form = LabelsForm(request.POST, coded=coded)
            if form.is_valid() and labels_form.is_valid():
                try:
                    actions.map_and_validate(
                        request.user,
                        version,
                        form.cleaned_data,
                        request,
                        labels=labels_form.labels(),
                    )
                except actions.NotAllowed as exc:
                    messages.error(request, str(exc))
                return redirect("dataset-version", pk=pk, number=number)
    fields = list(form)
    return render(
        request,
        "datasets/version.html",
        {
            "version": version,
            "dataset": version.dataset,
            "can": can,
            "design_fields": [f for f in fields if f.field.group == "design"],  # type: ignore[attr-defined]
            "variable_fields": [f for f in fields if f.field.group == "variable"],  # type: ignore[attr-defined]
            "report": version.validation,
            "dialect_form": dialect_form,
            "dialect": _dialect_text(version.csv_dialect),
            "code_groups": labels_form.groups(),
        },
    )


def _dialect_text(dialect: dict[str, Any] | None) -> str:
    if dialect is None:
        return ""
    names = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), "|": _("pipe")}
    decimal = {".": _("decimal point"), ",": _("decimal comma")}[dialect.get("decimal", ".")]
    thousands = dialect.get("thousands")
    grouping = (
        _("thousands separator “%(mark)s”") % {"mark": thousands}
        if thousands
        else _("no thousands separator")
    )
    return _("separator: %(sep)s; %(decimal)s; %(grouping)s; encoding %(encoding)s") % {
        "sep": names.get(dialect.get("separator", ","), dialect.get("separator", ",")),
        "decimal": decimal,
        "grouping": grouping,
        "encoding": dialect.get("encoding", "utf-8"),
    }


@login_required
@require_POST
def version_accept(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = get_version(request.user, pk, number, "edit")
    try:
        actions.accept(request.user, version, request)
        messages.success(request, _("Version accepted: it can now be analysed."))
    except actions.NotAllowed as exc:
        messages.error(request, str(exc))
    return redirect("dataset-version", pk=pk, number=number)
