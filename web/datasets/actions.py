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
from audit.actions import record, snapshot
from audit.models import Action
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from datasets import sources, storage
from datasets.labels import clean_labels, suggest_labels
from datasets.mapping import clean_mapping, suggest_mapping
from datasets.models import Dataset, DatasetVersion, LonelyPSU, VersionStatus
from datasets.validation import has_errors, validate
from setara.csv_dialect import CsvDialect


def upload(
    user: Any,
    uploaded: Any,
    *,
    agency: Agency | None = None,
    dataset: Dataset | None = None,
    name: str = "",
    description: str = "",
    request: HttpRequest | None = None,
    csv_dialect: dict[str, Any] | None = None,
) -> DatasetVersion:
    """Store an upload as a new dataset, or as the next version of ``dataset``.

    A CSV file is read in its detected dialect, with the fields given in ``csv_dialect``
    (``separator``, ``decimal``, ``thousands``, ``encoding``) in place of the detected ones.
    The file is read (within the input limits), described and written as a ``.partial``
    Parquet file before any transaction starts; the transaction only inserts rows, and the
    file gets its final name once they are committed. If reading fails nothing is created; if
    the database fails the partial file is removed.
    """
    if dataset is not None:
        check(user, dataset, "edit")
        agency = dataset.owner
    elif agency is None or not has_role(user, agency, Role.ANALYST):
        raise NotAllowed("you need the analyst role in the agency that will own the dataset")
    saved = storage.save_upload(uploaded)
    kept = None
    try:
        dialect = sources.detect(saved, uploaded.name)
        if csv_dialect:
            dialect = sources.with_fields(dialect, csv_dialect, uploaded.name)
        frame = storage.read_upload(saved, uploaded.name, csv_dialect=dialect)
        relative = f"{agency.slug}/{uuid.uuid4().hex}.parquet"
        kept = sources.keep(saved, relative) if dialect is not None else None
    finally:
        saved.unlink(missing_ok=True)
    try:
        # Per-column work happens here, before any transaction: the database is never locked
        # by it.
        columns = storage.describe(frame)
        mapping = suggest_mapping(frame)
        described = {
            "columns": columns,
            "mapping": mapping,
            "labels": suggest_labels(frame, mapping),
            **sources.version_fields(dialect, kept),
        }
        partial = storage.write_partial(frame, relative)
    except BaseException:
        sources.discard(kept)
        raise
    try:
        return _create_version(
            user, frame, uploaded, agency, dataset, name, description, relative, request, described
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        sources.discard(kept)
        raise


def _create_version(
    user: Any,
    frame: pl.DataFrame,
    uploaded: Any,
    agency: Agency,
    dataset: Dataset | None,
    name: str,
    description: str,
    relative: str,
    request: HttpRequest | None,
    described: dict[str, Any],
) -> DatasetVersion:
    with transaction.atomic():
        if dataset is None:
            dataset = Dataset.objects.create(
                owner=agency,
                created_by=user,
                description=description,
                name=name or Path(uploaded.name).stem,
            )
            record(
                Action.CREATE,
                actor=user,
                obj=dataset,
                request=request,
                after=snapshot(dataset, ["name", "description", "owner"]),
            )
        else:
            dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
            dataset.save(update_fields=["updated_at"])
        version = DatasetVersion.objects.create(
            dataset=dataset,
            uploaded_by=user if getattr(user, "is_authenticated", False) else None,
            number=next_number(dataset.versions),
            original_name=uploaded.name[:255],
            file_format=storage.file_format(uploaded.name),
            parquet_path=relative,
            size_bytes=uploaded.size,
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
            request=request,
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
