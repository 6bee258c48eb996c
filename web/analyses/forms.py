from __future__ import annotations

from typing import Any

from datasets.models import DatasetVersion
from django import forms
from django.utils.translation import gettext_lazy as _

from analyses.compute import BREAKDOWNS
from analyses.models import CIMethod, Dimension

BREAKDOWN_LABELS = {
    "province": _("Province"),
    "regency": _("Regency / city"),
    "sex": _("Sex"),
    "urban": _("Urban / rural"),
    "disability": _("Disability"),
    "age_group": _("Age group"),
    "quintile": _("Welfare quintile"),
}


class AnalysisForm(forms.Form):
    dataset_version = forms.ModelChoiceField(
        label=_("Dataset version"), queryset=DatasetVersion.objects.none()
    )
    dimension = forms.ChoiceField(
        label=_("Dimension"),
        choices=Dimension.choices,
        widget=forms.RadioSelect,
        initial=Dimension.ECONOMIC,
    )
    breakdowns = forms.MultipleChoiceField(
        label=_("Breakdowns"),
        choices=[(b, BREAKDOWN_LABELS[b]) for b in BREAKDOWNS],
        widget=forms.CheckboxSelectMultiple,
        initial=list(BREAKDOWNS),
        required=False,
    )
    ci_method = forms.ChoiceField(
        label=_("Confidence intervals"),
        choices=CIMethod.choices,
        initial=CIMethod.LOGIT,
        help_text=_(
            "How the 95% interval of rates, shares and indices is built; means and totals "
            "always use estimate ± t × SE."
        ),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)

    def __init__(self, *args: Any, versions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset_version"].queryset = versions  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary and commentary"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
