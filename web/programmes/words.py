"""What the programme lab's pages and exports call the engine's names, in the active language.

The engine (``setara.programmes``) writes fixed English names into its tables: the run
``"baseline"``, the total row ``"all programmes"``, targeting methods (``pmt``, ``categorical``,
…) and the optimiser's methods. The web layer shows them through :func:`display`.
"""

from __future__ import annotations

from typing import Any

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
        "table_programmes": _("Programmes"),
        "table_impact": _("Poverty and inequality"),
        "table_distribution": _("Distribution"),
        "table_winners": _("Winners and losers"),
        "table_targeting": _("Targeting methods"),
        "table_verdict": _("Same budget"),
        # Indicator labels of comparison.MEASURES.
        **{label: _(label) for label in MEASURE_LABELS},
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
