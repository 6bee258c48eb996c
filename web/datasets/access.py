"""The one access helper for datasets and their versions (used by views and the API)."""

from __future__ import annotations

from typing import Any

from agencies.access import check, fetch
from django.http import Http404

from datasets.models import Dataset, DatasetVersion


def get_dataset(user: Any, pk: Any, action: str = "read") -> Dataset:
    return fetch(user, Dataset, pk, action, Dataset.objects.select_related("owner"))


def get_version(user: Any, dataset_pk: Any, number: Any, action: str = "read") -> DatasetVersion:
    dataset = get_dataset(user, dataset_pk, "read")
    version = dataset.versions.filter(number=number).first() if str(number).isdigit() else None
    if version is None:
        raise Http404
    check(user, dataset, action)
    return version
