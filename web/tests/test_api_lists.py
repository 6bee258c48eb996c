"""API lists (issue 16, finding 12): they never read stored results or large fields, their query
count is fixed whatever the rows, and their rows are exactly what the schemas and the detail
endpoints say (a dataset row sums each version up; its ``url`` is the detail)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

LARGE = ("analysisresult", "simulationresult", '"columns"', '"labels"', '"spec"', '"mapping"')
# Queries of one list request by a signed-in browser session: the session, its user, the
# user's language (profile), the page (the user's memberships in a subquery, the whole list's
# size as a window count) and the sharing of the page's rows; the dataset list adds its
# versions. Nothing per row, no separate count.
QUERIES = {"/api/analyses": 5, "/api/datasets": 6}


def _get(client: Any, url: str) -> tuple[Any, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.json(), [q["sql"] for q in queries.captured_queries]


def _more_rows(world: dict[str, Any], count: int) -> None:
    """``count`` more datasets (with a version) and analyses (with a stored result), shared."""
    from analyses.models import Analysis
    from datasets.models import Dataset, DatasetVersion

    beta = world["agencies"]["beta"]
    source = world["analysis"]
    for i in range(count):
        dataset = Dataset.objects.create(owner=source.owner, name=f"Copy {i}")
        version = DatasetVersion.objects.get(pk=world["version"].pk)
        version.pk, version.dataset = None, dataset
        version.save()
        analysis = Analysis.objects.create(
            owner=source.owner,
            title=f"Copy {i}",
            dataset_version=version,
            dimension=source.dimension,
            breakdowns=source.breakdowns,
            status=source.status,
            result=source.result,
        )
        dataset.shared_with.set([beta])
        analysis.shared_with.set([beta])


@pytest.mark.parametrize("url", ["/api/analyses", "/api/datasets"])
def test_lists_never_touch_results_and_queries_do_not_grow(
    world: dict[str, Any], as_persona: Any, url: str
) -> None:
    client = as_persona("reader")
    before, sql_before = _get(client, url)
    _more_rows(world, 5)
    after, sql_after = _get(client, url)
    assert len(after) == len(before) + 5
    assert len(sql_after) == len(sql_before) == QUERIES[url], sql_after  # no query per row
    for sql in sql_after:
        assert not [name for name in LARGE if name in sql], sql


def test_a_stored_result_is_in_its_own_table(world: dict[str, Any]) -> None:
    from analyses.models import Analysis, AnalysisResult

    analysis = Analysis.objects.get(pk=world["analysis"].pk)
    stored = AnalysisResult.objects.get(pk=analysis.pk).data
    assert stored["headline"] and analysis.result == stored
    analysis.result = {"replaced": True}
    analysis.save()
    assert AnalysisResult.objects.get(pk=analysis.pk).data == {"replaced": True}
    analysis.result = None
    analysis.save()
    assert not AnalysisResult.objects.filter(pk=analysis.pk).exists()
    assert Analysis.objects.get(pk=analysis.pk).result is None


def _summed_up(detail: dict[str, Any]) -> dict[str, Any]:
    """A dataset detail as its list row shows it: each version's mapping and validation report
    replaced by the number of checks with status warning and error."""
    versions = []
    for version in detail["versions"]:
        statuses = [check["status"] for check in version["validation"]]
        summary = {k: v for k, v in version.items() if k not in ("mapping", "validation")}
        versions.append(summary | {"warnings": statuses.count("warning")})
        versions[-1]["errors"] = statuses.count("error")
    return detail | {"versions": versions, "url": f"/api/datasets/{detail['id']}"}


@pytest.mark.parametrize(
    "url,schema", [("/api/analyses", "AnalysisOut"), ("/api/datasets", "DatasetListOut")]
)
def test_list_rows_are_the_schema_and_the_detail(
    world: dict[str, Any], as_persona: Any, url: str, schema: str
) -> None:
    """The list skips pydantic validation for speed, so its rows are checked here instead."""
    from api import schemas
    from pydantic import TypeAdapter

    _more_rows(world, 2)
    client = as_persona("reader")
    rows, _sql = _get(client, url)
    assert len(rows) == 3
    model = getattr(schemas, schema)
    TypeAdapter(list[model]).validate_python(rows)  # raises if a row does not fit the schema
    for row in rows:
        assert set(row) == set(model.model_fields)
        detail = client.get(f"{url}/{row['id']}").json()
        assert row == (_summed_up(detail) if url == "/api/datasets" else detail)
        if url == "/api/datasets":
            assert client.get(row["url"]).json() == detail
    first = world["analysis"] if url == "/api/analyses" else world["dataset"]
    shared = next(row for row in rows if row["id"] == first.pk)
    assert shared["shared_with"] == ["beta"]


def test_lists_are_paginated_and_documented(world: dict[str, Any], as_persona: Any) -> None:
    from api.api import MAX_PAGE, PAGE_SIZE

    _more_rows(world, 4)
    client = as_persona("reader")
    everything = client.get("/api/analyses").json()
    assert len(everything) == 5 <= PAGE_SIZE
    response = client.get("/api/analyses?limit=2&offset=1")
    assert response.json() == everything[1:3]
    assert response["X-Total-Count"] == "5"
    assert client.get("/api/datasets?offset=4")["X-Total-Count"] == "5"
    past_the_end = client.get("/api/datasets?offset=10")  # no row carries the window count
    assert past_the_end.json() == [] and past_the_end["X-Total-Count"] == "5"
    for bad in ("limit=0", f"limit={MAX_PAGE + 1}", "offset=-1", "limit=x"):
        refused = client.get(f"/api/datasets?{bad}")
        assert refused.status_code == 400, bad
        assert "limit" in refused.json()["detail"] or "offset" in refused.json()["detail"]
    spec = client.get("/api/openapi.json").json()
    for path in ("/api/analyses", "/api/datasets"):
        operation = spec["paths"][path]["get"]
        params = {p["name"]: p for p in operation["parameters"]}
        assert params["limit"]["schema"]["maximum"] == MAX_PAGE
        assert params["limit"]["schema"]["default"] == PAGE_SIZE
        assert "X-Total-Count" in operation["responses"]["200"]["headers"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]
    results = [p for p in spec["paths"] if p.endswith("/results")]
    assert len(results) >= 3  # analyses, simulations, access analyses
    for path in results:  # JSON by default, CSV with format=csv: both documented
        content = spec["paths"][path]["get"]["responses"]["200"]["content"]
        assert {"application/json", "text/csv"} <= set(content), path
