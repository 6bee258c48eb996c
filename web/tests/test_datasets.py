"""Upload, mapping, validation, versions: the dataset life cycle and its failure modes."""

from __future__ import annotations

from typing import Any

import polars as pl
from datasets.models import Dataset, DatasetVersion, Upload
from django.core.files.uploadedfile import SimpleUploadedFile


def _files(settings: Any) -> set[str]:
    return {p.name for p in settings.STORAGE_DIR.rglob("*.parquet")}


def test_csv_upload_map_validate_accept(
    world: dict[str, Any], as_persona: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    frame = pl.read_parquet(world["version"].path).head(10_000)
    upload = SimpleUploadedFile("susenas.csv", frame.write_csv().encode())
    with django_capture_on_commit_callbacks(execute=True):  # the file is named on commit
        response = client.post(
            "/datasets/upload/",
            {"file": upload, "name": "CSV survey", "agency": world["agencies"]["alpha"].pk},
        )
    # the request only receives the file; the worker's task (run on commit here) makes the
    # version, and the upload's page then leads to it
    assert response.status_code == 302 and response.url.startswith("/datasets/uploads/")
    dataset = Dataset.objects.get(name="CSV survey")
    assert client.get(response.url).url == f"/datasets/{dataset.pk}/v1/"
    version = dataset.versions.get()
    assert version.n_rows == 10_000 and version.file_format == "csv"
    assert version.path.suffix == ".parquet" and version.path.exists()
    assert version.mapping["weight"] == "weight"
    assert version.mapping["welfare"] == "expenditure_pc"
    assert version.mapping["province_code"] == "province_code"
    response = client.post(f"/datasets/{dataset.pk}/v1/", version.mapping)
    version.refresh_from_db()
    assert version.status == "valid", version.validation
    assert any("design accepted" in c["message"] for c in version.validation)
    client.post(f"/datasets/{dataset.pk}/v1/accept")
    version.refresh_from_db()
    assert version.status == "accepted"
    # A second upload is a new version; the first is untouched.
    upload = SimpleUploadedFile("susenas2.csv", frame.head(9_000).write_csv().encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/datasets/{dataset.pk}/upload/", {"file": upload})
    assert client.get(response.url).url == f"/datasets/{dataset.pk}/v2/"
    assert list(dataset.versions.order_by("number").values_list("number", "n_rows")) == [
        (1, 10_000),
        (2, 9_000),
    ]


def test_bad_file_leaves_nothing(
    world: dict[str, Any], as_persona: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """A file of the wrong type is refused by the request; a file the engine cannot read is
    refused by the worker: the upload's page says why, and only the failed upload's row is
    left (no dataset, no version, no stored or received file)."""
    client = as_persona("analyst")
    before = (Dataset.objects.count(), DatasetVersion.objects.count(), _files(settings))
    alpha = world["agencies"]["alpha"].pk
    response = client.post(
        "/datasets/upload/",
        {"file": SimpleUploadedFile("notes.txt", b"hello"), "name": "bad", "agency": alpha},
    )
    assert response.status_code == 400
    assert "The file was not accepted." in response.content.decode()
    for name, content, message in (
        ("broken.parquet", b"not parquet at all", "broken.parquet"),
        ("empty.csv", b"a,b\n", "the data has no rows"),
    ):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/datasets/upload/",
                {"file": SimpleUploadedFile(name, content), "name": "bad", "agency": alpha},
            )
        assert response.status_code == 302
        page = client.get(response.url)
        assert page.status_code == 200
        text = page.content.decode()
        assert "The file was not accepted." in text and message in text, text[-1500:]
        assert Upload.objects.get(pk=response.url.split("/")[-2]).status == "failed"
    assert (Dataset.objects.count(), DatasetVersion.objects.count(), _files(settings)) == before
    assert not list(settings.FILE_UPLOAD_TEMP_DIR.glob("upload-*"))
    assert not list((settings.STORAGE_DIR / "uploads").iterdir())


def test_validation_names_column_and_count(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    frame = pl.read_parquet(world["version"].path).head(10_000)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) < 37).then(-1.0).otherwise(pl.col("weight")).alias("weight"),
        pl.when(pl.int_range(pl.len()) < 5)
        .then(pl.lit("99"))
        .otherwise(pl.col("province_code"))
        .alias("province_code"),
    )
    client = as_persona("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/datasets/upload/",
            {
                "file": SimpleUploadedFile("bad-weights.parquet", _parquet(frame)),
                "name": "bad w",
                "agency": world["agencies"]["alpha"].pk,
            },
        )
    version = Dataset.objects.get(name="bad w").versions.get()
    client.post(f"/datasets/{version.dataset_id}/v1/", version.mapping)
    version.refresh_from_db()
    assert version.status == "invalid"
    errors = [c["message"] for c in version.validation if c["status"] == "error"]
    assert any("'weight'" in m and "37" in m for m in errors), errors
    assert any("'province_code'" in m and "5 rows" in m and "'99'" in m for m in errors), errors
    response = client.post(f"/datasets/{version.dataset_id}/v1/accept")
    version.refresh_from_db()
    assert response.status_code == 302 and version.status == "invalid"


def _parquet(frame: pl.DataFrame) -> bytes:
    import io

    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


def test_upload_size_limit(world: dict[str, Any], as_persona: Any, settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 1000
    response = as_persona("analyst").post(
        "/datasets/upload/",
        {
            "file": SimpleUploadedFile("big.csv", b"x,y\n" + b"1,2\n" * 1000),
            "name": "big",
            "agency": world["agencies"]["alpha"].pk,
        },
    )
    assert response.status_code == 413
    assert "larger than the limit" in response.content.decode()
    assert not Dataset.objects.filter(name="big").exists()


def test_analysis_records_its_version(world: dict[str, Any]) -> None:
    analysis = world["analysis"]
    assert analysis.dataset_version == world["version"]
    assert analysis.status == "done"
