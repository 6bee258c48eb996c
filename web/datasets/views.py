"""Dataset pages: list, upload (new dataset or version), mapping and validation, sharing."""

from __future__ import annotations

from agencies import sharing
from agencies.access import permissions, readable
from agencies.views import writable_agencies
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from datasets import actions
from datasets.access import get_dataset, get_version
from datasets.forms import MappingForm, UploadForm
from datasets.models import Dataset
from datasets.storage import UploadError
from setara.errors import SetaraError


@login_required
def dataset_list(request: HttpRequest) -> HttpResponse:
    datasets = readable(request.user, Dataset.objects.select_related("owner"))
    return render(request, "datasets/list.html", {"datasets": datasets})


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
            version = actions.upload(
                request.user,
                form.cleaned_data["file"],
                dataset=dataset,
                agency=form.cleaned_data.get("agency"),
                name=form.cleaned_data.get("name", ""),
                description=form.cleaned_data.get("description", ""),
                request=request,
            )
        except (UploadError, SetaraError) as exc:
            error = str(exc)
        except actions.NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        else:
            messages.success(request, _("File stored. Check the column roles below."))
            return redirect("dataset-version", pk=version.dataset_id, number=version.number)
    status = 400 if error or form.errors else 200
    return render(
        request,
        "datasets/upload.html",
        {"form": form, "dataset": dataset, "error": error},
        status=status,
    )


@login_required
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = get_dataset(request.user, pk)
    if request.method == "POST":
        if "delete" in request.POST:
            try:
                actions.delete(request.user, dataset, request)
            except actions.NotAllowed as exc:
                messages.error(request, str(exc))
                return redirect("dataset", pk=pk)
            messages.success(request, _("Dataset deleted."))
            return redirect("datasets")
        return sharing.handle(request, dataset, request.path)
    return render(
        request,
        "datasets/detail.html",
        {
            "dataset": dataset,
            "versions": dataset.versions.select_related("uploaded_by"),
            "can": permissions(request.user, dataset),
            "share_form": sharing.form_for(request.user, dataset),
        },
    )


@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = get_version(request.user, pk, number)
    can = permissions(request.user, version.dataset)
    initial = {**version.mapping, "lonely_psu": version.lonely_psu}
    form = MappingForm(initial=initial, columns=version.columns)
    if request.method == "POST":
        if not can["edit"]:
            raise PermissionDenied
        form = MappingForm(request.POST, columns=version.columns)
        if form.is_valid():
            try:
                actions.map_and_validate(request.user, version, form.cleaned_data, request)
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
        },
    )


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
