"""Data-quality checks on 100,000 realisation rows (issue 10, performance: under 10 s).

The rows are quarterly realisation of 49 programmes in the 514 regencies over one year
(514 × 4 × 49 = 100,744 rows) with budget allocated and realised, beneficiaries planned and
reached and an officer's name; the history is the two years before (201,488 rows). The rules
are the ones a submission meets before approval: ranges, realised ≤ allocated, reached ≤
planned, required fields, completeness against the expected regency × quarter grid, and the
modified z-score of beneficiaries reached against each regency's history and its province's
other regencies, per programme. The data are seeded (``--seed``), with a few errors and outliers
planted so that every rule has findings to write.

Run: ``.venv/bin/python benchmarks/bench_quality.py [--runs N]`` from the repository root with
``PYTHONPATH=src``. Prints the median and the spread of ``check_quality`` wall time over the
runs, and the number of findings by rule.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import polars as pl

from setara.monitoring import QualityRule, check_quality
from setara.regions import read_regencies

PROGRAMMES = 49
TARGET_SECONDS = 10.0


def realisation(years: list[int], rng: np.random.Generator) -> pl.DataFrame:
    """Seeded quarterly realisation rows for every regency, programme and quarter of ``years``."""
    regencies = read_regencies().get_column("code")
    periods = [f"{year}-Q{q}" for year in years for q in range(1, 5)]
    programmes = pl.DataFrame({"programme": [f"P{i:02d}" for i in range(PROGRAMMES)]})
    # a programme's size in a regency is stable over quarters (seeded by regency x programme)
    scale = pl.DataFrame({"region_code": regencies}).join(programmes, how="cross")
    sizes = np.random.default_rng(7).lognormal(6.0, 0.4, scale.height)
    scale = scale.with_columns(pl.Series("size", sizes))
    grid = scale.join(pl.DataFrame({"period": periods}), how="cross").select(
        "region_code", "period", "programme", "size"
    )
    n = grid.height
    size = grid.get_column("size").to_numpy() * rng.lognormal(0.0, 0.1, n)
    allocated = np.round(size * 1e6, -3)
    planned = np.round(size)
    return grid.drop("size").with_columns(
        pl.Series("allocated", allocated),
        pl.Series("realised", np.round(allocated * rng.uniform(0.5, 1.0, n), -3)),
        pl.Series("planned", planned),
        pl.Series("reached", np.round(planned * rng.uniform(0.85, 0.95, n))),
        pl.Series("officer", np.where(rng.random(n) < 0.001, "", "petugas")),
    )


def plant_errors(rows: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Overspending, negative values and outliers in a few rows, and one missing regency-quarter."""
    n = rows.height
    over = rng.random(n) < 0.002
    negative = rng.random(n) < 0.0005
    outlier = rng.random(n) < 0.0005
    rows = rows.with_columns(
        pl.when(pl.Series(over)).then(pl.col("allocated") * 1.2).otherwise(pl.col("realised")),
        pl.when(pl.Series(negative)).then(-pl.col("planned")).otherwise(pl.col("planned")),
        pl.when(pl.Series(outlier)).then(pl.col("reached") * 40).otherwise(pl.col("reached")),
    )
    first = rows.row(0, named=True)
    missing = (pl.col("region_code") == first["region_code"]) & (
        pl.col("period") == first["period"]
    )
    return rows.filter(~missing)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    rows = plant_errors(realisation([2025], rng), rng)
    history = realisation([2023, 2024], rng)
    expected = rows.select("region_code", "period").unique().vstack(
        pl.DataFrame({"region_code": ["11.01"], "period": ["2025-Q1"]})
    )
    rules = [
        QualityRule.range("allocated", min=0),
        QualityRule.range("realised", min=0),
        QualityRule.range("planned", min=0),
        QualityRule.ratio("realised", "<=", "allocated"),
        QualityRule.ratio("reached", "<=", "planned"),
        QualityRule.required(["officer", "allocated", "realised"]),
        QualityRule.complete(expected),
        QualityRule.outlier("reached", by=["programme"]),
    ]
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        found = check_quality(rows, rules, history=history)
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"rows {rows.height:,}, history {history.height:,}, rules {len(rules)}")
    print(
        f"check_quality: median {median:.2f} s over {args.runs} runs "
        f"(min {min(times):.2f}, max {max(times):.2f}); target < {TARGET_SECONDS:.0f} s"
    )
    counts = found.group_by("rule", "severity").len().sort("rule", "severity")
    for rule, severity, count in counts.iter_rows():
        print(f"  {rule:<20} {severity:<8} {count:>7,}")


if __name__ == "__main__":
    main()
