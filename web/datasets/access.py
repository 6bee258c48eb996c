"""The one access helper for datasets and their versions (used by views and the API)."""

from __future__ import annotations

from typing import Any

from agencies.access import check, fetch, roles_of
from django.http import Http404

from datasets.models import Dataset, DatasetVersion, Upload


def get_dataset(user: Any, pk: Any, action: str = "read") -> Dataset:
    return fetch(user, Dataset, pk, action, Dataset.objects.select_related("owner"))


def get_version(user: Any, dataset_pk: Any, number: Any, action: str = "read") -> DatasetVersion:
    dataset = get_dataset(user, dataset_pk, "read")
    version = dataset.versions.filter(number=number).first() if str(number).isdigit() else None
    if version is None:
        raise Http404
    check(user, dataset, action)
    return version


def get_upload(user: Any, pk: Any) -> Upload:
    """An upload job, for members of the agency that will own its dataset (404 for others)."""
    upload = Upload.objects.select_related("owner", "dataset", "version").filter(pk=pk).first()
    if upload is None or upload.owner_id not in roles_of(user):
        raise Http404
    return upload
