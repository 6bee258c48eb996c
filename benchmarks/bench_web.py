"""Web benchmarks (issue 3): dashboard latency under 20 concurrent clients, and a 1-million-row
Parquet upload accepted and validated, both over HTTP on loopback against gunicorn + db_worker.

Run with ``make bench`` (or ``.venv/bin/python benchmarks/bench_web.py``). It seeds a fresh demo
world (200,000 persons) in a temporary data folder, so it never touches ``var/``.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

WEB = Path(__file__).resolve().parents[1] / "web"
CLIENTS = 20
DURATION = 20.0
PASSWORD = "setara-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Session:
    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=120) as response:
            return response.status, response.read()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def post(
        self, path: str, fields: dict[str, str], files: dict[str, Path] | None = None
    ) -> tuple[int, str]:
        boundary = uuid.uuid4().hex
        parts: list[bytes] = []
        for key, value in {**fields, "csrfmiddlewaretoken": self.csrf()}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for key, file in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                f'filename="{file.name}"\r\nContent-Type: application/octet-stream'
                "\r\n\r\n".encode()
                + file.read_bytes()
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        request = urllib.request.Request(
            self.base + path,
            data=body,
            method="POST",
            headers={
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Referer": self.base + path,
            },
        )
        with self.opener.open(request, timeout=300) as response:
            return response.status, response.geturl()

    def login(self, username: str) -> None:
        self.get("/login/")
        self.post("/login/", {"username": username, "password": PASSWORD})


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="setara-bench-"))
    env = {
        **os.environ,
        "SETARA_DATA_DIR": str(data),
        "SETARA_HTTPS": "0",
        "DJANGO_SETTINGS_MODULE": "setara_web.settings",
        "PYTHONPATH": str(WEB),
    }
    env.pop("DATABASE_URL", None) if "BENCH_DATABASE_URL" not in os.environ else env.update(
        DATABASE_URL=os.environ["BENCH_DATABASE_URL"]
    )
    manage = [sys.executable, str(WEB / "manage.py")]
    for command in (
        ["migrate", "-v0"],
        ["collectstatic", "--noinput", "-v0"],
        ["seed_demo", "--persons", "200000"],
    ):
        subprocess.run([*manage, *command], env=env, check=True, cwd=WEB, capture_output=True)
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    procs = [
        subprocess.Popen(
            [*manage, "db_worker", "--interval", "1", "--no-reload"], env=env, cwd=WEB
        ),
        subprocess.Popen(
            [
                gunicorn,
                "setara_web.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "4",
                "--threads",
                "2",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=WEB,
        ),
    ]
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        dashboard(base)
        upload(base, data)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def dashboard(base: str) -> None:
    probe = Session(base)
    probe.login("analis.bappenas")
    _, page = probe.get("/analyses/")
    # The economic diagnostic is the heaviest page: 514 ranked regencies, deciles, Lorenz.
    first = re.search(rb'href="/analyses/(\d+)/">Diagnostic economic', page)
    if first is None:
        raise SystemExit("no analysis found in the demo world")
    path = f"/analyses/{int(first.group(1))}/"
    sessions = []
    for _ in range(CLIENTS):
        session = Session(base)
        session.login("analis.bappenas")
        session.get(path)  # warm: each worker draws the charts once, then reuses them
        sessions.append(session)
    if shutil.which("wrk"):
        with_wrk(base, path, sessions[0])
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + DURATION

    def client(session: Session) -> None:
        nonlocal errors
        # One keep-alive connection per client, as a browser would hold.
        host = urllib.parse.urlparse(base)
        conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.jar)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and b'id="headline"' in body
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(host.hostname, host.port, timeout=120)
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += not ok

    threads = [threading.Thread(target=client, args=(s,)) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p = lambda q: 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]  # noqa: E731
    print(
        f"dashboard {path} (economic diagnostic, 200,000 persons, 514 regencies), "
        f"{CLIENTS} concurrent clients for {DURATION:.0f} s:"
    )
    print(
        f"  requests {len(latencies):,}, errors {errors}, "
        f"throughput {len(latencies) / DURATION:.1f}/s"
    )
    print(
        f"  p50 {p(0.50):.0f} ms, p95 {p(0.95):.0f} ms, p99 {p(0.99):.0f} ms, "
        f"mean {1000 * statistics.fmean(latencies):.0f} ms  (target p95 < 300 ms)"
    )


WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %.3f %.3f %.3f %.3f\\n", summary.requests,
    e.connect + e.read + e.write + e.status + e.timeout, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, latency.mean / 1000))
end
"""


def with_wrk(base: str, path: str, session: Session) -> None:
    """The same load from wrk (C, epoll), so the client's own CPU use stays small."""
    cookie = "; ".join(f"{c.name}={c.value}" for c in session.jar)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_REPORT)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CLIENTS}",
            f"-d{int(DURATION)}s",
            "-s",
            script.name,
            "-H",
            f"Cookie: {cookie}",
            base + path,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    Path(script.name).unlink()
    fields = next(line for line in out.splitlines() if line.startswith("WRK ")).split()[1:]
    requests, errors = int(fields[0]), int(fields[1])
    p50, p95, p99, mean = (float(v) for v in fields[2:])
    print(f"dashboard {path} with wrk, {CLIENTS} connections for {DURATION:.0f} s:")
    print(f"  requests {requests:,}, errors {errors}, throughput {requests / DURATION:.1f}/s")
    print(
        f"  p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, mean {mean:.0f} ms"
        "  (target p95 < 300 ms)"
    )


def upload(base: str, data: Path) -> None:
    from setara.demo import generate_survey

    file = data / "survey-1m.parquet"
    generate_survey(1_000_000, seed=5).write_parquet(file)
    session = Session(base)
    session.login("analis.bappenas")
    session.get("/datasets/upload/")
    started = time.perf_counter()
    _, url = session.post("/datasets/upload/", {"name": "1M upload", "agency": "1"}, {"file": file})
    received = time.perf_counter()
    # the request only receives the file: the worker reads and stores it, the page follows it
    upload_page = urllib.parse.urlparse(url).path
    while json.loads(session.get(upload_page + "status.json")[1])["status"] in (
        "queued",
        "running",
    ):
        time.sleep(0.2)
    stored = time.perf_counter()
    with session.opener.open(session.base + upload_page, timeout=120) as response:
        path = urllib.parse.urlparse(response.geturl()).path  # the new version's page
        page = response.read()
    mapping = dict(
        re.findall(
            rb'<select name="(\w+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]+)" selected',
            page,
            re.S,
        )
    )
    fields = {k.decode(): v.decode() for k, v in mapping.items()}
    session.post(path, fields)
    validated = time.perf_counter()
    session.post(path + "accept", {})
    accepted = time.perf_counter()
    _, page = session.get(path)
    status = re.search(rb'id="version-status">([^<]+)<', page)
    print(
        f"upload of a 1,000,000-row Parquet file ({file.stat().st_size / 1e6:.1f} MB), "
        f"{len(fields)} roles suggested and used:"
    )
    print(
        f"  received {received - started:.2f} s, stored as a version by the worker "
        f"{stored - started:.2f} s, mapped + validated "
        f"{validated - stored:.2f} s, accepted {accepted - validated:.2f} s; total "
        f"{accepted - started:.2f} s (target < 30 s); final status: "
        f"{status.group(1).decode() if status else '?'}"
    )


if __name__ == "__main__":
    main()
