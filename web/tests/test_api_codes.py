"""Code tables and CSV dialect through the REST API, as the upload and mapping pages have them.

A script uploads the Bappeda's semicolon CSV (naming its dialect or letting it be detected),
reads the detected dialect and the proposed code tables from the version, sends roles with
code tables (checked by the schema: 400 naming the role and the allowed meanings), reads the
file again in another dialect; every change is audited as on the pages, through the same
actions.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from audit.models import AuditEvent
from datasets.models import Dataset, DatasetVersion
from django.core.files.uploadedfile import SimpleUploadedFile
from test_files_codes import _bps_coded


def _api_upload(
    client: Any, world: dict[str, Any], name: str, capture: Any, **dialect: str
) -> tuple[Any, DatasetVersion | None]:
    with capture(execute=True):
        response = client.post(
            "/api/datasets",
            {"file": SimpleUploadedFile(f"{name}.csv", _bps_coded(world, 400)), "agency": "alpha"}
            | {"name": name}
            | dialect,
        )
    dataset = Dataset.objects.filter(name=name).first()
    return response, dataset.versions.get() if dataset else None


def _post(client: Any, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_version_shows_detected_dialect_and_code_tables(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    response, version = _api_upload(
        client, world, "API Bappeda", django_capture_on_commit_callbacks
    )
    assert response.status_code == 201 and version is not None
    body = response.json()
    assert body["csv_dialect"]["separator"] == ";" and body["csv_dialect"]["decimal"] == ","
    assert body["csv_dialect"]["encoding"] == "windows-1252"
    assert body["labels"]["urban"] == {"1": "urban", "2": "rural"}
    detail = client.get(f"/api/datasets/{version.dataset_id}/versions/1")
    assert detail.status_code == 200
    assert detail.json()["labels"] == version.labels
    assert detail.json()["csv_dialect"] == body["csv_dialect"] == version.csv_dialect
    listed = client.get(f"/api/datasets/{version.dataset_id}").json()["versions"][0]
    assert listed["number"] == 1 and "labels" not in listed  # lists stay small
    # a Parquet version has no dialect
    world_version = client.get(f"/api/datasets/{world['dataset'].pk}/versions/1").json()
    assert world_version["csv_dialect"] is None and "labels" in world_version


def test_upload_names_its_dialect_and_bad_ones_are_400(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    capture = django_capture_on_commit_callbacks
    # read with a decimal point on purpose: the amounts stay text
    response, version = _api_upload(client, world, "Named dialect", capture, decimal=".")
    assert response.status_code == 201 and version is not None
    assert version.csv_dialect["decimal"] == "." and version.csv_dialect["separator"] == ";"
    columns = {c["name"]: c["dtype"] for c in version.columns}
    assert columns["pengeluaran_kapita"] == "String"
    count = Dataset.objects.count()
    response, _ = _api_upload(client, world, "Bad dialect", capture, separator=",", decimal=",")
    assert response.status_code == 400
    assert "decimal commas needs a separator other than ','" in response.json()["detail"]
    response, _ = _api_upload(client, world, "Bad separator", capture, separator="x")
    assert response.status_code == 400 and "separator" in response.json()["detail"]
    assert Dataset.objects.count() == count


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
