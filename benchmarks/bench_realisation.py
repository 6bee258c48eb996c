"""Upload and validation of 100,000 realisation rows (issue 10, performance: under 10 s).

A regency (kode wilayah 32.01) reports one quarter of a programme's realisation for 100,000
villages (50 districts x 2,000 villages) as a CSV file. Timed, in the web app's own code path
(``monitoring.workflow.upload_rows`` then ``workflow.quality_check``): reading the file in its
dialect within the upload limits, casting and checking every column (kode wilayah, numbers,
negatives, repeated regions, regions outside the regency), ``bulk_create`` of the rows in one
transaction with its audit event, then the quality rules of the form (ranges, realised <=
allocated, reached <= planned, required fields, outliers against the neighbours and the
history of six approved quarters, 600,000 rows). The database is a fresh SQLite file in a
temporary data folder (``BENCH_DATABASE_URL`` selects another), so ``var/`` is never touched.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_realisation.py [--runs N]`` from the
repository root. Prints each step's median wall time over the runs and the total, and the
process's CPU time (on a shared machine the wall time includes waiting for a core).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

WEB = Path(__file__).resolve().parents[1] / "web"
ROWS = 100_000
TARGET_SECONDS = 10.0
HISTORY = ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def setup_django(data: Path) -> None:
    os.environ["SETARA_DATA_DIR"] = str(data)
    os.environ.pop("DATABASE_URL", None)
    if "BENCH_DATABASE_URL" in os.environ:
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ["DJANGO_SETTINGS_MODULE"] = "setara_web.settings"
    sys.path.insert(0, str(WEB))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def realisation(rng: np.random.Generator, period: str) -> pl.DataFrame:
    """Seeded rows for 100,000 villages of regency 32.01; a few over-spent or outlying."""
    district = np.repeat(np.arange(1, 51), ROWS // 50)
    village = np.tile(np.arange(2001, 2001 + ROWS // 50), 50)
    codes = [f"32.01.{d:02d}.{v:04d}" for d, v in zip(district, village, strict=True)]
    size = np.random.default_rng(7).lognormal(5.0, 0.4, ROWS) * rng.lognormal(0.0, 0.05, ROWS)
    allocated = np.round(size * 1e6, -3)
    realised = np.round(allocated * rng.uniform(0.5, 1.0, ROWS), -3)
    realised[rng.random(ROWS) < 0.002] *= 1.5  # over-spent: realised > allocated
    planned = np.round(size)
    reached = np.round(planned * rng.uniform(0.85, 0.95, ROWS))
    reached[rng.random(ROWS) < 0.0005] *= 40  # outliers
    return pl.DataFrame(
        {
            "region_code": codes,
            "budget_allocated": allocated,
            "budget_realised": realised,
            "beneficiaries_planned": planned.astype(np.int64),
            "beneficiaries_reached": reached.astype(np.int64),
        }
    ).with_columns(pl.lit(period).alias("period"))


def world() -> dict[str, Any]:
    from agencies import actions

    from monitoring import actions as monitoring_actions

    national = actions.create_agency(None, slug="nat", name="Nasional", kind="planning")
    regency = actions.create_agency(
        None, slug="kab", name="Kabupaten", kind="regional", region_code="32.01"
    )
    users = {}
    for name, agency in (("planner", national), ("officer", regency)):
        users[name] = actions.create_user(None, username=name, password="x" * 20)
        actions.add_member(None, agency, users[name], "analyst")
    form = monitoring_actions.create_form(
        users["planner"], national, name="Bansos", kind="realisation", period_type="quarterly"
    )
    form.published = True
    form.save()
    return {"form": form, "regency": regency, "officer": users["officer"]}


def seed_history(found: dict[str, Any], rng: np.random.Generator) -> None:
    """Six accepted quarters (600,000 rows) as the outliers' history (inserted with plain
    ``executemany``: the seeding is not what is measured)."""
    from django.db import connection, transaction
    from monitoring.models import RealisationRow, Submission

    table = RealisationRow._meta.db_table
    columns = ["submission_id", "region_code", "budget_allocated", "budget_realised"]
    columns += ["beneficiaries_planned", "beneficiaries_reached", "note"]
    insert = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    )

    for period in HISTORY:
        sub = Submission.objects.create(
            form=found["form"],
            agency=found["regency"],
            region_code="32.01",
            period=period,
            state="accepted",
            approvals=2,
            locked=True,
        )
        rows = (
            realisation(rng, period)
            .drop("period")
            .with_columns(pl.lit(sub.pk).alias("submission_id"), pl.lit("").alias("note"))
        )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert, rows.select(columns).rows())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="at most 4")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        setup_django(Path(folder))
        from django.core.files.uploadedfile import SimpleUploadedFile

        from monitoring import workflow

        rng = np.random.default_rng(args.seed)
        found = world()
        seed_history(found, rng)
        body = realisation(rng, "2026-Q1").drop("period").write_csv().encode()
        print(f"{ROWS:,} rows, CSV of {len(body) / 1e6:.1f} MB; history {6 * ROWS:,} rows")
        times: dict[str, list[float]] = {"upload": [], "quality": [], "total": [], "cpu": []}
        for run in range(min(args.runs, 4)):  # one submission per quarter of 2026
            sub = workflow.create_submission(
                found["officer"], found["form"], found["regency"], period=f"2026-Q{run + 1}"
            )
            start, cpu = time.perf_counter(), time.process_time()
            n = workflow.upload_rows(
                found["officer"], sub, SimpleUploadedFile("realisasi.csv", body)
            )
            middle = time.perf_counter()
            findings = workflow.quality_check(sub)
            end = time.perf_counter()
            times["cpu"].append(time.process_time() - cpu)
            times["upload"].append(middle - start)
            times["quality"].append(end - middle)
            times["total"].append(end - start)
            print(
                f"run {run + 1}: {n:,} rows read, checked and stored in {middle - start:.2f} s; "
                f"quality checks {end - middle:.2f} s ({findings.height:,} findings)"
            )
        total = statistics.median(times["total"])
        print(
            f"median: upload {statistics.median(times['upload']):.2f} s + quality "
            f"{statistics.median(times['quality']):.2f} s = {total:.2f} s wall, "
            f"{statistics.median(times['cpu']):.2f} s CPU "
            f"(target < {TARGET_SECONDS:.0f} s: {'met' if total < TARGET_SECONDS else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
