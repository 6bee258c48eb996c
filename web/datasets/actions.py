"""Every state change of datasets and versions, each in one transaction with its audit event."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import polars as pl
from agencies import actions as agency_actions
from agencies.access import check, has_role
from agencies.actions import NotAllowed, next_number
from agencies.models import Agency, Role
from analyses.jobs import INTERNAL_ERROR, Lease, enqueue
from analyses.models import run_job
from audit.actions import record, snapshot
from audit.models import Action
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_noop

from datasets import sources, storage
from datasets.labels import clean_labels, suggest_labels
from datasets.mapping import clean_mapping, suggest_mapping
from datasets.models import Dataset, DatasetVersion, LonelyPSU, Upload, VersionStatus
from datasets.validation import has_errors, validate
from setara.csv_dialect import CsvDialect


def receive(
    user: Any,
    uploaded: Any,
    *,
    agency: Agency | None = None,
    dataset: Dataset | None = None,
    name: str = "",
    description: str = "",
    csv_dialect: dict[str, Any] | None = None,
    run_now: bool = False,
) -> Upload:
    """Keep an upload for the worker, as a new dataset or the next version of ``dataset``.

    The request has already streamed the file to disk (within the size limit); here it is only
    linked into storage and a queued :class:`~datasets.models.Upload` job is created. The
    worker (:func:`process`) does the reading, the limits, the profiling and the Parquet copy,
    and records the audit events of the dataset and version it creates (a refused file creates
    neither, so it leaves no event); with ``run_now`` it runs here, in this process (the demo,
    scripts and tests).

    A CSV file is read in its detected dialect, with the fields given in ``csv_dialect``
    (``separator``, ``decimal``, ``thousands``, ``encoding``) in place of the detected ones.
    They travel with the job; they are checked here against the file's detected dialect (a
    sample of its start), so a bad combination or a dialect for a file that is not CSV raises
    :class:`~setara.errors.ReadError` before anything is queued (and the file is removed).
    """
    if dataset is not None:
        check(user, dataset, "edit")
        agency = dataset.owner
    elif agency is None or not has_role(user, agency, Role.ANALYST):
        raise NotAllowed("you need the analyst role in the agency that will own the dataset")
    relative = storage.save_upload(uploaded)
    try:
        if csv_dialect:  # raises ReadError for fields the file cannot be read with
            sources.upload_dialect(
                Path(settings.STORAGE_DIR) / relative, uploaded.name, csv_dialect
            )
        with transaction.atomic():
            job = Upload.objects.create(
                owner=agency,
                dataset=dataset,
                created_by=user if getattr(user, "is_authenticated", False) else None,
                name=name[:200],
                description=description,
                original_name=uploaded.name[:255],
                size_bytes=uploaded.size,
                upload_path=relative,
                csv_dialect_fields=csv_dialect or {},
            )
            if not run_now:
                enqueue(Upload, job.pk)
    except BaseException:
        (Path(settings.STORAGE_DIR) / relative).unlink(missing_ok=True)
        raise
    if run_now:
        from datasets.tasks import process_upload

        run_job(process_upload, job, now=True)
    return job


def upload(user: Any, uploaded: Any, **options: Any) -> DatasetVersion:
    """Receive an upload and make it a version at once, in this process, by the worker's own
    task (the demo, scripts and tests); ``options`` as :func:`receive`. A file that cannot
    become a version raises :class:`~datasets.storage.UploadError` with the job's message."""
    job = receive(user, uploaded, run_now=True, **options)
    if job.version is None:
        raise storage.UploadError(job.error or INTERNAL_ERROR)
    return job.version


def process(job: Upload, lease: Lease) -> DatasetVersion | None:
    """The worker's part of an upload: read the file within the input limits, describe it and
    write its ``.partial`` Parquet copy (no transaction is open), then create the dataset
    version and end the job in one transaction; the copy gets its final name on commit.

    A file that cannot become a version raises :class:`~setara.errors.SetaraError` with the
    message for the user, after removing what this run wrote. Returns None, having created
    nothing, when this run lost its lease to a retry.
    """
    source = job.path
    if not source.exists():
        raise storage.UploadError(
            f"the uploaded file {job.original_name!r} is no longer on the server; upload it again"
        )
    lease.progress(5, READING)
    dialect = sources.upload_dialect(source, job.original_name, job.csv_dialect_fields)
    frame = storage.read_upload(source, job.original_name, csv_dialect=dialect)
    relative = f"{job.owner.slug}/{uuid.uuid4().hex}.parquet"
    kept = sources.keep(source, relative) if dialect is not None else None
    try:
        lease.progress(40, DESCRIBING)
        mapping = suggest_mapping(frame)
        described = {
            "columns": storage.describe(frame),
            "mapping": mapping,
            "labels": suggest_labels(frame, mapping),
            **sources.version_fields(dialect, kept),
        }
        lease.progress(80, WRITING)
        partial = storage.write_partial(frame, relative)
    except BaseException:
        sources.discard(kept)
        raise
    try:
        with transaction.atomic():
            version = _create_version(job, frame, relative, described)
            Upload.objects.filter(pk=job.pk).update(version=version)
            if not lease.done_with():
                raise _Superseded
            transaction.on_commit(lambda: source.unlink(missing_ok=True))
    except _Superseded:
        partial.unlink(missing_ok=True)
        sources.discard(kept)
        return None
    except BaseException:
        partial.unlink(missing_ok=True)
        sources.discard(kept)
        raise
    return version


class _Superseded(Exception):
    """This run of an upload lost its lease: roll back what it created."""


# Progress of an upload's processing; stored in English, shown translated.
READING = gettext_noop("reading the file")
DESCRIBING = gettext_noop("describing the columns")
WRITING = gettext_noop("storing the file")


def _create_version(
    job: Upload, frame: pl.DataFrame, relative: str, described: dict[str, Any]
) -> DatasetVersion:
    user, dataset = job.created_by, job.dataset
    if dataset is None:
        dataset = Dataset.objects.create(
            owner=job.owner,
            created_by=user,
            description=job.description,
            name=job.name or Path(job.original_name).stem,
        )
        record(
            Action.CREATE,
            actor=user,
            obj=dataset,
            after=snapshot(dataset, ["name", "description", "owner"]),
        )
    else:
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        dataset.save(update_fields=["updated_at"])
    version = DatasetVersion.objects.create(
        dataset=dataset,
        uploaded_by=user,
        number=next_number(dataset.versions),
        original_name=job.original_name,
        file_format=storage.file_format(job.original_name),
        parquet_path=relative,
        size_bytes=job.size_bytes,
        n_rows=frame.height,
        n_columns=frame.width,
        **described,
    )
    record(
        Action.CREATE,
        actor=user,
        obj=version,
        agency_id=dataset.owner_id,
        object_type="dataset version",
        after={
            "file": version.original_name,
            "rows": frame.height,
            "columns": frame.width,
            "number": version.number,
        },
    )
    transaction.on_commit(lambda: storage.commit_file(relative))
    return version


def map_and_validate(
    user: Any,
    version: DatasetVersion,
    submitted: dict[str, str],
    request: HttpRequest | None = None,
    labels: dict[str, dict[str, str]] | None = None,
    *,
    labels_for_submitted: bool = False,
) -> DatasetVersion:
    """Save the column roles, the code tables (``labels``; kept when ``None``) and the engine's
    validation report for them. A role whose column changed gets a suggested table, unless
    ``labels_for_submitted`` says the given tables were written for the submitted columns (the
    API sends roles and tables together; the mapping page's tables are for the stored ones)."""
    check(user, version.dataset, "edit")
    if version.status == VersionStatus.ACCEPTED:
        raise NotAllowed("an accepted version is frozen; upload a new version to change it")
    lonely_psu = submitted.get("lonely_psu") or ""
    if lonely_psu not in LonelyPSU.values:
        raise NotAllowed(f"lonely_psu must be one of {', '.join(LonelyPSU.values[1:])}")
    mapping = clean_mapping(submitted, [c["name"] for c in version.columns])
    frame = storage.read_version(version.path, columns=sorted(set(mapping.values())))
    same = {r for r, c in mapping.items() if version.mapping.get(r) == c}
    tables = clean_labels(version.labels if labels is None else labels, mapping)
    if not (labels_for_submitted and labels is not None):
        tables = {r: t for r, t in tables.items() if r in same}
    changed = {r: c for r, c in mapping.items() if r not in same and r not in tables}
    tables = suggest_labels(frame, changed) | tables
    report = validate(frame, mapping, tables, lonely_psu=lonely_psu or "fail")
    with transaction.atomic():
        before = {"mapping": version.mapping, "labels": version.labels, "status": version.status}
        version.mapping = mapping
        version.labels = tables
        version.lonely_psu = lonely_psu
        version.validation = report
        version.status = VersionStatus.INVALID if has_errors(report) else VersionStatus.VALID
        version.save(update_fields=["mapping", "labels", "lonely_psu", "validation", "status"])
        record(
            Action.UPDATE,
            actor=user,
            obj=version,
            agency_id=version.dataset.owner_id,
            object_type="dataset version",
            request=request,
            before=before,
            after={
                "mapping": mapping,
                "labels": tables,
                "lonely_psu": lonely_psu,
                "status": version.status,
            },
        )
    return version


def accept(
    user: Any, version: DatasetVersion, request: HttpRequest | None = None
) -> DatasetVersion:
    check(user, version.dataset, "edit")
    if version.status != VersionStatus.VALID:
        raise NotAllowed("only a version whose validation passed can be accepted")
    source = version.source
    with transaction.atomic():
        version.status = VersionStatus.ACCEPTED
        version.accepted_at = timezone.now()
        version.source_path = ""  # the dialect is final: the CSV itself is no longer needed
        version.save(update_fields=["status", "accepted_at", "source_path"])
        transaction.on_commit(lambda: sources.discard(source))
        record(
            Action.UPDATE,
            actor=user,
            obj=version,
            agency_id=version.dataset.owner_id,
            object_type="dataset version",
            request=request,
            before={"status": VersionStatus.VALID},
            after={"status": VersionStatus.ACCEPTED},
        )
    return version


def delete(user: Any, dataset: Dataset, request: HttpRequest | None = None) -> None:
    """Delete a dataset that no analysis uses (analyses keep the version they ran on)."""
    check(user, dataset, "delete")
    from analyses.models import Analysis

    if Analysis.objects.filter(dataset_version__dataset=dataset).exists():
        raise NotAllowed("analyses use this dataset; delete them first")
    paths = [p for v in dataset.versions.all() for p in (v.path, v.source) if p is not None]
    with transaction.atomic():
        agency_actions.delete(user, dataset, ["name", "description", "owner", "published"], request)
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in paths])


def change_dialect(
    user: Any, version: DatasetVersion, dialect: CsvDialect, request: HttpRequest | None = None
) -> DatasetVersion:
    """Read the kept CSV upload again in ``dialect`` and replace the version's Parquet copy.

    Column roles and code tables are kept where their columns still exist; the validation must
    be run again. Only before acceptance (the CSV is discarded when the version is accepted).
    """
    check(user, version.dataset, "edit")
    source = version.source
    if version.status == VersionStatus.ACCEPTED or source is None or not source.exists():
        raise NotAllowed("the dialect can be changed only for a CSV version not yet accepted")
    frame = storage.read_upload(source, version.original_name, csv_dialect=dialect)
    relative = f"{version.dataset.owner.slug}/{uuid.uuid4().hex}.parquet"
    # Per-column work before the transaction (it only updates the row).
    mapping = clean_mapping(version.mapping, frame.columns) or suggest_mapping(frame)
    columns = storage.describe(frame)
    suggested = suggest_labels(frame, mapping)
    partial = storage.write_partial(frame, relative)
    old = version.path
    try:
        with transaction.atomic():
            before = {"csv_dialect": version.csv_dialect, "rows": version.n_rows}
            version.parquet_path = relative
            version.n_rows, version.n_columns = frame.height, frame.width
            version.columns = columns
            version.csv_dialect = dialect.to_dict()
            same = {r for r, c in mapping.items() if version.mapping.get(r) == c}
            kept = {r: t for r, t in version.labels.items() if r in same}
            version.labels = suggested | kept
            version.mapping, version.validation = mapping, []
            version.status = VersionStatus.UPLOADED
            version.save()
            record(
                Action.UPDATE,
                actor=user,
                obj=version,
                agency_id=version.dataset.owner_id,
                object_type="dataset version",
                request=request,
                before=before,
                after={"csv_dialect": version.csv_dialect, "rows": frame.height},
            )
            transaction.on_commit(lambda: storage.commit_file(relative))
            transaction.on_commit(lambda: old.unlink(missing_ok=True))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return version
