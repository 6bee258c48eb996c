"""Issue 2 performance targets on the synthetic survey; prints time and peak memory.

(a) Gini with linearized SE for all 514 regencies, 1 million persons (target < 1 s)
(b) diagnostic bundle nationally and for 514 regencies, 10 million persons (< 30 s, < 4 GB)
(c) Gini with 200 bootstrap replicate SEs, 1 million persons (target < 5 s)

Run: ``.venv/bin/python benchmarks/bench_engine.py [a|b|c ...]``. Each case runs in a fresh
process so peak memory (ru_maxrss) is that case's own; data generation is not timed.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time

import numpy as np

BUNDLE = [
    "gini",
    "theil",
    "atkinson:epsilon=1",
    "fgt:alpha=0,line=0.6*median",
    "fgt:alpha=1,line=0.6*median",
    "fgt:alpha=2,line=0.6*median",
    "palma",
    "qsr",
    "mean",
    "median",
]


def case(name: str) -> None:
    import setara
    from setara import demo

    persons = 10_000_000 if name == "b" else 1_000_000
    frame = demo.generate_survey(persons, seed=2026)
    frame = frame.select("expenditure_pc", "weight", "stratum", "psu", "regency_code")
    rss_data = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    start = time.perf_counter()
    design = setara.survey_design(frame, weight="weight", strata="stratum", psu="psu")
    if name == "a":
        res = setara.estimate(
            frame, design, welfare="expenditure_pc", measures=["gini"], by="regency_code"
        )
        label = "(a) Gini + linearized SE, 514 regencies, 1M persons"
    elif name == "b":
        res = setara.estimate(
            frame,
            design,
            welfare="expenditure_pc",
            measures=BUNDLE,
            by="regency_code",
            overall=True,  # national rows share the sort and quantiles of the domain rows
        )
        label = "(b) bundle of 10 measures, national + 514 regencies, 10M persons"
    else:
        rep = setara.with_replicates(
            design, "bootstrap", replicates=200, rng=np.random.default_rng(1)
        )
        res = setara.estimate(frame, rep, welfare="expenditure_pc", measures=["gini"])
        label = "(c) Gini + 200 bootstrap replicate SEs, 1M persons"
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(
        f"{label}: {elapsed:.2f} s, {res.frame.height} estimates, "
        f"peak RSS {peak:.2f} GB (data alone {rss_data:.2f} GB)"
    )


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--case":
        case(argv[1])
        return
    for name in argv or ["a", "b", "c"]:
        subprocess.run([sys.executable, __file__, "--case", name], check=True)


if __name__ == "__main__":
    main(sys.argv[1:])
