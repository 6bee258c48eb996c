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


class RegionLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCE = "province", _("Province")
    REGENCY = "regency", _("Regency/city")
    DISTRICT = "district", _("District")
    VILLAGE = "village", _("Village")


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
