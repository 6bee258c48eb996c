"""The rows of the API's list endpoints, read as plain values in a fixed number of queries.

A list reads only the columns its rows show (never a stored result, which lives in its own
table, nor a version's column list or mapping), builds each row from plain values instead of
model instances, counts the whole list in the same query as the page (a window count), and
fetches the sharing of every row in one query: a fixed number of queries for any number of
rows. The queries are compiled once per connection (:mod:`api.prepared`), with the user's
memberships read in the page query itself (:func:`agencies.access.readable_by_member`).
Lists are paginated (``limit`` and ``offset``, see :mod:`api.api`). A dataset row sums each
version's validation report up as counts and links to the detail, which has it in full.
The rows have exactly the shape of the ``*Out`` schemas (a test checks them against the
schemas and against the detail endpoints)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from agencies.access import readable_by_member
from analyses.models import Analysis
from datasets.models import Dataset, DatasetVersion
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Model, QuerySet, Window
from django.urls import reverse

from api.prepared import Marker, Prepared
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


def _page_query(model: type[Model], fields: dict[str, str]) -> Prepared:
    """The readable rows of ``model`` in its list order, each with the whole list's size."""

    def build(user: Marker) -> QuerySet[Any]:
        # The readable ids in a subquery: no DISTINCT over the listed rows.
        ids = model.objects.filter(readable_by_member(user.as_int)).values("pk")
        listed = model.objects.filter(pk__in=ids)
        # COUNT(*) OVER () is computed before LIMIT: every row carries the size of the list.
        found = listed.annotate(list_size=Window(Count("pk")))
        return found.values_list("pk", *OWNER, *fields, "list_size")

    return Prepared(build, paged=True)


def _readable_values(
    user: Any, model: type[Model], fields: dict[str, str], query: Prepared, page: Page
) -> Rows:
    """One page of the readable rows of ``model`` (its ``query``), ``fields`` renamed."""
    if not (user.is_authenticated and user.is_active):  # as roles_of: no agency, no row
        return Rows([], 0)
    owner, named = len(OWNER) + 1, list(fields.values())
    rows, total = [], 0
    for values in query.rows(user=user.pk, limit=page.limit, offset=page.offset):
        row = {"id": values[0], "owner": dict(zip(OWNER.values(), values[1:owner], strict=True))}
        row.update(zip(named, values[owner:-1], strict=True))
        rows.append(row)
        total = values[-1]
    if not rows and page.offset > 0:  # a page past the end: the count needs its own query
        total = model.objects.filter(readable_by_member(user.pk)).distinct().count()
    return Rows(rows, total)


def _sharing_query(model: type[Model]) -> Prepared:
    """The slugs of the agencies each of some objects is shared with (by agency name)."""
    field = model._meta.get_field("shared_with")
    through = field.remote_field.through  # type: ignore[union-attr]
    own, agency = field.m2m_field_name(), field.m2m_reverse_field_name()  # type: ignore[union-attr]

    def build(ids: list[Marker]) -> QuerySet[Any]:
        return (
            through.objects.filter(**{f"{own}_id__in": [marker.as_int for marker in ids]})
            .order_by(f"{agency}__name")
            .values_list(f"{own}_id", f"{agency}__slug")
        )

    return Prepared(build)


def _with_sharing(query: Prepared, found: Rows) -> Rows:
    slugs: dict[int, list[str]] = defaultdict(list)
    if found.rows:
        for pk, slug in query.rows(ids=[row["id"] for row in found.rows]):
            slugs[pk].append(slug)
    for row in found.rows:
        row["shared_with"] = slugs.get(row["id"], [])
    return found


JSON_TIME = DjangoJSONEncoder().default
VERSION_SUMMARY = [name for name in VersionSummaryOut.model_fields if name not in COUNTED]
DATASET_FIELDS = {"name": "name", "description": "description", "published": "published"}
DATASET_PAGE, DATASET_SHARING = _page_query(Dataset, DATASET_FIELDS), _sharing_query(Dataset)
VERSIONS = Prepared(
    lambda ids: DatasetVersion.objects.filter(
        dataset_id__in=[marker.as_int for marker in ids]
    ).values_list("dataset_id", *VERSION_SUMMARY, "validation")
)


def dataset_rows(user: Any, page: Page) -> Rows:
    """A page of the datasets ``user`` may read, as ``DatasetListOut`` rows: each version with
    its validation report counted, and the ``url`` of the detail that has it in full."""
    found = _readable_values(user, Dataset, DATASET_FIELDS, DATASET_PAGE, page)
    versions: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if found.rows:
        for dataset_id, *summary, validation in VERSIONS.rows(ids=[r["id"] for r in found.rows]):
            version = dict(zip(VERSION_SUMMARY, summary, strict=True))
            # as the JSON renderer writes it, without its per-object fallback chain
            version["uploaded_at"] = JSON_TIME(version["uploaded_at"])
            statuses = [check.get("status") for check in validation]
            version.update({key: statuses.count(status) for key, status in COUNTED.items()})
            versions[dataset_id].append(version)
    # the detail's path with the id as its last segment (reverse() for each row costs 60 us)
    datasets = reverse("api:dataset_detail", kwargs={"dataset_id": 0}).rsplit("/", 1)[0]
    for row in found.rows:
        row["url"] = f"{datasets}/{row['id']}"
        row["versions"] = versions.get(row["id"], [])
    return _with_sharing(DATASET_SHARING, found)


ANALYSIS_FIELDS = {
    "title": "title",
    "dataset_version__dataset_id": "dataset",
    "dataset_version__number": "dataset_version",
    **{name: name for name in ("dimension", "breakdowns", "ci_method", "status", "progress")},
    **{name: name for name in ("error", "published")},
}
ANALYSIS_PAGE, ANALYSIS_SHARING = _page_query(Analysis, ANALYSIS_FIELDS), _sharing_query(Analysis)


def analysis_rows(user: Any, page: Page) -> Rows:
    """A page of the analyses ``user`` may read, as ``AnalysisOut`` rows."""
    found = _readable_values(user, Analysis, ANALYSIS_FIELDS, ANALYSIS_PAGE, page)
    return _with_sharing(ANALYSIS_SHARING, found)
