"""Microsimulation: a baseline and any number of scenarios over one population.

Welfare in the data is taken as welfare *without* the simulated programmes. For each scenario
the programmes are applied in dependency order (``receives()``/``benefit()``), cash benefits
(``in_welfare``) are added to per-capita welfare, and the outputs of :mod:`.tables` and
:mod:`.change` are computed: before (no programme) vs after, and each scenario vs the baseline.

>>> from setara.demo import generate_survey
>>> from setara.programmes import Population, load_template, simulate
>>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
>>> sim = simulate(pop, [load_template("sembako")], date="2025-06-30")
>>> sim.impact.filter(measure="fgt0", domain="all", stage="change")["estimate"][0] < 0
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from setara.kernels.groups import FloatArray
from setara.programmes.change import DistributionEngine, Domains
from setara.programmes.errors import CircularReferenceError, ProgrammeError
from setara.programmes.expressions import BOOL, parse_expression
from setara.programmes.population import PERIODS, Population
from setara.programmes.rules import Context, Outcome, apply_programme, check_programme
from setara.programmes.spec import Programme, read_programmes, to_date
from setara.programmes.tables import TableCells, programme_tables, winners_losers
from setara.programmes.yaml_text import read_yaml_file

__all__ = ["Scenario", "Simulation", "read_scenario", "run_programmes", "simulate"]

BASELINE = "baseline"
POINTS = ["fgt0", "fgt1"]  # shares of the population or of the line: changes in points


@dataclass(frozen=True)
class Scenario:
    """Programmes replacing baseline ones with the same id, added, or ``removed`` by id."""

    name: str
    programmes: tuple[Programme, ...] = ()
    removed: tuple[str, ...] = ()

    def applied_to(self, baseline: Sequence[Programme]) -> list[Programme]:
        ids = {p.id for p in self.programmes}
        kept = [p for p in baseline if p.id not in ids and p.id not in self.removed]
        return kept + list(self.programmes)


def read_scenario(path: str | Path) -> Scenario:
    """A scenario file: ``{scenario: name, programmes: [...], remove: [ids]}`` or a plain
    programme file (named after the file)."""
    data = read_yaml_file(path, what="scenario file")
    name = Path(path).stem
    removed: list[str] = []
    if isinstance(data, Mapping) and "scenario" in data:
        name = str(data["scenario"])
        removed = [str(r) for r in data.get("remove") or []]
        data = data.get("programmes") or []
    return Scenario(name, tuple(read_programmes(data) if data else []), tuple(removed))


@dataclass
class Run:
    """One scenario's outcomes and welfare after the programmes."""

    name: str
    outcomes: dict[str, Outcome]
    welfare: FloatArray
    notes: list[str] = field(default_factory=list)


@dataclass
class Simulation:
    """Results of :func:`simulate`; every table is a tidy Polars frame.

    ``programmes``: cost, beneficiaries, coverage, targeting and adequacy per scenario and
    programme; ``distribution``: coverage, incidence and adequacy by decile and quintile;
    ``regions`` and ``groups``: the same by region and group; ``impact``: FGT0/1/2, Gini,
    Theil, Palma before/after/change (and ``vs_baseline``) with SEs; ``winners``: gains and
    losses of each scenario against the baseline by decile.
    """

    population: Population
    runs: list[Run]
    programmes: pl.DataFrame
    distribution: pl.DataFrame
    regions: pl.DataFrame
    impact: pl.DataFrame
    winners: pl.DataFrame
    notes: list[str] = field(default_factory=list)

    def tables(self) -> dict[str, pl.DataFrame]:
        return {
            "programmes": self.programmes,
            "distribution": self.distribution,
            "regions": self.regions,
            "impact": self.impact,
            "vs_baseline": self.versus_baseline(),
            "winners": self.winners,
        }

    def versus_baseline(self) -> pl.DataFrame:
        """Scenario minus baseline for every measure and domain, with its design-based SE and
        CI from the paired influence values (both runs on the same sample; the ``vs_baseline``
        rows of ``impact``). Shares (FGT0, FGT1) are in percentage points (``unit = "pp"``:
        ``baseline``, ``scenario_value``, ``difference``, ``se``, ``ci_low``, ``ci_high`` x 100);
        the other measures in their own unit (``"index"``)."""
        keys = ["scenario", "measure", "domain", "group"]
        diff = self.impact.filter(pl.col("stage") == "vs_baseline")
        after = self.impact.filter(pl.col("stage") == "after")
        base = after.filter(pl.col("scenario") == BASELINE).select(
            *keys[1:], pl.col("estimate").alias("baseline")
        )
        mine = after.select(*keys, pl.col("estimate").alias("scenario_value"))
        scale = pl.when(pl.col("measure").is_in(POINTS)).then(100.0).otherwise(1.0)
        values = ["baseline", "scenario_value", "difference", "se", "ci_low", "ci_high"]
        return (
            diff.rename({"estimate": "difference"})
            .join(base, on=keys[1:], how="left", nulls_equal=True)
            .join(mine, on=keys, how="left", nulls_equal=True)
            .with_columns([pl.col(c) * scale for c in values])
            .with_columns(
                unit=pl.when(pl.col("measure").is_in(POINTS))
                .then(pl.lit("pp"))
                .otherwise(pl.lit("index"))
            )
            .select(*keys, "unit", *values, "n", "reliability")
        )

    def to_frame(self) -> pl.DataFrame:
        """All tables stacked in one long frame with a ``table`` column."""
        parts = [t.with_columns(pl.lit(k).alias("table")) for k, t in self.tables().items()]
        frame = pl.concat(parts, how="diagonal_relaxed")
        return frame.select("table", pl.exclude("table"))


def ordered(programmes: Sequence[Programme]) -> list[Programme]:
    """Programmes in dependency order; :class:`CircularReferenceError` on a cycle."""
    by_id = {p.id: p for p in programmes}
    for p in programmes:
        missing = sorted(p.references - set(by_id))
        if missing:
            raise ProgrammeError(
                f"programme {p.id!r} refers to {', '.join(repr(m) for m in missing)}, which is "
                "not in this simulation"
            )
    done: list[Programme] = []
    state: dict[str, str] = {}

    def visit(pid: str, path: list[str]) -> None:
        if state.get(pid) == "done":
            return
        if state.get(pid) == "active":
            cycle = [*path[path.index(pid) :], pid]
            raise CircularReferenceError(
                "programmes refer to each other in a cycle: " + " -> ".join(cycle)
            )
        state[pid] = "active"
        for ref in sorted(by_id[pid].references):
            visit(ref, [*path, pid])
        state[pid] = "done"
        done.append(by_id[pid])

    for p in programmes:
        visit(p.id, [])
    return done


def run_programmes(
    pop: Population,
    programmes: Sequence[Programme],
    *,
    date: dt.date,
    seed: int,
    name: str,
    reuse: Run | None = None,
) -> Run:
    """Apply ``programmes`` in dependency order; welfare after the cash benefits.

    A programme equal to one of ``reuse`` (a run on the same population, date and seed) whose
    referenced programmes are reused too has the same outcome: it is taken, not recomputed.
    """
    plan = ordered(programmes)
    for p in plan:
        check_programme(pop, p, date)
    outcomes: dict[str, Outcome] = {}
    reused: set[str] = set()
    welfare = pop.welfare.copy()
    notes: list[str] = []
    per_period = PERIODS[pop.welfare_period]
    for p in plan:
        prior = reuse.outcomes.get(p.id) if reuse is not None else None
        if prior is not None and prior.programme == p and p.references <= reused:
            out = prior
            reused.add(p.id)
        else:
            out = apply_programme(pop, p, date, outcomes, seed=seed)
        outcomes[p.id] = out
        notes.extend(f"{name}: {n}" for n in out.notes)
        if p.in_welfare:
            welfare += out.household_amount / per_period / pop.members
    return Run(name, outcomes, welfare, notes)


def group_domains(pop: Population, groups: Mapping[str, str] | None) -> list[Domains]:
    """Domain codings: the whole population, regions, and each group expression's values."""
    out = [Domains("all", np.zeros(pop.n_households, dtype=np.int64), ["all"])]
    if pop.region_column is not None:
        codes, labels = pop.region_codes()
        out.append(Domains("region", codes, labels))
    dummy = Programme.from_dict({"id": "groups", "benefit": {"type": "flat", "amount": 0}})
    ctx = Context(pop, dummy, dt.date.min, {})
    for name, text in (groups or {}).items():
        expr = parse_expression(text, where=f"group {name!r}")
        flag = np.asarray(ctx.evaluate(expr, "household", BOOL))
        out.append(Domains(name, flag.astype(np.int64), ["no", "yes"]))
    return out


def simulate(
    pop: Population,
    baseline: Sequence[Programme],
    *,
    scenarios: Sequence[Scenario] = (),
    date: str | dt.date | None = None,
    seed: int = 0,
    groups: Mapping[str, str] | None = None,
    level: float = 0.95,
) -> Simulation:
    """Simulate ``baseline`` and every scenario on ``pop`` on ``date`` (parameters in force).

    ``groups`` maps a name to a household condition, e.g. ``{"female_head": "head_female",
    "elderly": "any(age >= 60)"}``: every output is also given for its yes/no groups.
    ``seed`` keys the take-up draws (with each programme's id and unit id).
    """
    day = to_date(date)
    names = {BASELINE}
    for sc in scenarios:
        if sc.name in names:
            raise ProgrammeError(f"scenario names must be unique; {sc.name!r} is repeated")
        names.add(sc.name)
    domains = group_domains(pop, groups)
    engine = DistributionEngine(pop, level=level)
    engine.add("before", pop.welfare)
    # the measures before the programmes are computed while the programmes run
    with ThreadPoolExecutor(max_workers=1) as background:
        before = background.submit(engine.prepare, [("before", dom) for dom in domains])
        runs = [run_programmes(pop, baseline, date=day, seed=seed, name=BASELINE)]
        for sc in scenarios:
            programmes = sc.applied_to(baseline)
            runs.append(run_programmes(pop, programmes, date=day, seed=seed, name=sc.name,
                                       reuse=runs[0]))  # fmt: skip
        before.result()
        for run in runs:
            engine.add(run.name, run.welfare)
        # the tables need only the runs: they are computed while the engine works
        tabled = background.submit(_tables, pop, runs, domains)
        engine.prepare([(run.name, dom) for run in runs for dom in domains])
        tables, winners = tabled.result()
    impact: list[pl.DataFrame] = []
    for run in runs:
        for dom in domains:
            rows = [engine.compare("before", run.name, dom)]
            if run.name != BASELINE:
                rows.append(
                    engine.compare(BASELINE, run.name, dom, stages=("vs_baseline",),
                                   change_label="vs_baseline")
                )  # fmt: skip
            for r in rows:
                impact.append(r.with_columns(pl.lit(run.name).alias("scenario")))
    return Simulation(
        population=pop,
        runs=runs,
        programmes=pl.concat([t[0] for t in tables], how="diagonal_relaxed"),
        distribution=pl.concat([t[1] for t in tables], how="diagonal_relaxed"),
        regions=pl.concat([t[2] for t in tables], how="diagonal_relaxed"),
        impact=_first(pl.concat(impact, how="vertical_relaxed"), ["scenario", "measure"]),
        winners=pl.concat(winners, how="diagonal_relaxed") if winners else _no_winners(),
        notes=[n for run in runs for n in run.notes],
    )


def _tables(
    pop: Population, runs: Sequence[Run], domains: Sequence[Domains]
) -> tuple[list[tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]], list[pl.DataFrame]]:
    """The programme tables of every run and the winners of every scenario."""
    cells = TableCells.build(pop, domains[1:])
    tables = [
        programme_tables(pop, run.name, run.outcomes, run.welfare, domains, cells=cells)
        for run in runs
    ]
    winners = [winners_losers(pop, runs[0].welfare, run.welfare, run.name) for run in runs[1:]]
    return tables, winners


def _first(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    return frame.select(columns + [c for c in frame.columns if c not in columns])


def _no_winners() -> pl.DataFrame:
    schema: dict[str, Any] = {"scenario": pl.Utf8, "decile": pl.Int64}
    return pl.DataFrame(schema=schema)
