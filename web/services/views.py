"""Pages of the public-services section: files, access analyses, siting scenarios."""

from __future__ import annotations

from typing import Any

from agencies import actions as agency_actions
from agencies import confirm, sharing
from agencies.access import agencies_where, permissions, readable
from agencies.actions import NotAllowed
from agencies.models import Role
from analyses import jobs
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from services import actions, downloads, mapping
from services.access import get_object
from services.forms import AccessForm, SitingForm, TravelUploadForm, UploadForm
from services.models import AccessAnalysis, DemandSet, FacilitySet, SitingScenario, TravelModel
from services.travel_text import table_rows, table_summary, travel_model_text
from setara.errors import SetaraError


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "services/list.html",
        {
            "facility_sets": readable(user, FacilitySet.objects.select_related("owner")),
            "demand_sets": readable(user, DemandSet.objects.select_related("owner")),
            "travels": [
                (travel, table_summary(travel))
                for travel in readable(user, TravelModel.objects.select_related("owner"))
            ],
            "analyses": readable(user, AccessAnalysis.objects.select_related("owner")),
            "scenarios": readable(user, SitingScenario.objects.select_related("owner")),
            "can_create": agencies_where(user, Role.ANALYST).exists(),
        },
    )


@login_required
def upload(request: HttpRequest, kind: str) -> HttpResponse:
    if kind == "travel":
        return upload_travel(request)
    if kind not in actions.KINDS:
        raise Http404
    agencies = agencies_where(request.user, Role.ANALYST)
    if not agencies.exists():
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = actions.upload_places(
                request.user,
                data["agency"],
                kind=kind,
                uploaded=data["file"],
                name=data["name"],
                request=request,
            )
        except SetaraError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, _("Stored: %(n)d rows checked.") % {"n": obj.n_rows})
            return redirect("service-file", kind=kind, pk=obj.pk)
    return render(
        request,
        "services/upload.html",
        {"form": form, "kind": kind},
        status=400 if form.errors else 200,
    )


def upload_travel(request: HttpRequest) -> HttpResponse:
    """A travel model: a matrix, or a road network's nodes, edges and ferries."""
    agencies = agencies_where(request.user, Role.ANALYST)
    if not agencies.exists():
        raise PermissionDenied
    form = TravelUploadForm(request.POST or None, request.FILES or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            obj = actions.upload_travel(
                request.user,
                data["agency"],
                kind=data["kind"],
                files=form.tables(),
                name=data["name"],
                request=request,
            )
        except SetaraError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Stored: every table checked."))
            return redirect("service-file", kind="travel", pk=obj.pk)
    return render(
        request,
        "services/upload_travel.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def file_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in (*actions.KINDS, "travel"):
        raise Http404
    obj = get_object(request.user, kind, pk)
    if request.method == "POST":
        if "delete" in request.POST:
            if (page := confirm.needed(request, obj, "delete")) is not None:
                return page
            try:
                actions.delete(request.user, obj, request)
            except NotAllowed as exc:
                messages.error(request, str(exc))
                return redirect("service-file", kind=kind, pk=pk)
            return redirect("services")
        return sharing.handle(request, obj, request.path)
    return render(
        request,
        "services/file.html",
        {
            "obj": obj,
            "kind": kind,
            "can": permissions(request.user, obj),
            "share_form": sharing.form_for(request.user, obj),
            "tables": table_rows(obj) if kind == "travel" else [],
        },
    )


def _choices(request: HttpRequest) -> dict[str, Any]:
    owners = agencies_where(request.user, Role.ANALYST)
    return {
        "facility_sets": FacilitySet.objects.filter(owner__in=owners),
        "demand_sets": readable(request.user, DemandSet.objects.all()),
        "travels": readable(request.user, TravelModel.objects.all()),
    }


@login_required
def job_new(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in ("access", "siting"):
        raise Http404
    if not agencies_where(request.user, Role.ANALYST).exists():
        raise PermissionDenied
    form_class = AccessForm if kind == "access" else SitingForm
    form = form_class(request.POST or None, **_choices(request))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        create = actions.create_access if kind == "access" else actions.create_siting
        try:
            job = create(
                request.user,
                data.pop("facility_set"),
                data.pop("demand_set"),
                request=request,
                **data,
            )
        except (NotAllowed, SetaraError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("service-job", kind=kind, pk=job.pk)
    return render(
        request,
        "services/job_new.html",
        {"form": form, "kind": kind},
        status=400 if form.errors else 200,
    )


@login_required
def job_detail(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    if kind not in ("access", "siting"):
        raise Http404
    job = get_object(request.user, kind, pk)
    if request.method == "POST":
        if "delete" in request.POST:
            if (page := confirm.needed(request, job, "delete")) is not None:
                return page
            actions.delete(request.user, job, request)
            return redirect("services")
        if "rerun" in request.POST:
            try:
                actions.rerun(request.user, job, request)
            except NotAllowed as exc:
                messages.error(request, str(exc))
            return redirect("service-job", kind=kind, pk=pk)
        return sharing.handle(request, job, request.path)
    jobs.recover_if_stale(job)
    context: dict[str, Any] = {
        "job": job,
        "kind": kind,
        "can": permissions(request.user, job),
        "share_form": sharing.form_for(request.user, job),
        "travel_text": travel_model_text(job),
    }
    result = job.result if job.status == "done" else None
    if result and kind == "access":
        context["result"] = result
        context["rows"] = [_with_groups(r, result["groups"]) for r in result["regions"]]
        context["overall"] = _with_groups(result["overall"], result["groups"])
        context["map"] = mapping.travel_map(
            result["cells"],
            title=_("Mean travel time to the nearest facility, by grid cell"),
            description=_("Villages grouped in cells of about 28 km; the table gives the numbers."),
            words=downloads.map_words(),
        )
    elif result:
        context["result"] = result
        context["scenarios"] = [job]
    return render(request, f"services/{kind}.html", context)


def _with_groups(row: dict[str, Any], groups: list[str]) -> dict[str, Any]:
    """A table row with its groups' (share in, share of the rest, gap) in the page's order."""
    cells = [(row.get(f"{g}:in"), row.get(f"{g}:out"), row.get(f"{g}:gap")) for g in groups]
    return {**row, "cells": cells}


@login_required
def job_status(request: HttpRequest, kind: str, pk: int) -> JsonResponse:
    if kind not in ("access", "siting"):
        raise Http404
    job = get_object(request.user, kind, pk)
    jobs.recover_if_stale(job)
    return JsonResponse(
        {
            "status": job.status,
            "progress": job.progress,
            "message": job.progress_message,
            "error": job.error_text(),
        }
    )


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    """Siting scenarios side by side (``?ids=1,2,3``), each one the reader may read."""
    given = [*request.GET.getlist("pick"), *request.GET.get("ids", "").split(",")]
    ids = list(dict.fromkeys(p.strip() for p in given if p.strip().isdigit()))[:6]
    scenarios = [get_object(request.user, "siting", pk) for pk in ids]
    done = [s for s in scenarios if s.status == "done" and s.result]
    sites = [
        {**site, "id": f"{s.title}: {site['id']}", "group": k}
        for k, s in enumerate(done)
        for site in s.result["sites"]
    ]
    return render(
        request,
        "services/compare.html",
        {
            "scenarios": done,
            "available": readable(request.user, SitingScenario.objects.filter(status="done")),
            "chosen": {s.pk for s in done},
            "map": mapping.travel_map(
                [],
                title=_("Sites chosen by the scenarios"),
                description=_("Each circle is a new site; its name is in the table."),
                words=downloads.map_words(),
                sites=sites,
                site_groups=[s.title for s in done],
            )
            if done
            else "",
        },
    )


@login_required
def job_export(request: HttpRequest, kind: str, pk: int, fmt: str) -> HttpResponse:
    if kind not in ("access", "siting") or fmt not in ("csv", "xlsx", "pdf"):
        raise Http404
    job = get_object(request.user, kind, pk)
    if job.status != "done" or not job.result:
        raise Http404
    body, ctype = downloads.export(job, fmt)
    agency_actions.record_export(request.user, job, fmt, request)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="setara-{kind}-{job.pk}.{fmt}"'
    return response
