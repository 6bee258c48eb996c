"""Analyses (a diagnostic run on one dataset version, stored) and reports built on them."""

from __future__ import annotations

from typing import Any

from agencies.models import Shareable
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    ECONOMIC = "economic", _("Economic: welfare, poverty and inequality")
    EDUCATION = "education", _("Education: school enrolment")
    HEALTH = "health", _("Health: health-insurance coverage")


class CIMethod(models.TextChoices):
    LOGIT = "logit", _("Logit: stays within the range of rates, shares and indices (default)")
    BETA = "beta", _("Korn–Graubard (beta): for proportions with few cases")
    WALD = "wald", _("Wald: estimate ± t × SE (can leave the range)")


class Status(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """A computation run by the task worker: its state, progress and stored result.

    A running job holds a lease: ``heartbeat_at`` is renewed while it runs, and a job whose
    lease expired lost its worker (see :mod:`analyses.jobs`). ``attempts`` counts the runs
    since it was last queued by a person. ``task_name`` is the task that runs it.
    """

    task_name = ""

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(default=0)
    progress_message = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True

    # The stored result lives in its own one-to-one table (see :class:`StoredResult`), so that
    # listing jobs never reads it. ``job.result`` loads it on first use (one query) and caches
    # it; assigning ``job.result`` stores it on the next ``save()``.
    @property
    def result(self) -> Any:
        if _RESULT not in self.__dict__:
            self.__dict__[_RESULT] = read_result(type(self), self.pk)
        return self.__dict__[_RESULT]

    @result.setter
    def result(self, value: Any) -> None:
        self.__dict__[_RESULT] = value
        self.__dict__[_RESULT_CHANGED] = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.__dict__.pop(_RESULT_CHANGED, False):
                write_result(type(self), self.pk, self.__dict__[_RESULT])

    def refresh_from_db(
        self, using: str | None = None, fields: Any = None, from_queryset: Any = None
    ) -> None:
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)
        if fields is None:  # a full reload (not a deferred field's load) forgets the result
            self.__dict__.pop(_RESULT, None)
            self.__dict__.pop(_RESULT_CHANGED, None)

    def error_text(self) -> str:
        """The failure reason in the active language (the worker stores the English text)."""
        return gettext(self.error) if self.error else ""


_RESULT = "_stored_result"
_RESULT_CHANGED = "_stored_result_changed"


class StoredResult(models.Model):
    """A job's stored result (a large JSON document), one row per job that has one.

    Each concrete subclass adds ``job = OneToOneField(<Job model>, primary_key=True,
    related_name="stored_result")``.
    """

    data = models.JSONField()

    class Meta:
        abstract = True


def result_model(model: type[Job]) -> Any:
    """The :class:`StoredResult` table of a job model (None for a job that stores no result,
    such as an upload, whose outcome is the dataset version it creates)."""
    try:
        return model._meta.get_field("stored_result").related_model
    except FieldDoesNotExist:
        return None


def read_result(model: type[Job], pk: int | None) -> Any:
    """The stored result of job ``pk`` of ``model`` (None when it has none)."""
    if pk is None or result_model(model) is None:
        return None
    found = result_model(model).objects.filter(pk=pk).values_list("data", flat=True)
    return next(iter(found), None)


def write_result(model: type[Job], pk: int, result: Any) -> None:
    """Store (or with None remove) the result of job ``pk``; call inside its transaction."""
    table = result_model(model)
    if table is None:
        if result is not None:
            raise TypeError(f"{model.__name__} has no table for a stored result")
        return
    if result is None:
        table.objects.filter(pk=pk).delete()
    else:
        table.objects.update_or_create(job_id=pk, defaults={"data": result})


def run_job(task: Any, job: Job, *, now: bool) -> None:
    """Queue ``task`` for ``job`` once the current transaction commits, or run it here."""
    if now:
        task.call(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: task.enqueue(job.pk))


class Analysis(Shareable, Job):
    task_name = "analyses.tasks.run_analysis"

    title = models.CharField(_("title"), max_length=200)
    dataset_version = models.ForeignKey(
        "datasets.DatasetVersion",  # by name: datasets.models imports Job from here
        on_delete=models.PROTECT,
        related_name="analyses",
        verbose_name=_("dataset version"),
    )
    dimension = models.CharField(_("dimension"), max_length=10, choices=Dimension.choices)
    breakdowns = models.JSONField(_("breakdowns"), default=list)
    ci_method = models.CharField(
        _("confidence interval method"),
        max_length=5,
        choices=CIMethod.choices,
        default=CIMethod.LOGIT,
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return self.title


class AnalysisResult(StoredResult):
    job = models.OneToOneField(
        Analysis, on_delete=models.CASCADE, primary_key=True, related_name="stored_result"
    )


class Report(Shareable):
    """A printable report: an analysis with a title and the author's commentary."""

    analysis = models.ForeignKey(Analysis, on_delete=models.PROTECT, related_name="reports")
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Boundary(Shareable):
    """Boundaries an agency uploaded (GeoJSON or GeoPackage keyed by kode wilayah)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency / city")

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    path = models.CharField(max_length=500)
    n_features = models.PositiveIntegerField(_("areas"))

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name
