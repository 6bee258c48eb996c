"""Declarative programme specifications: dataclasses, read from YAML or built in Python.

A programme has a unit (household or person), an eligibility expression, a benefit formula,
parameters that may vary by date and region, an optional budget ceiling with a rationing rule
and a take-up rate. Amounts are per ``period`` (month, quarter, year or once).

>>> prog = Programme.from_dict({
...     "id": "grant", "unit": "household", "period": "month",
...     "eligibility": "welfare_decile <= 4",
...     "benefit": {"type": "flat", "amount": "grant_amount"},
...     "parameters": {"grant_amount": 200000},
... })
>>> prog.parameter("grant_amount").on("2025-01-01").value
200000.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from setara.programmes.errors import MissingParameterError, ProgrammeError
from setara.programmes.expressions import Expression, parse_expression
from setara.programmes.population import PERIODS
from setara.programmes.yaml_text import read_yaml, read_yaml_file

__all__ = [
    "Benefit",
    "Budget",
    "Category",
    "Parameter",
    "ParameterValue",
    "Programme",
    "read_programmes",
    "to_date",
]

UNITS = ("household", "person")
BENEFITS = ("flat", "per_member", "top_up", "premium_share")
RATIONING = ("poorest_first", "pro_rata", "regional_quotas")
FILLS = ("next_that_fits", "stop_at_first")  # as setara.programmes.rationing.FILLS


def to_date(value: str | dt.date | None) -> dt.date:
    """A date from ISO text (``"2025-01-01"``) or a date; ``None`` is today (UTC)."""
    if value is None:
        return dt.datetime.now(dt.UTC).date()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ProgrammeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


@dataclass(frozen=True)
class ParameterValue:
    """A value holding from ``start``, with optional overrides by region code."""

    start: dt.date
    value: float
    regions: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """A named amount or rate; ``values`` are ordered by start date."""

    name: str
    values: tuple[ParameterValue, ...]
    programme: str = ""

    def on(self, date: str | dt.date) -> ParameterValue:
        """The value holding on ``date``; :class:`MissingParameterError` when none does."""
        day = to_date(date)
        held = [v for v in self.values if v.start <= day]
        if not held:
            first = min(v.start for v in self.values)
            raise MissingParameterError(
                f"parameter {self.name!r} of programme {self.programme!r} has no value on "
                f"{day.isoformat()} (its first value holds from {first.isoformat()})"
            )
        return max(held, key=lambda v: v.start)


@dataclass(frozen=True)
class Category:
    """Members who count for a per-member benefit: a condition and an amount per member."""

    name: str
    when: Expression
    amount: Expression


@dataclass(frozen=True)
class Benefit:
    """The benefit formula. ``kind``: ``flat`` (``amount`` per unit), ``per_member``
    (``categories``, at most ``max_members`` counted, the largest amounts first), ``top_up``
    (raise per-capita welfare to ``threshold``, at most ``max_amount``), ``premium_share``
    (``share`` of ``premium`` for each member matching ``members``)."""

    kind: str
    amount: Expression | None = None
    categories: tuple[Category, ...] = ()
    max_members: int | None = None
    threshold: Expression | None = None
    max_amount: Expression | None = None
    share: Expression | None = None
    premium: Expression | None = None
    members: Expression | None = None

    def expressions(self) -> list[Expression]:
        found = [self.amount, self.threshold, self.max_amount, self.share, self.premium]
        found.append(self.members)
        for c in self.categories:
            found.extend([c.when, c.amount])
        return [e for e in found if e is not None]


@dataclass(frozen=True)
class Budget:
    """A yearly budget ceiling (currency, population totals) and how to ration under it.

    ``poorest_first`` ranks units by ``score`` (a variable: welfare or a PMT score);
    ``pro_rata`` scales every benefit; ``regional_quotas`` gives each region ``quotas``
    (shares of the ceiling; by default proportional to its eligible persons) and ranks within.
    ``fill``: ``next_that_fits`` (default) passes over a unit that no longer fits and funds the
    next one that does; ``stop_at_first`` stops at the first unit that does not fit.
    """

    ceiling: float
    rationing: str = "poorest_first"
    score: str = "welfare"
    quotas: Mapping[str, float] | None = None
    fill: str = "next_that_fits"


@dataclass(frozen=True)
class Programme:
    """One programme. Build with :meth:`from_dict` (the YAML layout) or directly."""

    id: str
    unit: str
    period: str
    eligibility: Expression
    benefit: Benefit
    parameters: tuple[Parameter, ...] = ()
    budget: Budget | None = None
    take_up: float = 1.0
    in_welfare: bool = True
    name: str = ""
    source: str = ""
    figures_date: str = ""
    notes: str = ""

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        raise MissingParameterError(f"programme {self.id!r} has no parameter {name!r}")

    @property
    def references(self) -> frozenset[str]:
        """Ids of other programmes this one refers to (receives()/benefit())."""
        found: set[str] = set(self.eligibility.programmes)
        for e in self.benefit.expressions():
            found |= e.programmes
        return frozenset(found)

    @classmethod
    def from_dict(cls, spec: Mapping[str, Any]) -> Programme:
        """Build from the YAML layout (see the templates in ``setara/programmes/templates``)."""
        if not isinstance(spec, Mapping):
            raise ProgrammeError(f"a programme must be a mapping, not {type(spec).__name__}")
        pid = str(spec.get("id", "")).strip()
        if not pid or not pid.replace("_", "").isalnum():
            raise ProgrammeError(f"programme id {pid!r} must be letters, digits and _")
        known = {
            "id", "name", "unit", "period", "eligibility", "benefit", "parameters", "budget",
            "take_up", "in_welfare", "source", "figures_date", "notes", "template",
        }  # fmt: skip
        extra = sorted(set(spec) - known)
        if extra:
            raise ProgrammeError(f"programme {pid!r}: unknown key(s) {', '.join(extra)}")
        unit = _choice(spec.get("unit", "household"), UNITS, pid, "unit")
        period = _choice(spec.get("period", "year"), tuple(PERIODS), pid, "period")
        take_up = _number(spec.get("take_up", 1.0), pid, "take_up")
        if not 0.0 <= take_up <= 1.0:
            raise ProgrammeError(f"programme {pid!r}: take_up must be in [0, 1], not {take_up}")
        return cls(
            id=pid,
            unit=unit,
            period=period,
            eligibility=parse_expression(
                spec.get("eligibility", True), where=f"programme {pid!r} eligibility"
            ),
            benefit=_benefit(spec.get("benefit"), pid),
            parameters=tuple(_parameters(spec.get("parameters") or {}, pid)),
            budget=_budget(spec.get("budget"), pid),
            take_up=take_up,
            in_welfare=bool(spec.get("in_welfare", True)),
            name=str(spec.get("name", pid)),
            source=str(spec.get("source", "")),
            figures_date=str(spec.get("figures_date", "")),
            notes=str(spec.get("notes", "")),
        )


def _choice(value: Any, allowed: Sequence[str], pid: str, key: str) -> str:
    if value not in allowed:
        raise ProgrammeError(
            f"programme {pid!r}: {key} must be one of {', '.join(allowed)}, not {value!r}"
        )
    return str(value)


def _number(value: Any, pid: str, key: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ProgrammeError(f"programme {pid!r}: {key} must be a number, not {value!r}") from None


def _expr(spec: Mapping[str, Any], key: str, pid: str, *, required: bool = False) -> Any:
    if key not in spec or spec[key] is None:
        if required:
            raise ProgrammeError(f"programme {pid!r}: the benefit needs {key!r}")
        return None
    return parse_expression(spec[key], where=f"programme {pid!r} benefit {key}")


def _benefit(spec: Any, pid: str) -> Benefit:
    if not isinstance(spec, Mapping):
        raise ProgrammeError(f"programme {pid!r} needs a benefit mapping with a type")
    kind = _choice(spec.get("type"), BENEFITS, pid, "benefit type")
    cats: list[Category] = []
    for i, c in enumerate(spec.get("categories") or []):
        if not isinstance(c, Mapping) or "when" not in c or "amount" not in c:
            raise ProgrammeError(f"programme {pid!r}: category {i + 1} needs when and amount")
        where = f"programme {pid!r} category {c.get('name', i + 1)!r}"
        cats.append(
            Category(
                name=str(c.get("name", f"category_{i + 1}")),
                when=parse_expression(c["when"], where=where + " when"),
                amount=parse_expression(c["amount"], where=where + " amount"),
            )
        )
    if kind == "per_member" and not cats:
        raise ProgrammeError(f"programme {pid!r}: a per_member benefit needs categories")
    cap = spec.get("max_members")
    if cap is not None and (not isinstance(cap, int) or cap < 1):
        raise ProgrammeError(f"programme {pid!r}: max_members must be a positive integer")
    return Benefit(
        kind=kind,
        amount=_expr(spec, "amount", pid, required=kind == "flat"),
        categories=tuple(cats),
        max_members=cap,
        threshold=_expr(spec, "threshold", pid, required=kind == "top_up"),
        max_amount=_expr(spec, "max_amount", pid),
        share=_expr(spec, "share", pid) or parse_expression(1),
        premium=_expr(spec, "premium", pid, required=kind == "premium_share"),
        members=_expr(spec, "members", pid),
    )


def _parameters(spec: Any, pid: str) -> list[Parameter]:
    if not isinstance(spec, Mapping):
        raise ProgrammeError(f"programme {pid!r}: parameters must be a mapping of names")
    out: list[Parameter] = []
    for name, body in spec.items():
        if isinstance(body, int | float) and not isinstance(body, bool):
            values = [ParameterValue(dt.date.min, float(body))]
        else:
            entries = body.get("values") if isinstance(body, Mapping) else body
            if not isinstance(entries, list) or not entries:
                raise ProgrammeError(
                    f"programme {pid!r}: parameter {name!r} needs a number or a list of "
                    "values with from/value"
                )
            values = [_parameter_value(e, pid, str(name)) for e in entries]
        out.append(Parameter(str(name), tuple(sorted(values, key=lambda v: v.start)), pid))
    return out


def _parameter_value(entry: Any, pid: str, name: str) -> ParameterValue:
    if not isinstance(entry, Mapping) or "value" not in entry:
        raise ProgrammeError(f"programme {pid!r}: parameter {name!r} entry needs a value")
    regions = entry.get("regions") or {}
    return ParameterValue(
        start=to_date(entry["from"]) if entry.get("from") else dt.date.min,
        value=_number(entry["value"], pid, f"parameter {name}"),
        regions={str(k): _number(v, pid, f"parameter {name}") for k, v in regions.items()},
    )


def _budget(spec: Any, pid: str) -> Budget | None:
    if spec is None:
        return None
    if not isinstance(spec, Mapping) or "ceiling" not in spec:
        raise ProgrammeError(f"programme {pid!r}: budget needs a ceiling")
    quotas = spec.get("quotas")
    return Budget(
        ceiling=_number(spec["ceiling"], pid, "budget ceiling"),
        rationing=_choice(spec.get("rationing", "poorest_first"), RATIONING, pid, "rationing"),
        score=str(spec.get("score", "welfare")),
        quotas={str(k): float(v) for k, v in quotas.items()} if quotas else None,
        fill=_choice(spec.get("fill", "next_that_fits"), FILLS, pid, "budget fill"),
    )


def read_programmes(source: str | Path | Mapping[str, Any] | list[Any]) -> list[Programme]:
    """Programmes from a YAML file, YAML text or parsed data: one programme mapping, a list,
    or ``{programmes: [...]}``. ``template: name`` starts from a shipped template and
    overrides its keys (``parameters`` merged by name)."""
    from setara.programmes.templates import template_spec

    data: Any = source
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source):
        data = read_yaml_file(source, what="programme file")
    elif isinstance(source, str):
        data = read_yaml(source, what="programme text")
    if isinstance(data, Mapping) and "programmes" in data:
        data = data["programmes"]
    items = data if isinstance(data, list) else [data]
    out: list[Programme] = []
    for item in items:
        if isinstance(item, Mapping) and "template" in item:
            base = dict(template_spec(str(item["template"])))
            params = {**(base.get("parameters") or {}), **(item.get("parameters") or {})}
            item = {**base, **item, "parameters": params}
            item.pop("template")
        out.append(Programme.from_dict(item))
    ids = [p.id for p in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ProgrammeError(f"programme ids must be unique; repeated: {', '.join(dupes)}")
    return out
