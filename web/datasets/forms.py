from __future__ import annotations

from typing import Any

from agencies.models import Agency
from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.labels import MEANINGS, PRESETS, default_meaning, presets_for
from datasets.mapping import ROLE_BY_KEY, ROLES
from datasets.models import LonelyPSU
from setara.csv_dialect import SEPARATORS, CsvDialect
from setara.errors import ReadError


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Survey file"),
        help_text=_("CSV, Parquet, Stata (.dta), SPSS (.sav) or Excel (.xlsx)."),
    )
    name = forms.CharField(label=_("Dataset name"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    agency = forms.ModelChoiceField(label=_("Owning agency"), queryset=Agency.objects.none())

    def __init__(
        self, *args: Any, agencies: list[Agency], new_version: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["agency"]
        field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies])  # type: ignore[attr-defined]
        if len(agencies) == 1:
            field.initial = agencies[0]
        if new_version:
            for name in ("name", "description", "agency"):
                del self.fields[name]


class MappingForm(forms.Form):
    """One select per role, listing the file's columns."""

    def __init__(self, *args: Any, columns: list[dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + [(c["name"], f"{c['name']} ({c['dtype']})") for c in columns]
        for role in ROLES:
            self.fields[role.key] = forms.ChoiceField(
                label=_(role.label), choices=choices, required=False
            )
            self.fields[role.key].group = role.group  # type: ignore[attr-defined]
        self.fields["lonely_psu"] = forms.ChoiceField(
            label=_("Strata with one PSU"), choices=LonelyPSU.choices, required=False
        )
        self.fields["lonely_psu"].group = "design"  # type: ignore[attr-defined]


class DialectForm(forms.Form):
    """How a CSV upload is read; changed before acceptance, the file is read again."""

    separator = forms.ChoiceField(
        label=_("Separator"),
        choices=[
            ("comma", _("comma ( , )")),
            ("semicolon", _("semicolon ( ; )")),
            ("tab", _("tab")),
            ("pipe", _("pipe ( | )")),
        ],
    )
    decimal = forms.ChoiceField(
        label=_("Decimal mark"), choices=[(".", _("point: 1.5")), (",", _("comma: 1,5"))]
    )
    thousands = forms.ChoiceField(
        label=_("Thousands separator"),
        required=False,
        choices=[
            ("", _("none")),
            (".", _("point: 1.532.173")),
            (",", _("comma: 1,532,173")),
        ],
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=[
            ("utf-8", "UTF-8"),
            ("utf-8-sig", _("UTF-8 with byte-order mark")),
            ("windows-1252", "Windows-1252"),
        ],
    )

    @staticmethod
    def initial_for(dialect: dict[str, Any]) -> dict[str, Any]:
        return dialect | {
            "separator": SEPARATORS.get(dialect.get("separator", ","), "comma"),
            "thousands": dialect.get("thousands") or "",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        names = {name: sep for sep, name in SEPARATORS.items()}
        try:
            data["dialect"] = CsvDialect(
                separator=names[data["separator"]],
                decimal=data["decimal"],
                thousands=data.get("thousands") or None,
                encoding=data["encoding"],
            )
        except ReadError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


MEANING_LABELS = {
    "urban": _("urban"),
    "rural": _("rural"),
    "male": _("male"),
    "female": _("female"),
    "yes": _("yes"),
    "no": _("no"),
    "SD": _("SD (primary)"),
    "SMP": _("SMP (junior secondary)"),
    "SMA": _("SMA (senior secondary)"),
    "PT": _("PT (tertiary)"),
    # the schemes' own names, the same in every language
    "JKN PBI": "JKN PBI",
    "JKN non-PBI": "JKN non-PBI",
    "Jamkesda": "Jamkesda",
    "private": _("private insurance"),
    "other": _("other scheme"),
    "none": _("no insurance"),
}


def _preset_label(key: str, label: str) -> str:
    """A preset's label in the reader's language ("R105: 1 = perkotaan, 2 = perdesaan")."""
    table = PRESETS[key][2]
    codes = ", ".join(f"{code} = {MEANING_LABELS[meaning]}" for code, meaning in table.items())
    prefix, colon, _rest = label.partition(": ")
    return f"{prefix}: {codes}" if colon else codes


class LabelsForm(forms.Form):
    """The code table of each coded role: a preset or a meaning per code."""

    def __init__(
        self, *args: Any, coded: list[dict[str, Any]], prefix: str = "codes", **kwargs: Any
    ) -> None:
        super().__init__(*args, prefix=prefix, **kwargs)
        self.coded = coded
        for entry in coded:
            role, table = entry["role"], entry["table"]
            presets = presets_for(role)
            if presets:
                self.fields[f"preset-{role}"] = forms.ChoiceField(
                    label=_("Preset"),
                    required=False,
                    choices=[("", _("as in the table below"))]
                    + [(key, _preset_label(key, label)) for key, label in presets.items()],
                )
            choices = [("", _("missing"))] + [(m, MEANING_LABELS[m]) for m in MEANINGS[role]]
            for i, code in enumerate(entry["codes"]):
                self.fields[f"code-{role}-{i}"] = forms.ChoiceField(
                    label=code,
                    required=False,
                    initial=table.get(code, default_meaning(role, code)),
                    choices=choices,
                )

    def groups(self) -> list[dict[str, Any]]:
        """Per role: its label, column, preset field and code fields, for the template."""
        out = []
        for entry in self.coded:
            role = entry["role"]
            out.append(
                entry
                | {
                    "label": _(ROLE_BY_KEY[role].label),
                    "preset": self[f"preset-{role}"] if f"preset-{role}" in self.fields else None,
                    "fields": [self[f"code-{role}-{i}"] for i in range(len(entry["codes"]))],
                }
            )
        return out

    def labels(self) -> dict[str, dict[str, str]]:
        """The submitted tables (a chosen preset replaces the codes typed in)."""
        tables = {}
        for entry in self.coded:
            role = entry["role"]
            preset = self.cleaned_data.get(f"preset-{role}")
            if preset:
                tables[role] = dict(PRESETS[preset][2])
                continue
            tables[role] = {
                code: self.cleaned_data.get(f"code-{role}-{i}") or ""
                for i, code in enumerate(entry["codes"])
            }
        return tables
