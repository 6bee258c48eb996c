"""Programmes (declarative specs kept in versions) and simulations comparing them."""

from __future__ import annotations

from agencies.models import Shareable
from analyses.models import Job, StoredResult
from datasets.models import DatasetVersion
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(Shareable):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    def latest(self) -> ProgrammeVersion | None:
        return self.versions.order_by("-number").first()


class ProgrammeVersion(models.Model):
    """One saved text of a programme; saving again makes a new version, never an overwrite."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    spec = models.TextField(_("programme (YAML)"))
    template = models.CharField(_("template"), max_length=50, blank=True)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="unique_programme_version")
        ]

    def __str__(self) -> str:
        return f"{self.programme.name} v{self.number}"


class Simulation(Shareable, Job):
    """A baseline set of programmes against a scenario, simulated on one dataset version."""

    task_name = "programmes.tasks.run_simulation"

    title = models.CharField(_("title"), max_length=200)
    dataset_version = models.ForeignKey(
        DatasetVersion, on_delete=models.PROTECT, related_name="simulations"
    )
    baseline = models.ManyToManyField(ProgrammeVersion, related_name="+", blank=True)
    scenario = models.ManyToManyField(ProgrammeVersion, related_name="+")
    scenario_name = models.CharField(_("scenario name"), max_length=60, default="scenario")
    date = models.DateField(_("parameters in force on"), null=True, blank=True)
    groups = models.TextField(_("groups"), blank=True)
    proxies = models.CharField(_("PMT proxies"), max_length=500, blank=True)
    categorical = models.CharField(_("categorical rule"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SimulationResult(StoredResult):
    job = models.OneToOneField(
        Simulation, on_delete=models.CASCADE, primary_key=True, related_name="stored_result"
    )
