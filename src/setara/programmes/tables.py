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

import numpy as np
import polars as pl

from setara.kernels.groups import FloatArray, IntArray, group_sum
from setara.programmes.change import Domains
from setara.programmes.population import PERIODS, Population
from setara.programmes.rules import Outcome

__all__ = ["programme_tables", "summaries", "winners_losers"]

ALL = "all programmes"


def summaries(
    pop: Population, codes: IntArray, n: int, amount: FloatArray
) -> dict[str, FloatArray]:
    """Per group of ``codes``: population, cost, beneficiaries, coverage, incidence, adequacy."""
    w, pw = pop.weight, pop.person_weight
    recv = amount > 0
    poor = pop.poor
    yearly_welfare = pop.welfare * pop.members * PERIODS[pop.welfare_period]
    columns = [pw, w * amount, w * recv, pw * recv, pw * poor, pw * (recv & poor)]
    columns.append(w * recv * yearly_welfare)
    sums = group_sum(codes, np.column_stack(columns), n)  # one pass over the rows
    return _ratios(sums)


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


def _programme_row(pop: Population, amount: FloatArray) -> dict[str, float]:
    whole = np.zeros(pop.n_households, dtype=np.int64)
    row = {k: float(v[0]) for k, v in summaries(pop, whole, 1, amount).items()}
    row.pop("incidence")
    pw, recv, poor = pop.person_weight, amount > 0, pop.poor
    reached = float((pw * recv).sum())
    bottom40 = pop.welfare_decile <= 4
    spend = float((pop.weight * amount).sum())
    nan = float("nan")
    row["exclusion_error"] = 1.0 - row["coverage_poor"]
    row["inclusion_error"] = float((pw * recv * ~poor).sum()) / reached if reached else nan
    row["targeting_differential"] = row["coverage_poor"] - row["inclusion_error"]
    row["cgh"] = float((pop.weight * amount * bottom40).sum()) / spend / 0.4 if spend else nan
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
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(programme summary, decile/quintile distribution, regions and groups) frames."""
    rows, dist, regional = [], [], []
    deciles = pop.welfare_decile - 1
    quintiles = (pop.welfare_decile - 1) // 2
    for pid, amount in _amounts(outcomes):
        row = {"scenario": scenario, "programme": pid, **_programme_row(pop, amount)}
        out = outcomes.get(pid)
        if out is not None and out.programme.unit == "person":
            weight = pop.weight[pop.household]
            row["beneficiary_units"] = float((weight * (out.unit_amount > 0)).sum())
        else:
            row["beneficiary_units"] = row["beneficiary_households"]
        rows.append(row)
        for grouping, codes, n in (("decile", deciles, 10), ("quintile", quintiles, 5)):
            parts = summaries(pop, codes, n, amount)
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
        for dom in domains[1:]:
            parts = summaries(pop, dom.codes, dom.n, amount)
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
