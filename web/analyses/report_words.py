"""What the PDF and XLSX reports of a diagnostic say, in the active language (Django side).

``analyses.report_pdf`` and ``analyses.exports`` stay Django-free; this module gives them the
translated words and the cover facts (dataset, version, survey design, dates).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import numbers
from setara_web.reasons import say_reason

from analyses.forms import BREAKDOWN_LABELS
from analyses.models import Analysis


def reliability_words() -> dict[str, str]:
    """The BPS reliability flags as the reader says them."""
    return {
        "reliable": _("reliable"),
        "caution": _("use with caution"),
        "unreliable": _("unreliable"),
        "small n": _("too few observations (n < 30)"),
        "one PSU": _("one PSU: no standard error"),
        "empty": _("no observations"),
    }


def reason_words() -> dict[str, str]:
    """The leading words of the engine's reliability checks (``setara_web.reasons``) as the
    reader says them."""
    return {
        "RSE undefined": _("RSE undefined"),
        "relative CI width": _("relative CI width"),
        "CI width": _("CI width"),
        "effective n": _("effective n"),
        "interval leaves": _("interval leaves"),
        "no observations": _("no observations"),
        "one PSU": _("one PSU"),
        "df": _("degrees of freedom"),
    }


def reason_text(reason: str | None) -> str:
    """An engine reliability reason in the active language and number style."""
    return say_reason(reason, reason_words(), language=get_language())


def with_reasons(result: dict[str, Any]) -> dict[str, Any]:
    """A copy of a stored diagnostic ``result`` whose ``reliability_reason`` texts are in the
    active language and number style (for the PDF and XLSX; pages use the ``reason_text``
    filter)."""

    def said(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            r | {"reliability_reason": reason_text(r["reliability_reason"])}
            if r.get("reliability_reason")
            else r
            for r in rows
        ]

    out = dict(result)
    for key in ("headline", "deciles", "decomposition"):
        if key in result:
            out[key] = said(result[key])
    out["breakdowns"] = {b: said(rows) for b, rows in result.get("breakdowns", {}).items()}
    return out


def pdf_text() -> dict[str, str]:
    """The PDF report's wording in the active language."""
    return {
        "page": _("page"),
        "headline": _("Headline estimates ({level} confidence intervals)").format(level="95%"),
        "indicator": _("Indicator"),
        "estimate": _("Estimate"),
        "ci": _("{level} CI").format(level="95%"),
        "rse": _("RSE"),
        "reliability": _("Reliability"),
        "reason": _("Reason for the flag"),
        "reasons": _("Reasons for the flags"),
        "code": _("Code"),
        "name": _("Name"),
        "by_province": _("By province"),
        "by_regency": _("By regency / city"),
        "extremes": _("The {k} highest and {k} lowest of {n} regencies and cities."),
        "distribution": _("Distribution"),
        "decile": _("Decile"),
        "share": _("Share"),
        "decomposition": _("Inequality between and within groups (Theil T)"),
        "groups": _("Groups"),
        "component": _("Component"),
        "notes": _("Notes"),
        "province": _("province"),
        "urban": _("Urban / rural"),
        "within": _("within"),
        "between": _("between"),
        "total": _("total"),
        "flags": _(
            "Flags (BPS rule): * relative standard error {caution}, use with caution; ! RSE "
            "above {limit}, unreliable; n fewer than 30 observations."
        ).format(caution="25–50%", limit="50%"),
        **{f"rel_{key}": word for key, word in reliability_words().items()},
    }


def design_text(mapping: dict[str, str]) -> str:
    """The survey design as the diagnostic used it: weight, strata and PSU columns."""
    parts = [_("weight %(column)s") % {"column": mapping.get("weight", "–")}]
    if mapping.get("strata"):
        parts.append(_("strata %(column)s") % {"column": mapping["strata"]})
    if mapping.get("psu"):
        parts.append(_("PSU %(column)s") % {"column": mapping["psu"]})
    if mapping.get("fpc"):
        parts.append(_("finite population correction %(column)s") % {"column": mapping["fpc"]})
    return "; ".join(parts) + " · " + _("design-based (linearised) standard errors")


def cover_facts(analysis: Analysis) -> list[tuple[str, str]]:
    """Dataset, version, design and dates for the report's cover."""
    language = get_language()
    version = analysis.dataset_version
    local = timezone.localtime
    computed = (
        numbers.date_text(local(analysis.finished_at), language=language, time=True)
        if analysis.finished_at
        else "–"
    )
    breakdowns = [str(BREAKDOWN_LABELS.get(b, b)) for b in analysis.breakdowns or []]
    return [
        (_("Dataset"), version.dataset.name),
        (
            _("Version"),
            _("%(number)d, %(rows)s rows, uploaded %(date)s")
            % {
                "number": version.number,
                "rows": numbers.number(version.n_rows, language=language),
                "date": numbers.date_text(local(version.uploaded_at), language=language),
            },
        ),
        (_("Survey design"), design_text(version.mapping or {})),
        (_("Dimension"), str(analysis.get_dimension_display())),
        (_("Breakdowns"), ", ".join(breakdowns) or "–"),
        (_("Owner"), analysis.owner.name),
        (_("Computed"), computed),
        (_("Report date"), numbers.date_text(local(timezone.now()), language=language)),
        (_("Software"), _("Setara (design-based standard errors, BPS reliability rule)")),
    ]


def about_rows(analysis: Analysis) -> dict[str, str]:
    """The same facts for the XLSX's first sheet."""
    return dict(cover_facts(analysis))


def xlsx_words() -> dict[str, Any]:
    """Column headings, sheet names and flag words of the XLSX export."""
    return {
        "about": _("About"),
        "columns": {
            "indicator": _("indicator key"),
            "label": _("Indicator"),
            "breakdown": _("Breakdown"),
            "group": _("Code"),
            "name": _("Name"),
            "estimate": _("Estimate"),
            "se": _("Standard error"),
            "ci_low": _("{level} CI low").format(level="95%"),
            "ci_high": _("{level} CI high").format(level="95%"),
            "n": "n",
            "rse": _("RSE"),
            "reliability": _("Reliability"),
            "reliability_reason": _("Reason for the flag"),
            "diff_national": _("Difference from the national figure"),
            "diff_se": _("SE of the difference"),
            "diff_flag": _("Compared with the national figure"),
        },
        "reliability": reliability_words(),
        "diff": {
            "above": _("significantly above"),
            "below": _("significantly below"),
            "not different": _("not significantly different"),
        },
        "labels": {
            "decile_share": _("Share of total welfare"),
            "lorenz": _("Lorenz ordinate"),
        },
        "sheets": {
            "national": _("National"),
            "decile": _("Decile"),
            "population_share": _("Lorenz curve"),
            "decomposition by province": _("Theil by province"),
            "decomposition by urban": _("Theil by urban-rural"),
            **{key: str(label) for key, label in BREAKDOWN_LABELS.items()},
        },
        "rule": _(
            "Reliability (BPS): RSE up to {reliable} reliable; {caution} use with caution; above "
            "{limit} unreliable; fewer than 30 observations: too few."
        ).format(reliable="25%", caution="25–50%", limit="50%"),
    }
