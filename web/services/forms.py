from __future__ import annotations

from typing import Any

from agencies.models import Agency
from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import DemandSet, FacilitySet, SitingModel, TravelKind, TravelModel


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


def _table(label: Any, accept: str = ".csv,.parquet,.xlsx") -> forms.FileField:
    return forms.FileField(
        label=label, required=False, widget=forms.ClearableFileInput(attrs={"accept": accept})
    )


class TravelUploadForm(forms.Form):
    """A travel model: an origin-destination matrix, or a road network's nodes and edges
    (ferries optional)."""

    agency = UploadForm.base_fields["agency"]
    name = UploadForm.base_fields["name"]
    kind = forms.ChoiceField(label=_("Kind"), choices=TravelKind.choices, widget=forms.RadioSelect)
    matrix = _table(_("Matrix (origin = village id, destination = facility id, minutes)"))
    nodes = _table(_("Road nodes (id, lat, lon)"))
    edges = _table(_("Roads (from, to and minutes, or length_km and speed_kmh; oneway optional)"))
    ferries = _table(
        _("Ferry crossings (from, to, minutes and departures_per_day or headway_minutes)")
    )
    osm = _table(_("Or, instead of the three tables, an OpenStreetMap extract (.osm.pbf)"), ".pbf")

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        needed = ("matrix",) if kind == TravelKind.MATRIX else ("nodes", "edges")
        if kind == TravelKind.NETWORK and data.get("osm"):
            needed = ()
        for name in needed:
            if kind and not data.get(name):
                self.add_error(name, _("This file is needed for this kind."))
        other = ("nodes", "edges", "ferries", "osm") if kind == TravelKind.MATRIX else ("matrix",)
        if kind == TravelKind.NETWORK and data.get("osm"):
            other = ("matrix", "nodes", "edges", "ferries")
        for name in other:
            if kind and data.get(name):
                self.add_error(name, _("Leave this empty for this kind."))
        return data

    def tables(self) -> dict[str, Any]:
        """The uploaded tables of the chosen kind."""
        names = ("matrix",) if self.cleaned_data["kind"] == TravelKind.MATRIX else (
            "nodes", "edges", "ferries", "osm"
        )  # fmt: skip
        return {n: self.cleaned_data[n] for n in names if self.cleaned_data.get(n)}


def _columns(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


class _JobForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    facility_set = forms.ModelChoiceField(
        label=_("Facilities"), queryset=FacilitySet.objects.none()
    )
    demand_set = forms.ModelChoiceField(label=_("Villages"), queryset=DemandSet.objects.none())
    travel = forms.ModelChoiceField(
        label=_("Travel times"),
        queryset=TravelModel.objects.none(),
        required=False,
        empty_label=_("great-circle distance (speed and circuity below)"),
        help_text=_("An uploaded origin-destination matrix or road network with ferries."),
    )
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

    def __init__(
        self, *args: Any, facility_sets: Any, demand_sets: Any, travels: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["facility_set"].queryset = facility_sets  # type: ignore[attr-defined]
        self.fields["demand_set"].queryset = demand_sets  # type: ignore[attr-defined]
        self.fields["travel"].queryset = travels  # type: ignore[attr-defined]

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
