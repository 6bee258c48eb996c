"""Every state change of datasets and versions, each in one transaction with its audit event."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import polars as pl
from agencies import actions as agency_actions
from agencies.access import check, has_role
from agencies.actions import next_number
from agencies.models import Agency, Role
from audit.actions import record, snapshot
from audit.models import Action
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from datasets import storage
from datasets.mapping import clean_mapping, suggest_mapping
from datasets.models import Dataset, DatasetVersion, LonelyPSU, VersionStatus
from datasets.validation import has_errors, validate


class NotAllowed(PermissionError):
    pass


def upload(
    user: Any,
    uploaded: Any,
    *,
    agency: Agency | None = None,
    dataset: Dataset | None = None,
    name: str = "",
    description: str = "",
    request: HttpRequest | None = None,
) -> DatasetVersion:
    """Store an upload as a new dataset, or as the next version of ``dataset``.

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
    try:
        frame = storage.read_upload(saved, uploaded.name)
    finally:
        saved.unlink(missing_ok=True)
    # Per-column work happens here, before any transaction: the database is never locked by it.
    columns = storage.describe(frame)
    mapping = suggest_mapping(frame)
    relative = f"{agency.slug}/{uuid.uuid4().hex}.parquet"
    partial = storage.write_partial(frame, relative)
    described = {"columns": columns, "mapping": mapping}
    try:
        return _create_version(
            user, frame, uploaded, agency, dataset, name, description, relative, request, described
        )
    except BaseException:
        partial.unlink(missing_ok=True)
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
            number=next_number(dataset.versions),
            original_name=uploaded.name[:255],
            file_format=storage.file_format(uploaded.name),
            parquet_path=relative,
            size_bytes=uploaded.size,
            n_rows=frame.height,
            n_columns=frame.width,
            columns=described["columns"],
            mapping=described["mapping"],
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
) -> DatasetVersion:
    """Save the column roles and the engine's validation report for them."""
    check(user, version.dataset, "edit")
    if version.status == VersionStatus.ACCEPTED:
        raise NotAllowed("an accepted version is frozen; upload a new version to change it")
    lonely_psu = submitted.get("lonely_psu") or ""
    if lonely_psu not in LonelyPSU.values:
        raise NotAllowed(f"lonely_psu must be one of {', '.join(LonelyPSU.values[1:])}")
    mapping = clean_mapping(submitted, [c["name"] for c in version.columns])
    frame = storage.read_version(version.path, columns=sorted(set(mapping.values())))
    report = validate(frame, mapping, lonely_psu=lonely_psu or "fail")
    with transaction.atomic():
        before = {"mapping": version.mapping, "status": version.status}
        version.mapping = mapping
        version.lonely_psu = lonely_psu
        version.validation = report
        version.status = VersionStatus.INVALID if has_errors(report) else VersionStatus.VALID
        version.save(update_fields=["mapping", "lonely_psu", "validation", "status"])
        record(
            Action.UPDATE,
            actor=user,
            obj=version,
            agency_id=version.dataset.owner_id,
            object_type="dataset version",
            request=request,
            before=before,
            after={"mapping": mapping, "lonely_psu": lonely_psu, "status": version.status},
        )
    return version


def accept(
    user: Any, version: DatasetVersion, request: HttpRequest | None = None
) -> DatasetVersion:
    check(user, version.dataset, "edit")
    if version.status != VersionStatus.VALID:
        raise NotAllowed("only a version whose validation passed can be accepted")
    with transaction.atomic():
        version.status = VersionStatus.ACCEPTED
        version.accepted_at = timezone.now()
        version.save(update_fields=["status", "accepted_at"])
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
    paths = [v.path for v in dataset.versions.all()]
    with transaction.atomic():
        agency_actions.delete(user, dataset, ["name", "description", "owner", "published"], request)
        transaction.on_commit(lambda: [p.unlink(missing_ok=True) for p in paths])
