"""Code tables and CSV dialect through the REST API, as the upload and mapping pages have them.

A script uploads the Bappeda's semicolon CSV (naming its dialect or letting it be detected),
follows the 202 to the worker's result, reads the detected dialect and the proposed code tables
from the version, sends roles with code tables (checked by the schema: 400 naming the role and
the allowed meanings), reads the file again in another dialect; every change is audited as on
the pages, through the same actions.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from audit.models import AuditEvent
from datasets.models import DatasetVersion, Upload
from datasets.tasks import process_upload
from django.core.files.uploadedfile import SimpleUploadedFile
from test_bad_uploads import _state
from test_files_codes import _bps_coded


def _send(client: Any, world: dict[str, Any], name: str, **fields: str) -> Any:
    return client.post(
        "/api/datasets",
        {"file": SimpleUploadedFile(f"{name}.csv", _bps_coded(world, 400)), "agency": "alpha"}
        | {"name": name}
        | fields,
    )


def _api_upload(
    client: Any, world: dict[str, Any], name: str, capture: Any, **dialect: str
) -> tuple[Any, DatasetVersion | None]:
    """POST the file; the queued task runs on commit (the worker's part); the 202's status URL
    then names the version."""
    with capture(execute=True):
        response = _send(client, world, name, **dialect)
    if response.status_code != 202:
        return response, None
    status = client.get(response["Location"]).json()
    assert status["status"] == "done", status
    version = DatasetVersion.objects.get(dataset_id=status["dataset"], number=status["version"])
    assert version.dataset.name == name
    return response, version


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_version_shows_detected_dialect_and_code_tables(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    response, version = _api_upload(
        client, world, "API Bappeda", django_capture_on_commit_callbacks
    )
    assert response.status_code == 202 and version is not None
    assert response.json()["csv_dialect_fields"] == {}  # nothing named: detection decides
    detail = client.get(f"/api/datasets/{version.dataset_id}/versions/1")
    assert detail.status_code == 200
    body = detail.json()
    assert body["csv_dialect"]["separator"] == ";" and body["csv_dialect"]["decimal"] == ","
    assert body["csv_dialect"]["encoding"] == "windows-1252"
    assert body["labels"]["urban"] == {"1": "urban", "2": "rural"}
    assert body["labels"] == version.labels
    assert body["csv_dialect"] == version.csv_dialect
    listed = client.get(f"/api/datasets/{version.dataset_id}").json()["versions"][0]
    assert listed["number"] == 1 and "labels" not in listed  # lists stay small
    # a Parquet version has no dialect
    world_version = client.get(f"/api/datasets/{world['dataset'].pk}/versions/1").json()
    assert world_version["csv_dialect"] is None and "labels" in world_version


def test_upload_names_its_dialect_and_bad_ones_are_400(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    client = as_persona("analyst")
    capture = django_capture_on_commit_callbacks
    # read with a decimal point on purpose: the amounts stay text
    response, version = _api_upload(client, world, "Named dialect", capture, decimal=".")
    assert response.status_code == 202 and version is not None
    assert response.json()["csv_dialect_fields"] == {"decimal": "."}
    assert version.csv_dialect["decimal"] == "." and version.csv_dialect["separator"] == ";"
    columns = {c["name"]: c["dtype"] for c in version.columns}
    assert columns["pengeluaran_kapita"] == "String"
    before, jobs = _state(settings), Upload.objects.count()
    # refused in the request, before anything is queued: no job, no dataset, no file kept
    response, _ = _api_upload(client, world, "Bad dialect", capture, separator=",", decimal=",")
    assert response.status_code == 400
    assert "decimal commas needs a separator other than ','" in response.json()["detail"]
    # the combination with what detection found (';' and ',') is checked too
    response, _ = _api_upload(client, world, "Bad thousands", capture, thousands=",")
    assert response.status_code == 400
    assert "thousands separator ',' equals the decimal mark" in response.json()["detail"]
    response, _ = _api_upload(client, world, "Bad separator", capture, separator="x")
    assert response.status_code == 400 and "separator" in response.json()["detail"]
    with capture(execute=True):
        response = client.post(
            "/api/datasets",
            {"file": SimpleUploadedFile("s.parquet", b"PAR1"), "agency": "alpha"}
            | {"separator": ";"},
        )
    assert response.status_code == 400
    assert "applies to .csv files only, not to 's.parquet'" in response.json()["detail"]
    assert (_state(settings), Upload.objects.count()) == (before, jobs)


def test_named_dialect_travels_with_the_queued_upload(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Queued (no worker yet), the job holds the fields; the worker's task applies them."""
    client = as_persona("analyst")
    response = _send(client, world, "Queued dialect", decimal=".", thousands="")
    assert response.status_code == 202 and response.json()["status"] == "queued"
    job = Upload.objects.get(pk=response.json()["id"])
    assert job.csv_dialect_fields == {"decimal": ".", "thousands": ""}
    with django_capture_on_commit_callbacks(execute=True):  # the worker's commit
        assert process_upload.call(job.pk) == "done"
    job.refresh_from_db()
    assert job.version is not None and not job.path.exists()
    assert job.version.csv_dialect["decimal"] == "." and job.version.csv_dialect["separator"] == ";"
    assert job.version.csv_dialect["thousands"] is None
    assert client.get(response["Location"]).json()["version"] == job.version.number


def test_mapping_with_code_tables_is_validated_and_audited(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    _, version = _api_upload(client, world, "API codes", django_capture_on_commit_callbacks)
    assert version is not None
    url = f"/api/datasets/{version.dataset_id}/versions/1/mapping"
    mapping = dict(version.mapping)
    # sex coded 2 = male on purpose (not the suggested table), disability newly mapped with
    # its own table in the same request (5 made missing: not the suggested 1/5 table)
    labels = {
        "urban": {"1": "urban", "2": "rural"},
        "sex": {"1": "female", "2": "male"},
        "disability": {"1": "yes", "5": ""},
    }
    mapping["disability"] = "jkn"
    response = _post(client, url, {"mapping": mapping, "labels": labels})
    assert response.status_code == 200, response.content
    version.refresh_from_db()
    assert version.labels["sex"] == {"1": "female", "2": "male"}
    assert version.labels["disability"] == {"1": "yes", "5": ""}
    assert response.json()["labels"] == version.labels
    event = AuditEvent.objects.filter(object_type="dataset version", object_id=version.pk).latest(
        "pk"
    )
    assert event.after["labels"]["sex"] == {"1": "female", "2": "male"}
    assert event.before["labels"]["sex"] == {"1": "male", "2": "female"}
    # without labels the stored tables stay
    assert _post(client, url, {"mapping": mapping}).status_code == 200
    version.refresh_from_db()
    assert version.labels["sex"] == {"1": "female", "2": "male"}
    stored = dict(version.labels)
    for labels, words in (
        ({"sex": {"1": "man"}}, "sex: meaning 'man' is not one of male, female"),
        ({"school_level": {"1": "SD"}}, "school_level: the role has no column in mapping"),
        ({"colour": {"1": "red"}}, "labels.colour"),
        ({"urban": ["1", "2"]}, "labels.urban"),
        ({"urban": {"": "urban"}}, "labels.urban"),
    ):
        response = _post(client, url, {"mapping": mapping, "labels": labels})
        assert response.status_code == 400, labels
        assert words in response.json()["detail"], response.json()["detail"]
        version.refresh_from_db()
        assert version.labels == stored
    # insurance schemes have their canonical meanings too
    mapping["insurance_scheme"] = "jkn"
    schemes = {"insurance_scheme": {"1": "JKN PBI", "5": "none"}}
    assert _post(client, url, {"mapping": mapping, "labels": schemes}).status_code == 200
    swasta = {"insurance_scheme": {"1": "swasta"}}
    response = _post(client, url, {"mapping": mapping, "labels": swasta})
    assert response.status_code == 400
    assert "insurance_scheme: meaning 'swasta' is not one of JKN PBI" in response.json()["detail"]


def test_dialect_endpoint_reads_the_file_again(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    _, version = _api_upload(client, world, "API dialect", django_capture_on_commit_callbacks)
    assert version is not None
    url = f"/api/datasets/{version.dataset_id}/versions/1/dialect"
    wrong = {"separator": ";", "decimal": ".", "thousands": "", "encoding": "windows-1252"}
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, url, wrong)
    assert response.status_code == 200, response.content
    assert response.json()["csv_dialect"]["decimal"] == "."
    version.refresh_from_db()
    assert {c["name"]: c["dtype"] for c in version.columns}["pengeluaran_kapita"] == "String"
    events = AuditEvent.objects.filter(object_type="dataset version", object_id=version.pk)
    assert events.filter(after__csv_dialect__decimal=".").exists()
    for body, words in (
        (wrong | {"separator": ",", "decimal": ","}, "separator other than ','"),
        (wrong | {"encoding": "latin-9"}, "encoding"),
        (wrong | {"colour": "red"}, "colour"),
    ):
        response = _post(client, url, body)
        assert response.status_code == 400 and words in response.json()["detail"], body
    # the world's version is Parquet and accepted: the state forbids it (409)
    parquet = f"/api/datasets/{world['dataset'].pk}/versions/1/dialect"
    response = _post(client, parquet, wrong)
    assert response.status_code == 409 and "CSV" in response.json()["detail"]


@pytest.mark.parametrize(
    ("persona", "status"), [("viewer", 403), ("reader", 403), ("outsider", 404)]
)
def test_code_tables_and_dialect_writes_need_edit_rights(
    world: dict[str, Any], as_persona: Any, persona: str, status: int
) -> None:
    dataset = world["dataset"].pk
    before = DatasetVersion.objects.get(pk=world["version"].pk)
    labels = {"urban": {"1": "urban", "2": "rural"}}
    body = {"mapping": dict(before.mapping), "labels": labels}
    client = as_persona(persona)
    assert _post(client, f"/api/datasets/{dataset}/versions/1/mapping", body).status_code == status
    dialect = {"separator": ";"}
    assert _post(client, f"/api/datasets/{dataset}/versions/1/dialect", dialect).status_code == (
        status
    )
    read = client.get(f"/api/datasets/{dataset}/versions/1").status_code
    assert read == (404 if persona == "outsider" else 200)
    after = DatasetVersion.objects.get(pk=world["version"].pk)
    assert (after.labels, after.csv_dialect) == (before.labels, before.csv_dialect)
