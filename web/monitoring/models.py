"""Monitoring: plans, the indicator catalogue, targets, reporting forms, submissions with their
approval trail, realisation rows and indicator values.

Catalogue objects (plans, indicators, forms) are owned and shared like datasets. A submission
belongs to the agency that reports it and moves draft -> submitted -> approved -> accepted
(``ReportingForm.approval_levels`` says which tiers act); its rows and values are locked once
approved. Beneficiary records hold a keyed hash of the NIK, never the NIK.
"""

from __future__ import annotations

from agencies.models import Agency, Shareable
from analyses.models import Analysis
from datasets.models import Dataset
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from programmes.models import Programme

from monitoring.choices import (
    DEFAULT_APPROVAL_LEVELS,
    Disaggregation,
    FormKind,
    Formula,
    PeriodType,
    Polarity,
    RowLevel,
    SourceKind,
    State,
    Step,
)
from monitoring.validators import (
    validate_approval_levels,
    validate_disaggregations,
    validate_measure_spec,
    validate_region_code,
    validate_region_levels,
)

MONEY = {"max_digits": 18, "decimal_places": 2}


def default_region_levels() -> list[str]:
    return ["national", "province", "regency"]


def default_approval_levels() -> list[str]:
    return list(DEFAULT_APPROVAL_LEVELS)


class Plan(Shareable):
    """A planning document whose targets indicators are measured against (RPJMN, RPJMD, SDG)."""

    name = models.CharField(_("name"), max_length=200)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    document_title = models.CharField(_("source document"), max_length=300, blank=True)
    document_reference = models.CharField(
        _("document address or reference"), max_length=500, blank=True
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-end_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="plan_years_in_order"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(Shareable):
    code = models.CharField(_("code"), max_length=40)
    name_id = models.CharField(_("name (Indonesian)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    polarity = models.CharField(_("polarity"), max_length=10, choices=Polarity.choices)
    definition = models.TextField(_("definition"), blank=True)
    source_kind = models.CharField(_("source"), max_length=20, choices=SourceKind.choices)
    measure_spec = models.CharField(
        _("measure"),
        max_length=200,
        blank=True,
        validators=[validate_measure_spec],
        help_text=_("For a survey indicator: fgt:alpha=0,line=@poverty_line, gini, proportion…"),
    )
    welfare_column = models.CharField(
        _("variable"),
        max_length=100,
        blank=True,
        help_text=_("The column the measure is computed on (welfare, or a 0/1 indicator)."),
    )
    dataset = models.ForeignKey(
        Dataset,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dataset"),
    )
    region_levels = models.JSONField(
        _("region levels"), default=default_region_levels, validators=[validate_region_levels]
    )
    period_type = models.CharField(
        _("period type"), max_length=10, choices=PeriodType.choices, default=PeriodType.ANNUAL
    )
    disaggregations = models.JSONField(
        _("disaggregations"), default=list, blank=True, validators=[validate_disaggregations]
    )
    source_form = models.ForeignKey(
        "ReportingForm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derived_indicators",
        verbose_name=_("derived from form"),
        help_text=_(
            "For an administrative indicator computed from a form's approved realisation rows."
        ),
    )
    formula = models.CharField(
        _("formula"), max_length=30, choices=Formula.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "code"], name="indicator_code_per_owner"),
            models.CheckConstraint(
                condition=~Q(source_kind="survey") | ~Q(measure_spec=""),
                name="survey_indicator_has_measure",
            ),
            models.CheckConstraint(
                condition=Q(formula="", source_form__isnull=True)
                | ~Q(formula="") & Q(source_form__isnull=False, source_kind="administrative"),
                name="derived_indicator_has_form_and_formula",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    def clean(self) -> None:
        """A derived indicator names both its form and formula, is administrative, and has the
        form's period type (its values take the submissions' periods)."""
        if bool(self.formula) != (self.source_form_id is not None):
            raise ValidationError(_("A derived indicator needs both a form and a formula."))
        if self.source_form is None:
            return
        if self.source_kind != SourceKind.ADMINISTRATIVE:
            raise ValidationError(_("Only an administrative indicator can be derived from a form."))
        if self.source_form.kind == FormKind.INDICATOR_VALUES:
            raise ValidationError(
                _("Form %(form)s reports indicator values, not realisation rows."),
                params={"form": self.source_form.name},
            )
        if self.source_form.period_type != self.period_type:
            raise ValidationError(
                _("The indicator's period type (%(mine)s) must be the form's (%(form)s)."),
                params={"mine": self.period_type, "form": self.source_form.period_type},
            )

    def name_in(self, language: str) -> str:
        """The name in the reader's language (Indonesian unless English is asked for)."""
        return self.name_en if language.startswith("en") and self.name_en else self.name_id


class Target(models.Model):
    """Baseline and target of one indicator, region and year in one plan (value or range)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="targets")
    region_code = models.CharField(
        _("kode wilayah"), max_length=13, blank=True, validators=[validate_region_code]
    )
    year = models.PositiveSmallIntegerField(_("year"))
    baseline_value = models.FloatField(_("baseline"), null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    target_value = models.FloatField(_("target"), null=True, blank=True)
    target_low = models.FloatField(_("target from"), null=True, blank=True)
    target_high = models.FloatField(_("target to"), null=True, blank=True)
    source_note = models.CharField(_("source"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator", "plan", "region_code", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "plan", "region_code", "year"], name="one_target_per_cell"
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=False, target_low__isnull=True)
                | Q(
                    target_value__isnull=True,
                    target_low__isnull=False,
                    target_high__isnull=False,
                    target_low__lte=models.F("target_high"),
                ),
                name="target_value_or_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_code or 'national'} {self.year}"


class ReportingForm(Shareable):
    """What is reported, how often and who approves it (a DHIS2 "data set")."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=FormKind.choices)
    period_type = models.CharField(
        _("period type"), max_length=10, choices=PeriodType.choices, default=PeriodType.QUARTERLY
    )
    approval_levels = models.JSONField(
        _("approval levels"),
        default=default_approval_levels,
        validators=[validate_approval_levels],
        help_text=_("From the submitter up: regency, province, national; or partner, national."),
    )
    row_level = models.CharField(
        _("rows per"),
        max_length=10,
        choices=RowLevel.choices,
        default=RowLevel.REGION,
        help_text=_(
            "Rows for each district: a regency's report missing some of its districts gets a "
            "quality finding."
        ),
    )
    programme = models.ForeignKey(
        Programme,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme"),
    )
    programme_name = models.CharField(
        _("declared programme"),
        max_length=200,
        blank=True,
        help_text=_("A programme not in the programme lab, by name."),
    )
    indicators = models.ManyToManyField(
        Indicator, blank=True, related_name="forms", verbose_name=_("indicators")
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Submission(models.Model):
    """One agency's report on one form for one region and period, with its approval state."""

    form = models.ForeignKey(ReportingForm, on_delete=models.PROTECT, related_name="submissions")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField(
        _("kode wilayah"), max_length=13, blank=True, validators=[validate_region_code]
    )
    period = models.CharField(_("period"), max_length=7)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    # how many approval levels above the submitter have approved (0 while draft or submitted)
    approvals = models.PositiveSmallIntegerField(default=0)
    locked = models.BooleanField(_("locked"), default=False)
    justification = models.TextField(_("justification of failed checks"), blank=True)
    quality_errors = models.PositiveIntegerField(default=0)
    quality_warnings = models.PositiveIntegerField(default=0)
    quality_checked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-period", "region_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["form", "agency", "region_code", "period"],
                name="one_submission_per_form_region_period",
            )
        ]
        indexes = [models.Index(fields=["state", "period"])]

    def __str__(self) -> str:
        return f"{self.form.name} {self.region_code or 'national'} {self.period}"


class SubmissionEvent(models.Model):
    """The trail of a submission: each step with who, when and the comment (shown on its
    page; the audit trail keeps the same steps with before/after)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    step = models.CharField(_("step"), max_length=10, choices=Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(_("who"), max_length=150)
    agency = models.ForeignKey(Agency, on_delete=models.SET_NULL, null=True, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class RealisationRow(models.Model):
    """Budget and beneficiaries (or empowerment participants and outcomes) of one region."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="rows")
    region_code = models.CharField(_("kode wilayah"), max_length=13)
    budget_allocated = models.DecimalField(_("budget allocated"), null=True, blank=True, **MONEY)
    budget_realised = models.DecimalField(_("budget realised"), null=True, blank=True, **MONEY)
    beneficiaries_planned = models.PositiveIntegerField(
        _("beneficiaries planned"), null=True, blank=True
    )
    beneficiaries_reached = models.PositiveIntegerField(
        _("beneficiaries reached"), null=True, blank=True
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    followed_up = models.PositiveIntegerField(_("followed up"), null=True, blank=True)
    outcome_improved = models.PositiveIntegerField(
        _("with improved outcome"),
        null=True,
        blank=True,
        help_text=_("Followed-up participants whose business, job or income improved."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["submission", "region_code"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "region_code"], name="one_row_per_region")
        ]


class BeneficiaryRecord(models.Model):
    """One pseudonymised beneficiary: ``beneficiary_key`` is HMAC-SHA256 of the NIK under the
    server's key; the NIK itself is discarded on upload."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="beneficiaries"
    )
    region_code = models.CharField(_("kode wilayah"), max_length=13)
    beneficiary_key = models.CharField(_("beneficiary key"), max_length=64)
    amount = models.DecimalField(_("amount received"), null=True, blank=True, **MONEY)
    followed_up = models.BooleanField(_("followed up"), null=True, blank=True)
    outcome_improved = models.BooleanField(_("outcome improved"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "beneficiary_key"], name="one_record_per_beneficiary"
            )
        ]


class IndicatorValue(models.Model):
    """A value of an indicator for a region, period and (optionally) one disaggregation group.

    Reported values come with their submission (and its approval state); survey values come
    from a stored analysis with their standard error, interval and RSE.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    region_code = models.CharField(
        _("kode wilayah"), max_length=13, blank=True, validators=[validate_region_code]
    )
    period = models.CharField(_("period"), max_length=7)
    disaggregation = models.CharField(
        _("disaggregation"), max_length=20, blank=True, choices=Disaggregation.choices
    )
    group = models.CharField(_("group"), max_length=60, blank=True)
    value = models.FloatField(_("value"))
    se = models.FloatField(_("standard error"), null=True, blank=True)
    ci_low = models.FloatField(_("CI low"), null=True, blank=True)
    ci_high = models.FloatField(_("CI high"), null=True, blank=True)
    rse = models.FloatField(_("RSE"), null=True, blank=True)
    n = models.PositiveIntegerField(_("observations"), null=True, blank=True)
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, null=True, blank=True, related_name="values"
    )
    analysis = models.ForeignKey(
        Analysis, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["indicator", "region_code", "period", "disaggregation", "group"]
        indexes = [models.Index(fields=["indicator", "region_code", "period"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(disaggregation="", group="") | ~Q(disaggregation="") & ~Q(group=""),
                name="disaggregation_with_group",
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.region_code or 'national'} {self.period}"
