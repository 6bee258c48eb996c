"""Benchmark of the programme lab: three programmes on about 1 million households / 4 million
persons of the synthetic demo survey (with its design), a baseline plus one scenario, all
outputs (tables by decile, quintile, region and two groups; FGT0/1/2, Gini, Theil and Palma
before/after/change with design-based SEs overall, by region and by group; winners/losers).

Run: ``.venv/bin/python -m benchmarks.bench_programmes [--persons 4000000] [--scaling]``.
Prints the time of each step and the peak resident memory of the process. Data generation is
timed separately and not counted in the simulation time. ``--scaling`` runs the benchmark in
fresh processes at 1, 2 and 4 million persons and prints peak memory against size (each
process's peak includes the generated data frame).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

from setara.demo import generate_survey
from setara.programmes import Population, Scenario, load_template, read_programmes, simulate

GROUPS = {"female_head": "head_female", "elderly": "any(age >= 60)"}


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 1024.0**2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=4_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scaling", action="store_true", help="peak memory at 1M, 2M, 4M")
    args = parser.parse_args()
    if args.scaling:
        scaling(args.seed)
        return
    started = time.perf_counter()
    frame = generate_survey(args.persons, seed=args.seed)
    generated = time.perf_counter()
    print(f"data: {frame.height:,} persons generated in {generated - started:.1f}s "
          f"(not counted); peak RSS so far {peak_rss_mb():,.0f} MB")  # fmt: skip
    t0, cpu0 = time.perf_counter(), time.process_time()
    pop = Population.from_frame(frame, design="demo")
    t1 = time.perf_counter()
    baseline = [load_template("pkh"), load_template("sembako"), load_template("pip")]
    scenario = Scenario(
        "pkh_cap3_sembako300",
        tuple(
            read_programmes(
                [
                    {"template": "pkh", "benefit": {**_pkh_benefit(), "max_members": 3}},
                    {"template": "sembako", "parameters": {"voucher": 300000}},
                ]
            )
        ),
    )
    sim = simulate(pop, baseline, scenarios=[scenario], date="2025-06-30", groups=GROUPS)
    t2, cpu2 = time.perf_counter(), time.process_time()
    rows = sum(t.height for t in sim.tables().values())
    print(f"population: {pop.n_households:,} households, {pop.n_persons:,} persons")
    print(f"build population (households, design): {t1 - t0:.2f}s")
    print(f"simulate 3 programmes, baseline + 1 scenario, all outputs: {t2 - t1:.2f}s")
    print(f"total (population + simulation): {t2 - t0:.2f}s; {rows:,} output rows")
    # CPU time of all threads: on a loaded machine it moves much less than the wall time
    print(f"CPU time (population + simulation, all threads): {cpu2 - cpu0:.2f}s")
    print(f"peak RSS: {peak_rss_mb():,.0f} MB")
    print(f"RESULT persons={pop.n_persons} seconds={t2 - t0:.2f} cpu_seconds={cpu2 - cpu0:.2f} "
          f"peak_mb={peak_rss_mb():.0f}")  # fmt: skip
    change = sim.impact.filter(domain="all", stage="change", scenario="baseline")
    for row in change.select("measure", "estimate", "se").iter_rows():
        print(f"  baseline change {row[0]:6s} {row[1]: .5f} (SE {row[2]:.5f})")


def scaling(seed: int) -> None:
    """Peak RSS and time at 1M, 2M and 4M persons, each in a fresh process."""
    print(f"{'persons':>10s} {'seconds':>8s} {'peak MB':>8s} {'MB per 1M persons':>18s}")
    for persons in (1_000_000, 2_000_000, 4_000_000):
        command = [sys.executable, "-m", "benchmarks.bench_programmes", "--persons",
                   str(persons), "--seed", str(seed)]  # fmt: skip
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        line = next(x for x in out.splitlines() if x.startswith("RESULT"))
        fields = dict(item.split("=") for item in line.split()[1:])
        peak = float(fields["peak_mb"])
        print(f"{persons:>10,} {float(fields['seconds']):>8.2f} {peak:>8,.0f} "
              f"{peak / (persons / 1e6):>18,.0f}")  # fmt: skip


def _pkh_benefit() -> dict[str, object]:
    from setara.programmes.templates import template_spec

    benefit: dict[str, object] = template_spec("pkh")["benefit"]
    return benefit


if __name__ == "__main__":
    main()
