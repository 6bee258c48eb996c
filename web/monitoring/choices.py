"""The fixed vocabularies of monitoring: polarity, sources, levels, periods, states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Polarity(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class SourceKind(models.TextChoices):
    SURVEY = "survey", _("Survey (estimated with its standard error)")
    ADMINISTRATIVE = "administrative", _("Administrative (entered or uploaded)")


class Formula(models.TextChoices):
    """How an administrative indicator is derived from a form's approved realisation rows:
    a ratio of sums (x 100) or a plain sum, over the rows of the region and period."""

    BUDGET_REALISATION = (
        "budget_realisation",
        _("Budget realisation rate: sum of budget realised / sum of budget allocated × 100"),
    )
    BENEFICIARY_COVERAGE = (
        "beneficiary_coverage",
        _("Beneficiary coverage: sum reached / sum planned × 100"),
    )
    FOLLOWED_UP_SHARE = (
        "followed_up_share",
        _("Participants followed up: sum followed up / sum of participants × 100"),
    )
    IMPROVED_SHARE = (
        "improved_share",
        _("Improved outcome: sum with improved outcome / sum followed up × 100"),
    )
    BUDGET_REALISED = "budget_realised", _("Budget realised (sum)")
    BENEFICIARIES_REACHED = "beneficiaries_reached", _("Beneficiaries reached (sum)")
    PARTICIPANTS = "participants", _("Participants (sum)")


class RegionLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency/city")
    DISTRICT = "district", _("District")
    VILLAGE = "village", _("Village")


class RowLevel(models.TextChoices):
    """What a form's rows are: the submitting region itself, or every district of a regency
    (then a regency's report is checked for the districts it leaves out)."""

    REGION = "region", _("The submitting region")
    DISTRICT = "district", _("Each district (kecamatan) of the regency")


class PeriodType(models.TextChoices):
    ANNUAL = "annual", _("Annual")
    SEMESTER = "semester", _("Semester")
    QUARTERLY = "quarterly", _("Quarterly")
    MONTHLY = "monthly", _("Monthly")


class Disaggregation(models.TextChoices):
    SEX = "sex", _("Sex")
    AGE_GROUP = "age_group", _("Age group")
    DISABILITY = "disability", _("Disability")
    URBAN_RURAL = "urban_rural", _("Urban/rural")
    QUINTILE = "quintile", _("Welfare quintile")


class FormKind(models.TextChoices):
    REALISATION = "realisation", _("Programme realisation")
    INDICATOR_VALUES = "indicator_values", _("Indicator values")
    EMPOWERMENT = "empowerment", _("Empowerment follow-up")


class ApprovalLevel(models.TextChoices):
    """Who acts at each step: an agency of that tier (by its kode wilayah or its kind)."""

    PARTNER = "partner", _("Partner agency")
    VILLAGE = "village", _("Village")
    DISTRICT = "district", _("District")
    REGENCY = "regency", _("Regency/city")
    PROVINCE = "province", _("Province")
    NATIONAL = "national", _("National")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class Step(models.TextChoices):
    """One entry of a submission's trail."""

    CREATE = "create", _("created")
    EDIT = "edit", _("edited")
    SUBMIT = "submit", _("submitted")
    APPROVE = "approve", _("approved")
    ACCEPT = "accept", _("accepted")
    RETURN = "return", _("returned")
    REOPEN = "reopen", _("reopened")
    COMMENT = "comment", _("commented")


DEFAULT_APPROVAL_LEVELS = ["regency", "province", "national"]
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
APPROVED_STATES = (State.APPROVED, State.ACCEPTED)
