from __future__ import annotations

from typing import Any

from agencies.models import Agency
from datasets.models import DatasetVersion
from django import forms
from django.utils.translation import gettext_lazy as _

from programmes.models import ProgrammeVersion

SPEC_WIDGET = forms.Textarea(attrs={"rows": 24, "class": "code", "spellcheck": "false"})


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    agency = forms.ModelChoiceField(label=_("Owning agency"), queryset=Agency.objects.none())
    spec = forms.CharField(label=_("Programme (YAML)"), widget=SPEC_WIDGET)
    template = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]


class VersionForm(forms.Form):
    spec = forms.CharField(label=_("Programme (YAML)"), widget=SPEC_WIDGET)
    note = forms.CharField(label=_("What changed"), max_length=300, required=False)


class SimulationForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    dataset_version = forms.ModelChoiceField(
        label=_("Dataset version"), queryset=DatasetVersion.objects.none()
    )
    baseline = forms.ModelMultipleChoiceField(
        label=_("Baseline: programmes in place"),
        queryset=ProgrammeVersion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    scenario = forms.ModelMultipleChoiceField(
        label=_("Scenario: programmes added or replacing those with the same id"),
        queryset=ProgrammeVersion.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    scenario_name = forms.CharField(
        label=_("Scenario name"),
        initial="scenario",
        max_length=60,
        help_text=_("Any name, for example “PKH 2026”."),
    )
    date = forms.DateField(
        label=_("Parameters in force on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    groups = forms.CharField(
        label=_("Groups (one NAME = CONDITION per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "code"}),
        initial="female_head = head_female\nelderly = any(age >= 60)\n"
        "disability = any(disability)\nurban = urban",
    )

    proxies = forms.CharField(
        label=_("PMT proxies to compare targeting methods (comma-separated; blank: skip)"),
        required=False,
        max_length=500,
        initial="members, urban, count(age < 15), any(disability), head_female",
    )
    categorical = forms.CharField(
        label=_("Categorical rule to compare"),
        required=False,
        max_length=300,
        initial="any(age < 7) or head_female",
    )

    def __init__(self, *args: Any, versions: Any, programme_versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset_version"].queryset = versions  # type: ignore[attr-defined]
        self.fields["baseline"].queryset = programme_versions  # type: ignore[attr-defined]
        self.fields["scenario"].queryset = programme_versions  # type: ignore[attr-defined]

    def clean_scenario_name(self) -> str:
        name = " ".join(str(self.cleaned_data["scenario_name"]).split())
        if not name:
            raise forms.ValidationError(_("Give the scenario a name."))
        if name.casefold() == "baseline":
            raise forms.ValidationError(
                _("“baseline” names the programmes in place; choose another name.")
            )
        return name
