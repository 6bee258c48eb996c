"""Change over time page: two survey rounds (accepted dataset versions) -> the change in
poverty and inequality with its confidence interval, the growth incidence curve with its band,
and the growth/redistribution split of the change in poverty (``setara.monitoring``).

Both versions are read with their own column roles (as the diagnostics read them) and
estimated with weight, strata and PSU (with replacement; finite population corrections left
out, since a rotated round's PSU counts can differ). With "rounds share PSUs" the covariance
between rounds comes from the PSUs found in both (same stratum and id). Results are cached per
pair of versions and options; a computation error the engine explains is shown as its text.
"""

from __future__ import annotations

import hashlib
from typing import Any

import polars as pl
from agencies.access import readable_filter
from analyses.chart_words import chart_words
from analyses.compute import prepare
from analyses.dashboard import formatter
from datasets.models import DatasetVersion, VersionStatus
from datasets.storage import read_version
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import numbers
from setara_web.viz import words as viz_words

from monitoring import charts
from monitoring import dashboard_words as words
from setara.errors import SetaraError

MEASURES = {
    "fgt:alpha=0,line=@poverty_line": "p0",
    "fgt:alpha=1,line=@poverty_line": "p1",
    "gini": "gini",
}
METHODS = ("datt-ravallion", "shapley")
BY = {"": None, "province": "province_code"}
ROLES = ("welfare", "weight", "strata", "psu", "poverty_line", "province_code")
CACHE_VERSION = 1


def readable_versions(user: Any) -> list[DatasetVersion]:
    return list(
        DatasetVersion.objects.filter(
            readable_filter(user, "dataset__"), status=VersionStatus.ACCEPTED
        )
        .select_related("dataset")
        .distinct()
        .order_by("dataset__name", "number")
    )


def suggested_rounds(
    versions: list[DatasetVersion],
) -> tuple[DatasetVersion | None, DatasetVersion | None]:
    """The two latest versions of the dataset with the most recent second version (rounds of
    one survey are versions of one dataset); ``(None, None)`` when no dataset has two."""
    latest: dict[int, list[DatasetVersion]] = {}
    for version in versions:
        latest.setdefault(version.dataset_id, []).append(version)
    pairs = [sorted(v, key=lambda x: x.number)[-2:] for v in latest.values() if len(v) >= 2]
    if not pairs:
        return None, None
    before, after = max(pairs, key=lambda pair: pair[1].uploaded_at)
    return before, after


def _frame(version: DatasetVersion) -> pl.DataFrame:
    mapping = {r: c for r, c in version.mapping.items() if r in ROLES}
    missing = [r for r in ("welfare", "weight", "poverty_line") if r not in mapping]
    if missing:
        raise SetaraError(
            _("%(version)s has no column for %(roles)s") % {"version": version, "roles": missing}
        )
    frame = read_version(version.path, columns=sorted(set(mapping.values())))
    return prepare(frame, mapping, version.labels)


def compute(
    before: DatasetVersion, after: DatasetVersion, options: dict[str, Any]
) -> dict[str, Any]:
    """Change, growth incidence and growth/redistribution split as plain rows (cached)."""
    from setara.monitoring import change, growth_incidence, growth_redistribution

    text = f"{before.pk}|{after.pk}|{sorted(options.items())}|{CACHE_VERSION}"
    key = "monitoring-change-" + hashlib.sha256(text.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    frames = (_frame(before), _frame(after))
    design = {"weight": "weight"}
    for role in ("strata", "psu"):
        if role in frames[0].columns and role in frames[1].columns:
            design[role] = role
    common = bool(options["common_psu"]) and "psu" in design
    by = BY[options["by"]]
    changed = change(
        *frames, welfare="welfare", measures=list(MEASURES), design=design, by=by,
        common_psu=common,
    )  # fmt: skip
    gic = growth_incidence(*frames, welfare="welfare", design=design, points=19, common_psu=common)
    split = growth_redistribution(
        *frames, welfare="welfare", line="@poverty_line", design=design, by=by,
        method=options["method"],
    )  # fmt: skip
    result = {
        "change": changed.frame.to_dicts(),
        "gic": gic.frame.to_dicts(),
        "split": split.frame.to_dicts(),
        "common_psu": common,
    }
    cache.set(key, result, 24 * 3600)
    return result


def _options(request: HttpRequest) -> dict[str, Any]:
    by = request.GET.get("by", "")
    method = request.GET.get("method", METHODS[0])
    if by not in BY or method not in METHODS:
        raise Http404
    return {"by": by, "method": method, "common_psu": request.GET.get("common_psu") == "1"}


def _shown(result: dict[str, Any], by: str | None) -> dict[str, Any]:
    """Rows with their numbers written the reader's way."""
    pct, pp, plain = formatter("percent"), formatter("pp"), formatter("")
    labels = {"p0": _("Poverty rate (P0)"), "p1": _("Poverty gap (P1)"), "gini": _("Gini ratio")}
    rows = []
    for r in result["change"]:
        key = MEASURES[f"{r['measure']}:{r['params']}" if r["params"] else r["measure"]]
        level, diff = (pct, pp) if key == "p0" else (plain, plain)
        significant = r["p_value"] is not None and r["p_value"] < 0.05
        rows.append({
            "label": labels[key], "region": r.get(by) if by else "",
            "before": level(r["before"]), "after": level(r["after"]), "change": diff(r["change"]),
            "ci": f"{diff(r['ci_low'])} – {diff(r['ci_high'])}",
            "p_value": numbers.number(r["p_value"], 3) if r["p_value"] is not None else "",
            "verdict": (_("significant fall") if r["change"] < 0 else _("significant rise"))
            if significant else _("no significant change"),
        })  # fmt: skip
    split = [
        {
            "region": r.get(by) if by else "",
            "method": r["method"],
            **{k: pp(r[k]) for k in ("before", "after", "change", "growth", "redistribution")},
            "residual": pp(r["residual"]),
        }
        for r in result["split"]
        if r.get("measure", "fgt") == "fgt"
    ]
    return {"rows": rows, "split": split}


def _gic_chart(result: dict[str, Any]) -> str:
    points = [
        {
            "period": numbers.number(100 * float(r["params"].split("=")[1]), 0),
            "value": 100 * r["growth"],
            "ci_low": 100 * r["ci_low"] if r["ci_low"] is not None else None,
            "ci_high": 100 * r["ci_high"] if r["ci_high"] is not None else None,
        }
        for r in result["gic"]
        if r["measure"] == "gic" and r["growth"] is not None
    ]
    return charts.trend_chart(
        points,
        title=_("Growth incidence curve: growth of each percentile of welfare (%)"),
        fmt=lambda v: numbers.number(v, 1) + "%",
        y_label=_("growth (%)"),
        text={
            **words.chart_text(),
            "value": _("Growth"),
            "trend_desc": _(
                "Growth incidence curve over {count} percentiles, from {first_value} at "
                "percentile {first} to {last_value} at percentile {last}.{name}"
            ).replace("{name}", ""),
        },
    )


@login_required
def change_page(request: HttpRequest) -> HttpResponse:
    versions = readable_versions(request.user)
    by_pk = {str(v.pk): v for v in versions}
    options = _options(request)
    context: dict[str, Any] = {"versions": versions, "options": options, "methods": METHODS}
    chosen = request.GET.get("before"), request.GET.get("after")
    if not any(chosen):  # offer the last two rounds of one dataset, the usual comparison
        context["before"], context["after"] = suggested_rounds(versions)
    if all(chosen):
        before, after = (by_pk.get(c or "") for c in chosen)
        if before is None or after is None:
            raise Http404
        context["before"], context["after"] = before, after
        if before.pk == after.pk:
            context["error"] = _("Choose two different rounds.")
        else:
            try:
                result = compute(before, after, options)
            except SetaraError as exc:
                context["error"] = str(exc)
            else:
                with viz_words.use(chart_words()), numbers.use(get_language()):
                    context.update(_shown(result, BY[options["by"]]))
                    context["gic_chart"] = _gic_chart(result)
                context["common_psu"] = result["common_psu"]
    return render(request, "monitoring/dashboard_change.html", context)
