from __future__ import annotations

from typing import Any

from agencies.models import Agency
from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.mapping import ROLES
from datasets.models import LonelyPSU


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
