"""Coverage of the matching and weighting estimators (issue 12; measured, not a test).

``--replications`` samples of ``--size`` units with survey weights, a logit treatment on a
normal and a binary covariate, an outcome quadratic in the normal one and a constant effect
of 1. Prints, for each method and estimand of :func:`setara.evaluation.match_estimate`, the
mean estimate, the standard deviation of the estimates, the mean reported standard error and
the share of 95% intervals that cover 1. The figures are in ``docs/evaluation-rd-matching.md``.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/sim_matching.py [--replications R]``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import polars as pl

from setara.evaluation import match_estimate

EFFECT = 1.0


def sample(size: int, rng: np.random.Generator) -> pl.DataFrame:
    x1 = rng.normal(size=size)
    x2 = rng.binomial(1, 0.4, size).astype(float)
    score = 1 / (1 + np.exp(-(-0.5 + 0.8 * x1 - 0.5 * x2)))
    treated = (rng.random(size) < score).astype(float)
    outcome = 1 + x1 + 0.5 * x2 + 0.5 * x1**2 + EFFECT * treated + rng.normal(size=size)
    weight = rng.uniform(0.5, 2, size)
    return pl.DataFrame({"y": outcome, "d": treated, "x1": x1, "x2": x2, "w": weight})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--replications", type=int, default=300)
    parser.add_argument("--size", type=int, default=800)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    found: dict[tuple[str, str], list[tuple[float, float, bool]]] = {}
    start = time.perf_counter()
    for _ in range(args.replications):
        data = sample(args.size, rng)
        for method in ("nn", "kernel", "ipw", "entropy"):
            for estimand in ("att", "ate"):
                row = match_estimate(
                    data,
                    outcome="y",
                    treat="d",
                    covariates=["x1", "x2"],
                    method=method,
                    estimand=estimand,
                    weight="w",
                ).frame.row(0, named=True)
                covered = row["ci_low"] <= EFFECT <= row["ci_high"]
                found.setdefault((method, estimand), []).append(
                    (row["estimate"], row["se"], covered)
                )
    print("method   estimand  mean    sd      mean se  coverage")
    for (method, estimand), rows in found.items():
        a = np.array(rows, dtype=float)
        print(
            f"{method:8s} {estimand:8s} {a[:, 0].mean():.3f}  {a[:, 0].std():.3f}   "
            f"{a[:, 1].mean():.3f}    {a[:, 2].mean():.3f}"
        )
    print(f"{time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
