from __future__ import annotations

from typing import Any

from agencies.models import Agency
from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import DemandSet, FacilitySet, SitingModel


class UploadForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Owning agency"), queryset=Agency.objects.none())
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    file = forms.FileField(
        label=_("File (CSV, Parquet, XLSX, GeoJSON or GeoPackage)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.parquet,.xlsx,.geojson,.json,.gpkg"}
        ),
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


class _JobForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    facility_set = forms.ModelChoiceField(
        label=_("Facilities"), queryset=FacilitySet.objects.none()
    )
    demand_set = forms.ModelChoiceField(label=_("Villages"), queryset=DemandSet.objects.none())
    speed_kmh = forms.FloatField(label=_("Travel speed (km/h)"), initial=30.0, min_value=1.0)
    circuity = forms.FloatField(
        label=_("Circuity factor (road distance / straight line)"),
        initial=1.2,
        min_value=1.0,
        max_value=5.0,
    )
    groups = forms.CharField(
        label=_("Group columns"),
        initial="poor,urban,is_3t",
        required=False,
        help_text=_(
            "Comma-separated: a true/false column (urban, is_3t) or a count of people (poor)."
        ),
    )

    def __init__(self, *args: Any, facility_sets: Any, demand_sets: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility_set"].queryset = facility_sets  # type: ignore[attr-defined]
        self.fields["demand_set"].queryset = demand_sets  # type: ignore[attr-defined]

    def clean_groups(self) -> list[str]:
        return _columns(self.cleaned_data["groups"])


class AccessForm(_JobForm):
    threshold = forms.FloatField(label=_("Threshold (minutes)"), initial=60.0, min_value=1.0)
    facility_type = forms.CharField(
        label=_("Facility type (empty: all)"), max_length=60, required=False
    )
    region_column = forms.CharField(
        label=_("Region column"),
        initial="kode_wilayah",
        max_length=60,
        help_text=_("kode_wilayah gives regencies; any other column is used as it is."),
    )


class SitingForm(_JobForm):
    model = forms.ChoiceField(label=_("Model"), choices=SitingModel.choices)
    minutes = forms.FloatField(label=_("Service time (minutes)"), initial=60.0, min_value=1.0)
    p = forms.IntegerField(label=_("New sites (p)"), required=False, min_value=0)
    budget = forms.FloatField(label=_("Budget"), required=False, min_value=0.0)
    weight_column = forms.CharField(
        label=_("Count instead of population (e.g. poor)"), max_length=60, required=False
    )
