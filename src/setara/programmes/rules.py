"""Apply one programme's rules to a population: eligibility, benefit, take-up and rationing.

Everything is vectorised over households and persons. Amounts are computed per ``period`` of
the programme and returned per year. Order of the steps: eligibility, the benefit formula,
take-up (a draw keyed to the unit id), then rationing under the budget ceiling among those who
take the benefit up.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.kernels.groups import FloatArray, IntArray
from setara.programmes.errors import UnknownVariableError, VariableTypeError
from setara.programmes.expressions import BOOL, NUM, TEXT, Expression, Value
from setara.programmes.hashing import hash_text, uniform_draws
from setara.programmes.population import PERIODS, Population, quantile_groups
from setara.programmes.rationing import Rationed, ration
from setara.programmes.spec import Programme

__all__ = ["Outcome", "apply_programme", "check_programme"]

BoolArray = npt.NDArray[np.bool_]
DERIVED = (
    "welfare", "welfare_decile", "desil", "welfare_quintile", "members", "poor", "region",
    "pmt_score", "pmt_decile", "poverty_line",
)  # fmt: skip


@dataclass
class Outcome:
    """One programme's result: yearly amounts per unit and per household."""

    programme: Programme
    unit_amount: FloatArray
    household_amount: FloatArray
    eligible: BoolArray
    notes: list[str] = field(default_factory=list)
    rationed: Rationed | None = None  # what a binding budget ceiling left

    @property
    def receives(self) -> BoolArray:
        return np.asarray(self.unit_amount > 0)


class Context:
    """The variables an expression of ``programme`` sees (an expression environment)."""

    def __init__(
        self,
        pop: Population,
        programme: Programme,
        date: dt.date,
        outcomes: Mapping[str, Outcome],
        *,
        check_only: bool = False,
    ) -> None:
        self.pop = pop
        self.spec = programme
        self.params = {p.name: p.on(date) for p in programme.parameters}
        self.outcomes = outcomes
        self.check_only = check_only
        self.where = f"programme {programme.id!r}"

    def variable(self, name: str, level: str) -> Value:
        if name in self.params:
            return self._parameter(name, level)
        if name not in DERIVED:
            return self._column(name, level)
        value = self._derived(name)  # household level
        if self.check_only:
            return Value(value.kind, None, value.categories, value.label)
        if level == "person":
            data = value.data[self.pop.household]
            return Value(value.kind, data, value.categories, value.label)
        return value

    def _parameter(self, name: str, level: str) -> Value:
        held = self.params[name]
        if not held.regions or self.check_only:
            return Value(NUM, None if self.check_only else held.value, label=f"parameter {name}")
        codes, labels = self.pop.region_codes()
        per_region = np.array([held.regions.get(lbl, held.value) for lbl in labels])
        data = per_region[codes]
        return Value(NUM, data[self.pop.household] if level == "person" else data, label=name)

    def _derived(self, name: str) -> Value:
        pop = self.pop
        if name in ("welfare", "members", "poverty_line"):
            data: Any = {
                "welfare": pop.welfare,
                "members": pop.members,
                "poverty_line": pop.poverty_line,
            }[name]
            return Value(NUM, data, label=name)
        if name in ("welfare_decile", "desil"):
            return Value(NUM, pop.welfare_decile.astype(np.float64), label=name)
        if name == "welfare_quintile":
            return Value(NUM, np.ceil(pop.welfare_decile / 2.0), label=name)
        if name == "poor":
            return Value(BOOL, pop.poor, label=name)
        if name == "region":
            if pop.region_column is None:
                raise UnknownVariableError(f"{self.where}: 'region' needs a region column")
            codes, labels = pop.region_codes()
            return Value(TEXT, codes, tuple(labels), label="region")
        if pop.score_column is None:
            raise UnknownVariableError(f"{self.where}: {name!r} needs a PMT score column")
        score = self._column(pop.score_column, "household")
        if name == "pmt_score":
            return score
        deciles = pop.cache(
            ("pmt_decile", pop.score_column),
            lambda: quantile_groups(score.data, pop.person_weight, 10).astype(np.float64),
        )
        return Value(NUM, deciles, label=name)

    def _column(self, name: str, level: str) -> Value:
        pop = self.pop
        if name not in pop.persons.columns:
            known = [*pop.persons.columns, *DERIVED, *self.params]
            close = difflib.get_close_matches(name, known, n=3)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownVariableError(f"{self.where}: unknown variable {name!r}{hint}")
        person: Value = pop.cache(("column", name), lambda: _column_value(pop, name, self.where))
        if self.check_only:
            return Value(person.kind, None, person.categories, person.label)
        if level == "person":
            return person
        household = pop.cache(("household", name), lambda: self._household(person, name))
        return Value(person.kind, household, person.categories, person.label)

    def _household(self, person: Value, name: str) -> Any:
        pop = self.pop
        head = person.data[pop.first_row]
        same = person.data == head[pop.household]
        if person.kind == NUM:
            same |= np.isnan(person.data) & np.isnan(head[pop.household])
        n_bad = np.unique(pop.household[~same]).size
        if n_bad:
            raise VariableTypeError(
                f"{self.where}: variable {name!r} differs between members in {n_bad:,} of "
                f"{pop.n_households:,} households; in a household rule use any({name} ...), "
                f"count(...), sum(...), min(...) or max(...)"
            )
        return head

    def aggregate(self, values: npt.NDArray[Any], how: str) -> npt.NDArray[Any]:
        pop = self.pop
        hh, n = pop.household, pop.n_households
        if how in ("any", "all", "count"):
            count = np.bincount(hh, weights=values.astype(np.float64), minlength=n)
            if how == "count":
                return count
            return count > 0 if how == "any" else count == pop.members
        numbers = values.astype(np.float64)
        if how == "sum":
            return np.bincount(hh, weights=np.nan_to_num(numbers), minlength=n)
        out = np.full(n, np.inf if how == "min" else -np.inf)
        (np.fmin if how == "min" else np.fmax).at(out, hh, numbers)
        return np.where(np.isinf(out), np.nan, out)

    def to_persons(self, values: npt.NDArray[Any]) -> npt.NDArray[Any]:
        return values[self.pop.household]

    def programme(self, programme: str, what: str, level: str) -> Value:
        kind = BOOL if what == "receives" else NUM
        if self.check_only:
            return Value(kind, None, label=f"{what}({programme!r})")
        out = self.outcomes[programme]
        amount = out.unit_amount
        if out.programme.unit == "person" and level == "household":
            amount = out.household_amount
        elif out.programme.unit == "household" and level == "person":
            amount = amount[self.pop.household]
        data = amount > 0 if what == "receives" else amount
        return Value(kind, data, label=f"{what}({programme!r})")

    def evaluate(self, expr: Expression, level: str, kind: str) -> Any:
        value = expr.evaluate(self, level, where=self.where)
        if value.kind != kind and not (kind == NUM and value.kind == BOOL):
            raise VariableTypeError(
                f"{self.where}: {expr.text!r} is {value.kind}, but {kind} is needed here"
            )
        if self.check_only:
            return None
        size = self.pop.n_persons if level == "person" else self.pop.n_households
        dtype = np.bool_ if kind == BOOL else np.float64
        return np.broadcast_to(np.asarray(value.data, dtype=dtype), (size,))


def _column_value(pop: Population, name: str, where: str) -> Value:
    series = pop.persons.get_column(name)
    if series.dtype == pl.Boolean:
        return Value(BOOL, series.fill_null(False).to_numpy(), label=name)
    if series.dtype.is_numeric():
        return Value(NUM, series.cast(pl.Float64).fill_null(np.nan).to_numpy(), label=name)
    if series.dtype in (pl.Utf8, pl.Categorical, pl.Enum):
        text = series.cast(pl.Utf8)
        categories = text.drop_nulls().unique().sort().to_list()
        codes = text.cast(pl.Enum(categories)).to_physical().cast(pl.Int64).fill_null(-1)
        return Value(TEXT, codes.to_numpy(), tuple(categories), label=name)
    raise VariableTypeError(f"{where}: column {name!r} has type {series.dtype}, not usable")


def check_programme(pop: Population, programme: Programme, date: dt.date) -> None:
    """Check names and types of every expression without computing anything."""
    ctx = Context(pop, programme, date, {}, check_only=True)
    _benefit(ctx, programme, check=True)


def apply_programme(
    pop: Population,
    programme: Programme,
    date: dt.date,
    outcomes: Mapping[str, Outcome],
    *,
    seed: int = 0,
) -> Outcome:
    """Eligibility, benefit, take-up and rationing of ``programme`` (yearly amounts)."""
    ctx = Context(pop, programme, date, outcomes)
    unit_level = programme.unit
    eligible = np.asarray(ctx.evaluate(programme.eligibility, unit_level, BOOL))
    amount: FloatArray = np.where(eligible, _benefit(ctx, programme), 0.0)
    amount = np.maximum(np.nan_to_num(amount), 0.0)
    keys = pop.household_key if unit_level == "household" else pop.person_key
    if programme.take_up < 1.0:
        draws = uniform_draws(keys, np.uint64(seed) ^ hash_text(programme.id))
        amount = np.where(draws < programme.take_up, amount, 0.0)
    notes: list[str] = []
    rationed = None
    if programme.budget is not None:
        amount, note, rationed = ration(ctx, programme, amount, keys)
        if note:
            notes.append(note)
    household: FloatArray = amount
    if unit_level == "person":
        household = np.bincount(pop.household, weights=amount, minlength=pop.n_households).astype(
            np.float64
        )
    return Outcome(programme, amount, household, eligible, notes, rationed)


def _benefit(ctx: Context, programme: Programme, *, check: bool = False) -> Any:
    """Yearly benefit per unit before take-up and rationing."""
    b = programme.benefit
    unit = programme.unit
    pop = ctx.pop
    per_year = PERIODS[programme.period]
    if check:
        ctx.evaluate(programme.eligibility, unit, BOOL)
    if b.kind == "flat" and b.amount is not None:
        out = ctx.evaluate(b.amount, unit, NUM)
        return None if check else out * per_year
    if b.kind == "top_up" and b.threshold is not None:
        threshold = ctx.evaluate(b.threshold, unit, NUM)
        cap = ctx.evaluate(b.max_amount, unit, NUM) if b.max_amount is not None else None
        if check:
            return None
        welfare = pop.welfare if unit == "household" else pop.welfare[pop.household]
        gap = np.maximum(threshold - welfare, 0.0)
        yearly = gap * (pop.members if unit == "household" else 1.0) * PERIODS[pop.welfare_period]
        return yearly if cap is None else np.minimum(yearly, cap * per_year)
    member_amount = _member_amounts(ctx, programme, check=check)
    if check or member_amount is None:
        return None
    if unit == "person":
        return member_amount * per_year
    return np.bincount(pop.household, weights=member_amount, minlength=pop.n_households) * per_year


def _member_amounts(ctx: Context, programme: Programme, *, check: bool) -> FloatArray | None:
    """Per-person amounts (per period) of a per-member or premium benefit, capped."""
    b = programme.benefit
    if b.kind == "premium_share" and b.premium is not None and b.share is not None:
        premium = ctx.evaluate(b.premium, "person", NUM)
        share = ctx.evaluate(b.share, "person", NUM)
        covered = ctx.evaluate(b.members, "person", BOOL) if b.members is not None else True
        return None if check else np.where(covered, share * premium, 0.0)
    amount: Any = None if check else np.zeros(ctx.pop.n_persons)
    taken: Any = None if check else np.zeros(ctx.pop.n_persons, dtype=bool)
    for category in b.categories:  # a loop over a few categories, vectorised over persons
        when = ctx.evaluate(category.when, "person", BOOL)
        value = ctx.evaluate(category.amount, "person", NUM)
        if not check:
            first = when & ~taken
            amount = np.where(first, value, amount)
            taken = taken | when
    if check:
        return None
    if b.max_members is not None:
        amount = _cap_members(ctx.pop.household, amount, b.max_members)
    return np.asarray(amount, dtype=np.float64)


def _cap_members(household: IntArray, amount: FloatArray, cap: int) -> FloatArray:
    """Keep the ``cap`` largest member amounts of each household; only households with more
    than ``cap`` members receiving something are sorted."""
    n_hh = int(household.max()) + 1 if household.size else 0
    counted = np.bincount(household, weights=(amount > 0).astype(np.float64), minlength=n_hh)
    rows = np.flatnonzero((counted > cap)[household])
    if rows.size == 0:
        return amount
    sub_hh, sub_amount = household[rows], amount[rows]
    order = np.lexsort((-sub_amount, sub_hh))
    sorted_hh = sub_hh[order]
    starts = np.flatnonzero(np.r_[True, sorted_hh[1:] != sorted_hh[:-1]])
    rank = np.arange(order.size) - np.repeat(starts, np.diff(np.r_[starts, order.size]))
    keep = np.empty(order.size, dtype=bool)
    keep[order] = rank < cap
    out = amount.copy()
    out[rows] = np.where(keep, sub_amount, 0.0)
    return out
