"""Programme editor (templates, versions) and the scenario comparison page."""

from __future__ import annotations

from typing import Any

from agencies import actions as agency_actions
from agencies import confirm, sharing
from agencies.access import agencies_where, can_read, permissions, readable
from agencies.models import Role
from analyses import jobs
from analyses.chart_words import chart_words
from datasets.actions import NotAllowed
from datasets.metadata import render_metadata, version_link
from datasets.models import DatasetVersion, VersionStatus
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import numbers
from setara_web.viz import words

from programmes import actions, comparison, editor, report, specs
from programmes import words as programme_words
from programmes.access import get_programme, get_simulation
from programmes.forms import ProgrammeForm, SimulationForm, VersionForm
from programmes.models import Programme, ProgrammeVersion, Simulation
from setara.errors import SetaraError


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programmes/list.html",
        {
            "programmes": readable(request.user, Programme.objects.select_related("owner")),
            "simulations": readable(request.user, Simulation.objects.select_related("owner")),
            "templates": programme_words.templates(),
        },
    )


@login_required
def programme_new(request: HttpRequest) -> HttpResponse:
    agencies = agencies_where(request.user, Role.ANALYST)
    if not agencies.exists():
        raise PermissionDenied
    key = request.GET.get("template", "")
    initial: dict[str, Any] = {"template": key}
    if key:
        try:
            initial["spec"] = specs.template_text(key)
        except specs.SpecError as exc:
            raise Http404 from exc
        initial["name"] = next(t["name"] for t in programme_words.templates() if t["key"] == key)
    form = ProgrammeForm(request.POST or None, agencies=agencies, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = actions.create(
                request.user,
                data["agency"],
                name=data["name"],
                description=data["description"],
                spec=data["spec"],
                template=data["template"],
                request=request,
            )
        except SetaraError as exc:
            error = str(exc)
        else:
            return redirect("programme", pk=version.programme_id)
    return render(
        request,
        "programmes/new.html",
        {"form": form, "error": error, "template": key},
        status=400 if error or form.errors else 200,
    )


@login_required
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    programme = get_programme(request.user, pk)
    latest = programme.latest()
    form = VersionForm(initial={"spec": latest.spec if latest else ""})
    error = None
    if request.method == "POST":
        if "delete" in request.POST:
            if (page := confirm.needed(request, programme, "delete")) is not None:
                return page
            try:
                actions.delete(request.user, programme, request)
            except NotAllowed as exc:
                messages.error(request, str(exc))
                return redirect("programme", pk=pk)
            return redirect("programmes")
        if "editor" in request.POST and latest is not None:
            get_programme(request.user, pk, "edit")
            return _save_from_editor(request, programme, latest)
        if "spec" not in request.POST:
            return sharing.handle(request, programme, request.path)
        get_programme(request.user, pk, "edit")
        form = VersionForm(request.POST)
        if form.is_valid():
            try:
                version = actions.save_version(
                    request.user, programme, request=request, **form.cleaned_data
                )
            except SetaraError as exc:
                error = str(exc)
            else:
                messages.success(request, _("Saved as version %(n)d.") % {"n": version.number})
                return redirect("programme", pk=pk)
    return _detail_page(request, programme, latest, form=form, error=error)


def _detail_page(
    request: HttpRequest,
    programme: Programme,
    latest: ProgrammeVersion | None,
    *,
    form: VersionForm,
    error: str | None,
    editor_form: editor.EditorForm | None = None,
) -> HttpResponse:
    parsed = editor.single_programme(latest.spec) if latest else None
    if editor_form is None and parsed is not None:
        editor_form = editor.EditorForm(programme=parsed)
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "latest": latest,
            "form": form,
            "editor_form": editor_form,
            "error": error,
            "versions": programme.versions.select_related("created_by"),
            "can": permissions(request.user, programme),
            "share_form": sharing.form_for(request.user, programme),
        },
        status=400 if error or (editor_form is not None and editor_form.errors) else 200,
    )


def _save_from_editor(
    request: HttpRequest, programme: Programme, latest: ProgrammeVersion
) -> HttpResponse:
    """The form editor's POST: the latest text with the form's values, saved as a version."""
    parsed = editor.single_programme(latest.spec)
    if parsed is None:
        raise Http404
    form = editor.EditorForm(request.POST, programme=parsed)
    error = None
    if form.is_valid():
        try:
            version = actions.save_version(
                request.user,
                programme,
                spec=form.apply(latest.spec, parsed),
                note=form.cleaned_data["note"],
                request=request,
            )
        except SetaraError as exc:
            error = str(exc)
        else:
            messages.success(request, _("Saved as version %(n)d.") % {"n": version.number})
            return redirect("programme", pk=programme.pk)
    yaml_form = VersionForm(initial={"spec": latest.spec})
    return _detail_page(request, programme, latest, form=yaml_form, error=error, editor_form=form)


@login_required
def programme_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    programme = get_programme(request.user, pk)
    version = programme.versions.filter(number=number).first()
    if version is None:
        raise Http404
    previous = programme.versions.filter(number__lt=number).order_by("-number").first()
    diff = (
        editor.version_diff(
            previous.spec,
            version.spec,
            before_label=f"v{previous.number}",
            after_label=f"v{version.number}",
        )
        if previous is not None
        else None
    )
    return render(
        request,
        "programmes/version.html",
        {"programme": programme, "version": version, "previous": previous, "diff": diff},
    )


def _choices(request: HttpRequest) -> tuple[Any, Any]:
    owners = agencies_where(request.user, Role.ANALYST)
    versions = DatasetVersion.objects.filter(
        status=VersionStatus.ACCEPTED, dataset__owner__in=owners
    ).select_related("dataset")
    programmes = readable(request.user, Programme.objects.all())
    latest = (
        ProgrammeVersion.objects.filter(programme__in=programmes)
        .values("programme")
        .annotate(n=Max("number"))
    )
    pairs = {(row["programme"], row["n"]) for row in latest}
    ids = [
        v.pk
        for v in ProgrammeVersion.objects.filter(programme__in=programmes)
        if (v.programme_id, v.number) in pairs
    ]
    return versions, ProgrammeVersion.objects.filter(pk__in=ids).select_related("programme")


@login_required
def simulation_new(request: HttpRequest) -> HttpResponse:
    versions, programme_versions = _choices(request)
    form = SimulationForm(
        request.POST or None, versions=versions, programme_versions=programme_versions
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sim = actions.simulate(
                request.user,
                data["dataset_version"],
                baseline=list(data["baseline"]),
                scenario=list(data["scenario"]),
                title=data["title"],
                scenario_name=data["scenario_name"],
                date=data["date"],
                groups=data["groups"],
                proxies=data["proxies"],
                categorical=data["categorical"],
                request=request,
            )
        except (NotAllowed, SetaraError) as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("simulation", pk=sim.pk)
    return render(
        request,
        "programmes/simulation_new.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@login_required
def simulation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sim = get_simulation(request.user, pk)
    if request.method == "POST":
        if "delete" in request.POST:
            if (page := confirm.needed(request, sim, "delete")) is not None:
                return page
            actions.delete_simulation(request.user, sim, request)
            return redirect("programmes")
        if "rerun" in request.POST:
            try:
                actions.rerun_simulation(request.user, sim, request)
            except NotAllowed as exc:
                messages.error(request, str(exc))
            return redirect("simulation", pk=sim.pk)
        return sharing.handle(request, sim, request.path)
    jobs.recover_if_stale(sim)
    context: dict[str, Any] = {
        "simulation": sim,
        "can": permissions(request.user, sim),
        "share_form": sharing.form_for(request.user, sim),
        "baseline": sim.baseline.select_related("programme"),
        "scenario": sim.scenario.select_related("programme"),
        "version_url": version_link(
            request.user, sim.dataset_version, reverse("simulation-source", args=[sim.pk])
        ),
        "programme_urls": {
            v.pk: programme_link(request.user, sim, v)
            for v in [*sim.baseline.select_related("programme"), *sim.scenario.all()]
        },
    }
    if sim.status == "done" and sim.result:
        context["view"] = comparison_view(sim)
    return render(request, "programmes/simulation.html", context)


def comparison_view(sim: Any) -> dict[str, Any]:
    """The comparison page's data and charts in the reader's language and number style."""
    with words.use(chart_words()), numbers.use(get_language()):
        return programme_words.display(comparison.build(sim.result, programme_words.chart_text()))


@login_required
def simulation_status(request: HttpRequest, pk: int) -> JsonResponse:
    sim = get_simulation(request.user, pk)
    jobs.recover_if_stale(sim)
    return JsonResponse(
        {
            "status": sim.status,
            "progress": sim.progress,
            "message": sim.progress_message,
            "error": sim.error_text(),
        }
    )


@login_required
def simulation_export(request: HttpRequest, pk: int) -> HttpResponse:
    sim = get_simulation(request.user, pk)
    if sim.status != "done" or not sim.result:
        raise Http404
    agency_actions.record_export(request.user, sim, "csv", request)
    response = HttpResponse(comparison.to_csv(sim.result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="setara-simulation-{sim.pk}.csv"'
    return response


def programme_link(user: Any, sim: Simulation, version: ProgrammeVersion) -> str:
    """The programme version's own page when the user may read the programme, else its page
    reached through the simulation."""
    if can_read(user, version.programme):
        return reverse("programme-version", args=[version.programme_id, version.number])
    return reverse("simulation-programme", args=[sim.pk, version.pk])


@login_required
def simulation_source(request: HttpRequest, pk: int) -> HttpResponse:
    """The dataset version behind a simulation, as metadata, for every reader of it."""
    sim = get_simulation(request.user, pk)
    return render_metadata(request, sim.dataset_version, reverse("simulation", args=[sim.pk]))


@login_required
def simulation_programme(request: HttpRequest, pk: int, version_pk: int) -> HttpResponse:
    """A programme version a simulation used, for every reader of the simulation (the rules are
    what the simulation's figures rest on)."""
    sim = get_simulation(request.user, pk)
    version = (
        sim.baseline.filter(pk=version_pk).first() or sim.scenario.filter(pk=version_pk).first()
    )
    if version is None:
        raise Http404
    return render(
        request,
        "programmes/version.html",
        {
            "programme": version.programme,
            "version": version,
            "back": reverse("simulation", args=[sim.pk]),
        },
    )


def _simulation_facts(sim: Any) -> list[tuple[str, str]]:
    version = sim.dataset_version
    language = get_language()
    listed = [str(v) for v in sim.baseline.all()] or [_("none")]
    return [
        (_("Dataset"), f"{version.dataset.name} v{version.number}"),
        (_("Baseline"), ", ".join(listed)),
        (_("Scenario"), f"{sim.scenario_name}: " + ", ".join(str(v) for v in sim.scenario.all())),
        (_("Owner"), sim.owner.name),
        (
            _("Computed"),
            numbers.date_text(timezone.localtime(sim.finished_at), language=language, time=True)
            if sim.finished_at
            else "–",
        ),
        (_("Report date"), numbers.date_text(timezone.localtime(), language=language)),
        (_("Software"), _("Setara (design-based standard errors, BPS reliability rule)")),
    ]


@login_required
def simulation_export_as(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The comparison as XLSX or PDF, in the reader's language."""
    sim = get_simulation(request.user, pk)
    if sim.status != "done" or not sim.result or fmt not in ("xlsx", "pdf"):
        raise Http404
    text = programme_words.report_text()
    if fmt == "pdf":
        body = report.to_pdf(
            programme_words.with_reasons(comparison_view(sim)),
            title=sim.title,
            facts=_simulation_facts(sim),
            text=text,
            language=get_language(),
        )
        ctype = "application/pdf"
    else:
        body = report.to_xlsx(
            sim.result,
            title=sim.title,
            facts=_simulation_facts(sim),
            text=text,
            words=programme_words.xlsx_words(sim.result),
        )
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    agency_actions.record_export(request.user, sim, fmt, request)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="setara-simulation-{sim.pk}.{fmt}"'
    return response
