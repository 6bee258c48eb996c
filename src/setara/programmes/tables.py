"""Cost, beneficiaries, coverage, incidence, adequacy and targeting tables of a simulation.

Conventions (CEQ and ASPIRE practice; Grosh et al. 2022, ch. 7):

- amounts are per year and totals are population totals (weights applied);
- *coverage* of a group is the share of its persons living in a household that receives the
  benefit (a person-level programme's benefit counts for the household);
- *incidence* of a group is its share of the programme's spending;
- *adequacy* is the benefit received by beneficiary households as a share of their welfare
  without the programmes (both per year);
- *exclusion error* = poor persons not reached / poor persons; *inclusion error* = non-poor
  persons in beneficiary households / persons in beneficiary households; the *targeting
  differential* (Grosh et al. 2022, tables 7.3-7.4) = coverage of the poor - inclusion error;
  the Coady-Grosh-Hoddinott indicator = share of benefits reaching the bottom 40 % / 0.40.

Deciles and quintiles are of persons ranked by per-capita welfare before the programmes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from setara.kernels.groups import FloatArray, IntArray, factorize, group_sum
from setara.programmes.change import Domains
from setara.programmes.population import PERIODS, Population
from setara.programmes.rules import Outcome

__all__ = ["TableCells", "programme_tables", "summaries", "winners_losers"]

ALL = "all programmes"


def summaries(
    pop: Population, codes: IntArray, n: int, amount: FloatArray
) -> dict[str, FloatArray]:
    """Per group of ``codes``: population, cost, beneficiaries, coverage, incidence, adequacy.

    The straightforward computation for one grouping; :class:`TableCells` gives the same
    numbers for every grouping of a simulation from one pass over the households.
    """
    columns = [pop.person_weight, *_amount_columns(pop, amount)]
    columns.insert(4, pop.person_weight * pop.poor)
    sums = group_sum(codes, np.column_stack(columns), n)  # one pass over the rows
    return _ratios(sums)


def _amount_columns(pop: Population, amount: FloatArray) -> list[FloatArray]:
    """Household columns that depend on the amounts: cost, beneficiary households and
    persons, poor beneficiary persons, welfare of beneficiary households (per year)."""
    w, pw = pop.weight, pop.person_weight
    recv = amount > 0
    yearly_welfare = pop.welfare * pop.members * PERIODS[pop.welfare_period]
    return [w * amount, w * recv, pw * recv, pw * (recv & pop.poor), w * recv * yearly_welfare]


def _ratios(sums: FloatArray) -> dict[str, FloatArray]:
    persons, cost, households, covered, poor, covered_poor, welfare = sums.T
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            "persons": persons,
            "cost": cost,
            "beneficiary_households": households,
            "beneficiary_persons": covered,
            "coverage": covered / persons,
            "coverage_poor": covered_poor / poor,
            "incidence": cost / max(float(cost.sum()), 1e-300),
            "adequacy": cost / welfare,
            "mean_benefit": cost / households,
        }


@dataclass(frozen=True)
class TableCells:
    """Households in cells crossing the welfare decile with every domain coding.

    Every table of :func:`programme_tables` is a sum over households by decile, quintile,
    region or group, so it is also a sum over these cells: the household columns of an amount
    are summed into the cells once (one ``bincount`` per column over combined codes) and each
    grouping adds up a few hundred cell totals. Sums are regrouped, so figures agree with
    :func:`summaries` to rounding (within 1e-13 relative), not bit for bit.
    """

    codes: IntArray  # cell of each household
    decile: IntArray  # decile code (0-9) of each cell
    domains: tuple[IntArray, ...]  # code of each cell in each domain coding
    fixed: FloatArray  # (cells, 2): persons and poor persons

    @classmethod
    def build(cls, pop: Population, domains: Sequence[Domains]) -> TableCells:
        deciles = pop.welfare_decile - 1
        codes, n_cells = factorize(deciles, *(d.codes for d in domains))
        first = np.full(n_cells, codes.size, dtype=np.int64)
        np.minimum.at(first, codes, np.arange(codes.size, dtype=np.int64))
        pw = pop.person_weight
        sums = [np.bincount(codes, weights=c, minlength=n_cells) for c in (pw, pw * pop.poor)]
        fixed = np.asarray(np.column_stack(sums), dtype=np.float64)
        return cls(codes, deciles[first], tuple(d.codes[first] for d in domains), fixed)

    def sums(self, pop: Population, amount: FloatArray) -> FloatArray:
        """The seven summed columns of :func:`summaries` per cell, ``(cells, 7)``."""
        n_cells = self.decile.size
        moving = [np.bincount(self.codes, weights=c, minlength=n_cells)
                  for c in _amount_columns(pop, amount)]  # fmt: skip
        return np.column_stack([self.fixed[:, 0], *moving[:3], self.fixed[:, 1], *moving[3:]])

    def summaries(self, cell_sums: FloatArray, codes: IntArray, n: int) -> dict[str, FloatArray]:
        """:func:`summaries` for a grouping given by the code of each cell."""
        return _ratios(group_sum(codes, cell_sums, n))


def _programme_row(cells: TableCells, cell_sums: FloatArray) -> dict[str, float]:
    whole = np.zeros(cells.decile.size, dtype=np.int64)
    row = {k: float(v[0]) for k, v in cells.summaries(cell_sums, whole, 1).items()}
    row.pop("incidence")
    reached = row["beneficiary_persons"]
    spend = row["cost"]
    bottom40 = float(cell_sums[cells.decile < 4, 1].sum())
    nan = float("nan")
    row["exclusion_error"] = 1.0 - row["coverage_poor"]
    covered_poor = float(cell_sums[:, 5].sum())
    row["inclusion_error"] = (reached - covered_poor) / reached if reached else nan
    row["targeting_differential"] = row["coverage_poor"] - row["inclusion_error"]
    row["cgh"] = bottom40 / spend / 0.4 if spend else nan
    return row


def _amounts(outcomes: Mapping[str, Outcome]) -> list[tuple[str, FloatArray]]:
    pairs = [(pid, out.household_amount) for pid, out in outcomes.items()]
    if len(pairs) > 1:
        pairs.append((ALL, np.sum([a for _, a in pairs], axis=0)))
    return pairs


def programme_tables(
    pop: Population,
    scenario: str,
    outcomes: Mapping[str, Outcome],
    welfare_after: FloatArray,
    domains: Sequence[Domains],
    *,
    cells: TableCells | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(programme summary, decile/quintile distribution, regions and groups) frames.

    ``cells`` (from :meth:`TableCells.build` with ``domains[1:]``) can be shared by the
    scenarios of one simulation.
    """
    cells = cells if cells is not None else TableCells.build(pop, domains[1:])
    rows, dist, regional = [], [], []
    groupings = [("decile", cells.decile, 10), ("quintile", cells.decile // 2, 5)]
    for pid, amount in _amounts(outcomes):
        cell_sums = cells.sums(pop, amount)
        row = {"scenario": scenario, "programme": pid, **_programme_row(cells, cell_sums)}
        out = outcomes.get(pid)
        if out is not None and out.programme.unit == "person":
            weight = pop.weight[pop.household]
            row["beneficiary_units"] = float((weight * (out.unit_amount > 0)).sum())
        else:
            row["beneficiary_units"] = row["beneficiary_households"]
        rationed = out.rationed if out is not None else None
        nan = float("nan")  # no binding ceiling: nothing left by rationing
        ceiling = out.programme.budget if out is not None else None
        row["budget_ceiling"] = ceiling.ceiling if ceiling is not None else nan
        row["unspent_budget"] = rationed.unspent if rationed else nan
        row["unfunded_eligible"] = rationed.unfunded if rationed else nan
        rows.append(row)
        for grouping, codes, n in groupings:
            parts = cells.summaries(cell_sums, codes, n)
            dist.append(
                pl.DataFrame(
                    {
                        "scenario": scenario,
                        "programme": pid,
                        "grouping": grouping,
                        "group": np.arange(1, n + 1),
                        **parts,
                    }
                )
            )
        for dom, codes in zip(domains[1:], cells.domains, strict=True):
            parts = cells.summaries(cell_sums, codes, dom.n)
            regional.append(
                pl.DataFrame(
                    {
                        "scenario": scenario,
                        "programme": pid,
                        "domain": dom.name,
                        "group": dom.labels,
                        **parts,
                    }
                )
            )
    empty = pl.DataFrame(schema={"scenario": pl.Utf8, "programme": pl.Utf8})
    return (
        pl.DataFrame(rows) if rows else empty,
        pl.concat(dist) if dist else empty,
        pl.concat(regional, how="vertical_relaxed") if regional else empty,
    )


def winners_losers(
    pop: Population, baseline: FloatArray, scenario: FloatArray, name: str
) -> pl.DataFrame:
    """Shares of persons gaining and losing (per-capita welfare) against the baseline, by
    decile of welfare before the programmes and overall (decile null)."""
    change = scenario - baseline
    tolerance = 1e-9 * np.maximum(np.abs(baseline), 1.0)
    gain, lose = change > tolerance, change < -tolerance
    pw = pop.person_weight
    codes = pop.welfare_decile - 1

    def by(values: FloatArray) -> FloatArray:
        grouped = np.bincount(codes, weights=values, minlength=10)
        return np.asarray(np.r_[grouped, values.sum()], dtype=np.float64)

    persons = by(pw)
    with np.errstate(divide="ignore", invalid="ignore"):
        return pl.DataFrame(
            {
                "scenario": name,
                "decile": pl.Series([*range(1, 11), None], dtype=pl.Int64),
                "winners": by(pw * gain) / persons,
                "losers": by(pw * lose) / persons,
                "unchanged": by(pw * ~(gain | lose)) / persons,
                "mean_change": by(pw * change) / persons,
                "mean_gain": by(pw * change * gain) / by(pw * gain),
                "mean_loss": by(pw * change * lose) / by(pw * lose),
            }
        )
