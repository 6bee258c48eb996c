"""Analysis pages: create (queued to the worker), progress, dashboard, exports, reports."""

from __future__ import annotations

from typing import Any

from agencies import actions as agency_actions
from agencies import confirm, sharing
from agencies.access import permissions, readable
from agencies.models import Agency
from datasets.actions import NotAllowed
from datasets.metadata import render_metadata, version_link
from datasets.models import DatasetVersion, VersionStatus
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from analyses import actions, exports, jobs
from analyses.access import get_analysis, get_report
from analyses.compute import available_breakdowns
from analyses.dashboard import DIFF_FILTERS
from analyses.forms import AnalysisForm, ReportForm
from analyses.models import Analysis, Report, Status
from analyses.rendering import charts, localised, provinces, regencies_html, results_html, tables
from analyses.report_pdf import analysis_pdf
from analyses.report_words import about_rows, cover_facts, pdf_text, with_reasons, xlsx_words


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
        version = form.cleaned_data["dataset_version"]
        # The form offers every breakdown; those the version's roles do not allow are left out
        # here (the API refuses them with 400 instead).
        possible = available_breakdowns(version.mapping)
        try:
            analysis = actions.create(
                request.user,
                version,
                dimension=form.cleaned_data["dimension"],
                breakdowns=[b for b in form.cleaned_data["breakdowns"] if b in possible],
                title=form.cleaned_data["title"],
                ci_method=form.cleaned_data["ci_method"],
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


@login_required
def analysis_detail(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = get_analysis(request.user, pk)
    if request.method == "POST":
        return _analysis_post(request, analysis)
    jobs.recover_if_stale(analysis)
    context: dict[str, Any] = {
        "analysis": analysis,
        "can": permissions(request.user, analysis),
        "share_form": sharing.form_for(request.user, analysis),
        "version": analysis.dataset_version,
        "version_url": version_link(
            request.user,
            analysis.dataset_version,
            reverse("analysis-source", args=[analysis.pk]),
        ),
    }
    if analysis.status == Status.DONE:  # a done analysis always has its stored result
        context["results_html"] = results_html(analysis)
    return render(request, "analyses/detail.html", context)


def _analysis_post(request: HttpRequest, analysis: Analysis) -> HttpResponse:
    try:
        if "delete" in request.POST:
            if (page := confirm.needed(request, analysis, "delete")) is not None:
                return page
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
def analysis_source(request: HttpRequest, pk: int) -> HttpResponse:
    """The dataset version behind an analysis, as metadata, for every reader of the analysis."""
    analysis = get_analysis(request.user, pk)
    return render_metadata(
        request, analysis.dataset_version, reverse("analysis", args=[analysis.pk])
    )


@login_required
def analysis_regencies(request: HttpRequest, pk: int) -> HttpResponse:
    analysis = get_analysis(request.user, pk)
    if analysis.status != Status.DONE or "regency" not in (analysis.breakdowns or []):
        raise Http404
    diff = request.GET.get("diff") or None
    diff = diff if diff in DIFF_FILTERS else None
    choices = provinces(analysis)
    codes = {code for code, _name in choices}
    # An agency tied to a province (a Bappeda) opens on its province; "all" shows every one.
    province = request.GET.get("province", home_province(request.user))
    province = province if province in codes else ""
    query = request.GET.get("q", "")[:100]
    return render(
        request,
        "analyses/regencies.html",
        {
            "analysis": analysis,
            "regencies_html": regencies_html(analysis, diff, province, query),
            "diff": diff,
            "province": province,
            "province_choices": choices,
            "query": query,
            "diff_choices": [
                ("above", _("significantly above the national figure")),
                ("below", _("significantly below the national figure")),
                ("not different", _("not significantly different")),
            ],
        },
    )


@login_required
def analysis_status(request: HttpRequest, pk: int) -> JsonResponse:
    analysis = get_analysis(request.user, pk)
    jobs.recover_if_stale(analysis)
    return JsonResponse(
        {
            "status": analysis.status,
            "progress": analysis.progress,
            "message": analysis.progress_message,
            "error": analysis.error_text(),
        }
    )


def export_response(
    request: HttpRequest, obj: Any, analysis: Analysis, fmt: str, summary: str = ""
) -> HttpResponse:
    if analysis.status != Status.DONE or not analysis.result:
        raise PermissionDenied
    result = analysis.result
    name = f"setara-{obj._meta.model_name}-{obj.pk}"
    if fmt == "csv":
        excel = request.GET.get("excel") == "id"
        body, ctype = exports.to_csv(result, excel_indonesia=excel), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        body = exports.to_xlsx(
            with_reasons(localised(result)),
            title=str(obj),
            meta=about_rows(analysis),
            words=xlsx_words(),
        )
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    elif fmt == "pdf":
        shown = with_reasons(localised(result))
        body = analysis_pdf(
            shown,
            tables=tables(shown),
            charts=charts(analysis),
            title=str(obj),
            facts=cover_facts(analysis),
            text=pdf_text(),
            language=get_language(),
            summary=summary,
        )
        ctype = "application/pdf"
    else:
        from django.http import Http404

        raise Http404
    agency_actions.record_export(request.user, obj, fmt, request)
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
            if (page := confirm.needed(request, report, "delete")) is not None:
                return page
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
        "share_form": sharing.form_for(request.user, report),
        "form": ReportForm(initial={"title": report.title, "summary": report.summary}),
    }
    if analysis.status == Status.DONE and analysis.result:
        result = localised(analysis.result)  # group names and notes in the reader's language
        items = {i["key"]: i for i in result["indicators"]}
        context.update(
            {
                "result": result,
                "headline": [
                    r
                    | {"label": items[r["indicator"]]["label"], "fmt": items[r["indicator"]]["fmt"]}
                    for r in result["headline"]
                ],
                "charts": charts(analysis),
                "tables": tables(result),
            }
        )
    return render(request, "analyses/report.html", context)


@login_required
def report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = get_report(request.user, pk)
    return export_response(request, report, report.analysis, fmt, summary=report.summary)


def home_province(user: Any) -> str:
    """The two-digit kode wilayah of the province the user's agency serves, or ""."""
    codes = {
        code[:2]
        for code in Agency.objects.filter(memberships__user=user).values_list(
            "region_code", flat=True
        )
        if code
    }
    return codes.pop() if len(codes) == 1 else ""
