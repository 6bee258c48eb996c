"""Downloads of an access analysis or siting scenario (CSV, XLSX, PDF) in the reader's language
and number style: the facts of the cover, the plan in words, localised headings."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import numbers
from setara_web.spreadsheet import localise, to_csv

from services import exports, mapping, report, words
from services.models import AccessAnalysis, SitingScenario
from services.travel_text import travel_model_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_SECONDS = 24 * 3600  # a cached PDF's life: its cover carries the report's date


def _moment(value: Any, *, time: bool = True) -> str:
    if not value:
        return "–"
    return numbers.date_text(timezone.localtime(value), language=get_language(), time=time)


def named_groups(coverage: pl.DataFrame) -> pl.DataFrame:
    """A coverage table's ``group`` and ``side`` columns as one column of group names in the
    active language ("miskin", "bukan miskin", "Semua")."""
    present = coverage["group"].drop_nulls().unique().to_list()
    own = {g: words.group_name(g) for g in present} | {"": _("All")}
    rest = {g: words.not_group(words.group_name(g)) for g in present}
    return coverage.with_columns(
        pl.when(pl.col("side") == "out")
        .then(pl.col("group").replace(rest))
        .otherwise(pl.col("group").replace(own))
        .alias("group")
    ).drop("side")


def cover_facts(job: AccessAnalysis | SitingScenario) -> list[tuple[str, str]]:
    """Files, threshold or service time, travel cost, owner and dates for the cover."""
    language = get_language()
    facilities = str(job.facility_set)
    if isinstance(job, AccessAnalysis):
        if job.facility_type:
            facilities += f" ({job.facility_type})"
        minutes, limit = job.threshold, _("Threshold")
    else:
        minutes, limit = job.minutes, _("Service time")
    facts = [
        (_("Facilities"), facilities),
        (_("Villages"), str(job.demand_set)),
        (limit, _("%(t)s minutes") % {"t": numbers.number(minutes, 0, language=language)}),
        (_("Travel time model"), travel_model_text(job)),
    ]
    if job.groups:
        facts.append((_("Groups"), ", ".join(words.group_name(g) for g in job.groups)))
    if isinstance(job, SitingScenario):
        facts.append((_("Model"), str(job.get_model_display())))
    facts += [
        (_("Owner"), job.owner.name),
        (_("Computed"), _moment(job.finished_at)),
        (_("Report date"), _moment(timezone.now(), time=False)),
    ]
    return facts


def siting_plan(job: SitingScenario) -> list[tuple[str, str]]:
    """The page's plan row as (heading, value) pairs."""
    result, language = job.result, get_language()
    cover = result["coverage"]
    sites = ", ".join(str(s["id"]) for s in result["sites"])
    status = (
        _("optimal (proven)") if result.get("status") == "optimal"
        else _("feasible, not proven optimal")
    )  # fmt: skip
    plan = [  # the model is on the cover
        (_("New sites"), f"{len(result['sites'])}: {sites}" if sites else "0"),
    ]
    if job.p is not None:
        plan.append((_("new sites (p)"), numbers.number(job.p, language=language)))
    if job.budget is not None:
        plan.append((_("budget"), numbers.number(job.budget, language=language)))
    if job.weight_column:
        plan.append((_("counting"), words.group_name(job.weight_column)))
    plan += [
        (_("Cost"), numbers.number(result.get("cost"), language=language)),
        (_("Within reach before"), numbers.percent(cover["share_before"], language=language)),
        (_("Within reach after"), numbers.percent(cover["share_after"], language=language)),
        (_("People gained"), numbers.number(cover["gained"], language=language)),
        (_("Objective"), numbers.number(result.get("objective"), 1, language=language)),
        (_("Proven bound"), numbers.number(result.get("bound"), 1, language=language)),
        (_("Optimality gap"), numbers.percent(result.get("gap"), language=language)),
        (_("Status"), status),
    ]
    return plan


def group_rows(result: dict[str, Any]) -> list[str]:
    """The reader's name of each row of ``result["by_group"]`` ("poor", "not poor")."""
    names = []
    for g in result["by_group"]:
        name = words.group_name(g["group"])
        names.append(name if g["side"] == "in" else words.not_group(name))
    return names


def access_pdf(
    result: dict[str, Any], *, title: str, facts: list[tuple[str, str]], threshold: float
) -> bytes:
    """The PDF of a stored access ``result`` in the active language (``facts``: its cover)."""
    language = get_language()
    overall = result["overall"]
    headline = _(
        "%(share)s of people (%(people)s) live more than %(t)s minutes from the nearest"
        " facility (%(villages)s villages)."
    ) % {
        "share": numbers.percent(overall["beyond_share"], language=language),
        "people": numbers.number(overall["beyond_people"], language=language),
        "t": numbers.number(threshold, language=language),
        "villages": numbers.number(result["n_villages"], language=language),
    }
    map_svg = mapping.travel_map(
        result["cells"],
        title=_("Mean travel time to the nearest facility, by grid cell"),
        description=_("Villages grouped in cells of about 28 km; the table gives the numbers."),
        words=map_words(),
        draw_cells=False,
    )
    groups = {}
    for g in result["groups"]:
        name = words.group_name(g)
        groups[g] = (name, words.not_group(name), words.gap_group(name))
    return report.access_pdf(
        result,
        title=title,
        facts=facts,
        headline=headline,
        map_svg=map_svg,
        map_cells=mapping.cell_raster(result["cells"]),
        groups=groups,
        text=words.pdf_text(),
        language=language,
    )


def map_words() -> dict[str, str]:
    """The words of the travel-time map."""
    return {
        "minutes": _("min"),
        "unreachable": _("no facility within reach"),
        "new_site": _("new site"),
    }


def cached_pdf(key: Sequence[object], build: Callable[[], bytes]) -> bytes:
    """The PDF ``build`` makes, kept in the cache under ``key`` (everything the PDF shows:
    the result's identity and time, the language, the cover) so a second download is served
    without drawing it again; a new run, another language, a renamed title or another day's
    report date make a new key."""
    digest = hashlib.sha256(json.dumps([str(k) for k in key]).encode()).hexdigest()
    name = f"services-pdf:{digest}"
    body = cache.get(name)
    if not isinstance(body, bytes):
        body = build()
        cache.set(name, body, PDF_SECONDS)
    return body


def _pdf(job: AccessAnalysis | SitingScenario) -> bytes:
    result, facts = job.result, cover_facts(job)
    if isinstance(job, AccessAnalysis):
        key = ["access", job.pk, job.finished_at, get_language(), job.title, facts]
        return cached_pdf(
            key,
            lambda: access_pdf(result, title=job.title, facts=facts, threshold=job.threshold),
        )
    return report.siting_pdf(
        result,
        title=job.title,
        facts=facts,
        plan=siting_plan(job),
        groups=group_rows(result),
        text=words.pdf_text(),
        language=get_language(),
    )


def export(job: AccessAnalysis | SitingScenario, fmt: str) -> tuple[bytes, str]:
    """The body and content type of ``job``'s ``fmt`` download (csv, xlsx or pdf)."""
    result = job.result
    if fmt == "pdf":
        return _pdf(job), "application/pdf"
    if isinstance(job, AccessAnalysis):
        sheets = {"regions": exports.regions_frame(result)}
    else:
        sheets = {"sites": exports.sites_frame(result), "coverage": exports.coverage_frame(result)}
    if fmt == "csv":  # machine-readable: column names and values as stored
        return to_csv(next(iter(sheets.values()))), "text/csv; charset=utf-8"
    return _xlsx(job, sheets), XLSX


def _xlsx(job: AccessAnalysis | SitingScenario, sheets: dict[str, Any]) -> bytes:
    """The workbook with its About sheet, sheet names, headings and group names in words."""
    if isinstance(job, AccessAnalysis):
        named = {
            _("Regions"): localise(sheets["regions"], columns=words.region_columns(job.groups))
        }
    else:
        coverage = named_groups(sheets["coverage"])
        columns = words.siting_columns()
        named = {
            _("Sites"): localise(sheets["sites"], columns=columns),
            _("Coverage"): localise(coverage, columns=columns),
        }
    return exports.to_xlsx(named, title=job.title, meta=dict(cover_facts(job)), about=_("About"))
