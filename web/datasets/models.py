"""Datasets, their immutable versions (each stored as one Parquet file) and the uploads the
worker turns into versions."""

from __future__ import annotations

from pathlib import Path

from agencies.models import Agency, Shareable
from analyses.models import Job
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Dataset(Shareable):
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.name

    def latest_version(self) -> DatasetVersion | None:
        return self.versions.order_by("-number").first()

    def accepted_versions(self) -> models.QuerySet[DatasetVersion]:
        return self.versions.filter(status=VersionStatus.ACCEPTED).order_by("-number")


class VersionStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded, to be mapped")
    INVALID = "invalid", _("checked, has errors")
    VALID = "valid", _("checked, ready to accept")
    ACCEPTED = "accepted", _("accepted")


class LonelyPSU(models.TextChoices):
    """What variance does with a stratum that has a single PSU (R survey's lonely.psu)."""

    FAIL = "", _("refuse: every stratum needs two PSUs")
    REMOVE = "remove", _("remove: the stratum adds no variance")
    CERTAINTY = "certainty", _("certainty: the PSU was sure to be sampled")
    ADJUST = "adjust", _("adjust: centre at the grand mean (conservative)")
    AVERAGE = "average", _("average: the mean variance of the other strata")


class DatasetVersion(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    original_name = models.CharField(_("file"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    parquet_path = models.CharField(max_length=500)
    size_bytes = models.BigIntegerField(_("size of the upload"))
    n_rows = models.BigIntegerField(_("rows"))
    n_columns = models.IntegerField(_("columns"))
    columns = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    # Code tables of coded roles, {role: {code: meaning}} (datasets.labels), applied by analyses.
    labels = models.JSONField(default=dict, blank=True)
    # How a CSV upload was read (setara.csv_dialect.CsvDialect.to_dict()); None for other formats.
    csv_dialect = models.JSONField(null=True, blank=True)
    # The uploaded CSV, kept until acceptance so that it can be read again in another dialect.
    source_path = models.CharField(max_length=500, blank=True, default="")
    validation = models.JSONField(default=list, blank=True)
    lonely_psu = models.CharField(
        _("strata with one PSU"), max_length=10, choices=LonelyPSU.choices, blank=True, default=""
    )
    status = models.CharField(
        _("status"), max_length=10, choices=VersionStatus.choices, default=VersionStatus.UPLOADED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dataset", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.dataset.name} v{self.number}"

    @property
    def path(self) -> Path:
        return Path(settings.STORAGE_DIR) / self.parquet_path

    @property
    def source(self) -> Path | None:
        return Path(settings.STORAGE_DIR) / self.source_path if self.source_path else None

    @property
    def owner_id(self) -> int:
        return self.dataset.owner_id


class Upload(Job):
    """A received file waiting for the worker to make it a dataset version (a job).

    The request only streams the file to ``upload_path`` (under STORAGE_DIR) and creates this
    row; the worker reads it within the input limits, describes it and creates the dataset
    (for a first upload) and its version in the transaction that ends the job (``version``).
    A failed upload keeps only this row with its message (``error``): no dataset, no version,
    no file. Leases, retries and recovery are those of every job (:mod:`analyses.jobs`).
    """

    task_name = "datasets.tasks.process_upload"

    owner = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    # None for a new dataset; the dataset receiving a new version otherwise.
    dataset = models.ForeignKey(
        Dataset, on_delete=models.CASCADE, null=True, blank=True, related_name="uploads"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    original_name = models.CharField(_("file"), max_length=255)
    size_bytes = models.BigIntegerField(_("size of the upload"))
    upload_path = models.CharField(max_length=500)  # relative to STORAGE_DIR until the job ends
    # CSV dialect fields given with the upload (separator, decimal, thousands, encoding), applied
    # by the worker over the detected dialect; empty when detection decides everything.
    csv_dialect_fields = models.JSONField(default=dict, blank=True)
    version = models.OneToOneField(
        DatasetVersion, on_delete=models.SET_NULL, null=True, blank=True, related_name="upload"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def path(self) -> Path:
        return Path(settings.STORAGE_DIR) / self.upload_path
