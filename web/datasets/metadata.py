"""What a shared analysis or simulation rests on, for whoever may read that analysis or
simulation: the dataset version's description, design mapping and column list, never its rows
(no examples, no download) unless the dataset itself was shared with them."""

from __future__ import annotations

from typing import Any

from agencies.access import can_read
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from datasets.models import DatasetVersion


def version_link(user: Any, version: DatasetVersion, via: str) -> str:
    """The dataset version's own page when the user may read the dataset, else ``via`` (the
    metadata page reached through the shared object)."""
    if can_read(user, version.dataset):
        return reverse("dataset-version", args=[version.dataset_id, version.number])
    return via


def render_metadata(request: HttpRequest, version: DatasetVersion, back: str) -> HttpResponse:
    fresh = DatasetVersion.objects.select_related("dataset", "uploaded_by").get(pk=version.pk)
    columns = [
        {"name": c.get("name"), "dtype": c.get("dtype"), "missing": c.get("missing")}
        for c in (fresh.columns or [])
    ]
    return render(
        request,
        "datasets/metadata.html",
        {"version": fresh, "dataset": fresh.dataset, "columns": columns, "back": back},
    )
