"""Forms of the monitoring pages (catalogue entries, targets, uploads, workflow steps)."""

from __future__ import annotations

from typing import Any

from agencies.models import Agency
from django import forms
from django.utils.translation import gettext_lazy as _

from monitoring.choices import ApprovalLevel, Disaggregation, RegionLevel, RowLevel
from monitoring.models import Indicator, Plan, ReportingForm


class OwnedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A catalogue entry; on creation the owning agency is chosen among the user's."""

    def __init__(self, *args: Any, agencies: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if agencies is not None:
            self.fields["agency"] = forms.ModelChoiceField(
                label=_("Owning agency"), queryset=agencies, initial=agencies.first()
            )
            self.order_fields(["agency"])

    def _post_clean(self) -> None:
        """No model validation here: the action validates (and snapshots the object before
        the change, which this step would already have modified)."""

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("agency", None)
        return data


class PlanForm(OwnedForm):
    class Meta:
        model = Plan
        fields = ["name", "start_year", "end_year", "document_title", "document_reference"]
        fields += ["description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IndicatorForm(OwnedForm):
    region_levels = forms.MultipleChoiceField(
        label=_("Region levels"),
        choices=RegionLevel.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    disaggregations = forms.MultipleChoiceField(
        label=_("Disaggregations"),
        choices=Disaggregation.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Indicator
        fields = ["code", "name_id", "name_en", "unit", "polarity", "definition"]
        fields += ["source_kind", "measure_spec", "welfare_column", "region_levels"]
        fields += ["period_type", "disaggregations", "source_form", "formula"]
        widgets = {"definition": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, reporting_forms: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["source_form"]
        field.queryset = reporting_forms  # type: ignore[attr-defined]
        field.help_text = _(
            "An administrative indicator can be derived from the approved rows of a reporting "
            "form: choose the form and a formula; its values then follow every approval."
        )


class ReportingFormForm(OwnedForm):
    approval_levels = forms.CharField(
        label=_("Approval levels"),
        initial="regency, province, national",
        help_text=_("From the submitter up, separated by commas: %(levels)s.")
        % {"levels": ", ".join(ApprovalLevel.values)},
    )

    class Meta:
        model = ReportingForm
        fields = ["name", "kind", "period_type", "approval_levels", "row_level", "programme"]
        fields += ["programme_name", "indicators"]
        widgets = {"indicators": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, programmes: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["indicators"].queryset = indicators  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["approval_levels"] = ", ".join(self.instance.approval_levels)
        self.fields["row_level"].required = False  # left out: the submitting region

    def clean_row_level(self) -> str:
        return str(self.cleaned_data.get("row_level") or RowLevel.REGION)

    def clean_approval_levels(self) -> list[str]:
        text = self.cleaned_data["approval_levels"]
        return [part.strip().lower() for part in str(text).split(",") if part.strip()]


class TargetForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    region_code = forms.CharField(
        label=_("Kode wilayah"), required=False, max_length=13, help_text=_("Empty: national.")
    )
    year = forms.IntegerField(label=_("Year"))
    baseline_value = forms.FloatField(label=_("Baseline"), required=False)
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False)
    target_value = forms.FloatField(label=_("Target"), required=False)
    target_low = forms.FloatField(label=_("Target from"), required=False)
    target_high = forms.FloatField(label=_("Target to"), required=False)
    source_note = forms.CharField(label=_("Source"), required=False, max_length=300)

    def __init__(self, *args: Any, indicators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]


class UploadForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class NewSubmissionForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Reporting agency"), queryset=Agency.objects.none())
    period = forms.CharField(
        label=_("Period"), max_length=7, help_text=_("2026, 2026-S1, 2026-Q1 or 2026-03")
    )

    def __init__(self, *args: Any, agencies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["agency"].initial = agencies.first()


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
