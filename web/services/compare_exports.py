"""Downloads of the siting comparison page (``/services/compare/``) as XLSX and PDF, in the
reader's language and number style: the same scenarios the page shows (``?ids=1,2`` or
``pick`` boxes), each one the reader may read (404 otherwise), each export audited on every
scenario it shows."""

from __future__ import annotations

from typing import Any

import polars as pl
from agencies import actions as agency_actions
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import numbers
from setara_web.spreadsheet import localise

from services import downloads, exports, mapping, report, words
from services.access import get_object
from services.models import SitingScenario

MOST = 6  # scenarios compared at once, as the page


def chosen(request: HttpRequest) -> list[SitingScenario]:
    """The finished scenarios named by ``ids`` (comma-separated) and ``pick`` in the query, in
    that order, at most :data:`MOST`; one the user may not read is a 404."""
    given = [*request.GET.getlist("pick"), *request.GET.get("ids", "").split(",")]
    ids = list(dict.fromkeys(p.strip() for p in given if p.strip().isdigit()))[:MOST]
    scenarios = [get_object(request.user, "siting", pk) for pk in ids]
    return [s for s in scenarios if s.status == "done" and s.result]


def _status(result: dict[str, Any]) -> str:
    if result.get("status") == "optimal":
        return str(_("optimal (proven)"))
    return str(_("feasible, not proven optimal"))


def _facts(scenarios: list[SitingScenario]) -> list[tuple[str, str]]:
    language = get_language()
    owners = dict.fromkeys(s.owner.name for s in scenarios)
    return [
        (_("Scenarios"), ", ".join(s.title for s in scenarios)),
        (_("Owner"), ", ".join(owners)),
        (_("Report date"), numbers.date_text(timezone.localtime(), language=language)),
    ]


def _text() -> dict[str, str]:
    """The PDF's words: the siting report's, with the comparison's own headings."""
    return words.pdf_text() | {
        "compare": _("Cost, coverage and optimality"),
        "map": _("New sites on the map"),
        "by_group": _("Coverage gained by group"),
        "scenario": _("Scenario"),
        "model": _("Model"),
        "new_sites": _("New sites"),
        "objective": _("Objective"),
        "bound": _("Proven bound"),
        "gap": _("Optimality gap"),
        "status": _("Status"),
    }


def _map(scenarios: list[SitingScenario]) -> str:
    """The page's map: each scenario's new sites in its colour, over the provinces."""
    sites = [
        {**site, "id": f"{s.title}: {site['id']}", "group": k}
        for k, s in enumerate(scenarios)
        for site in s.result["sites"]
    ]
    return mapping.travel_map(
        [],
        title=_("Sites chosen by the scenarios"),
        description=_("Each circle is a new site; its name is in the table."),
        words=downloads.map_words(),
        sites=sites,
        site_groups=[s.title for s in scenarios],
    )


def to_pdf(scenarios: list[SitingScenario]) -> bytes:
    """The comparison as a PDF in the active language."""
    return report.compare_pdf(
        [
            {
                "title": s.title,
                "model": str(s.get_model_display()),
                "status": _status(s.result),
                "groups": downloads.group_rows(s.result),
                "result": s.result,
            }
            for s in scenarios
        ],
        title=str(_("Siting scenarios side by side")),
        facts=_facts(scenarios),
        map_svg=_map(scenarios),
        text=_text(),
        language=get_language(),
    )


def to_xlsx(scenarios: list[SitingScenario]) -> bytes:
    """The comparison as a workbook: About, then the plans, coverage by group and sites, with
    headings, groups and statuses in the active language (numbers stay numbers)."""
    frames = exports.comparison_frames(
        [(s.title, str(s.get_model_display()), s.result) for s in scenarios]
    )
    coverage = downloads.named_groups(frames["coverage"])
    plan = frames["plan"].with_columns(
        pl.col("status").replace_strict(
            {"optimal": str(_("optimal (proven)"))},
            default=str(_("feasible, not proven optimal")),
            return_dtype=pl.String,
        )
    )
    text = _text()
    columns = words.siting_columns() | {
        "scenario": text["scenario"],
        "model": text["model"],
        "new_sites": text["new_sites"],
        "site_ids": _("Sites"),
        "objective": text["objective"],
        "bound": text["bound"],
        "gap": text["gap"],
        "status": text["status"],
    }
    named = {
        _("Scenarios"): localise(plan, columns=columns),
        _("Coverage"): localise(coverage, columns=columns),
        _("Sites"): localise(frames["sites"], columns=columns),
    }
    meta = dict(_facts(scenarios))
    return exports.to_xlsx(
        named, title=str(_("Siting scenarios side by side")), meta=meta, about=_("About")
    )


@login_required
def compare_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """``/services/compare/export.<xlsx|pdf>?ids=…``: the comparison page as a download."""
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    scenarios = chosen(request)
    if not scenarios:
        raise Http404
    if fmt == "pdf":
        body, ctype = to_pdf(scenarios), "application/pdf"
    else:
        body, ctype = to_xlsx(scenarios), downloads.XLSX
    for scenario in scenarios:
        agency_actions.record_export(request.user, scenario, fmt, request)
    response = HttpResponse(body, content_type=ctype)
    ids = "-".join(str(s.pk) for s in scenarios)
    response["Content-Disposition"] = f'attachment; filename="setara-siting-compare-{ids}.{fmt}"'
    return response
