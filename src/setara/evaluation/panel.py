"""A long unit x time table checked and turned into the wide arrays the DiD estimators use.

One row per unit and period (a balanced panel); the cohort column holds the first treated
period, 0 or empty for never treated. Every problem is a :class:`~setara.errors.SetaraError`
naming the column, what is wrong and how many rows or units.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import polars as pl
from numpy.typing import NDArray

from setara.errors import ColumnNotFoundError, DataTypeError, InputValueError, count_phrase

__all__ = ["Panel", "to_panel"]


@dataclass(frozen=True)
class Panel:
    """A balanced panel as arrays, units in rows and periods in columns.

    Attributes
    ----------
    units, times : unit identifiers and sorted periods.
    outcome : (n_units, n_times) outcomes.
    cohort : (n_units,) first treated period, 0 for never treated (in the sample).
    covariates : (n_units, n_times, k) covariates, k may be 0.
    weight : (n_units,) unit weights (all 1 without ``weight``).
    cluster : (n_units,) integer cluster codes (the unit itself without ``cluster``).
    notes : what was changed on the way (cohorts recoded, units dropped).
    """

    units: NDArray[np.generic]
    times: NDArray[np.float64]
    outcome: NDArray[np.float64]
    cohort: NDArray[np.float64]
    covariates: NDArray[np.float64]
    weight: NDArray[np.float64]
    cluster: NDArray[np.int64]
    covariate_names: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())


def _numeric(frame: pl.DataFrame, column: str, role: str) -> NDArray[np.float64]:
    dtype = frame.schema[column]
    if not (dtype.is_numeric() or dtype == pl.Boolean or dtype == pl.Null):
        raise DataTypeError(f"{role} column {column!r} must be numeric, not {dtype}")
    values: NDArray[np.float64] = frame[column].cast(pl.Float64).to_numpy().astype(np.float64)
    return values


def _no_missing(values: NDArray[np.float64], column: str, role: str) -> None:
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise InputValueError(
            f"{role} column {column!r} has {count_phrase(int(bad.sum()), values.size)} "
            f"missing or not finite (first at row {first + 1})"
        )


def _unit_constant(
    values: NDArray[np.float64],
    cell: tuple[NDArray[np.intp], NDArray[np.intp]],
    shape: tuple[int, int],
    column: str,
    role: str,
) -> NDArray[np.float64]:
    """The one value of each unit (rows of the balanced panel), or an error naming how many
    units have more than one."""
    wide = np.empty(shape)
    wide[cell] = values
    varying = int(np.sum(wide.min(axis=1) != wide.max(axis=1)))
    if varying:
        raise InputValueError(
            f"{role} column {column!r} changes within {count_phrase(varying, shape[0], 'units')}; "
            "it must be constant for each unit"
        )
    out: NDArray[np.float64] = wide[:, 0]
    return out


def to_panel(
    data: pl.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    covariates: Sequence[str] = (),
    weight: str | None = None,
    cluster: str | None = None,
    keep_always_treated: bool = False,
) -> Panel:
    """Check ``data`` and return it as a :class:`Panel`.

    Units first treated in or before the first period are dropped (no pre-period to compare
    with) and cohorts after the last period are recoded as never treated, as R ``did`` does;
    both are written in ``Panel.notes``. ``keep_always_treated`` keeps the former (the
    Goodman-Bacon decomposition uses them as controls).
    """
    named = [outcome, unit, time, cohort, *covariates]
    named += [c for c in (weight, cluster) if c is not None]
    missing = [c for c in dict.fromkeys(named) if c not in data.columns]
    if missing:
        raise ColumnNotFoundError(
            f"column{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))} not in "
            f"the data (columns: {', '.join(data.columns[:12])}"
            f"{', ...' if data.width > 12 else ''})"
        )
    if data.height == 0:
        raise InputValueError("the data have no rows")
    y = _numeric(data, outcome, "outcome")
    _no_missing(y, outcome, "outcome")
    t = _numeric(data, time, "time")
    _no_missing(t, time, "time")
    g = np.nan_to_num(_numeric(data, cohort, "cohort"), nan=0.0)
    if (g < 0).any():
        raise InputValueError(
            f"cohort column {cohort!r} has {count_phrase(int((g < 0).sum()), g.size)} negative "
            "(give the first treated period, 0 or empty for never treated)"
        )
    unit_values = data[unit]
    if unit_values.null_count():
        raise InputValueError(
            f"unit column {unit!r} has "
            f"{count_phrase(unit_values.null_count(), data.height)} missing"
        )
    units, unit_index = np.unique(unit_values.to_numpy(), return_inverse=True)
    times, time_index = np.unique(t, return_inverse=True)
    n, n_t = units.size, times.size
    if n_t < 2:
        raise InputValueError(f"time column {time!r} has a single period; DiD needs two or more")
    counts = np.bincount(unit_index * n_t + time_index, minlength=n * n_t)
    if (counts > 1).any():
        raise InputValueError(
            f"{int((counts > 1).sum()):,} unit-periods appear more than once "
            f"({unit!r} x {time!r} must identify a row)"
        )
    if (counts == 0).any():
        incomplete = int((counts.reshape(n, n_t) == 0).any(axis=1).sum())
        raise InputValueError(
            f"the panel is unbalanced: {int((counts == 0).sum()):,} of {n * n_t:,} unit-periods "
            f"are missing ({count_phrase(incomplete, n, 'units')} "
            "incomplete); give every unit a row in every period"
        )
    cell = (unit_index, time_index)
    wide = np.empty((n, n_t))
    wide[cell] = y
    unit_cohort = _unit_constant(g, cell, (n, n_t), cohort, "cohort")
    k = len(covariates)
    x = np.empty((n, n_t, k))
    for j, name in enumerate(covariates):  # a few named columns, not rows
        values = _numeric(data, name, "covariate")
        _no_missing(values, name, "covariate")
        x[unit_index, time_index, j] = values
    w = np.ones(n)
    if weight is not None:
        wv = _numeric(data, weight, "weight")
        _no_missing(wv, weight, "weight")
        if (wv < 0).any():
            raise InputValueError(
                f"weight column {weight!r} has "
                f"{count_phrase(int((wv < 0).sum()), wv.size)} negative"
            )
        w = _unit_constant(wv, cell, (n, n_t), weight, "weight")
    clusters = np.arange(n, dtype=np.int64)
    if cluster is not None:
        if data[cluster].null_count():
            raise InputValueError(
                f"cluster column {cluster!r} has "
                f"{count_phrase(data[cluster].null_count(), data.height)} missing"
            )
        _, codes = np.unique(data[cluster].to_numpy(), return_inverse=True)
        unit_codes = _unit_constant(codes.astype(np.float64), cell, (n, n_t), cluster, "cluster")
        clusters = unit_codes.astype(np.int64)
    notes: list[str] = []
    late = unit_cohort > times[-1]
    if late.any():
        notes.append(
            f"{int(late.sum()):,} units first treated after the last period are never treated here"
        )
        unit_cohort = np.where(late, 0.0, unit_cohort)
    early = (unit_cohort > 0) & (unit_cohort <= times[0])
    if early.any() and not keep_always_treated:
        notes.append(
            f"{int(early.sum()):,} units treated in the first period were dropped "
            "(no period before treatment)"
        )
        keep = ~early
        units, wide, unit_cohort, x, w = (
            units[keep],
            wide[keep],
            unit_cohort[keep],
            x[keep],
            w[keep],
        )
        clusters = clusters[keep]
    stray = ~((unit_cohort == 0) | np.isin(unit_cohort, times) | (unit_cohort < times[0]))
    if stray.any():
        raise InputValueError(
            f"cohort column {cohort!r} has "
            f"{count_phrase(int(stray.sum()), unit_cohort.size, 'units')} whose first treated "
            "period is not a period of the data"
        )
    if not (unit_cohort > 0).any():
        raise InputValueError(f"cohort column {cohort!r}: no unit is ever treated")
    return Panel(
        units=units,
        times=times,
        outcome=wide,
        cohort=unit_cohort,
        covariates=x,
        weight=w,
        cluster=clusters,
        covariate_names=tuple(covariates),
        notes=tuple(notes),
    )
