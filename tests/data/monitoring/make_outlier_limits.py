"""Small-sample limits of the modified z-score, by simulation (writes
src/setara/data/outlier_limits.csv, read by setara.monitoring.outliers).

For ``n`` comparison values drawn from a normal distribution and one more value from the same
distribution, the modified z-score ``M = 0.6745 (x - median) / MAD`` has heavier tails than a
standard normal: the median and above all the MAD of a few values are uncertain. With 8
values, ``|M| > 3.5`` happens for 4.7 % of clean values instead of the 0.047 % of a standard
normal. ``limit(n)`` is the ``1 - alpha`` quantile of ``|M|`` with ``alpha = P(|Z| > 3.5)``:
the limit that keeps Iglewicz and Hoaglin's large-sample false-alarm rate with ``n`` values.
Written as ``ratio = limit / 3.5`` (applied to other thresholds as a scale factor).

Run from the repository root (a few minutes):
    PYTHONPATH=src python tests/data/monitoring/make_outlier_limits.py
Seeded (numpy default_rng(20261130)); 400,000 replicates per n, so about 190 exceed the limit:
the quantile's simulation error is a few per cent.
"""

from __future__ import annotations

from pathlib import Path
from statistics import NormalDist

import numpy as np

THRESHOLD = 3.5
REPLICATES = 400_000
SIZES = range(5, 41)
MAD_FACTOR = 0.6745


def limit(n: int, rng: np.random.Generator, replicates: int = REPLICATES) -> float:
    alpha = 2.0 * (1.0 - NormalDist().cdf(THRESHOLD))
    draws = rng.standard_normal((replicates, n + 1))
    history = draws[:, :n]
    median = np.median(history, axis=1)
    mad = np.median(np.abs(history - median[:, None]), axis=1)
    score = MAD_FACTOR * np.abs(draws[:, n] - median) / mad
    return float(np.quantile(score, 1.0 - alpha))


def main() -> None:
    rng = np.random.default_rng(20261130)
    lines = ["n,limit,ratio"]
    for n in SIZES:
        value = limit(n, rng)
        lines.append(f"{n},{value:.4f},{value / THRESHOLD:.4f}")
        print(lines[-1], flush=True)
    target = Path(__file__).parents[3] / "src" / "setara" / "data" / "outlier_limits.csv"
    target.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
