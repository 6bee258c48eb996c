"""Catalogue pages: indicators, plans with their targets (entry and import), reporting forms."""

from __future__ import annotations

from typing import Any

from agencies import sharing
from agencies.access import agencies_where, permissions, readable
from agencies.models import Role
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from programmes.models import Programme
from setara_web.messages import say

from monitoring import access, actions, downloads
from monitoring.forms import IndicatorForm, PlanForm, ReportingFormForm, TargetForm, UploadForm
from monitoring.imports import TARGET_COLUMNS, columns_for
from monitoring.models import Indicator, Plan, ReportingForm
from setara.errors import SetaraError


def _named(indicators: Any) -> list[Any]:
    """Indicators with ``name`` in the reader's language."""
    language = get_language() or "id"
    out = list(indicators)
    for indicator in out:
        indicator.name = indicator.name_in(language)
    return out


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "monitoring/catalogue.html",
        {
            "indicators": _named(readable(user, Indicator.objects.select_related("owner"))),
            "plans": readable(user, Plan.objects.select_related("owner")),
            "forms": readable(user, ReportingForm.objects.select_related("owner")),
            "can_create": agencies_where(user, Role.ANALYST).exists(),
            "inbox_count": access.inbox(user).count(),
        },
    )


def _create_page(
    request: HttpRequest, form_class: type[Any], create: Any, target: str, **extra: Any
) -> HttpResponse:
    agencies = agencies_where(request.user, Role.ANALYST)
    if not agencies.exists():
        raise PermissionDenied
    form = form_class(request.POST or None, agencies=agencies, **extra)
    error = None
    if request.method == "POST" and form.is_valid():
        try:
            obj = create(request.user, form.cleaned_data["agency"], form, request)
        except SetaraError as exc:
            error = say(str(exc))
        else:
            return redirect(target, pk=obj.pk)
    return render(
        request,
        "monitoring/edit.html",
        {"form": form, "error": error, "title": form_class.Meta.model._meta.verbose_name},
        status=400 if error or form.errors else 200,
    )


@login_required
def indicator_new(request: HttpRequest) -> HttpResponse:
    def create(user: Any, agency: Any, form: Any, req: HttpRequest) -> Any:
        return actions.create_indicator(user, agency, request=req, **form.values())

    return _create_page(
        request, IndicatorForm, create, "monitoring-indicator", **_indicator_choices(request)
    )


@login_required
def plan_new(request: HttpRequest) -> HttpResponse:
    def create(user: Any, agency: Any, form: Any, req: HttpRequest) -> Any:
        return actions.create_plan(user, agency, request=req, **form.values())

    return _create_page(request, PlanForm, create, "monitoring-plan")


@login_required
def form_new(request: HttpRequest) -> HttpResponse:
    def create(user: Any, agency: Any, form: Any, req: HttpRequest) -> Any:
        values = form.values()
        indicators = list(values.pop("indicators", []))
        return actions.create_form(user, agency, indicators=indicators, request=req, **values)

    return _create_page(
        request, ReportingFormForm, create, "monitoring-form", **_form_choices(request)
    )


def _indicator_choices(request: HttpRequest) -> dict[str, Any]:
    return {"reporting_forms": readable(request.user, ReportingForm.objects.all())}


def _form_choices(request: HttpRequest) -> dict[str, Any]:
    return {
        "programmes": readable(request.user, Programme.objects.all()),
        "indicators": readable(request.user, Indicator.objects.all()),
    }


def _edit_section(
    request: HttpRequest, obj: Any, form_class: type[Any], update: Any, **extra: Any
) -> tuple[Any, str | None, bool]:
    """The edit form of a detail page; (form, error, saved)."""
    if request.method != "POST" or "edit" not in request.POST:
        return form_class(instance=obj, **extra), None, False
    form = form_class(request.POST, instance=type(obj).objects.get(pk=obj.pk), **extra)
    if not form.is_valid():
        return form, None, False
    try:
        update(request.user, obj, request=request, **form.values())
    except SetaraError as exc:
        return form, say(str(exc)), False
    messages.success(request, _("Saved."))
    return form, None, True


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = access.get_indicator(request.user, pk)
    can = permissions(request.user, indicator)
    if request.method == "POST":
        access.get_indicator(request.user, pk, "share" if "edit" not in request.POST else "edit")
        if "edit" not in request.POST:
            return sharing.handle(request, indicator, request.path)
    form, error, saved = _edit_section(
        request, indicator, IndicatorForm, actions.update_indicator, **_indicator_choices(request)
    )
    if saved:
        return redirect("monitoring-indicator", pk=pk)
    readable_plans = readable(request.user, Plan.objects.all()).values("pk")
    targets = indicator.targets.filter(plan__in=readable_plans).select_related("plan")
    return render(
        request,
        "monitoring/indicator.html",
        {
            "indicator": _named([indicator])[0],
            "targets": targets,
            "form": form if can["edit"] else None,
            "error": error,
            "can": can,
            "share_form": sharing.form_for(request.user, indicator),
            "source_form": readable(request.user, ReportingForm.objects.all())
            .filter(pk=indicator.source_form_id)
            .first(),
        },
        status=400 if error else 200,
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = access.get_plan(request.user, pk)
    can = permissions(request.user, plan)
    indicators = readable(request.user, Indicator.objects.all())
    error = None
    target_form = TargetForm(indicators=indicators)
    if request.method == "POST":
        action = "edit" if {"edit", "target", "import"} & set(request.POST) else "share"
        access.get_plan(request.user, pk, action)
        if action == "share":
            return sharing.handle(request, plan, request.path)
        if "target" in request.POST:
            target_form = TargetForm(request.POST, indicators=indicators)
            if target_form.is_valid():
                data = dict(target_form.cleaned_data)
                try:
                    actions.save_target(
                        request.user, plan, data.pop("indicator"), request=request, **data
                    )
                except SetaraError as exc:
                    error = say(str(exc))
                else:
                    messages.success(request, _("Target saved."))
                    return redirect("monitoring-plan", pk=pk)
        elif "import" in request.POST:
            upload = UploadForm(request.POST, request.FILES)
            if upload.is_valid():
                try:
                    counts = actions.import_targets(
                        request.user, plan, upload.cleaned_data["file"], request
                    )
                except SetaraError as exc:
                    error = _("Nothing was imported: %(problems)s") % {"problems": say(str(exc))}
                else:
                    messages.success(
                        request,
                        _("%(created)d targets added, %(updated)d replaced.") % counts,
                    )
                    return redirect("monitoring-plan", pk=pk)
            else:
                error = _("Choose a CSV or XLSX file.")
    form, edit_error, saved = _edit_section(request, plan, PlanForm, actions.update_plan)
    if saved:
        return redirect("monitoring-plan", pk=pk)
    targets = plan.targets.filter(indicator__in=indicators.values("pk")).select_related("indicator")
    return render(
        request,
        "monitoring/plan.html",
        {
            "plan": plan,
            "targets": targets,
            "form": form if can["edit"] else None,
            "target_form": target_form if can["edit"] else None,
            "upload_form": UploadForm() if can["edit"] else None,
            "error": error or edit_error,
            "can": can,
            "share_form": sharing.form_for(request.user, plan),
        },
        status=400 if error or edit_error else 200,
    )


@login_required
def targets_template(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    plan = access.get_plan(request.user, pk)
    example = {"indicator_code": "SDG 1.2.1", "region_code": "32", "year": plan.end_year}
    example |= {"baseline_value": 7.5, "baseline_year": plan.start_year, "target_value": 5.0}
    frame = downloads.template_frame(TARGET_COLUMNS, [example])
    return downloads.template_response(frame, fmt, "targets")


@login_required
def form_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from monitoring.forms import NewSubmissionForm
    from monitoring.views_submissions import new_submission_agencies

    reporting_form = access.get_form(request.user, pk)
    can = permissions(request.user, reporting_form)
    if request.method == "POST":
        access.get_form(request.user, pk, "share")
        return sharing.handle(request, reporting_form, request.path)
    agencies = new_submission_agencies(request.user, reporting_form)
    submissions = access.readable_submissions(request.user).filter(form=reporting_form)
    return render(
        request,
        "monitoring/form.html",
        {
            "reporting_form": reporting_form,
            "submissions": submissions.order_by("-period", "region_code"),
            "new_form": NewSubmissionForm(agencies=agencies) if agencies.exists() else None,
            "can": can,
            "share_form": sharing.form_for(request.user, reporting_form),
            "columns": [c.name for c in columns_for(reporting_form.kind)],
        },
    )
