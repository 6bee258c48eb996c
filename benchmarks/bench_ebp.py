"""EBP for FGT0, FGT1 and Gini on a census (issue 13, performance: 10 million persons, 514
areas, 50 Monte Carlo replications and 100 bootstrap replicates under 5 minutes, 8 GB).

Generates a census of ``--persons`` units in ``--areas`` areas with two covariates and a
log-normal welfare from a nested-error model, a 1% sample from 90% of the areas, then times
:func:`setara.sae.ebp.ebp` with the log transform: the point estimates with ``--mc``
replications, and separately ``--bootstrap`` replicates of the MSE (each is a refit and a full
prediction). Prints wall time, peak memory (ru_maxrss) and the load average.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_ebp.py [--persons N] [--mc L]
[--bootstrap B]`` from the repository root.
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from setara.sae.ebp import ebp, parse_indicator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--areas", type=int, default=514)
    parser.add_argument("--mc", type=int, default=50)
    parser.add_argument("--bootstrap", type=int, default=2)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    codes = np.sort(rng.integers(0, args.areas, size=args.persons))
    x = np.column_stack([np.ones(args.persons), rng.normal(size=(args.persons, 2))])
    log_welfare = (
        x @ [13.0, 0.3, -0.2]
        + rng.normal(0, 0.2, args.areas)[codes]
        + rng.normal(0, 0.5, args.persons)
    )
    take = (rng.random(args.persons) < 0.01) & (codes < int(0.9 * args.areas))
    indicators = [
        parse_indicator(s) for s in ("fgt:alpha=0,line=350000", "fgt:alpha=1,line=350000", "gini")
    ]
    print(
        f"census {args.persons:,} in {args.areas} areas, sample {int(take.sum()):,}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    start = time.perf_counter()
    ebp(np.exp(log_welfare[take]), x[take], codes[take], x, codes, indicators,
        rng=np.random.default_rng(2), mc=args.mc, transform_kind="log")  # fmt: skip
    point = time.perf_counter() - start
    print(f"point estimates, {args.mc} Monte Carlo replications: {point:.1f} s")
    if args.bootstrap:
        start = time.perf_counter()
        ebp(np.exp(log_welfare[take]), x[take], codes[take], x, codes, indicators,
            rng=np.random.default_rng(3), mc=args.mc, bootstrap=args.bootstrap,
            transform_kind="log")  # fmt: skip
        per = (time.perf_counter() - start - point) / args.bootstrap
        print(
            f"bootstrap: {per:.1f} s per replicate; 100 replicates would take about "
            f"{(point + 100 * per) / 60:.1f} min with the point estimates (target 5 min)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory {peak:.2f} GB; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
