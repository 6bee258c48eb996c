"""Equity of access: gaps between groups, the concentration index of access by welfare and
the Gini or Theil index of access across villages.

Both cases go through the engine (:func:`setara.estimate`), so the formulas are the engine's:

- demand from a census or register (villages with population counts): every person counted
  once, weight = population; the values are exact, so ``se`` and the interval are null
  (:func:`access_equity`, :func:`access_gap`);
- demand from a survey whose households carry a location code: the access of each location
  is joined to the households and estimated with the survey's design, with design-based
  standard errors (:func:`survey_access_equity`, :func:`survey_access_gap`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl

import setara
from setara.errors import ColumnNotFoundError, InputValueError
from setara.results import Results

__all__ = [
    "access_equity",
    "access_gap",
    "join_access",
    "survey_access_equity",
    "survey_access_gap",
]

EXACT = ("se", "ci_low", "ci_high", "rse")


def _exact(results: Results) -> pl.DataFrame:
    """A census: no sampling error, so no SE, interval or reliability flag."""
    frame = results.frame
    nulls = [pl.lit(None, dtype=pl.Float64).alias(c) for c in EXACT if c in frame.columns]
    reason = pl.lit("census or register: every person counted").alias("reliability_reason")
    return frame.with_columns(*nulls, pl.lit("exact").alias("reliability"), reason)


def _census_design(demand: pl.DataFrame, population: str) -> Any:
    return setara.survey_design(demand, weight=population)


def access_equity(
    demand: pl.DataFrame,
    access: str,
    *,
    population: str = "population",
    measures: Sequence[str] = ("mean", "gini", "theil"),
    welfare: str | None = None,
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Population-weighted ``measures`` of the access column across demand points (exact).

    ``welfare`` (a per-village welfare or poverty-rate column) adds the concentration index
    of access ranked by it: negative when access is concentrated among the worse-off ranks.

    Examples
    --------
    >>> d = pl.DataFrame({"access": [10.0, 20, 40, 80], "population": [100.0, 100, 100, 100]})
    >>> access_equity(d, "access", measures=["mean"])["estimate"].to_list()
    [37.5]
    """
    frame = demand.filter(pl.col(access).is_finite())
    if frame.height == 0:
        raise InputValueError(f"access column {access!r} has no finite value")
    design = _census_design(frame, population)
    return _exact(_estimate(frame, design, access, measures, welfare, by))


def _estimate(
    frame: pl.DataFrame,
    design: Any,
    access: str,
    measures: Sequence[str],
    welfare: str | None,
    by: Sequence[str],
) -> Results:
    """``measures`` of ``access``, then (with ``welfare``) its concentration index ranked by
    welfare: the engine ranks by its ``welfare`` argument, so these are two calls."""
    results = setara.estimate(
        frame, design, welfare=access, measures=list(measures), by=list(by) or None
    )
    if welfare is None:
        return results
    ranked = setara.estimate(
        frame,
        design,
        welfare=welfare,
        measures=[f"concentration:outcome={access}"],
        by=list(by) or None,
    )
    return Results(
        pl.concat([results.frame, ranked.frame], how="vertical_relaxed"),
        by=results.by,
        level=results.level,
        notes=[*results.notes, *ranked.notes],
    )


def access_gap(
    demand: pl.DataFrame,
    access: str,
    *,
    group: str,
    comparison: Any,
    reference: Any,
    population: str = "population",
    by: Sequence[str] = (),
) -> pl.DataFrame:
    """Difference and parity ratio of mean access between two groups of demand points
    (rural and urban villages, 3T and not), exact."""
    from setara.gaps import gap

    frame = demand.filter(pl.col(access).is_finite())
    design = _census_design(frame, population)
    results = gap(
        frame,
        design,
        outcome=access,
        group=group,
        comparison=comparison,
        reference=reference,
        by=list(by) or None,
    )
    return _exact(results)


def join_access(
    survey: pl.DataFrame, values: pl.DataFrame, *, location: str, access: str
) -> pl.DataFrame:
    """The survey with the ``access`` value of each household's ``location`` (demand ``id``).
    Households whose location is not among the demand ids are refused (count, first row)."""
    if location not in survey.columns:
        raise ColumnNotFoundError(f"location column {location!r} is not in the survey")
    lookup = values.select(pl.col("id").cast(pl.String).alias("_loc"), pl.col(access))
    joined = survey.with_columns(pl.col(location).cast(pl.String).alias("_loc")).join(
        lookup, on="_loc", how="left", maintain_order="left"
    )
    missing = joined["_loc"].is_not_null() & joined[access].is_null()
    if missing.any():
        first = int(missing.arg_true()[0])
        raise InputValueError(
            f"survey column {location!r} has {int(missing.sum()):,} codes in {survey.height:,} "
            f"rows that are not demand ids (first at row {first + 1:,}: "
            f"{joined['_loc'][first]!r})"
        )
    return joined.drop("_loc")


def survey_access_equity(
    survey: pl.DataFrame,
    design: Any,
    values: pl.DataFrame,
    *,
    location: str,
    access: str,
    measures: Sequence[str] = ("mean",),
    welfare: str | None = None,
    by: Sequence[str] = (),
) -> Results:
    """Design-based estimates of ``measures`` of access for the survey's population: the
    access of each household's location, estimated by :func:`setara.estimate` with SEs."""
    joined = join_access(survey, values, location=location, access=access)
    return _estimate(joined, design, access, measures, welfare, by)


def survey_access_gap(
    survey: pl.DataFrame,
    design: Any,
    values: pl.DataFrame,
    *,
    location: str,
    access: str,
    group: str,
    comparison: Any,
    reference: Any,
    by: Sequence[str] = (),
) -> Results:
    """Design-based gap and parity ratio of access between two groups of households (poor and
    non-poor, by sex, disability), with the covariance of the two groups in the SE."""
    from setara.gaps import gap

    joined = join_access(survey, values, location=location, access=access)
    return gap(
        joined,
        design,
        outcome=access,
        group=group,
        comparison=comparison,
        reference=reference,
        by=list(by) or None,
    )
