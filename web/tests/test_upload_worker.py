"""Issue 16: an upload is received by the request and processed by the worker.

The request streams the file to disk and queues an :class:`~datasets.models.Upload` job; the
worker's task reads it (limits), describes it, writes its Parquet copy and creates the version
in the transaction that ends the job. Pages and the API follow the job.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from analyses import jobs
from datasets import actions, storage
from datasets.models import Dataset, DatasetVersion, Upload
from datasets.tasks import process_upload
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone


def _csv(rows: int = 50) -> bytes:
    frame = pl.DataFrame({"welfare": [1000.0 + i for i in range(rows)], "weight": [1.0] * rows})
    return frame.write_csv().encode()


def _post(client: Any, world: dict[str, Any], name: str, content: bytes) -> Any:
    return client.post(
        "/datasets/upload/",
        {
            "file": SimpleUploadedFile(name, content),
            "name": name,
            "agency": world["agencies"]["alpha"].pk,
        },
    )


def test_the_request_only_receives_the_file(
    world: dict[str, Any], as_persona: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No reading, profiling or Parquet writing in the request: the engine's reader is made to
    fail, yet the request answers at once with the upload's page; the task then reads it."""

    def no_reading(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the request read the file")

    client = as_persona("analyst")
    versions = DatasetVersion.objects.count()
    with monkeypatch.context() as patched:
        patched.setattr(storage, "read_upload", no_reading)
        patched.setattr(storage, "describe", no_reading)
        patched.setattr(storage, "write_partial", no_reading)
        response = _post(client, world, "received.csv", _csv())
    assert response.status_code == 302
    job = Upload.objects.get(original_name="received.csv")
    assert response.url == f"/datasets/uploads/{job.pk}/"
    assert job.status == "queued" and job.path.read_bytes() == _csv()
    assert DatasetVersion.objects.count() == versions
    page = client.get(response.url).content.decode()
    assert 'role="status" aria-live="polite"' in page  # the progress is announced
    assert f'data-status-url="/datasets/uploads/{job.pk}/status.json"' in page
    assert client.get(f"/datasets/uploads/{job.pk}/status.json").json()["status"] == "queued"
    link = f'<a href="/datasets/uploads/{job.pk}/">received.csv</a>'
    assert link in client.get("/datasets/").content.decode()  # the uploader's list shows it

    assert process_upload.call(job.pk) == "done"  # what the worker runs
    job.refresh_from_db()
    assert job.status == "done" and job.version is not None
    assert job.version.n_rows == 50 and job.version.mapping["welfare"] == "welfare"
    assert client.get(response.url).url == f"/datasets/{job.version.dataset_id}/v1/"
    assert link not in client.get("/datasets/").content.decode()
    assert process_upload.call(job.pk) == "skipped"  # a second delivery does nothing


def test_dataset_page_shows_a_new_version_being_processed(
    world: dict[str, Any], as_persona: Any
) -> None:
    dataset = world["dataset"]
    upload = SimpleUploadedFile("next.csv", _csv())
    response = as_persona("analyst").post(f"/datasets/{dataset.pk}/upload/", {"file": upload})
    link = f'<a href="{response.url}">next.csv</a>'
    assert link in as_persona("analyst").get(f"/datasets/{dataset.pk}/").content.decode()
    # a reader of the shared dataset does not see the owner's work in progress
    assert "next.csv" not in as_persona("reader").get(f"/datasets/{dataset.pk}/").content.decode()


def test_upload_pages_and_api_for_members_only(world: dict[str, Any], as_persona: Any) -> None:
    from agencies.actions import create_token
    from django.contrib.auth.models import User

    response = _post(as_persona("analyst"), world, "private.csv", _csv())
    page, status = response.url, response.url + "status.json"
    api = response.url.replace("/datasets/uploads/", "/api/uploads/").rstrip("/")
    for persona in ("outsider", "reader"):  # another agency, even one the dataset is shared with
        client = as_persona(persona)
        assert client.get(page).status_code == 404
        assert client.get(status).status_code == 404
        assert client.get(api).status_code == 404
    token = create_token(User.objects.get(username="viewer"), name="t")
    found = as_persona(None).get(api, headers={"Authorization": f"Bearer {token}"})
    assert found.status_code == 200 and found.json()["status"] == "queued"


def test_api_upload_answers_202_then_names_the_version(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/datasets",
            {"file": SimpleUploadedFile("api.csv", _csv()), "agency": "alpha", "name": "By API"},
        )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["dataset"] is None  # as answered, before the run
    done = client.get(response["Location"]).json()
    dataset = Dataset.objects.get(name="By API")
    assert done["status"] == "done" and done["error"] == ""
    assert (done["dataset"], done["version"]) == (dataset.pk, 1)
    assert client.get(done["dataset_url"]).json()["versions"][0]["status"] == "uploaded"

    schema = client.get("/api/openapi.json").json()
    upload = schema["paths"]["/api/datasets"]["post"]["responses"]
    assert "202" in upload and "201" not in upload and "413" in upload
    assert upload["202"]["content"]["application/json"]["schema"]["$ref"].endswith("UploadOut")
    assert "/api/uploads/{upload_id}" in schema["paths"]


def test_a_run_that_lost_its_lease_creates_nothing(world: dict[str, Any], settings: Any) -> None:
    """A run whose lease a retry took over rolls its version back and removes its files; the
    received file stays for the run that owns the job now."""
    user = world["version"].uploaded_by
    job = actions.receive(
        user, SimpleUploadedFile("late.csv", _csv()), agency=world["agencies"]["alpha"]
    )
    lease = jobs.claim(Upload, job.pk)
    assert lease is not None
    Upload.objects.filter(pk=job.pk).update(attempts=5)  # a retry claimed the job meanwhile
    storage_dir = Path(settings.STORAGE_DIR)
    stored = set(storage_dir.rglob("*"))
    versions = DatasetVersion.objects.count()
    assert actions.process(Upload.objects.get(pk=job.pk), lease) is None
    assert DatasetVersion.objects.count() == versions
    assert set(storage_dir.rglob("*")) == stored  # no Parquet copy, no kept CSV
    assert job.path.exists()


def test_upload_runs_inline_for_scripts(world: dict[str, Any]) -> None:
    """``actions.upload`` (seed_demo, scripts) runs the worker's task in-process."""
    buffer = io.BytesIO()
    pl.DataFrame({"welfare": [1.0, 2.0], "weight": [1.0, 1.0]}).write_parquet(buffer)
    user = world["version"].uploaded_by
    alpha = world["agencies"]["alpha"]
    version = actions.upload(
        user, SimpleUploadedFile("inline.parquet", buffer.getvalue()), agency=alpha
    )
    assert version.n_rows == 2 and version.upload.status == "done"
    with pytest.raises(storage.UploadError, match="the data has no rows"):
        actions.upload(user, SimpleUploadedFile("empty.csv", b"a,b\n"), agency=alpha)


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_cleanup_keeps_waiting_uploads_and_removes_ended_ones(
    world: dict[str, Any], settings: Any
) -> None:
    """A received file waits as long as its job is queued or running; once the job ended (a
    recovered job that failed keeps it) or is gone, and a kept CSV of no version, are removed."""
    user = world["version"].uploaded_by
    alpha = world["agencies"]["alpha"]
    waiting = actions.receive(user, SimpleUploadedFile("wait.csv", _csv()), agency=alpha)
    lost = actions.receive(user, SimpleUploadedFile("lost.csv", _csv()), agency=alpha)
    Upload.objects.filter(pk=lost.pk).update(status="failed", error=jobs.WORKER_LOST)
    kept = Path(settings.STORAGE_DIR) / "alpha" / "0f.source.csv"  # a killed run's CSV copy
    kept.write_bytes(b"a\n1\n")
    for path in (waiting.path, lost.path, kept):
        _age(path, 7200)
    call_command("cleanup_files")
    assert waiting.path.exists()
    assert not lost.path.exists() and not kept.exists()


def test_upload_page_in_indonesian(world: dict[str, Any], as_persona: Any) -> None:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model
    from test_one_language import ENGLISH, visible_words

    set_language(get_user_model().objects.get(username="admin"), "id")
    client = as_persona("admin")
    response = _post(client, world, "survei.csv", _csv())
    job = Upload.objects.get(pk=response.url.split("/")[-2])
    Upload.objects.filter(pk=job.pk).update(
        status="running", progress_message=actions.READING, heartbeat_at=timezone.now()
    )
    page = client.get(response.url).content.decode()
    assert "Berkas sudah diterima" in page and "membaca berkas" in page
    assert visible_words(page) & ENGLISH == set()
    status = client.get(response.url + "status.json").json()
    assert status["message"] == "membaca berkas"
