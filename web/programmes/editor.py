"""The programme editor for non-programmers: a form over the common edits of one programme
(eligibility, benefit amounts, budget ceiling and rationing, take-up) that writes the same YAML
text the expert view edits; names checked against the agency's data with a suggestion; the
difference between two versions."""

from __future__ import annotations

import difflib
from typing import Any

import yaml
from datasets.models import DatasetVersion
from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programmes import specs
from setara.programmes import DERIVED_VARIABLES, Programme

RATIONING_CHOICES = [
    ("", gettext_lazy("no budget ceiling")),
    ("poorest_first", gettext_lazy("poorest first")),
    ("pro_rata", gettext_lazy("pro rata (every benefit scaled)")),
    ("regional_quotas", gettext_lazy("regional quotas")),
]
# Functions of the expression language and literals: never variable names.
LANGUAGE_WORDS = {"any", "all", "count", "sum", "min", "max", "least", "greatest", "where"}


def _editable_amount(entry: Any) -> float | None:
    """The current value of a parameter when it is one number (plain or one dated value)."""
    if isinstance(entry, int | float) and not isinstance(entry, bool):
        return float(entry)
    if isinstance(entry, dict) and isinstance(entry.get("values"), list) and entry["values"]:
        last = entry["values"][-1]
        if isinstance(last, dict) and isinstance(last.get("value"), int | float):
            return float(last["value"])
    return None


def single_programme(text: str) -> dict[str, Any] | None:
    """The YAML mapping when the text is one programme the form can edit, else ``None``."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) and "id" in data else None


class EditorForm(forms.Form):
    """Fields built from the programme: its eligibility, one amount per numeric parameter,
    budget and take-up."""

    eligibility = forms.CharField(
        label=gettext_lazy("Who is eligible (condition)"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
    )
    ceiling = forms.FloatField(
        label=gettext_lazy("Budget ceiling per year (Rp)"), required=False, min_value=0
    )
    rationing = forms.ChoiceField(
        label=gettext_lazy("When the budget is short"), choices=RATIONING_CHOICES, required=False
    )
    take_up = forms.FloatField(
        label=gettext_lazy("Take-up (share of the eligible who receive it, 0 to 1)"),
        min_value=0,
        max_value=1,
    )
    note = forms.CharField(label=gettext_lazy("What changed"), max_length=300, required=False)

    def __init__(self, *args: Any, programme: dict[str, Any], **kwargs: Any) -> None:
        budget = programme.get("budget") or {}
        initial = {
            "eligibility": str(programme.get("eligibility", "True")).strip(),
            "ceiling": budget.get("ceiling"),
            "rationing": budget.get("rationing", "poorest_first") if budget else "",
            "take_up": programme.get("take_up", 1),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.amounts: list[str] = []
        for name, entry in (programme.get("parameters") or {}).items():
            value = _editable_amount(entry)
            if value is None:
                continue
            field = f"param__{name}"
            shown = int(value) if value.is_integer() else value  # 3000000, not 3000000.0
            self.fields[field] = forms.FloatField(label=str(name).replace("_", " "), initial=shown)
            self.amounts.append(field)

    def amount_fields(self) -> list[Any]:
        return [self[f] for f in self.amounts]

    def apply(self, original: str, programme: dict[str, Any]) -> str:
        """The YAML text with the form's values; header comments of the original are kept."""
        data = dict(programme)
        data["eligibility"] = self.cleaned_data["eligibility"]
        data["take_up"] = self.cleaned_data["take_up"]
        rationing, ceiling = self.cleaned_data["rationing"], self.cleaned_data["ceiling"]
        if rationing and ceiling is not None:
            budget = dict(data.get("budget") or {})
            budget.update({"ceiling": ceiling, "rationing": rationing})
            data["budget"] = budget
        else:
            data.pop("budget", None)
        params = dict(data.get("parameters") or {})
        for field in self.amounts:
            name = field.removeprefix("param__")
            value = self.cleaned_data[field]
            value = int(value) if float(value).is_integer() else value
            entry = params[name]
            if isinstance(entry, dict):
                values = [dict(v) for v in entry["values"]]
                values[-1]["value"] = value
                params[name] = {**entry, "values": values}
            else:
                params[name] = value
        if params:
            data["parameters"] = params
        header = []
        for line in original.splitlines():
            if not line.startswith("#"):
                break
            header.append(line)
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=96)
        return "\n".join([*header, body]) if header else body


def known_variables(agency_id: int) -> set[str]:
    """Names a programme of this agency may use: the derived variables and the columns of the
    agency's datasets (empty when it has none yet: nothing to check against)."""
    columns: set[str] = set()
    versions = DatasetVersion.objects.filter(dataset__owner_id=agency_id).only("columns")
    for version in versions:
        columns.update(str(c.get("name")) for c in version.columns or [])
    return columns | set(DERIVED_VARIABLES) if columns else set()


def check_names(programmes: list[Programme], known: set[str]) -> None:
    """Raise a SpecError naming every unknown variable with the closest known name."""
    if not known:
        return
    problems = []
    for programme in programmes:
        allowed = known | {p.name for p in programme.parameters} | LANGUAGE_WORDS
        used: set[str] = set(programme.eligibility.names)
        for expression in programme.benefit.expressions():
            used |= expression.names
        for name in sorted(used - allowed):
            close = difflib.get_close_matches(name, sorted(allowed), n=1, cutoff=0.6)
            problems.append(
                _(
                    "'%(name)s' is not a column of your data or a parameter; "
                    "did you mean '%(close)s'?"
                )
                % {"name": name, "close": close[0]}
                if close
                else _("'%(name)s' is not a column of your data or a parameter") % {"name": name}
            )
    if problems:
        raise specs.SpecError("; ".join(problems))


def version_diff(before: str, after: str, *, before_label: str, after_label: str) -> list[Any]:
    """Lines of a unified diff as (kind, text) pairs: ``add``, ``remove``, ``hunk`` or
    ``same``."""
    out = []
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), before_label, after_label, lineterm="", n=2
    )
    for line in lines:
        if line.startswith(("---", "+++")):
            continue
        kind = {"+": "add", "-": "remove", "@": "hunk"}.get(line[:1], "same")
        out.append((kind, line))
    return out
