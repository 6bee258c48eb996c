"""Every state change of analyses and reports, each with its audit event."""

from __future__ import annotations

from typing import Any

from agencies import actions as agency_actions
from agencies.access import check
from audit.actions import record, snapshot
from audit.models import Action
from datasets.actions import NotAllowed
from datasets.mapping import REQUIRED
from datasets.models import DatasetVersion, VersionStatus
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from analyses import jobs
from analyses.compute import available_breakdowns
from analyses.models import Analysis, CIMethod, Report, Status, run_job
from analyses.tasks import run_analysis


class BreakdownError(NotAllowed):
    """A breakdown that the dataset version's column roles do not allow (400 in the API)."""


def create(
    user: Any,
    version: DatasetVersion,
    *,
    dimension: str,
    breakdowns: list[str],
    title: str = "",
    ci_method: str = CIMethod.LOGIT,
    request: HttpRequest | None = None,
    run_now: bool = False,
) -> Analysis:
    """Create an analysis of an accepted version and queue it for the background worker.

    The analysis belongs to the dataset's agency: an analyst of that agency runs it.
    """
    check(user, version.dataset, "edit")
    if version.status != VersionStatus.ACCEPTED:
        raise NotAllowed("only an accepted dataset version can be analysed")
    missing = [r for r in REQUIRED.get(dimension, ("?",)) if r not in version.mapping]
    if missing:
        raise NotAllowed(f"the {dimension} diagnostic needs the roles {', '.join(missing)} mapped")
    if ci_method not in CIMethod.values:
        raise NotAllowed(
            f"ci_method must be one of {', '.join(CIMethod.values)}, not {ci_method!r}"
        )
    allowed = available_breakdowns(version.mapping)
    unknown = [b for b in breakdowns if b not in allowed]
    if unknown:
        raise BreakdownError(
            f"breakdown(s) {', '.join(map(repr, unknown))} are not available for this dataset "
            f"version (its mapped roles allow: {', '.join(allowed) or 'none'})"
        )
    chosen = list(dict.fromkeys(breakdowns))
    with transaction.atomic():
        analysis = Analysis.objects.create(
            owner_id=version.dataset.owner_id,
            created_by=user,
            dataset_version=version,
            dimension=dimension,
            breakdowns=chosen,
            ci_method=ci_method,
            title=title
            or f"{version.dataset.name} v{version.number}: {_dimension_word(dimension)}",
        )
        record(
            Action.CREATE,
            actor=user,
            obj=analysis,
            request=request,
            after=snapshot(
                analysis, ["title", "dimension", "breakdowns", "ci_method", "dataset_version"]
            ),
        )
        if not run_now:
            run_job(run_analysis, analysis, now=False)
    if run_now:
        run_job(run_analysis, analysis, now=True)
    return analysis


def rerun(user: Any, analysis: Analysis, request: HttpRequest | None = None) -> Analysis:
    """Queue a done or failed analysis again; of concurrent reruns exactly one is queued."""
    check(user, analysis, "edit")
    with transaction.atomic():
        before = Analysis.objects.values_list("status", flat=True).get(pk=analysis.pk)
        if not jobs.requeue(Analysis, analysis.pk):
            raise NotAllowed(_("The analysis is already queued or running."))
        record(
            Action.UPDATE,
            actor=user,
            obj=analysis,
            request=request,
            before={"status": before},
            after={"status": Status.QUEUED},
        )
    analysis.refresh_from_db()
    return analysis


def delete(user: Any, analysis: Analysis, request: HttpRequest | None = None) -> None:
    check(user, analysis, "delete")
    if analysis.reports.exists():
        raise NotAllowed("reports use this analysis; delete them first")
    agency_actions.delete(
        user, analysis, ["title", "dimension", "dataset_version", "published"], request
    )


def create_report(
    user: Any, analysis: Analysis, *, title: str, summary: str, request: HttpRequest | None = None
) -> Report:
    check(user, analysis, "edit")
    with transaction.atomic():
        report = Report.objects.create(
            owner_id=analysis.owner_id,
            created_by=user,
            analysis=analysis,
            title=title,
            summary=summary,
        )
        record(
            Action.CREATE,
            actor=user,
            obj=report,
            request=request,
            after=snapshot(report, ["title", "summary", "analysis"]),
        )
    return report


def update_report(
    user: Any, report: Report, *, title: str, summary: str, request: HttpRequest | None = None
) -> Report:
    check(user, report, "edit")
    with transaction.atomic():
        before = snapshot(report, ["title", "summary"])
        report.title, report.summary = title, summary
        report.save(update_fields=["title", "summary", "updated_at"])
        record(
            Action.UPDATE,
            actor=user,
            obj=report,
            request=request,
            before=before,
            after=snapshot(report, ["title", "summary"]),
        )
    return report


def delete_report(user: Any, report: Report, request: HttpRequest | None = None) -> None:
    agency_actions.delete(user, report, ["title", "summary", "analysis"], request)


def _dimension_word(dimension: str) -> str:
    """The dimension in the creator's language, for a default title ("ekonomi")."""
    words = {"economic": _("economic"), "education": _("education"), "health": _("health")}
    return words.get(dimension, dimension)
