"""Issue 10 performance target: change over time between two rounds of 1M persons each.

10 measures x 514 regencies (plus the national rows in a second call), independent rounds and
rounds sharing PSUs (:func:`setara.demo_rounds.generate_round`: half the census blocks
re-surveyed). Target: under 5 s for the change computation; data generation is not timed.

Run: ``.venv/bin/python benchmarks/bench_change.py [persons]``.
"""

from __future__ import annotations

import resource
import sys
import time

MEASURES = [
    "mean",
    "median",
    "gini",
    "theil",
    "palma",
    "bottom40",
    "fgt:alpha=0,line=@poverty_line",
    "fgt:alpha=1,line=@poverty_line",
    "fgt:alpha=2,line=@poverty_line",
    "fgt:alpha=0,line=0.6*median",
]
DESIGN = {"weight": "weight", "strata": "stratum", "psu": "psu"}
COLUMNS = ["expenditure_pc", "poverty_line", "weight", "stratum", "psu", "regency_code"]


def main(persons: int) -> None:
    import setara
    from setara.demo_rounds import generate_round
    from setara.monitoring import change

    before = generate_round(persons, year=2024, seed=2026).select(COLUMNS)
    after = generate_round(persons, year=2026, seed=2026).select(COLUMNS)
    # the engine alone on one round, for scale (the change estimates both rounds)
    start = time.perf_counter()
    design = setara.survey_design(before, **DESIGN)
    setara.estimate(before, design, welfare="expenditure_pc", measures=MEASURES, by="regency_code")
    single = time.perf_counter() - start
    print(f"setara.estimate, the same measures on one round: {single:.2f} s")
    for common in (False, True):
        start = time.perf_counter()
        res = change(
            before,
            after,
            welfare="expenditure_pc",
            measures=MEASURES,
            design=DESIGN,
            by="regency_code",
            common_psu=common,
        )
        elapsed = time.perf_counter() - start
        kind = "shared PSUs" if common else "independent"
        significant = int((res.frame["p_value"] < 0.05).sum())
        print(
            f"change, {len(MEASURES)} measures x 514 regencies, 2 x {persons:,} persons, "
            f"{kind}: {elapsed:.2f} s = {elapsed / single:.2f} x one round's estimate "
            f"({res.frame.height} rows, {significant} with p < 0.05)"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"peak memory {peak:.2f} GB (target: under 5 s per call)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
