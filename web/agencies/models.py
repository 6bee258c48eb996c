"""Agencies, their members' roles, per-user preferences, API tokens and shareable objects."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VIEWER = "viewer", _("Viewer")
    ANALYST = "analyst", _("Analyst")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Agency admin")


ROLE_RANK = {Role.VIEWER: 1, Role.ANALYST: 2, Role.MANAGER: 3, Role.ADMIN: 4}


class AgencyKind(models.TextChoices):
    PLANNING = "planning", _("Planning agency")
    REGIONAL = "regional", _("Regional planning office")
    MINISTRY = "ministry", _("Ministry")
    STATISTICS = "statistics", _("Statistics office")
    PARTNER = "partner", _("International partner")
    CIVIL = "civil", _("Civil society")


class ReliabilityStandards(models.TextChoices):
    """Which rules flag an estimate (``setara.ReliabilityRule(standards=...)``)."""

    BPS_NCHS = "bps+nchs", _("BPS relative standard error and NCHS interval checks")
    BPS = "bps", _("BPS relative standard error only")


class Agency(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    region_code = models.CharField(
        _("kode wilayah"), max_length=13, blank=True, help_text=_("For a regional office.")
    )
    reliability_standards = models.CharField(
        _("reliability rules"),
        max_length=10,
        choices=ReliabilityStandards.choices,
        default=ReliabilityStandards.BPS_NCHS,
        help_text=_("How the agency's diagnostics flag estimates as reliable."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="one_membership_per_agency")
        ]
        ordering = ["agency__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.role})"


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    def __str__(self) -> str:
        return f"profile of {self.user}"


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A token for scripts; only its SHA-256 is stored, the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class Invitation(models.Model):
    """A one-time link with which a new user sets a password and joins an agency."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="invitations")
    username = models.CharField(_("username"), max_length=150)
    email = models.EmailField(_("email"), blank=True)
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    key_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)


class Shareable(models.Model):
    """An object owned by an agency, shareable read-only with named agencies, or published."""

    owner = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_with = models.ManyToManyField(Agency, blank=True, related_name="+")
    published = models.BooleanField(_("published"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
