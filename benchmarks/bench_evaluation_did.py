"""Benchmark of difference-in-differences (issue 12): the two performance targets.

1. Callaway–Sant'Anna, doubly robust with one covariate, analytic standard errors, on 514
   regencies x 15 years with 5 treatment cohorts (and never-treated regencies), every
   ATT(g,t) and the four aggregations (target < 2 s);
2. a two-way fixed effects regression with unit fixed effects (pyfixest) on 500,000
   households x 4 rounds, standard errors clustered by household (target < 10 s).

Data generation is not timed; each figure is the best of ``--repeat`` runs after one warm-up
(the first call pays for importing SciPy and pyfixest's compilation).

Run: ``.venv/bin/python -m benchmarks.bench_evaluation_did [--only 1,2] [--repeat 3]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable

import numpy as np
import polars as pl

from setara.evaluation import AGGREGATES, att_gt, twfe


def staggered_panel(units: int, years: int, cohorts: int, rng: np.random.Generator) -> pl.DataFrame:
    """A balanced panel: a fifth of the units never treated, the rest in ``cohorts`` cohorts
    starting from the third year, a true effect of 1 and covariate-specific trends."""
    x = rng.normal(size=units)
    starts = 3 + np.arange(cohorts) * max(1, (years - 4) // cohorts)
    cohort = np.where(rng.random(units) < 0.2, 0, rng.choice(starts, units))
    year = np.arange(1, years + 1)
    treated = (cohort[:, None] > 0) & (year[None, :] >= cohort[:, None])
    y = rng.normal(size=units)[:, None] + 0.3 * x[:, None] * year + treated
    y = y + rng.normal(size=(units, years))
    return pl.DataFrame(
        {
            "regency": np.repeat(np.arange(units), years),
            "year": np.tile(year, units),
            "cohort": np.repeat(cohort, years),
            "x": np.repeat(x, years),
            "y": y.ravel(),
            "treated": treated.ravel().astype(np.int64),
        }
    )


def best_of(repeat: int, run: Callable[[], None]) -> tuple[float, float]:
    """Best wall-clock and CPU seconds (all threads of the process) over ``repeat`` runs."""
    run()  # warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", default="1,2")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    only = set(args.only.split(","))
    rng = np.random.default_rng(12)
    if "1" in only:
        panel = staggered_panel(514, 15, 5, rng)
        result = att_gt(
            panel,
            outcome="y",
            unit="regency",
            time="year",
            cohort="cohort",
            covariates=["x"],
            aggregate=AGGREGATES,
        )
        cells = result.table.filter(pl.col("estimand") == "att_gt").height

        def cs() -> None:
            att_gt(
                panel,
                outcome="y",
                unit="regency",
                time="year",
                cohort="cohort",
                covariates=["x"],
                aggregate=AGGREGATES,
            )

        seconds, cpu = best_of(args.repeat, cs)
        simple = result.table.filter(pl.col("estimand") == "simple").row(0, named=True)
        print(
            f"1. Callaway-Sant'Anna DR, 514 x 15 x 5 cohorts, {cells} ATT(g,t) + 4 "
            f"aggregations: {seconds:.2f}s wall, {cpu:.2f}s CPU (target < 2 s); "
            f"simple ATT {simple['estimate']:.3f} "
            f"(se {simple['se']:.3f}, truth 1)"
        )
    if "2" in only:
        households, rounds = 500_000, 4
        unit = np.repeat(np.arange(households), rounds)
        period = np.tile(np.arange(rounds), households)
        treated = ((unit % 3 == 0) & (period >= 2)).astype(np.float64)
        y = rng.normal(size=households)[unit] + 0.1 * period + 0.5 * treated
        frame = pl.DataFrame(
            {"hh": unit, "round": period, "d": treated, "y": y + rng.normal(size=unit.size)}
        )

        def fe() -> None:
            twfe(frame, outcome="y", treat="d", unit="hh", time="round")

        seconds, cpu = best_of(args.repeat, fe)
        est = twfe(frame, outcome="y", treat="d", unit="hh", time="round").table.row(0, named=True)
        print(
            f"2. TWFE with unit FE (pyfixest), 500,000 households x 4 rounds: "
            f"{seconds:.2f}s wall, {cpu:.2f}s CPU "
            f"(target < 10 s); estimate {est['estimate']:.4f} (se {est['se']:.4f}, truth 0.5)"
        )
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(f"peak resident memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
