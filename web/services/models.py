"""Public-service access: uploaded facility and village files, access analyses and siting
scenarios run on them (jobs with stored results)."""

from __future__ import annotations

from agencies.models import Shareable
from analyses.models import Job, StoredResult
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceFile(Shareable):
    """An uploaded, validated table of places, stored as Parquet; never changed after upload
    (a corrected file is a new upload)."""

    name = models.CharField(_("name"), max_length=200)
    original_name = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    n_rows = models.PositiveIntegerField(_("rows"))
    columns = models.JSONField(default=list)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class FacilitySet(PlaceFile):
    """Facilities (``id, lat, lon, type, capacity, status, cost``) read by
    ``setara.access.read_facilities``."""

    types = models.JSONField(default=list)

    class Meta(PlaceFile.Meta):
        pass


class DemandSet(PlaceFile):
    """Villages or grid cells (``id, lat, lon, population`` and group columns) read by
    ``setara.access.read_demand``."""

    class Meta(PlaceFile.Meta):
        pass


class TravelKind(models.TextChoices):
    MATRIX = "matrix", _("origin-destination matrix")
    NETWORK = "network", _("road network")


class TravelModel(Shareable):
    """Uploaded travel times: an origin-destination matrix or a road network with its ferry
    crossings, checked by ``setara.access`` and stored as Parquet tables; never changed after
    upload. Without one, a job uses great-circle distance."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=TravelKind.choices)
    #: table name (matrix; nodes, edges, ferries) -> stored Parquet path
    paths = models.JSONField(default=dict)
    #: table name -> the uploaded file's name
    original_names = models.JSONField(default=dict)
    #: counts: pairs; or nodes, edges, ferries
    counts = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class AccessAnalysis(Shareable, Job):
    """Travel times from villages to the nearest facility, coverage within a threshold and the
    gaps between groups, by regency."""

    task_name = "services.tasks.run_access"

    title = models.CharField(_("title"), max_length=200)
    facility_set = models.ForeignKey(FacilitySet, on_delete=models.PROTECT, related_name="+")
    demand_set = models.ForeignKey(DemandSet, on_delete=models.PROTECT, related_name="+")
    travel = models.ForeignKey(
        TravelModel,
        verbose_name=_("travel model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    facility_type = models.CharField(_("facility type"), max_length=60, blank=True)
    speed_kmh = models.FloatField(_("speed (km/h)"), default=30.0)
    circuity = models.FloatField(_("circuity factor"), default=1.2)
    threshold = models.FloatField(_("threshold (minutes)"), default=60.0)
    region_column = models.CharField(_("region column"), max_length=60, blank=True)
    groups = models.JSONField(_("group columns"), default=list)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "access analyses"

    def __str__(self) -> str:
        return self.title


class AccessResult(StoredResult):
    job = models.OneToOneField(
        AccessAnalysis, on_delete=models.CASCADE, primary_key=True, related_name="stored_result"
    )


class SitingModel(models.TextChoices):
    LSCP = "lscp", _("LSCP: cover everyone within the time at least cost")
    MCLP = "mclp", _("MCLP: cover the most people with p sites or a budget")
    PMEDIAN = "pmedian", _("p-median: least total travel time")
    PCENTER = "pcenter", _("p-centre: shortest longest travel time")


class SitingScenario(Shareable, Job):
    """New sites chosen among the candidate facilities (existing ones kept) by HiGHS."""

    task_name = "services.tasks.run_siting"

    title = models.CharField(_("title"), max_length=200)
    facility_set = models.ForeignKey(FacilitySet, on_delete=models.PROTECT, related_name="+")
    demand_set = models.ForeignKey(DemandSet, on_delete=models.PROTECT, related_name="+")
    travel = models.ForeignKey(
        TravelModel,
        verbose_name=_("travel model"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    model = models.CharField(_("model"), max_length=10, choices=SitingModel.choices)
    minutes = models.FloatField(_("service time (minutes)"), default=60.0)
    p = models.PositiveIntegerField(_("new sites (p)"), null=True, blank=True)
    budget = models.FloatField(_("budget"), null=True, blank=True)
    weight_column = models.CharField(_("weight column"), max_length=60, blank=True)
    speed_kmh = models.FloatField(_("speed (km/h)"), default=30.0)
    circuity = models.FloatField(_("circuity factor"), default=1.2)
    groups = models.JSONField(_("group columns"), default=list)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class SitingResult(StoredResult):
    job = models.OneToOneField(
        SitingScenario, on_delete=models.CASCADE, primary_key=True, related_name="stored_result"
    )
