"""The per-household simulation step, partition by partition (the basis for scaling out).

A programme's rules act on each household through its own variables plus a few
population-level quantities: the welfare deciles (``welfare_decile``, ``desil``,
``welfare_quintile``) and PMT deciles. :func:`split` cuts a population into parts (by region,
say) that carry the whole population's deciles, so every rule gives the same amount in a part as
in the whole; :func:`run_partitioned` applies the programmes part by part and puts the amounts
back in place. Take-up draws are keyed to the unit ids, so they do not depend on the part
either. Programmes with a budget ceiling are refused: rationing ranks units across all parts.

The amounts are exactly those of the whole run, and every additive output (cost,
beneficiaries, the cell sums of :class:`~setara.programmes.tables.TableCells`) is the sum of
the parts' sums. Only the parts' household amounts (or their cell sums) need to travel; the
measures of :mod:`.change` then run on the assembled welfare vectors.

>>> from setara.demo import generate_survey
>>> from setara.programmes import Population, load_template, simulate
>>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
>>> codes, labels = pop.region_codes()
>>> run = run_partitioned(pop, [load_template("sembako")], codes, len(labels), date="2025-06-30")
>>> whole = simulate(pop, [load_template("sembako")], date="2025-06-30").runs[0]
>>> bool((run.welfare == whole.welfare).all())
True
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence

import numpy as np

from setara.kernels.groups import IntArray
from setara.programmes.errors import ProgrammeError
from setara.programmes.population import Population
from setara.programmes.rules import Outcome
from setara.programmes.simulate import Run, run_programmes
from setara.programmes.spec import Programme, to_date

__all__ = ["run_partitioned", "split"]


def split(pop: Population, codes: IntArray, n: int) -> list[tuple[IntArray, Population]]:
    """``(households, part)`` for each partition code ``0..n-1`` of the households.

    A part keeps its rows in their original order and the whole population's welfare (and
    PMT) deciles; it has no survey design (the simulation step does not use it).
    """
    if codes.shape != (pop.n_households,):
        raise ProgrammeError(f"partition codes need {pop.n_households:,} household values")
    parts = []
    for code in range(n):
        households = np.flatnonzero(codes == code)
        if households.size:
            parts.append((households, _part(pop, households)))
    return parts


def _part(pop: Population, households: IntArray) -> Population:
    index = np.full(pop.n_households, -1, dtype=np.int64)
    index[households] = np.arange(households.size)
    rows = np.flatnonzero(index[pop.household] >= 0)
    part = dataclasses.replace(
        pop,
        persons=pop.persons[rows],
        household=index[pop.household[rows]],
        n_households=int(households.size),
        first_row=np.searchsorted(rows, pop.first_row[households]).astype(np.int64),
        members=pop.members[households],
        welfare=pop.welfare[households],
        weight=pop.weight[households],
        poverty_line=pop.poverty_line[households],
        household_key=pop.household_key[households],
        person_key=pop.person_key[rows],
        design=None,
        _cache={},
    )
    part.__dict__["welfare_decile"] = pop.welfare_decile[households]  # the whole's deciles
    for key, value in pop._cache.items():
        if key[0] == "pmt_decile":
            part._cache[key] = value[households]
    return part


def run_partitioned(
    pop: Population,
    programmes: Sequence[Programme],
    codes: IntArray,
    n: int,
    *,
    date: str | dt.date | None = None,
    seed: int = 0,
    name: str = "partitioned",
) -> Run:
    """:func:`~setara.programmes.simulate.run_programmes` part by part (``codes``: the
    partition of every household), with the amounts and welfare put back in place."""
    rationed = [p.id for p in programmes if p.budget is not None]
    if rationed:
        raise ProgrammeError(
            f"programmes {', '.join(repr(r) for r in rationed)} have a budget ceiling; "
            "rationing ranks units across the whole population, so they cannot run by partition"
        )
    day = to_date(date)
    if pop.score_column is not None:  # PMT deciles of the whole, cached before splitting
        from setara.programmes.rules import Context

        Context(pop, programmes[0], day, {}).variable("pmt_decile", "household")
    welfare = pop.welfare.copy()
    pieces: list[tuple[IntArray, IntArray, dict[str, Outcome]]] = []
    notes: list[str] = []
    for households, part in split(pop, codes, n):
        run = run_programmes(part, programmes, date=day, seed=seed, name=name)
        welfare[households] = run.welfare
        notes.extend(run.notes)
        rows = np.flatnonzero(np.isin(pop.household, households))
        pieces.append((households, rows, run.outcomes))
    outcomes = {p.id: _assemble(pop, p, pieces) for p in programmes}
    return Run(name, outcomes, welfare, notes)


def _assemble(
    pop: Population,
    programme: Programme,
    pieces: list[tuple[IntArray, IntArray, dict[str, Outcome]]],
) -> Outcome:
    person = programme.unit == "person"
    size = pop.n_persons if person else pop.n_households
    unit_amount = np.zeros(size)
    eligible = np.zeros(size, dtype=bool)
    household_amount = np.zeros(pop.n_households)
    for households, rows, outcomes in pieces:
        out = outcomes[programme.id]
        where = rows if person else households
        unit_amount[where] = out.unit_amount
        eligible[where] = out.eligible
        household_amount[households] = out.household_amount
    return Outcome(programme, unit_amount, household_amount, eligible)
