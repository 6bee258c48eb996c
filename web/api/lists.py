"""The rows of the API's list endpoints, read as plain values in a fixed number of queries.

A list reads only the columns its rows show (never a stored result, which lives in its own
table, nor a version's column list or mapping), builds each row from ``.values()`` instead of
model instances, counts the whole list in the same query as the page (a window count), and
fetches the sharing of every row in one query: a fixed number of queries for any number of
rows. Lists are paginated (``limit`` and ``offset``, see :mod:`api.api`). A dataset row sums
each version's validation report up as counts and links to the detail, which has it in full.
The rows have exactly the shape of the ``*Out`` schemas (a test checks them against the
schemas and against the detail endpoints)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from agencies.access import readable
from analyses.models import Analysis
from datasets.models import Dataset, DatasetVersion
from django.db.models import Count, Model, QuerySet, Window
from django.urls import reverse

from api.schemas import VersionSummaryOut

OWNER = {"owner__slug": "slug", "owner__name": "name", "owner__kind": "kind"}
# A version's validation checks counted by status, as the dataset list shows them.
COUNTED = {"warnings": "warning", "errors": "error"}


@dataclass(frozen=True)
class Page:
    """Which rows of a list: ``limit`` rows from row ``offset`` (0 is the first)."""

    limit: int
    offset: int


@dataclass
class Rows:
    """One page of a list and the number of rows in the whole list."""

    rows: list[dict[str, Any]]
    total: int


def _readable_values(user: Any, model: type[Model], fields: dict[str, str], page: Page) -> Rows:
    """One page of the readable rows of ``model`` in its list order, ``fields`` renamed."""
    # The readable ids in a subquery: no DISTINCT over the listed rows.
    ids = readable(user, model.objects.all()).values("pk")
    listed: QuerySet[Any] = model.objects.filter(pk__in=ids)
    # COUNT(*) OVER () is computed before LIMIT: every row carries the size of the whole list.
    found = listed.values("pk", *OWNER, *fields).annotate(list_size=Window(Count("pk")))
    rows, total = [], 0
    for row in found[page.offset : page.offset + page.limit]:
        out = {"id": row["pk"], "owner": {key: row[name] for name, key in OWNER.items()}}
        out.update({key: row[name] for name, key in fields.items()})
        rows.append(out)
        total = row["list_size"]
    if not rows and page.offset > 0:  # a page past the end: the count needs its own query
        total = listed.count()
    return Rows(rows, total)


def _shared_with(model: type[Model], ids: list[int]) -> dict[int, list[str]]:
    """The slugs of the agencies each object is shared with (ordered by agency name)."""
    field = model._meta.get_field("shared_with")
    through = field.remote_field.through  # type: ignore[union-attr]
    own, agency = field.m2m_field_name(), field.m2m_reverse_field_name()  # type: ignore[union-attr]
    pairs = (
        through.objects.filter(**{f"{own}_id__in": ids})
        .order_by(f"{agency}__name")
        .values_list(f"{own}_id", f"{agency}__slug")
    )
    slugs: dict[int, list[str]] = defaultdict(list)
    for pk, slug in pairs:
        slugs[pk].append(slug)
    return slugs


def _with_sharing(model: type[Model], found: Rows) -> Rows:
    slugs = _shared_with(model, [row["id"] for row in found.rows])
    for row in found.rows:
        row["shared_with"] = slugs.get(row["id"], [])
    return found


VERSION_SUMMARY = [name for name in VersionSummaryOut.model_fields if name not in COUNTED]


def dataset_rows(user: Any, page: Page) -> Rows:
    """A page of the datasets ``user`` may read, as ``DatasetListOut`` rows: each version with
    its validation report counted, and the ``url`` of the detail that has it in full."""
    found = _readable_values(
        user,
        Dataset,
        {"name": "name", "description": "description", "published": "published"},
        page,
    )
    ids = [row["id"] for row in found.rows]
    versions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for version in DatasetVersion.objects.filter(dataset_id__in=ids).values(
        "dataset_id", *VERSION_SUMMARY, "validation"
    ):
        statuses = [check.get("status") for check in version.pop("validation")]
        version.update({key: statuses.count(status) for key, status in COUNTED.items()})
        versions[version.pop("dataset_id")].append(version)
    # the detail's path with the id as its last segment (reverse() for each row costs 60 us)
    datasets = reverse("api:dataset_detail", kwargs={"dataset_id": 0}).rsplit("/", 1)[0]
    for row in found.rows:
        row["url"] = f"{datasets}/{row['id']}"
        row["versions"] = versions.get(row["id"], [])
    return _with_sharing(Dataset, found)


ANALYSIS_FIELDS = {
    "title": "title",
    "dataset_version__dataset_id": "dataset",
    "dataset_version__number": "dataset_version",
    **{name: name for name in ("dimension", "breakdowns", "ci_method", "status", "progress")},
    **{name: name for name in ("error", "published")},
}


def analysis_rows(user: Any, page: Page) -> Rows:
    """A page of the analyses ``user`` may read, as ``AnalysisOut`` rows."""
    return _with_sharing(Analysis, _readable_values(user, Analysis, ANALYSIS_FIELDS, page))
