"""Score-card benchmark (issue 10): dashboard page p95 under 20 concurrent clients with 514
regencies x 50 indicators x 5 years of values and targets.

Run with ``.venv/bin/python benchmarks/bench_scorecard.py``. It migrates a fresh SQLite
database in a temporary data folder (never ``var/``), creates 50 published indicators (10
survey indicators with SE, CI and RSE, 40 administrative ones with approved submissions),
values for the nation, 38 provinces and 514 regencies in 2025-2029 (133,000 values) and a
national and a regency target for every indicator and year (131,000 targets), all with
``bulk_create``. gunicorn is started as in ``bench_api.py`` (4 workers x 2 threads); each
client holds one keep-alive connection with a signed-in session cookie. Measured pages:

- one regency's score card (its 50 indicators at their latest year, 5-year trend);
- a different regency on every request (all 514 in turn: the first visit of each is a cold
  cache);
- a province's page (score card, its regencies ranked, comparison chart);
- the national page ranking all 514 regencies over 50 indicators.

The machine's load average is printed before each measurement, since other processes share
its cores.
"""

from __future__ import annotations

import http.client
import itertools
import os
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
sys.path.insert(0, str(ROOT))
from benchmarks.bench_api import free_port  # noqa: E402

CLIENTS = 20
DURATION = 15.0
INDICATORS = 50
SURVEY = 10  # of the INDICATORS, with sampling error
YEARS = range(2025, 2030)


def seed(data: Path) -> tuple[str, list[str]]:
    """Fill the database; return a session cookie of a reader and the regency codes."""
    os.environ.update(
        SETARA_DATA_DIR=str(data),
        SETARA_HTTPS="0",
        SETARA_MANIFEST_STATIC="0",
        DJANGO_SETTINGS_MODULE="setara_web.settings",
    )
    os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(WEB))
    import django

    django.setup()
    import numpy as np
    from agencies import actions
    from django.core.management import call_command
    from django.db import connections, transaction
    from django.test import Client
    from monitoring.dashboard import region_names
    from monitoring.models import (
        Indicator,
        IndicatorValue,
        Plan,
        ReportingForm,
        Submission,
        Target,
    )

    call_command("migrate", verbosity=0)
    owner = actions.create_agency(None, slug="bappenas", name="Bappenas", kind="planning")
    reader_agency = actions.create_agency(None, slug="ntt", name="NTT", kind="regional",
                                          region_code="53")  # fmt: skip
    analyst = actions.create_user(None, username="analyst", password="bench-pass-2026")
    reader = actions.create_user(None, username="reader", password="bench-pass-2026")
    actions.add_member(None, owner, analyst, "analyst")
    actions.add_member(None, reader_agency, reader, "viewer")
    rng = np.random.default_rng(10)
    codes = ["", *region_names()]
    regencies = [c for c in codes if len(c) == 5]
    with transaction.atomic():
        indicators = Indicator.objects.bulk_create(
            Indicator(
                owner=owner, created_by=analyst, published=True, code=f"IND-{i:02d}",
                name_id=f"Indikator {i}", name_en=f"Indicator {i}", unit="%",
                polarity="lower" if i % 3 == 0 else "higher",
                source_kind="survey" if i < SURVEY else "administrative",
                measure_spec="mean" if i < SURVEY else "",
            )
            for i in range(INDICATORS)
        )  # fmt: skip
        plan = Plan.objects.create(
            owner=owner,
            created_by=analyst,
            published=True,
            name="Plan 2025-2029",
            start_year=2025,
            end_year=2029,
        )
        form = ReportingForm.objects.create(
            owner=owner,
            created_by=analyst,
            published=True,
            name="Realisation",
            kind="indicator_values",
        )
        regency_agency = actions.create_agency(
            None, slug="reg", name="Regency", kind="regional", region_code="32.04"
        )
        subs = Submission.objects.bulk_create(
            Submission(form=form, agency=regency_agency, region_code="32.04", period=str(y),
                       state="accepted", approvals=2, locked=True)
            for y in YEARS
        )  # fmt: skip
        by_year = {int(s.period): s for s in subs}
        values, targets = [], []
        for ind in indicators:
            survey = ind.source_kind == "survey"
            for year in YEARS:
                level = rng.uniform(20, 90, size=len(codes))
                se = level * rng.uniform(0.01, 0.3, size=len(codes)) if survey else None
                for k, code in enumerate(codes):
                    value = float(level[k])
                    extra: dict[str, Any] = {}
                    if survey and se is not None:
                        s = float(se[k])
                        extra = {
                            "se": s,
                            "ci_low": value - 1.96 * s,
                            "ci_high": value + 1.96 * s,
                            "rse": s / value,
                        }
                    else:
                        extra = {"submission": by_year[year]}  # approved reports
                    values.append(
                        IndicatorValue(
                            indicator=ind, region_code=code, period=str(year), value=value, **extra
                        )
                    )
                    if code == "" or len(code) == 5:
                        targets.append(
                            Target(
                                indicator=ind,
                                plan=plan,
                                region_code=code,
                                year=year,
                                target_value=float(rng.uniform(40, 80)),
                            )
                        )
        IndicatorValue.objects.bulk_create(values, batch_size=5_000)
        Target.objects.bulk_create(targets, batch_size=5_000)
    print(f"{len(indicators)} indicators, {len(values):,} values, {len(targets):,} targets")
    client = Client()
    client.force_login(reader)
    cookie = client.cookies["sessionid"].value
    connections.close_all()
    return cookie, regencies


def load(port: int, paths: Any, cookie: str, duration: float = DURATION) -> dict[str, Any]:
    """CLIENTS threads requesting the next of ``paths`` (an iterator shared by the threads)
    for ``duration`` seconds; latencies and errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    headers = {"Cookie": f"sessionid={cookie}", "Accept-Language": "id"}
    stop = time.perf_counter() + duration

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.perf_counter() < stop:
            with lock:
                path = next(paths)
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                body = response.read()
                ok = response.status == 200 and b'class="numbers scorecard"' in body
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
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
    }


def main() -> None:
    data = Path(tempfile.mkdtemp(prefix="setara-bench-scorecard-"))
    started = time.perf_counter()
    cookie, regencies = seed(data)
    print(f"seeded in {time.perf_counter() - started:.0f} s")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(WEB), str(ROOT / "src")])}
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    server = subprocess.Popen(
        [gunicorn, "setara_web.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "4",
         "--threads", "2", "--log-level", "warning"],
        env=env, cwd=WEB,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    cases = {
        "one regency's score card": lambda: itertools.repeat("/monitoring/dashboard/?region=32.04"),
        "every regency in turn": lambda: itertools.cycle(
            f"/monitoring/dashboard/?region={c}" for c in regencies
        ),
        "a province with its regencies ranked": lambda: itertools.repeat(
            "/monitoring/dashboard/?region=32"
        ),
        "national ranking of 514 regencies": lambda: itertools.repeat(
            "/monitoring/dashboard/?region=&level=regency"
        ),
    }
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        for name, paths in cases.items():
            if name != "every regency in turn":
                load(port, paths(), cookie, duration=3.0)  # warm every worker
            print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
            figures = load(port, paths(), cookie)
            print(f"{name}: {CLIENTS} concurrent clients for {DURATION:.0f} s")
            print(
                f"  requests {figures['requests']:,}, errors {figures['errors']}, "
                f"throughput {figures['requests'] / DURATION:.1f}/s"
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
