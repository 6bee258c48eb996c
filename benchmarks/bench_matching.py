"""Matching and weighting on survey-sized microdata (issue 12; no target in the issue).

A seeded household sample (``--rows``, default 300,000, about one Susenas round) with five
covariates, a logit treatment of about 30% and survey weights; times
:func:`setara.evaluation.match_estimate` for each method and estimand, and
:func:`setara.evaluation.rd_estimate` on the same rows with a score cut-off.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_matching.py [--rows N] [--runs R]``
from the repository root. Prints the median wall time of each call over the runs.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import polars as pl

from setara.evaluation import match_estimate, rd_estimate

COVARIATES = ["age", "household_size", "schooling", "urban", "log_spending_before"]


def households(rows: int, rng: np.random.Generator) -> pl.DataFrame:
    """Seeded households with a programme that targets poorer, larger, rural households."""
    age = rng.normal(45, 12, rows)
    size = rng.poisson(3.5, rows) + 1.0
    schooling = np.clip(rng.normal(8, 3, rows), 0, 18)
    urban = (rng.random(rows) < 0.55).astype(float)
    before = rng.normal(13.5, 0.6, rows)
    index = -0.8 * (before - 13.5) + 0.15 * (size - 4.5) - 0.4 * urban - 0.05 * (schooling - 8)
    treated = (rng.random(rows) < 1 / (1 + np.exp(-(index - 0.9)))).astype(float)
    after = before + 0.05 + 0.08 * treated + rng.normal(0, 0.3, rows)
    return pl.DataFrame(
        {
            "age": age,
            "household_size": size,
            "schooling": schooling,
            "urban": urban,
            "log_spending_before": before,
            "treated": treated,
            "log_spending": after,
            "weight": rng.uniform(50, 400, rows),
            "score": -index,
        }
    )


def _time(call: object, runs: int) -> tuple[float, object]:
    seconds = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()  # type: ignore[operator]
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    data = households(args.rows, np.random.default_rng(args.seed))
    print(f"{args.rows:,} households, {int(data['treated'].sum()):,} treated")
    for method in ("nn", "kernel", "ipw", "entropy"):
        for estimand in ("att", "ate"):
            seconds, result = _time(
                lambda m=method, e=estimand: match_estimate(
                    data,
                    outcome="log_spending",
                    treat="treated",
                    covariates=COVARIATES,
                    method=m,
                    estimand=e,
                    weight="weight",
                ),
                args.runs,
            )
            row = result.frame.row(0, named=True)  # type: ignore[attr-defined]
            print(
                f"{method:8s} {estimand}: {seconds:6.2f} s  estimate {row['estimate']:.4f} "
                f"(se {row['se']:.4f})"
            )
    seconds, result = _time(
        lambda: rd_estimate(data, outcome="log_spending", running="score"), args.runs
    )
    robust = result.frame.row(2, named=True)  # type: ignore[attr-defined]
    print(f"rd robust : {seconds:6.2f} s  estimate {robust['estimate']:.4f}")


if __name__ == "__main__":
    main()
