"""What the programme lab's pages and exports call the engine's names, in the active language.

The engine (``setara.programmes``) writes fixed English names into its tables: the run
``"baseline"``, the total row ``"all programmes"``, targeting methods (``pmt``, ``categorical``,
…) and the optimiser's methods. The web layer shows them through :func:`display`.
"""

from __future__ import annotations

from typing import Any

from analyses import report_words
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from setara_web import messages

from programmes import specs
from programmes.comparison import MEASURES

MEASURE_LABELS = [label for _key, label, _fmt in MEASURES]


def names() -> dict[str, str]:
    """Engine name → what the reader sees."""
    return {
        "baseline": _("baseline"),
        "before": _("before"),
        "all programmes": _("all programmes"),
        "pmt": _("proxy means test (PMT)"),
        "categorical": _("categorical"),
        "geographic": _("geographic"),
        "universal": _("universal"),
        "equalise from the bottom (exact)": _("equalise from the bottom (exact)"),
        "smallest gaps first": _("smallest gaps first"),
        "most poor persons per unit first": _("most poor persons per unit first"),
        "linear programme (HiGHS)": _("linear programme (HiGHS)"),
        "mixed-integer programme (HiGHS)": _("mixed-integer programme (HiGHS)"),
        "fgt0": pgettext("objective", "poverty headcount (P0)"),
        "fgt1": pgettext("objective", "poverty gap (P1)"),
        "fgt2": pgettext("objective", "poverty severity (P2)"),
        "coverage": pgettext("objective", "coverage of the poor"),
        "water-filling (KKT)": _("water-filling (KKT)"),
    }


def display(view: dict[str, Any]) -> dict[str, Any]:
    """The comparison ``view`` (``comparison.build``) with engine names in the reader's words."""
    said = names()

    def say(value: Any) -> Any:
        return said.get(value, value) if isinstance(value, str) else value

    out = dict(view)
    out["programmes"] = [
        r | {"scenario": say(r.get("scenario")), "programme": say(r.get("programme"))}
        for r in view.get("programmes", [])
    ]
    out["targeting"] = [r | {"method": say(r.get("method"))} for r in view.get("targeting", [])]
    out["verdict"] = [
        r | {"method": say(r.get("method")), "objective_name": say(r.get("objective"))}
        for r in view.get("verdict", [])
    ]
    out["notes"] = [messages.say(n) for n in view.get("notes", [])]
    out["incidence"] = [(say(name), chart) for name, chart in view.get("incidence", [])]
    return out


def with_reasons(view: dict[str, Any]) -> dict[str, Any]:
    """The comparison ``view`` with each estimate's ``reliability_reason`` in the reader's
    language and number style ("RSE 27,4% > 25%"), for the PDF (pages translate on show)."""

    def said(cell: Any) -> Any:
        if isinstance(cell, dict) and cell.get("reliability_reason"):
            return cell | {
                "reliability_reason": report_words.reason_text(cell["reliability_reason"])
            }
        return cell

    out = dict(view)
    for key in ("impact", "regions"):
        out[key] = [{k: said(v) for k, v in row.items()} for row in view.get(key, [])]
    return out


def chart_text() -> dict[str, str]:
    return {
        "incidence": _("Benefit incidence by decile: {name}"),
        "map_title": _("Change in the poverty headcount (P0) by province"),
        "map_legend": _("Change in P0 (percentage points)"),
        "all programmes": _("all programmes"),
    }


def report_text() -> dict[str, str]:
    """Headings and column names of the comparison's PDF and XLSX, as on its page."""
    return {
        "page": _("page"),
        "about": _("About"),
        "programmes": _("Programmes: cost, reach and targeting"),
        "scenario": _("Scenario"),
        "programme": _("Programme"),
        "cost": _("Cost per year (Rp)"),
        "households": _("Households"),
        "coverage": _("Coverage of the poor"),
        "exclusion": _("Exclusion error"),
        "inclusion": _("Inclusion error"),
        "adequacy": _("Adequacy"),
        "impact": _("Poverty and inequality before and after"),
        "indicator": _("Indicator"),
        "before": _("Before"),
        "after": _("After"),
        "baseline": _("Baseline"),
        "change": pgettext("difference", "Change"),
        "ci": _("{level} CI").format(level="95%"),
        "vs_baseline": _("vs baseline"),
        "targeting": _("Targeting methods with the same budget"),
        "method": _("Method"),
        "selected": _("Population selected"),
        "gap_reduction": _("Poverty gap reduction"),
        "headcount_after": _("Headcount after"),
        "incidence": _("Benefit incidence by decile"),
        "regions": _("Poverty before and after, by province"),
        "code": _("Code"),
        "province": _("Province"),
        "winners": _("Winners and losers against the baseline"),
        "decile": _("Decile"),
        "gain": _("Gain"),
        "lose": _("Lose"),
        "unchanged": _("Unchanged"),
        "mean_change": _("Mean change (Rp)"),
        "all": _("All"),
        "notes": _("Notes"),
        "reason": _("Reason for the flag"),
        "reasons": _("Reasons for the flags"),
        "table_programmes": _("Programmes"),
        "table_impact": _("Poverty and inequality"),
        "table_distribution": _("Distribution"),
        "table_winners": _("Winners and losers"),
        "table_targeting": _("Targeting methods"),
        "table_regions": _("Regions and groups"),
        "table_vs_baseline": _("Scenario minus baseline"),
        "table_verdict": _("Same budget"),
        # Indicator labels of comparison.MEASURES.
        **{label: _(label) for label in MEASURE_LABELS},
    }


def xlsx_words(result: dict[str, Any]) -> dict[str, Any]:
    """Column headings and category values of the simulation's XLSX tables in the reader's
    language (``programmes.report.to_xlsx``); the estimate columns as the diagnostic's XLSX
    (``analyses.report_words.xlsx_words``) names them."""
    analysis = report_words.xlsx_words()
    text = report_text()
    said = names()
    tables = result.get("tables", {})

    def found(column: str) -> set[str]:
        return {
            r[column] for rows in tables.values() for r in rows if isinstance(r.get(column), str)
        }

    quintiles = [_("Q1 (poorest)"), _("Q2"), _("Q3"), _("Q4"), _("Q5 (richest)")]
    return {
        "columns": analysis["columns"]
        | {
            "scenario": text["scenario"],
            "programme": text["programme"],
            "persons": _("Persons"),
            "cost": text["cost"],
            "beneficiary_households": _("Beneficiary households"),
            "beneficiary_persons": _("Beneficiary persons"),
            "beneficiary_units": _("Beneficiary units"),
            "coverage": _("Coverage"),
            "coverage_poor": text["coverage"],
            "adequacy": text["adequacy"],
            "mean_benefit": _("Mean benefit (Rp)"),
            "exclusion_error": text["exclusion"],
            "inclusion_error": text["inclusion"],
            "targeting_differential": _("Targeting differential"),
            "budget_ceiling": _("Budget ceiling (Rp)"),
            "unspent_budget": _("Budget ceiling left unspent (Rp a year)"),
            "unfunded_eligible": _("Eligible units left unfunded"),
            "grouping": _("Grouping"),
            "group": _("Group"),
            "region_name": _("Region name"),
            "incidence": _("Incidence"),
            "domain": _("Domain"),
            "measure": _("Measure"),
            "params": _("Parameters"),
            "stage": _("Stage"),
            "unit": _("Unit"),
            "baseline": text["baseline"],
            "scenario_value": _("Scenario value"),
            "difference": _("Difference"),
            "decile": text["decile"],
            "winners": text["gain"],
            "losers": text["lose"],
            "unchanged": text["unchanged"],
            "mean_change": text["mean_change"],
            "mean_gain": _("Mean gain (Rp)"),
            "mean_loss": _("Mean loss (Rp)"),
            "objective": _("Objective"),
            "budget": _("Extra budget per period (Rp)"),
            "budget_per_year": _("Extra budget per year (Rp)"),
            "before": text["before"],
            "actual_reduction": _("Reduction achieved"),
            "optimal_reduction": _("Best possible reduction"),
            "achievement": _("Achievement"),
            "achievement_at_least": _("Achievement (at least)"),
            "status": _("Optimality"),
            "bound": _("Proven bound (lowest reachable)"),
            "method": text["method"],
            "gap": _("Optimality gap"),
            "selected": _("Persons selected"),
            "selected_share": text["selected"],
            "coverage_target": _("Coverage of the target group"),
            "coverage_non_target": _("Coverage of others"),
            "coverage_gap": _("Coverage gap"),
            "headcount_before": _("Headcount before"),
            "headcount_after": text["headcount_after"],
            "gap_reduction": text["gap_reduction"],
            "cost_benefit_ratio": _("Cost-benefit ratio"),
            "gini_change": _("Change in the Gini index"),
            "rule": _("Rule"),
            "cv_r2": _("Cross-validated R²"),
            "cgh": "CGH",  # Coady–Grosh–Hoddinott indicator, named so in every language
            "auc": "AUC",
        },
        "values": {
            "scenario": said,
            "programme": said,
            "method": said,
            "objective": said,
            "measure": {key: text[label] for key, label, _fmt in MEASURES},
            "grouping": {"decile": text["decile"], "quintile": _("Quintile")},
            "domain": {
                "all": _("all"),
                "region": text["province"],
                "female_head": _("female head of household"),
            },
            "group": {"all": _("all"), "yes": _("yes"), "no": _("no")},
            "stage": {
                "before": _("before"),
                "after": _("after"),
                "change": _("change"),
                "vs_baseline": _("vs baseline"),
            },
            "unit": {"pp": _("percentage points"), "index": _("index")},
            "status": {
                "optimal": _("optimal (proven)"),
                "time limit": _("best found within the time limit"),
                "heuristic": _("heuristic"),
            },
            "reliability": analysis["reliability"],
            "diff_flag": analysis["diff"],
            "reliability_reason": {
                r: report_words.reason_text(r) for r in found("reliability_reason")
            },
            "rule": {r: messages.say(r) for r in found("rule")},
        },
        # Group codes of the distribution table, by its grouping.
        "groups": {
            "decile": {str(d): f"D{d}" for d in range(1, 11)},
            "quintile": {str(q): label for q, label in enumerate(quintiles, start=1)},
        },
    }


def templates() -> list[dict[str, str]]:
    """The shipped programme templates with name and source in the reader's language.

    The English name and source (whitespace made single) are the message ids, so a changed
    template shows in English until translated; ``test_one_language`` then fails.
    """
    return [
        t | {"name": _(t["name"]), "source": _(" ".join(t["source"].split()))}
        for t in specs.templates()
    ]
