"""Analysis pages: create (queued to the worker), progress, dashboard, exports, reports."""

from __future__ import annotations

from typing import Any

from agencies import sharing
from agencies.access import permissions, readable
from datasets.actions import NotAllowed
from datasets.models import DatasetVersion, VersionStatus
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analyses import actions, dashboard, exports
from analyses.access import get_analysis, get_report
from analyses.forms import BREAKDOWN_LABELS, AnalysisForm, ReportForm
from analyses.models import Analysis, Report, Status


@login_required
def analysis_list(request: HttpRequest) -> HttpResponse:
    analyses = readable(request.user, Analysis.objects.select_related("owner"))
    reports = readable(request.user, Report.objects.select_related("owner"))
    return render(request, "analyses/list.html", {"analyses": analyses, "reports": reports})


def _versions(request: HttpRequest) -> Any:
    from agencies.access import agencies_where
    from agencies.models import Role

    owners = agencies_where(request.user, Role.ANALYST)
    return DatasetVersion.objects.filter(
        status=VersionStatus.ACCEPTED, dataset__owner__in=owners
    ).select_related("dataset")


@login_required
def analysis_new(request: HttpRequest) -> HttpResponse:
    versions = _versions(request)
    initial = {}
    if "version" in request.GET:
        initial["dataset_version"] = request.GET["version"]
    form = AnalysisForm(request.POST or None, versions=versions, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            analysis = actions.create(
                request.user,
                form.cleaned_data["dataset_version"],
                dimension=form.cleaned_data["dimension"],
                breakdowns=form.cleaned_data["breakdowns"],
                title=form.cleaned_data["title"],
                request=request,
            )
        except NotAllowed as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("analysis", pk=analysis.pk)
    if not versions.exists() and request.method == "GET":
        messages.info(
            request,
            _(
                "Upload and accept a dataset first: analyses run on accepted "
                "dataset versions of your agency."
            ),
        )
    return render(request, "analyses/new.html", {"form": form}, status=400 if form.errors else 200)


def _charts(analysis: Analysis) -> dict[str, Any]:
    """SVG of every chart, cached per analysis result and language (viewing never recomputes
    estimates; the cache spares re-drawing)."""
    stamp = analysis.finished_at.timestamp() if analysis.finished_at else 0
    key = f"charts-{analysis.pk}-{stamp:.6f}-{get_language()}"
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    result = analysis.result or {}
    items = {i["key"]: i for i in result["indicators"]}
    main = items[result["regional_indicators"][0]]
    label, fmt = main["label"], main["fmt"]
    charts: dict[str, Any] = {"groups": {}}
    breakdowns = result["breakdowns"]
    if "province" in breakdowns:
        charts["province_map"] = dashboard.province_map(result, main["key"], label, fmt)
        charts["province_plot"] = dashboard.ranked_plot(result, "province", main["key"], label, fmt)
    if "regency" in breakdowns:
        boundary = _regency_boundaries(analysis)
        if boundary is not None:
            charts["regency_map"] = dashboard.regency_map(result, main["key"], label, fmt, boundary)
        charts["regency_plot"] = dashboard.ranked_plot(result, "regency", main["key"], label, fmt)
    for breakdown in breakdowns:
        if breakdown not in ("province", "regency"):
            charts["groups"][breakdown] = dashboard.group_chart(
                result, breakdown, main["key"], label, fmt
            )
    if result.get("deciles"):
        charts["deciles"] = dashboard.decile_chart(result)
        charts["lorenz"] = dashboard.lorenz_chart(result)
    cache.set(key, charts, 3600)
    return charts


def _regency_boundaries(analysis: Analysis) -> Any:
    from analyses.boundaries import latest_regency_boundaries

    return latest_regency_boundaries(analysis.owner_id)


def _tables(result: dict[str, Any]) -> dict[str, Any]:
    items = {i["key"]: i for i in result["indicators"]}
    tables = {}
    for breakdown, rows in result["breakdowns"].items():
        keys = [k for k in result["regional_indicators"] if any(r["indicator"] == k for r in rows)]
        by_group: dict[str, dict[str, Any]] = {}
        for row in rows:
            entry = by_group.setdefault(
                row["group"] or "", {"group": row["group"], "name": row["name"], "cells": {}}
            )
            entry["cells"][row["indicator"]] = row
        tables[breakdown] = {
            "label": BREAKDOWN_LABELS.get(breakdown, breakdown),
            "indicators": [items[k] for k in keys],
            "rows": [
                {
                    "group": e["group"],
                    "name": e["name"],
                    "cells": [
                        e["cells"].get(k) | {"fmt": items[k]["fmt"]} if e["cells"].get(k) else None
                        for k in keys
                    ],
                }
                for e in by_group.values()
            ],
        }
    return tables


@login_required
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = get_analysis(request.user, pk)
    if request.method == "POST":
        return _analysis_post(request, analysis)
    context: dict[str, Any] = {
        "analysis": analysis,
        "can": permissions(request.user, analysis),
        "share_form": sharing.form_for(analysis),
        "version": analysis.dataset_version,
    }
    if analysis.status == Status.DONE and analysis.result:
        context["results_html"] = _results_html(analysis)
    return render(request, "analyses/detail.html", context)


def _results_html(analysis: Analysis) -> str:
    """The rendered results section, cached per stored result and language: a dashboard view
    reads one cached fragment and never recomputes estimates or redraws charts."""
    stamp = analysis.finished_at.timestamp() if analysis.finished_at else 0
    key = f"results-html-{analysis.pk}-{stamp:.6f}-{get_language()}"
    html = cache.get(key)
    if html is None:
        result = analysis.result or {}
        items = {i["key"]: i for i in result["indicators"]}
        html = render_to_string(
            "analyses/_results.html",
            {
                "result": result,
                "headline": [
                    r
                    | {"label": items[r["indicator"]]["label"], "fmt": items[r["indicator"]]["fmt"]}
                    for r in result["headline"]
                ],
                "charts": _charts(analysis),
                "tables": _tables(result),
            },
        )
        cache.set(key, html, 3600)
    return str(html)


def _analysis_post(request: HttpRequest, analysis: Analysis) -> HttpResponse:
    try:
        if "delete" in request.POST:
            actions.delete(request.user, analysis, request)
            messages.success(request, _("Analysis deleted."))
            return redirect("analyses")
        if "rerun" in request.POST:
            actions.rerun(request.user, analysis, request)
            return redirect("analysis", pk=analysis.pk)
    except NotAllowed as exc:
        messages.error(request, str(exc))
        return redirect("analysis", pk=analysis.pk)
    return sharing.handle(request, analysis, request.path)


@login_required
def analysis_status(request: HttpRequest, pk: int) -> JsonResponse:
    analysis = get_analysis(request.user, pk)
    return JsonResponse(
        {
            "status": analysis.status,
            "progress": analysis.progress,
            "message": analysis.progress_message,
            "error": analysis.error,
        }
    )


def _meta(analysis: Analysis) -> dict[str, str]:
    version = analysis.dataset_version
    return {
        "Dataset": f"{version.dataset.name}, version {version.number} ({version.n_rows:,} rows)",
        "Owner": analysis.owner.name,
        "Dimension": analysis.get_dimension_display(),
        "Computed": f"{analysis.finished_at:%Y-%m-%d %H:%M %Z}" if analysis.finished_at else "-",
        "Software": "Setara (design-based standard errors, BPS reliability rule)",
    }


def export_response(
    request: HttpRequest, obj: Any, analysis: Analysis, fmt: str, summary: str = ""
) -> HttpResponse:
    if analysis.status != Status.DONE or not analysis.result:
        raise PermissionDenied
    result = analysis.result
    name = f"setara-{obj._meta.model_name}-{obj.pk}"
    if fmt == "csv":
        body, ctype = exports.to_csv(result), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = exports.to_xlsx(result, title=str(obj), meta=_meta(analysis))
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        charts = _charts(analysis)
        svgs = [charts[k].encode() for k in ("province_map", "deciles", "lorenz") if k in charts]
        body = exports.to_pdf(
            result, title=str(obj), meta=_meta(analysis), summary=summary, svgs=svgs
        )
        ctype = "application/pdf"
    else:
        from django.http import Http404

        raise Http404
    actions.record_export(request.user, obj, fmt, request)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
def analysis_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    analysis = get_analysis(request.user, pk)
    return export_response(request, analysis, analysis, fmt)


@login_required
def report_new(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = get_analysis(request.user, pk, "edit")
    form = ReportForm(request.POST or None, initial={"title": analysis.title})
    if request.method == "POST" and form.is_valid():
        report = actions.create_report(request.user, analysis, request=request, **form.cleaned_data)
        return redirect("report", pk=report.pk)
    return render(request, "analyses/report_form.html", {"form": form, "analysis": analysis})


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report(request.user, pk)
    if request.method == "POST":
        if "delete" in request.POST:
            actions.delete_report(request.user, report, request)
            return redirect("analyses")
        if "title" in request.POST:
            form = ReportForm(request.POST)
            get_report(request.user, pk, "edit")
            if form.is_valid():
                actions.update_report(request.user, report, request=request, **form.cleaned_data)
            return redirect("report", pk=pk)
        return sharing.handle(request, report, request.path)
    analysis = report.analysis
    context: dict[str, Any] = {
        "report": report,
        "analysis": analysis,
        "can": permissions(request.user, report),
        "share_form": sharing.form_for(report),
        "form": ReportForm(initial={"title": report.title, "summary": report.summary}),
    }
    if analysis.status == Status.DONE and analysis.result:
        result = analysis.result
        items = {i["key"]: i for i in result["indicators"]}
        context.update(
            {
                "headline": [
                    r
                    | {"label": items[r["indicator"]]["label"], "fmt": items[r["indicator"]]["fmt"]}
                    for r in result["headline"]
                ],
                "charts": _charts(analysis),
                "tables": _tables(result),
            }
        )
    return render(request, "analyses/report.html", context)


@login_required
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = get_report(request.user, pk)
    return export_response(request, report, report.analysis, fmt, summary=report.summary)
