"""Issue 16 against a real server (gunicorn and ``db_worker``, SQLite file in WAL mode): a
100,000-column upload leaves other users' requests answering while the worker processes it, and
a server killed mid-upload leaves nothing that ``manage.py cleanup_files`` does not remove."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

WEB = Path(__file__).resolve().parents[1]
SRC = WEB.parent / "src"
WIDE_COLUMNS = 100_000
# A page or login must answer within this while the wide upload runs (before the fix: 500
# "database is locked" after the 20 s busy timeout, for 11 minutes).
ANSWER_SECONDS = 5.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    # its own SQLite file: never the database of the suite's PostgreSQL pass (DATABASE_URL)
    skip = ("SETARA_", "DJANGO_", "DATABASE_URL")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(
        SETARA_DATA_DIR=str(data_dir),
        SETARA_HTTPS="0",
        SETARA_MANIFEST_STATIC="0",
        SETARA_LANGUAGE="en",
        DJANGO_SETTINGS_MODULE="setara_web.settings",
        PYTHONPATH=f"{SRC}:{WEB}",
        **extra,
    )
    return env


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=WEB,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return done.stdout


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    data_dir = tmp_path_factory.mktemp("server")
    env = _env(data_dir)
    _manage(env, "migrate", "--noinput")
    script = (
        "from agencies import actions as a\n"
        "g = a.create_agency(None, slug='alpha', name='Alpha', kind='planning')\n"
        "for n in ('wide', 'other'):\n"
        "    u = a.create_user(None, username=n, password='correct horse battery', language='en')\n"
        "    a.add_member(None, g, u, 'analyst')\n"
        "    print('TOKEN', n, a.create_token(u, name='t'))\n"
    )
    lines = _manage(env, "shell", "-c", script).splitlines()
    tokens = dict(line.split()[1:] for line in lines if line.startswith("TOKEN "))
    yield {"env": env, "data_dir": data_dir, "tokens": tokens}


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "setara_web.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--timeout",
            "600",
        ],
        cwd=WEB,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: killed with its workers
    )
    for _ in range(600):  # until the application is loaded and answers a page
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)
    raise RuntimeError("gunicorn did not start")


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "setaraboundary7"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="agency"\r\n\r\nalpha\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def _request(
    port: int, method: str, path: str, token: str, body: bytes = b"", kind: str = ""
) -> Any:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    headers = {"Authorization": f"Bearer {token}"}
    if kind:
        headers["Content-Type"] = kind
    started = time.perf_counter()
    conn.request(method, path, body=body, headers=headers)
    response = conn.getresponse()
    content = response.read()
    conn.close()
    return response.status, time.perf_counter() - started, content


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-reload", "-v0"],
        cwd=WEB,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.parametrize(("columns", "expected"), [(WIDE_COLUMNS, "failed"), (2_000, "done")])
def test_wide_upload_leaves_other_users_answering(
    site: dict[str, Any], columns: int, expected: str
) -> None:
    """The request answers 202 at once; the worker refuses the issue's 100,000-column CSV from
    its header, and stores a 2,000-column one (within the limits). Meanwhile another user's
    API list and the login page answer, quickly, every time."""
    port = _free_port()
    server = _serve(site["env"], port)
    worker = _worker(site["env"])
    token = site["tokens"]["wide"]
    try:
        header = ",".join(f"c{i}" for i in range(columns))
        body, boundary = _multipart("wide.csv", f"{header}\n{','.join('1' * columns)}\n".encode())
        started = time.perf_counter()
        status, answered, content = _request(
            port, "POST", "/api/datasets", token, body, f"multipart/form-data; boundary={boundary}"
        )
        assert status == 202, content
        upload = json.loads(content)
        answers = []
        while upload["status"] in ("queued", "running"):
            assert time.perf_counter() - started < 300, upload
            answers.append(_request(port, "GET", "/api/datasets", site["tokens"]["other"]))
            login = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            login.request("GET", "/login/")
            page = login.getresponse()
            page.read()
            answers.append((page.status, 0.0, b""))
            time.sleep(0.2)
            upload = json.loads(_request(port, "GET", upload["status_url"], token)[2])
        processed = time.perf_counter() - started
        print(
            f"\n{columns:,}-column upload: HTTP 202 in {answered:.2f} s, {upload['status']} "
            f"after {processed:.2f} s; {len(answers)} other requests, "
            f"slowest {max(s for _, s, _ in answers or [(0, 0.0, b'')]):.2f} s"
        )
        assert upload["status"] == expected, upload
        if expected == "failed":
            assert "an administrator can raise SETARA_MAX_COLUMNS" in upload["error"]
        assert answered < ANSWER_SECONDS
        assert all(code == 200 for code, _, _ in answers), answers
        assert max((s for _, s, _ in answers), default=0.0) < ANSWER_SECONDS
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        server.terminate()
        server.wait(timeout=30)


def _dataset_rows(site: dict[str, Any]) -> str:
    return (
        _manage(
            site["env"],
            "shell",
            "-c",
            "from datasets.models import Dataset; print('ROWS', Dataset.objects.count())",
        )
        .strip()
        .splitlines()[-1]
    )


def test_server_killed_mid_upload_leaves_nothing(site: dict[str, Any]) -> None:
    temp = site["data_dir"] / "tmp"
    before = set(temp.iterdir())
    rows_before = _dataset_rows(site)  # the module's earlier tests may have stored datasets
    port = _free_port()
    server = _serve(site["env"], port)
    content = b"welfare,weight\n" + b"1000,1\n" * 1_000_000  # 7 MB, past the in-memory size
    body, boundary = _multipart("survey.csv", content)
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(
        (
            f"POST /api/datasets HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {site['tokens']['wide']}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body[: len(body) // 2]
    )
    for _ in range(100):  # wait until the server streams the file to a temporary file
        if set(temp.iterdir()) - before:
            break
        time.sleep(0.1)
    os.killpg(server.pid, signal.SIGKILL)  # the master and the worker handling the upload
    server.wait(timeout=30)
    sock.close()
    left = set(temp.iterdir()) - before
    assert left, "the killed upload should have left its temporary file"
    out = _manage(site["env"], "cleanup_files", "--older-than", "0")
    assert f"removed {len(left)} orphaned files" in out
    assert set(temp.iterdir()) == before
    assert _dataset_rows(site) == rows_before
    assert not list((site["data_dir"] / "files").rglob("*.partial"))
