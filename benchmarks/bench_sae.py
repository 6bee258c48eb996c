"""Fay–Herriot with MSE for 7,000 districts and 10 covariates (issue 13, performance: under 1 s).

Generates 7,000 areas with an intercept and 10 covariates, area effects and sampling variances
spread over two orders of magnitude (seeded), then times :func:`setara.sae.fay_herriot` for REML,
ML and the moment fit: the whole call (input checks, Fisher scoring, EBLUP, MSE). Prints the
median of ``--runs`` calls of each, the Fisher-scoring steps taken and the load average.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/bench_sae.py [--runs N]`` from the repository
root.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from setara.sae import fay_herriot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--areas", type=int, default=7_000)
    parser.add_argument("--covariates", type=int, default=10)
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    m, k = args.areas, args.covariates
    x = np.column_stack([np.ones(m), rng.normal(size=(m, k))])
    beta = rng.normal(scale=0.5, size=k + 1)
    vardir = np.exp(rng.uniform(np.log(0.01), np.log(1.0), size=m))
    y = x @ beta + rng.normal(scale=0.4, size=m) + rng.normal(size=m) * np.sqrt(vardir)
    print(f"{m:,} areas, {k} covariates + intercept; load average {os.getloadavg()[0]:.1f}")
    for method in ("reml", "ml", "fh"):
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            fit = fay_herriot(y, vardir, x, method=method)  # type: ignore[arg-type]
            times.append(time.perf_counter() - start)
        print(
            f"{method:>4}: median {statistics.median(times) * 1000:.1f} ms over {args.runs} runs "
            f"({fit.iterations} scoring steps, A = {fit.refvar:.4f}; target < 1 s)"
        )


if __name__ == "__main__":
    main()
