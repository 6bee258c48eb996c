"""The people a programme is simulated on: persons grouped in households, with welfare.

A :class:`Population` is built from a person-level frame (one row per person, a household id
column) — survey microdata with its design, or registry-style full-population data without
weights. Households need not be contiguous; results never depend on row order.

Welfare is per capita and constant within a household (Susenas' ``expenditure_pc``). Measures
are computed over households with weight ``weight x members``: for a household-constant
welfare this equals the person-level estimate and its linearized variance exactly.

Derived variables available to expressions: ``welfare``, ``welfare_decile`` (alias ``desil``,
1 = poorest 10 % of persons), ``welfare_quintile``, ``members``, ``poor``, ``region`` (when a
region column is named), and ``pmt_score``/``pmt_decile`` when a score column is named.

>>> from setara.demo import generate_survey
>>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
>>> pop.n_households, pop.n_persons
(2634, 10000)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.design import SurveyDesign
from setara.errors import InputValueError, count_phrase
from setara.estimation import survey_design
from setara.frames import key_column, numeric_column, require_column, to_polars
from setara.kernels.distribution import quantile_groups_of
from setara.kernels.groups import FloatArray, IntArray, factorize, stable_argsort
from setara.programmes.hashing import hash_keys, mix

__all__ = ["PERIODS", "Population", "quantile_groups", "stable_argsort"]

PERIODS = {"month": 12.0, "quarter": 4.0, "year": 1.0, "once": 1.0}
DEMO_COLUMNS = dict(weight="weight", strata="stratum", psu="psu", fpc="psu_count")


def quantile_groups(
    values: FloatArray, weights: FloatArray, groups: int, *, order: IntArray | None = None
) -> IntArray:
    """Weighted quantile group (1..groups) of every unit, poorest first, by the engine's
    quantile rule (:func:`setara.kernels.distribution.quantile_groups_of`): group ``k`` holds
    ``q_((k-1)/G) < y <= q_(k/G)``, so the household straddling a cut belongs to the group
    below it and the bottom 40 % (deciles 1-4) are the households at or below ``q_0.4``.
    ``order``: ``np.argsort(values, kind="stable")`` when it is already at hand.
    """
    if order is None:
        order = stable_argsort(values)
    return quantile_groups_of(values, weights, groups, order)


@dataclass
class Population:
    """Persons in households with per-capita welfare, weights and (for surveys) a design."""

    persons: pl.DataFrame
    household: IntArray  # household index of each person
    n_households: int
    first_row: IntArray  # first person row of each household
    members: FloatArray  # persons per household
    welfare: FloatArray  # per-capita welfare per household, per welfare_period
    weight: FloatArray  # household weight (1 for registry data)
    poverty_line: FloatArray  # per household, per capita per welfare_period
    household_key: npt.NDArray[np.uint64]
    person_key: npt.NDArray[np.uint64]
    design: SurveyDesign | None = None
    region_column: str | None = None
    score_column: str | None = None
    welfare_period: str = "month"
    labels: dict[str, str] = field(default_factory=dict)
    _cache: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False)

    @classmethod
    def from_frame(
        cls,
        data: Any,
        *,
        household: str | None = "hh_id",
        welfare: str = "expenditure_pc",
        poverty_line: str | float = "poverty_line",
        design: Mapping[str, Any] | str | None = None,
        region: str | None = "province_code",
        person_id: str | None = "person_id",
        pmt_score: str | None = None,
        welfare_period: str = "month",
    ) -> Population:
        """Build from a person-level frame.

        ``design`` is ``None`` for registry data (every household weight 1, no sampling
        error), ``"demo"`` for the demo survey's columns, or keyword arguments of
        :func:`setara.survey_design` naming columns (weight, strata, psu, fpc, ...).
        Without a ``household`` column every row is its own household. Columns named
        ``None`` or absent (``region``, ``person_id``) are simply not used.
        """
        frame = to_polars(data)
        n = frame.height
        if n == 0:
            raise InputValueError("the data has no rows")
        if welfare_period not in PERIODS:
            raise InputValueError(f"welfare_period must be one of {', '.join(PERIODS)}")
        if household is not None:
            key = key_column(frame, household, "household")
            codes, n_hh = factorize(key)
            hh_key = hash_keys(key)
        else:
            codes, n_hh = np.arange(n, dtype=np.int64), n
            hh_key = mix(np.arange(n, dtype=np.uint64))
        first = np.full(n_hh, n, dtype=np.int64)
        np.minimum.at(first, codes, np.arange(n, dtype=np.int64))
        members = np.bincount(codes, minlength=n_hh).astype(np.float64)
        hh_key = hh_key[first]
        # the design (weights, strata, PSUs) is built on another core meanwhile; errors in
        # the welfare and line columns are still raised first
        with ThreadPoolExecutor(max_workers=1) as background:
            designed = background.submit(_design, frame, design, codes, first, n_hh)
            y, line, person_key = _household_columns(
                frame, welfare, poverty_line, person_id, codes, first, hh_key
            )
            built, weight = designed.result()
        if region is not None and region not in frame.columns:
            region = None
        return cls(
            persons=frame,
            household=codes,
            n_households=n_hh,
            first_row=first,
            members=members,
            welfare=y,
            weight=weight,
            poverty_line=line,
            household_key=hh_key,
            person_key=person_key,
            design=built,
            region_column=region,
            score_column=pmt_score,
            welfare_period=welfare_period,
        )

    @property
    def n_persons(self) -> int:
        return int(self.household.size)

    @property
    def is_survey(self) -> bool:
        return self.design is not None

    @property
    def person_weight(self) -> FloatArray:
        """Persons each household row stands for: ``weight x members``."""
        weights: FloatArray = self.cache(("person_weight", ""), lambda: self.weight * self.members)
        return weights

    def cache(self, key: tuple[str, str], compute: Any) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    @cached_property
    def welfare_order(self) -> IntArray:
        """Households sorted by welfare (a stable sort: ties in row order), shared by the
        deciles and the impact measures before the programmes."""
        return stable_argsort(self.welfare)

    @cached_property
    def welfare_decile(self) -> IntArray:
        return quantile_groups(self.welfare, self.person_weight, 10, order=self.welfare_order)

    @cached_property
    def poor(self) -> npt.NDArray[np.bool_]:
        """Poor as Setara's FGT: welfare at or below the line."""
        return np.asarray(self.welfare <= self.poverty_line)

    def region_codes(self) -> tuple[IntArray, list[str]]:
        """Region of every household as codes and labels (one region when none is named)."""
        column = self.region_column
        if column is None:
            return np.zeros(self.n_households, dtype=np.int64), ["all"]

        def compute() -> tuple[IntArray, list[str]]:
            labels = self.persons.get_column(column).cast(pl.Utf8)
            values = labels.gather(self.first_row).fill_null("(missing)")
            uniques = values.unique().sort()
            codes = values.replace_strict(
                uniques, pl.Series(np.arange(uniques.len())), return_dtype=pl.Int64
            )
            return np.asarray(codes.to_numpy()), uniques.to_list()

        result: tuple[IntArray, list[str]] = self.cache(("region", ""), compute)
        return result

    def with_score(self, score: FloatArray, *, name: str = "pmt_score_fitted") -> Population:
        """A copy whose ``pmt_score``/``pmt_decile`` come from household ``score`` values
        (for example :attr:`setara.programmes.pmt.PMTModel.cv_score`)."""
        if score.shape != (self.n_households,):
            raise InputValueError(f"score needs {self.n_households:,} household values")
        persons = self.persons.with_columns(pl.Series(name, score[self.household]))
        return dataclasses.replace(self, persons=persons, score_column=name, _cache={})

    def with_welfare(self, welfare: FloatArray) -> Population:
        """A copy with another pre-programme welfare (same households)."""
        return dataclasses.replace(self, welfare=welfare, _cache={})


def _household_columns(
    frame: pl.DataFrame,
    welfare: str,
    poverty_line: str | float,
    person_id: str | None,
    codes: IntArray,
    first: IntArray,
    hh_key: npt.NDArray[np.uint64],
) -> tuple[FloatArray, FloatArray, npt.NDArray[np.uint64]]:
    """Welfare and poverty line per household (checked) and the person keys."""
    n = codes.size
    y = _household_values(frame, welfare, "welfare", codes, first)
    if np.isnan(y).any():
        bad = int(np.isnan(y).sum())
        raise InputValueError(f"welfare column {welfare!r} is missing for {bad:,} households")
    if isinstance(poverty_line, str):
        line = _household_values(frame, poverty_line, "poverty line", codes, first)
    else:
        line = np.full(first.size, float(poverty_line))
    if np.isnan(line).any() or (line <= 0).any():
        bad = int((np.isnan(line) | (line <= 0)).sum())
        raise InputValueError(f"poverty line is missing or not positive for {bad:,} households")
    if person_id is not None and person_id in frame.columns:
        person_key = hash_keys(key_column(frame, person_id, "person id"))
    else:  # member position in row order within the household
        position = np.arange(n) - first[codes]
        person_key = mix(hh_key[codes] ^ mix(position.astype(np.uint64)))
    return y, line, person_key


def _household_values(
    frame: pl.DataFrame, column: str, role: str, codes: IntArray, first: IntArray
) -> FloatArray:
    values = numeric_column(frame, column, role)
    head = values[first]
    differs = ~np.isclose(values, head[codes], rtol=1e-12, atol=0.0, equal_nan=True)
    if differs.any():
        n_bad = np.unique(codes[differs]).size
        raise InputValueError(
            f"{role} column {column!r} varies within "
            f"{count_phrase(n_bad, first.size, 'households')}"
            "; it must be per capita and the same for every member"
        )
    return head


def _design(
    frame: pl.DataFrame,
    spec: Mapping[str, Any] | str | None,
    codes: IntArray,
    first: IntArray,
    n_hh: int,
) -> tuple[SurveyDesign | None, FloatArray]:
    if spec is None:
        return None, np.ones(n_hh)
    options = dict(DEMO_COLUMNS) if spec == "demo" else dict(spec)  # type: ignore[arg-type]
    columns: list[str] = []
    for key in ("weight", "strata", "psu", "fpc"):
        value = options.get(key)
        if isinstance(value, str):
            columns.extend(v.strip() for v in value.split(",") if v.strip())
        elif value is not None:
            columns.extend(value)
    for name in columns:
        require_column(frame, name, "design")
    rep = options.get("replicate_weights")
    rep_columns = [c for c in frame.columns if _matches(c, rep)] if rep else []
    households = frame.select(list(dict.fromkeys(columns + rep_columns))).gather(first)
    weight_name = options.get("weight")
    if weight_name:
        w = numeric_column(frame, weight_name, "weight")
        if not np.allclose(w, w[first][codes], rtol=1e-12, atol=0.0, equal_nan=True):
            raise InputValueError(f"weight column {weight_name!r} varies within households")
    design = survey_design(households, **options)
    if design.replicates is not None and design.replicates.matrix is not None:
        members = np.bincount(codes, minlength=n_hh).astype(np.float64)
        reps = dataclasses.replace(
            design.replicates, matrix=design.replicates.matrix * members[:, None]
        )
        design = dataclasses.replace(design, replicates=reps, _cells=[])
    return design, design.weights


def _matches(column: str, spec: Any) -> bool:
    import fnmatch

    if isinstance(spec, str):
        return any(fnmatch.fnmatchcase(column, p.strip()) for p in spec.split(","))
    return column in spec
