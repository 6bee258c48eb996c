"""Issue 16: the bad-file corpus through the web form and the API (clear message, no database
change, no orphan file), the upload limit on every path (413), validation of what breaks
estimates, and ``manage.py cleanup_files``."""

from __future__ import annotations

import importlib.util
import io
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from audit.models import AuditEvent
from datasets.models import Dataset, DatasetVersion, Upload
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command


def _corpus() -> Any:
    """The library tests' bad-file corpus (tests/badfiles.py; ``tests`` here is web/tests)."""
    path = Path(__file__).resolve().parents[2] / "tests" / "badfiles.py"
    spec = importlib.util.spec_from_file_location("setara_badfiles", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


CORPUS = _corpus()
READ_CASES, ESTIMATE_CASES = CORPUS.READ_CASES, CORPUS.ESTIMATE_CASES
HEADER_ONLY = ESTIMATE_CASES[0]


def _state(settings: Any) -> tuple[int, int, int, set[Path], set[Path]]:
    storage = set(Path(settings.STORAGE_DIR).rglob("*"))
    temp = set(Path(settings.FILE_UPLOAD_TEMP_DIR).iterdir())
    return (
        Dataset.objects.count(),
        DatasetVersion.objects.count(),
        AuditEvent.objects.count(),
        storage,
        temp,
    )


def _token(world: dict[str, Any]) -> str:
    from agencies.actions import create_token
    from django.contrib.auth.models import User

    return create_token(User.objects.get(username="analyst"), name="test")


@pytest.mark.parametrize("case", [*READ_CASES, HEADER_ONLY], ids=lambda c: c.name)
def test_bad_file_through_web_and_api(
    case: Any,
    world: dict[str, Any],
    as_persona: Any,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """The request only receives the file; the worker's task (the real one, run on commit
    here) refuses it. The upload's page and status URL give the clear message, and the
    failed upload's row is all that is left: no dataset, version, audit event or file."""
    client = as_persona("analyst")
    token = _token(world)
    before = _state(settings)
    failed = Upload.objects.filter(status="failed")
    failed_before = failed.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/datasets/upload/",
            {
                "file": SimpleUploadedFile(case.name, case.content),
                "name": "bad",
                "agency": world["agencies"]["alpha"].pk,
            },
        )
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "The file was not accepted." in page
    assert case.message.replace("'", "&#x27;") in page
    assert "Traceback" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/datasets",
            {"file": SimpleUploadedFile(case.name, case.content), "agency": "alpha"},
            headers={"Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 202, response.content
    assert response["Location"] == response.json()["status_url"]
    status = client.get(response["Location"], headers={"Authorization": f"Bearer {token}"})
    assert status.json()["status"] == "failed"
    assert case.message in status.json()["error"]
    assert _state(settings) == before  # no row, no audit event, no stored or received file
    assert failed.count() == failed_before + 2


def test_settings_default_to_the_library_limits(settings: Any) -> None:
    from datasets.storage import read_limits

    from setara.limits import ReadLimits

    assert read_limits() == ReadLimits()


def test_limit_message_names_the_setting(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    wide = READ_CASES[0]
    client = as_persona("analyst")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/datasets/upload/",
            {
                "file": SimpleUploadedFile(wide.name, wide.content),
                "agency": world["agencies"]["alpha"].pk,
            },
        )
    page = client.get(response.url).content.decode()
    assert "an administrator can raise SETARA_MAX_COLUMNS" in page


@pytest.mark.parametrize("extra", [10, 200_000], ids=["streamed", "declared"])
def test_upload_limit_on_every_path(
    extra: int, world: dict[str, Any], as_persona: Any, settings: Any
) -> None:
    """A file just over the limit is stopped while it streams; a body far over it is refused
    from its Content-Length before it is read. Both are 413 on the form, API and boundaries."""
    settings.MAX_UPLOAD_BYTES = 100_000
    content = b"x,y\n" + b"1,2\n" * ((settings.MAX_UPLOAD_BYTES + extra) // 4)
    before = _state(settings)
    client = as_persona("analyst")
    token = _token(world)
    alpha = world["agencies"]["alpha"].pk
    for url, data, headers in (
        ("/datasets/upload/", {"name": "big", "agency": alpha}, {}),
        ("/api/datasets", {"agency": "alpha"}, {"Authorization": f"Bearer {token}"}),
        ("/boundaries/", {"name": "big", "agency": alpha}, {}),
    ):
        response = client.post(
            url, {**data, "file": SimpleUploadedFile("big.csv", content)}, headers=headers
        )
        assert response.status_code == 413, (url, response.status_code)
        assert "larger than the limit" in response.content.decode()
    after = _state(settings)
    assert after[:2] == before[:2] and after[3:] == before[3:]


def _survey(rows: int = 400) -> pl.DataFrame:
    rng = np.random.default_rng(5)
    return pl.DataFrame(
        {
            "weight": rng.uniform(50, 150, rows),
            "expenditure_pc": rng.lognormal(13, 0.5, rows),
            "strata": np.repeat(np.arange(rows // 20), 20),
            "psu": np.repeat(np.arange(rows // 10), 10),
        }
    )


def _upload_and_map(
    client: Any, world: dict[str, Any], frame: pl.DataFrame, capture: Any, **extra: str
) -> DatasetVersion:
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    name = f"survey-{time.monotonic_ns()}"
    with capture(execute=True):
        client.post(
            "/datasets/upload/",
            {
                "file": SimpleUploadedFile("s.parquet", buffer.getvalue()),
                "name": name,
                "agency": world["agencies"]["alpha"].pk,
            },
        )
    version = Dataset.objects.get(name=name).versions.get()
    mapping = {"weight": "weight", "welfare": "expenditure_pc", "strata": "strata", "psu": "psu"}
    client.post(f"/datasets/{version.dataset_id}/v1/", {**mapping, **extra})
    version.refresh_from_db()
    return version


def _errors(version: DatasetVersion) -> list[str]:
    return [c["message"] for c in version.validation if c["status"] == "error"]


def test_validation_catches_what_breaks_estimates(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    good = _upload_and_map(client, world, _survey(), django_capture_on_commit_callbacks)
    assert good.status == "valid", good.validation
    infinite = _survey().with_columns(
        pl.when(pl.int_range(pl.len()) < 3)
        .then(float("inf"))
        .otherwise(pl.col("expenditure_pc"))
        .alias("expenditure_pc")
    )
    version = _upload_and_map(client, world, infinite, django_capture_on_commit_callbacks)
    assert version.status == "invalid"
    assert any("'expenditure_pc' has 3 infinite values" in m for m in _errors(version))
    zero = _survey().with_columns(pl.lit(0.0).alias("weight"))
    version = _upload_and_map(client, world, zero, django_capture_on_commit_callbacks)
    assert any("adds up to 0: 400 in 400 rows have weight zero" in m for m in _errors(version))


def test_lonely_psus_are_an_error_until_an_option_is_chosen(
    world: dict[str, Any], as_persona: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = as_persona("analyst")
    lonely = _survey().with_columns(pl.col("strata").alias("psu"))  # one PSU per stratum
    version = _upload_and_map(client, world, lonely, django_capture_on_commit_callbacks)
    assert version.status == "invalid"
    errors = _errors(version)
    assert any("20 strata have a single PSU" in m and "adjust or average" in m for m in errors)
    page = client.get(f"/datasets/{version.dataset_id}/v1/").content.decode()
    assert 'name="lonely_psu"' in page and 'value="adjust"' in page
    mapping = {"weight": "weight", "welfare": "expenditure_pc", "strata": "strata", "psu": "psu"}
    client.post(f"/datasets/{version.dataset_id}/v1/", {**mapping, "lonely_psu": "adjust"})
    version.refresh_from_db()
    assert version.status == "valid" and version.lonely_psu == "adjust", version.validation


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_cleanup_files_removes_orphans_and_completes_commits(
    world: dict[str, Any], settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    storage = Path(settings.STORAGE_DIR)
    version = world["version"]
    committed = version.path.with_name(version.path.name + ".partial")
    version.path.rename(committed)  # the process died between the commit and the rename
    orphans = [
        Path(settings.FILE_UPLOAD_TEMP_DIR) / "tmpab12.upload.csv",  # killed mid-upload
        Path(settings.FILE_UPLOAD_TEMP_DIR) / "upload-0f.csv",  # killed while reading
        storage / "alpha" / "dead.parquet.partial",  # killed before the commit
        storage / "alpha" / "gone.parquet",  # a file no row refers to
    ]
    young = storage / "alpha" / "writing.parquet.partial"  # an upload still in flight
    for path in [*orphans, young]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 1000)
    for path in orphans:
        _age(path, 7200)
    try:
        call_command("cleanup_files")
        out = capsys.readouterr().out
        assert "removed 4 orphaned files" in out and "completed 1 committed files" in out
        assert not any(p.exists() for p in orphans)
        assert young.exists() and version.path.exists() and not committed.exists()
        assert pl.read_parquet(version.path).height == version.n_rows
    finally:
        young.unlink(missing_ok=True)
        if committed.exists():
            committed.rename(version.path)


def test_worker_housekeeping_removes_orphans(
    world: dict[str, Any],
    settings: Any,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``db_worker`` runs the clean-up itself (at start and periodically): no timer needed."""
    from analyses.management.commands import db_worker
    from analyses.management.commands.db_worker import clean_now

    # the worker closes its thread's connection after each round; the test's must stay open
    monkeypatch.setattr(db_worker, "connection", type("Kept", (), {"close": lambda self: None})())

    orphan = Path(settings.STORAGE_DIR) / "alpha" / "left-by-a-crash.parquet.partial"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"x" * 100)
    _age(orphan, 7200)
    with caplog.at_level("WARNING"):
        clean_now()
    assert not orphan.exists()
    assert "removed 1 orphaned files" in caplog.text
    assert world["version"].path.exists()
