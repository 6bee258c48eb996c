"""Benchmark of the national access PDF (issue 9): the report of an access analysis over all
of Indonesia, drawn inside the request (target < 3 s).

84,000 villages spread evenly over Indonesia's bounding box, each in one of the 514
regencies, and puskesmas at 30 % of them; the worker's own function
(``services.compute.access_result``) then gives the result the page stores: about 11,500 map
cells and 514 regions with three group gaps each (the size the issue measured). Generating the
data and computing the result are not timed; the PDF is built ``--repeat`` times in each
language (``services.downloads.access_pdf``, the function the download view calls when the
cache has no copy) and the time of each build is printed, then the time of a second request
served from the cache.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_access_pdf.py [--villages 84000]``.
It uses a temporary data folder (never ``var/``) and needs no database.
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

WEB = Path(__file__).resolve().parents[1] / "web"


def national_places(n: int, rng: Any) -> tuple[Any, Any]:
    """``n`` villages spread evenly over Indonesia's bounding box (as the page's map test), so
    that the map has about 11,500 occupied cells, each in one of the 514 regencies; puskesmas
    at 30 % of them."""
    import numpy as np
    import polars as pl

    from setara.regions import read_regencies

    codes = read_regencies()["code"].to_numpy()
    population = np.round(rng.lognormal(7.6, 0.7, n))
    demand = pl.DataFrame(
        {
            "id": [f"DS{i:06d}" for i in range(n)],
            "lat": rng.uniform(-10.5, 5.5, n),
            "lon": rng.uniform(95.5, 140.5, n),
            "kode_wilayah": codes[np.arange(n) % codes.size],
            "population": population,
            "poor": np.round(population * rng.beta(2, 12, n)),
            "urban": rng.random(n) < 0.4,
            "is_3t": rng.random(n) < 0.2,
        }
    )
    rows = np.flatnonzero(rng.random(n) < 0.3)
    facilities = pl.DataFrame(
        {
            "id": [f"F{i:05d}" for i in range(rows.size)],
            "lat": demand["lat"].to_numpy()[rows],
            "lon": demand["lon"].to_numpy()[rows],
            "type": "puskesmas",
            "status": "existing",
            "capacity": 5.0,
            "cost": 0.0,
        }
    )
    return demand, facilities


def pages(body: bytes) -> int:
    """The page count of a PDF (its page objects)."""
    return body.count(b"/Type /Page") - body.count(b"/Type /Pages")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--villages", type=int, default=84_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="write the last PDF of each language here")
    args = parser.parse_args()
    data = tempfile.mkdtemp(prefix="setara-bench-pdf-")
    os.environ.update(
        SETARA_DATA_DIR=data,
        SETARA_HTTPS="0",
        SETARA_MANIFEST_STATIC="0",
        DJANGO_SETTINGS_MODULE="setara_web.settings",
    )
    sys.path.insert(0, str(WEB))
    import django

    django.setup()
    import numpy as np
    from django.utils import translation
    from services import compute, downloads

    demand, facilities = national_places(args.villages, np.random.default_rng(9))
    result = compute.access_result(
        demand,
        facilities,
        threshold=30.0,
        speed_kmh=30.0,
        circuity=1.3,
        facility_type="puskesmas",
        groups=["poor", "urban", "is_3t"],
    )
    print(
        f"{demand.height:,} villages, {facilities.height:,} facilities: "
        f"{len(result['cells']):,} map cells, {len(result['regions'])} regions"
    )
    facts = [("Facilities", "puskesmas"), ("Villages", "demo")]
    for language in ("id", "en"):
        times, cpu = [], []
        with translation.override(language):
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                body = downloads.access_pdf(
                    result, title="National access", facts=facts, threshold=30.0
                )
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
        print(
            f"{language}: PDF {len(body) / 1e6:.2f} MB, {pages(body)} pages, in "
            + ", ".join(f"{t:.2f}" for t in times)
            + f" s (median {statistics.median(times):.2f} s wall, "
            f"{statistics.median(cpu):.2f} s CPU; target < 3 s; load average "
            f"{os.getloadavg()[0]:.1f})"
        )
        with translation.override(language):
            key = ["bench", language]
            downloads.cached_pdf(key, lambda body=body: body)
            t0 = time.perf_counter()
            cached = downloads.cached_pdf(key, lambda: b"")
            print(
                f"{language}: the same PDF from the cache in "
                f"{1000 * (time.perf_counter() - t0):.1f} ms ({cached == body})"
            )
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"access-national-{language}.pdf").write_bytes(body)


if __name__ == "__main__":
    main()
