"""Programme texts: templates, parsing with clear errors, simulation on a dataset (no Django)."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import polars as pl

from setara.errors import ReadError, SetaraError
from setara.programmes import (
    NoExtraBudgetError,
    Population,
    Programme,
    Scenario,
    budget_verdict,
    compare_targeting,
    read_programmes,
    simulate,
)
from setara.programmes.population import PERIODS
from setara.programmes.templates import template_names, template_spec
from setara.programmes.yaml_text import read_yaml


class SpecError(SetaraError):
    """A programme text that cannot be read."""


def templates() -> list[dict[str, str]]:
    """Shipped templates with their name, source and the date of their figures."""
    out = []
    for key in template_names():
        spec = template_spec(key)
        out.append(
            {
                "key": key,
                "name": str(spec.get("name", key)),
                "source": str(spec.get("source", "")),
                "figures_date": str(spec.get("figures_date", "")),
            }
        )
    return out


def template_text(key: str) -> str:
    if key not in template_names():
        raise SpecError(f"unknown template {key!r}; known: {', '.join(template_names())}")
    root = resources.files("setara.programmes.templates")
    return root.joinpath(f"{key}.yaml").read_text(encoding="utf-8")


def parse(text: str) -> list[Programme]:
    """The programmes of a YAML text (one programme or a list), or one clear error."""
    try:
        data = read_yaml(text, what="the programme")
    except ReadError as exc:
        raise SpecError(str(exc)) from None
    if not data:
        raise SpecError("the programme text is empty")
    return read_programmes(data)


def parse_groups(text: str) -> dict[str, str]:
    groups = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, eq, condition = line.partition("=")
        if not eq or not name.strip() or not condition.strip():
            raise SpecError(f"group line {number} {line.strip()!r} is not NAME = CONDITION")
        groups[name.strip()] = condition.strip()
    return groups


def run(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    *,
    baseline: list[Programme],
    scenario: list[Programme],
    scenario_name: str,
    date: dt.date | None,
    groups: dict[str, str],
    proxies: list[str] | None = None,
    categorical: str = "",
) -> dict[str, Any]:
    """Simulate and return every table as JSON-ready rows, with the budget verdict (what the
    scenario's extra budget could achieve at best) and, given PMT ``proxies``, targeting
    methods compared with that same budget."""
    if "welfare" not in mapping or "weight" not in mapping:
        raise SpecError("the dataset version needs the welfare and weight roles mapped")
    if "poverty_line" not in mapping:
        raise SpecError(
            "the dataset version needs a poverty line column mapped (fixed lines "
            "are required for simulated poverty changes)"
        )
    design = {k: mapping[k] for k in ("weight", "strata", "psu", "fpc") if k in mapping}
    population = Population.from_frame(
        frame,
        household=mapping.get("household_id"),
        welfare=mapping["welfare"],
        poverty_line=mapping["poverty_line"],
        design=design,
        region=mapping.get("province_code"),
    )
    sim = simulate(
        population,
        baseline,
        scenarios=[Scenario(scenario_name, tuple(scenario))],
        date=date,
        groups=groups,
    )
    tables = {name: _rows(table) for name, table in sim.tables().items()}
    notes = list(sim.notes)
    skipped: dict[str, Any] | None = None
    try:
        verdict = budget_verdict(sim, scenario_name)
        tables["verdict"] = _rows(verdict)
    except NoExtraBudgetError as exc:  # shown as a translated sentence, not as a note
        skipped = {"reason": "no_extra_budget", "per_year": exc.amount * PERIODS[exc.period]}
        verdict = None
    except SetaraError as exc:
        notes.append(f"budget verdict not computed: {exc}")
        verdict = None
    if proxies and verdict is not None:
        try:
            compared = compare_targeting(
                population,
                budget=float(verdict["budget"][0]),
                proxies=proxies,
                categorical=categorical or None,
            )
            tables["targeting"] = _rows(compared)
        except SetaraError as exc:
            notes.append(f"targeting comparison not computed: {exc}")
    return {
        "tables": tables,
        "notes": notes,
        "scenario": scenario_name,
        "skipped": skipped,
        "households": population.n_households,
        "persons": population.n_persons,
    }


def _rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: NaN and infinite values become null."""
    clean = frame.with_columns(
        [
            pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c)
            for c, t in frame.schema.items()
            if t.is_float()
        ]
    )
    return clean.to_dicts()
