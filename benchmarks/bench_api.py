"""API list benchmark (issue 16, finding 12): p95 of ``/api/analyses`` and ``/api/datasets``
under 20 concurrent token clients, with 100 datasets and 100 analyses readable.

Run with ``.venv/bin/python benchmarks/bench_api.py``. It migrates a fresh SQLite database in a
temporary data folder (never ``var/``), uploads one demo survey and runs one economic
diagnostic for real, then copies that dataset version and that stored result into 100
datasets and 100 analyses (each shared with a second agency), so every list row is as large as
a real one. gunicorn is started as ``web/run_demo.sh`` starts it (4 workers x 2 threads;
``--workers``/``--threads`` change it); each client holds one keep-alive connection and sends
``Authorization: Bearer <token>``. Each list is measured at its default page (50 rows) and with
``limit=100`` (every row).

The 20 client threads run in this process on the same cores as the server, and other
processes may share them too: beside the latencies it prints the load average, and the CPU
time per request of the server's processes and of the clients, which do not depend on the
load (``--paths`` measures only some lists; ``--duration`` sets the seconds of each;
``--data DIR`` seeds DIR once and reuses it in later runs).
"""

from __future__ import annotations

import argparse
import http.client
import io
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "web"
CLIENTS = 20
DURATION = 15.0
OBJECTS = 100
PERSONS = 100_000
# The lists' default page (50 rows) and every row in one page.
PATHS = ("/api/analyses", "/api/datasets", "/api/analyses?limit=100", "/api/datasets?limit=100")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed_environment(data: Path) -> None:
    """The environment of this process and of gunicorn: the data folder, plain HTTP, SQLite."""
    os.environ.update(
        SETARA_DATA_DIR=str(data), SETARA_HTTPS="0", DJANGO_SETTINGS_MODULE="setara_web.settings"
    )
    os.environ.pop("DATABASE_URL", None)


def seed(data: Path) -> tuple[str, int]:
    """Fill the database; return a token of a reader and the stored result's size in bytes."""
    seed_environment(data)
    sys.path.insert(0, str(WEB))
    import django

    django.setup()
    import json

    from agencies import actions
    from analyses import actions as analysis_actions
    from analyses.models import Analysis
    from datasets import actions as dataset_actions
    from datasets.models import Dataset, DatasetVersion
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connections

    from setara.demo import generate_survey

    call_command("migrate", verbosity=0)
    owner = actions.create_agency(None, slug="bappenas", name="Bappenas", kind="planning")
    partner = actions.create_agency(None, slug="jabar", name="Jawa Barat", kind="planning")
    analyst = actions.create_user(None, username="analyst", password="bench-pass-2026")
    reader = actions.create_user(None, username="reader", password="bench-pass-2026")
    actions.add_member(None, owner, analyst, "analyst")
    actions.add_member(None, partner, reader, "viewer")
    buffer = io.BytesIO()
    generate_survey(PERSONS, seed=11).write_parquet(buffer)
    upload = SimpleUploadedFile("survey.parquet", buffer.getvalue())
    version = dataset_actions.upload(analyst, upload, agency=owner, name="Survey 0")
    version = dataset_actions.map_and_validate(analyst, version, version.mapping)
    dataset_actions.accept(analyst, version)
    analysis = analysis_actions.create(
        analyst,
        version,
        dimension="economic",
        breakdowns=["province", "regency", "sex", "urban"],
        title="Economic 0",
        run_now=True,
    )
    result_bytes = len(json.dumps(analysis.result))
    for i in range(1, OBJECTS):
        copy = Dataset.objects.create(owner=owner, created_by=analyst, name=f"Survey {i}")
        source = DatasetVersion.objects.get(pk=version.pk)
        source.pk = None
        source.dataset = copy
        source.save()
    versions = list(DatasetVersion.objects.order_by("pk"))
    for i in range(1, OBJECTS):
        Analysis.objects.create(
            owner=owner,
            created_by=analyst,
            title=f"Economic {i}",
            dataset_version=versions[i],
            dimension="economic",
            breakdowns=analysis.breakdowns,
            status=analysis.status,
            progress=100,
            result=analysis.result,
        )
    for model in (Dataset, Analysis):
        for obj in model.objects.all():
            obj.shared_with.set([partner])
    token = actions.create_token(reader, "bench")
    connections.close_all()
    return token, result_bytes


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` and its children alive now (Linux)."""
    pids, total = [pid], 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load(base: str, path: str, token: str, duration: float = DURATION) -> dict[str, Any]:
    """CLIENTS threads requesting ``path`` for ``duration`` seconds; latencies and errors."""
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0
    lock = threading.Lock()
    port = int(base.rsplit(":", 1)[1])
    headers = {"Authorization": f"Bearer {token}"}
    stop = time.perf_counter() + duration

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and body.startswith(b"[")
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                ok, body = False, b""
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                sizes.append(len(body))
                errors += not ok

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()

    def ms(q: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(q * len(latencies)))]

    return {
        "requests": len(latencies),
        "errors": errors,
        "p50": ms(0.50),
        "p95": ms(0.95),
        "p99": ms(0.99),
        "mean": 1000 * statistics.fmean(latencies),
        "bytes": int(statistics.median(sizes)),
    }


PAGE_SIZE = 50  # api.api.PAGE_SIZE (not imported: Django is set up only in seed())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--duration", type=float, default=DURATION)
    parser.add_argument("--paths", nargs="+", default=list(PATHS))
    parser.add_argument(
        "--data",
        type=Path,
        help="a data folder to seed once and reuse in later runs (default: a new temporary one)",
    )
    args = parser.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="setara-bench-api-"))
    saved = data / "bench-token"
    if saved.exists():
        seed_environment(data)
        token = saved.read_text()
        print(f"reusing the database seeded in {data}")
    else:
        data.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        token, result_bytes = seed(data)
        saved.write_text(token)
        print(
            f"seeded {OBJECTS} datasets and {OBJECTS} analyses (each stored result "
            f"{result_bytes / 1e3:,.0f} KB, {PERSONS:,}-person survey) in "
            f"{time.perf_counter() - started:.0f} s"
        )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WEB), str(ROOT / "src")])}
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "setara_web.wsgi", "--bind", f"127.0.0.1:{port}", "--workers",
         str(args.workers), "--threads", str(args.threads), "--log-level", "warning"],
        env=env, cwd=WEB,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        print(f"gunicorn {args.workers} workers x {args.threads} threads on {os.cpu_count()} cores")
        for path in args.paths:
            load(base, path, token, duration=3.0)  # warm every worker
            print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            server_before = cpu_seconds(server.pid)
            client_before = resource.getrusage(resource.RUSAGE_SELF)
            figures = load(base, path, token, duration=args.duration)
            client_after = resource.getrusage(resource.RUSAGE_SELF)
            server_ms = 1000 * (cpu_seconds(server.pid) - server_before) / figures["requests"]
            client_ms = (
                1000
                * sum(
                    getattr(client_after, f) - getattr(client_before, f)
                    for f in ("ru_utime", "ru_stime")
                )
                / figures["requests"]
            )
            rows = int(path.partition("limit=")[2] or PAGE_SIZE)
            print(
                f"{path}: {CLIENTS} concurrent token clients for {args.duration:.0f} s, "
                f"{rows} rows of {figures['bytes'] / rows:,.0f} bytes each"
            )
            print(
                f"  requests {figures['requests']:,}, errors {figures['errors']}, "
                f"throughput {figures['requests'] / args.duration:.1f}/s; CPU per request: "
                f"server {server_ms:.1f} ms, clients {client_ms:.1f} ms"
            )
            print(
                f"  p50 {figures['p50']:.0f} ms, p95 {figures['p95']:.0f} ms, "
                f"p99 {figures['p99']:.0f} ms, mean {figures['mean']:.0f} ms"
                "  (target p95 < 300 ms)"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
