"""Faults and races against real processes: ``manage.py db_worker`` killed with SIGKILL in the
middle of a diagnostic, and concurrent requests to gunicorn, on the embedded default (a SQLite
file, the database-backed task queue).

* A worker killed mid-job leaves the job "running"; the next worker retries it once when its
  lease expires; killed again, the job fails by itself with the reason; a rerun then succeeds.
* Five simultaneous acceptances of one invitation: one account, one success, four clear
  refusals (no 500).
* Five simultaneous reruns of one analysis: one queued task, four clear refusals.
* A worker killed while it reads an upload: the upload is retried by the same recovery and
  stored once, and nothing the killed run wrote is left after ``cleanup_files``.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

WEB = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"
PERSONS = 40_000  # a diagnostic of a few seconds: long enough to kill its worker mid-job
LEASE = 5.0  # seconds; the heartbeat is every 0.5 s, so a live run never looks lost

SETUP = """
import io, json
from django.core.files.uploadedfile import SimpleUploadedFile
from agencies import actions
from analyses import actions as analysis_actions
from analyses.compute import BREAKDOWNS
from datasets import actions as dataset_actions
from setara.demo import generate_survey
agency = actions.create_agency(None, slug="alpha", name="Alpha", kind="planning")
user = actions.create_user(None, username="analyst", password=%(password)r, language="en")
actions.add_member(None, agency, user, "admin")
buffer = io.BytesIO()
generate_survey(%(persons)d, seed=7).write_parquet(buffer)
upload = SimpleUploadedFile("survey.parquet", buffer.getvalue())
version = dataset_actions.upload(user, upload, agency=agency, name="Survey")
version = dataset_actions.map_and_validate(user, version, version.mapping)
dataset_actions.accept(user, version)
killed = analysis_actions.create(
    user, version, dimension="economic", breakdowns=list(BREAKDOWNS), title="killed"
)
rerun = analysis_actions.create(user, version, dimension="economic", breakdowns=[], title="rr")
secret = actions.invite(user, agency, username="newcomer", email="", role="viewer")
token = actions.create_token(user, name="faults")
print(json.dumps({"killed": killed.pk, "rerun": rerun.pk, "secret": secret, "token": token}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Platform:
    url: str
    env: dict[str, str]
    database: Path
    ids: dict[str, Any]

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.database, timeout=20) as db:
            return db.execute(sql, params).fetchall()

    def analysis(self, pk: int) -> dict[str, Any]:
        (row,) = self.query(
            "select status, attempts, progress_message, error from analyses_analysis where id=?",
            pk,
        )
        return dict(zip(("status", "attempts", "message", "error"), row, strict=True))

    def worker(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [
                sys.executable,
                str(WEB / "manage.py"),
                "db_worker",
                "--interval",
                "0.2",
                "--no-reload",
                "--no-startup-delay",
                "-v0",
            ],
            env=self.env,
            cwd=WEB,
        )


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Platform]:
    data = tmp_path_factory.mktemp("fault-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_"))}
    env.pop("SETARA_TASK_BACKEND", None)
    env.update(
        SETARA_DATA_DIR=str(data),
        SETARA_HTTPS="0",
        SETARA_MANIFEST_STATIC="0",
        SETARA_LANGUAGE="en",
        DJANGO_SETTINGS_MODULE="setara_web.settings",
        PYTHONPATH=os.pathsep.join([str(WEB), *sys.path]),
        SETARA_JOB_HEARTBEAT_SECONDS="0.5",
        SETARA_JOB_LEASE_SECONDS=str(LEASE),
        SETARA_JOB_RECOVERY_SECONDS="0.5",
    )
    manage = [sys.executable, str(WEB / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=WEB)
    setup = SETUP % {"password": PASSWORD, "persons": PERSONS}
    out = subprocess.run(
        [*manage, "shell", "-c", setup], env=env, check=True, cwd=WEB, capture_output=True
    )
    ids = json.loads(out.stdout.decode().strip().splitlines()[-1])
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [
            gunicorn,
            "setara_web.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
        ],
        env=env,
        cwd=WEB,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield Platform(url, env, data / "setara.sqlite3", ids)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait(what: str, ready: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


class Browser:
    """A cookie-keeping HTTP client that sends Django's CSRF token like a browser form."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.url + path))

    def post(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        headers = {"Referer": self.url + path}
        return self._open(urllib.request.Request(self.url + path, body, headers))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def login(self, username: str) -> None:
        self.get("/login/")
        status, _ = self.post("/login/", {"username": username, "password": PASSWORD})
        assert status == 302


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _at_once(count: int, work: Callable[[], Any]) -> list[Any]:
    """Run ``work`` in ``count`` threads released together."""
    barrier = threading.Barrier(count)
    results: list[Any] = []

    def run() -> None:
        barrier.wait()
        results.append(work())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_killed_worker_job_is_retried_then_failed_then_rerun(platform: Platform) -> None:
    pk = platform.ids["killed"]
    first = platform.worker()
    try:
        _wait("the first run to be mid-job", lambda: platform.analysis(pk)["message"] != "")
        _kill(first)
    finally:
        first.kill()
    time.sleep(LEASE / 2)
    assert platform.analysis(pk)["status"] == "running"  # what a killed worker leaves behind
    assert platform.analysis(pk)["attempts"] == 1

    second = platform.worker()  # recovers the job once its lease expires, and runs it again
    try:
        _wait(
            "the retry to be mid-job",
            lambda: (
                platform.analysis(pk)["attempts"] == 2
                and platform.analysis(pk)["status"] == "running"
                and platform.analysis(pk)["message"] not in ("", "the worker stopped; trying again")
            ),
        )
        _kill(second)
    finally:
        second.kill()
    third = platform.worker()
    try:
        _wait("the job to fail by itself", lambda: platform.analysis(pk)["status"] == "failed")
        job = platform.analysis(pk)
        assert job["attempts"] == 2
        assert job["error"].startswith("The worker running this job stopped")
        recovered = platform.query(
            "select after from audit_auditevent where actor_name='setara worker' "
            "and object_id=? order by id",
            str(pk),
        )
        assert [json.loads(r[0])["status"] for r in recovered] == ["queued", "failed"]

        user = Browser(platform.url)
        user.login("analyst")
        status, page = user.get(f"/analyses/{pk}/")
        assert status == 200
        assert "The worker running this job stopped" in page
        assert user.post(f"/analyses/{pk}/", {"rerun": "1"})[0] == 302
        _wait("the rerun to finish", lambda: platform.analysis(pk)["status"] == "done")
        assert platform.analysis(pk)["attempts"] == 1  # a rerun starts counting afresh
    finally:
        third.terminate()
        third.wait(timeout=30)


def test_five_concurrent_acceptances_of_one_invitation(platform: Platform) -> None:
    path = f"/invitation/{platform.ids['secret']}/"
    browsers = [Browser(platform.url) for _ in range(5)]
    for browser in browsers:
        assert browser.get(path)[0] == 200
    form = {"password1": "Sukses-Terus-2026", "password2": "Sukses-Terus-2026", "language": "en"}
    queue = list(browsers)
    lock = threading.Lock()

    def accept() -> tuple[int, str]:
        with lock:
            browser = queue.pop()
        return browser.post(path, form)

    results = _at_once(5, accept)
    statuses = sorted(status for status, _ in results)
    # One winner; the others are refused inside the race (409) or after it (410), never 500.
    assert statuses[0] == 302 and all(s in (409, 410) for s in statuses[1:]), statuses
    for status, page in results:
        if status != 302:
            assert "This invitation was already used or has expired." in page
    assert platform.query("select count(*) from auth_user where username='newcomer'") == [(1,)]
    (accepted,) = platform.query(
        "select accepted_at from agencies_invitation where username='newcomer'"
    )
    assert accepted[0] is not None


def test_five_concurrent_reruns_queue_one_run(platform: Platform) -> None:
    pk = platform.ids["rerun"]
    platform.query("update analyses_analysis set status='failed', error='x' where id=?", pk)

    def tasks() -> int:
        rows = platform.query(
            "select args_kwargs from django_tasks_database_dbtaskresult "
            "where task_path='analyses.tasks.run_analysis'"
        )
        return sum(json.loads(r[0])["args"] == [pk] for r in rows)

    before = tasks()
    user = Browser(platform.url)
    user.login("analyst")
    results = _at_once(5, lambda: user.post(f"/analyses/{pk}/", {"rerun": "1"}))
    assert sorted(status for status, _ in results) == [302] * 5
    assert tasks() == before + 1
    assert platform.analysis(pk)["status"] == "queued"
    reruns = platform.query(
        "select count(*) from audit_auditevent where action='update' and object_id=? "
        "and object_type='analysis' and actor_name='analyst'",
        str(pk),
    )
    assert reruns == [(1,)]


# An upload the worker needs seconds to read (about 12 MB of CSV, 2,000 columns): long enough
# to kill its worker mid-read.
UPLOAD_COLUMNS, UPLOAD_ROWS = 2_000, 2_000


def _wide_csv() -> bytes:
    import numpy as np
    import polars as pl

    values = np.random.default_rng(3).integers(0, 100, (UPLOAD_ROWS, UPLOAD_COLUMNS))
    return (
        pl.DataFrame(values, schema=[f"c{i}" for i in range(UPLOAD_COLUMNS)]).write_csv().encode()
    )


def _post_upload(platform: Platform, name: str, content: bytes) -> dict[str, Any]:
    boundary = "setarafaults7"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="agency"\r\n\r\nalpha\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{platform.url}/api/datasets",
        body,
        {
            "Authorization": f"Bearer {platform.ids['token']}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        assert response.status == 202
        return dict(json.loads(response.read()))


def test_killed_worker_upload_is_retried_and_stored_once(platform: Platform) -> None:
    pk = _post_upload(platform, "wide.csv", _wide_csv())["id"]

    def upload() -> dict[str, Any]:
        (row,) = platform.query(
            "select status, attempts, progress_message, error, version_id, upload_path "
            "from datasets_upload where id=?",
            pk,
        )
        return dict(
            zip(("status", "attempts", "message", "error", "version", "path"), row, strict=True)
        )

    first = platform.worker()
    try:
        _wait("the worker to be reading the upload", lambda: upload()["message"] != "")
        _kill(first)
    finally:
        first.kill()
    killed = upload()
    assert killed["status"] == "running" and killed["attempts"] == 1  # killed mid-read:
    assert killed["version"] is None and killed["message"] == "reading the file"  # no version
    received = Path(platform.env["SETARA_DATA_DIR"]) / "files" / killed["path"]
    assert received.exists()  # kept for the retry

    second = platform.worker()  # recovers the upload once its lease expires, and runs it again
    try:
        _wait("the retried upload to end", lambda: upload()["status"] in ("done", "failed"), 300)
    finally:
        second.terminate()
        second.wait(timeout=30)
    done = upload()
    assert done["status"] == "done" and done["attempts"] == 2, done
    (version,) = platform.query(
        "select dataset_id, parquet_path, source_path, n_columns from datasets_datasetversion "
        "where id=?",
        done["version"],
    )
    assert version[3] == UPLOAD_COLUMNS
    assert platform.query(
        "select count(*) from datasets_datasetversion where dataset_id=?", version[0]
    ) == [(1,)]  # stored once
    recovered = platform.query(
        "select after from audit_auditevent where actor_name='setara worker' "
        "and object_type='upload' and object_id=?",
        str(pk),
    )
    assert [json.loads(r[0])["status"] for r in recovered] == ["queued"]
    assert not received.exists()  # the received file went with the job's end

    manage = [sys.executable, str(WEB / "manage.py")]
    subprocess.run(
        [*manage, "cleanup_files", "--older-than", "0"], env=platform.env, check=True, cwd=WEB
    )
    files = Path(platform.env["SETARA_DATA_DIR"]) / "files" / "alpha"
    mine = {p.name for p in files.iterdir()} - {
        Path(row[0]).name
        for row in platform.query("select parquet_path from datasets_datasetversion")
    }
    assert mine == {Path(version[2]).name}, mine  # only the version's kept CSV remains
