"""Siting straight from a facilities and a demand table, as the CLI and the web app read them.

:func:`site_places` turns the tables into :func:`~setara.access.siting.site`'s arrays (sites kept
open are those not ``candidate``; costs per site; weights from a demand column or the
population) so that every caller reads them the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from setara.access.siting import Siting, site
from setara.errors import ColumnNotFoundError, InputValueError

__all__ = ["site_places"]


def site_places(
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    travel: Any,
    *,
    model: str,
    minutes: float,
    weight: str | None = None,
    p: int | None = None,
    budget: float | None = None,
    people_per_unit: float | None = None,
    time_limit: float = 60.0,
) -> Siting:
    """Solve ``model`` for the ``facilities`` (as :func:`read_facilities` gives them) and the
    ``demand`` points (:func:`read_demand`), with ``travel`` (any cost with ``pairs(minutes)``).

    ``weight`` names the demand column counted instead of ``population`` (e.g. ``poor``); a
    missing value in it counts as 0 people. Facilities with status ``candidate`` may open; all
    others stay open. With ``people_per_unit`` (e.g. 2,500 people per doctor) each site serves
    at most its ``capacity`` column times that many people, every model assigning people to
    sites within that limit.

    Raises
    ------
    ColumnNotFoundError
        ``weight`` is not a demand column.
    InputValueError
        No facility is a candidate, or ``people_per_unit`` is not a positive number.
    """
    status = facilities["status"].to_numpy()
    if not (status == "candidate").any():
        raise InputValueError(
            "the facilities file has no row with status 'candidate'; siting chooses among them"
        )
    if weight is None:
        counted = demand["population"].cast(pl.Float64).to_numpy()
    elif weight not in demand.columns:
        raise ColumnNotFoundError(f"weight column {weight!r} is not in the demand file")
    else:
        counted = demand[weight].cast(pl.Float64).fill_null(0.0).to_numpy()
    capacity = None
    if people_per_unit is not None:
        if not (np.isfinite(people_per_unit) and people_per_unit > 0):
            raise InputValueError(
                f"people per unit of capacity must be above 0, not {people_per_unit}"
            )
        capacity = facilities["capacity"].cast(pl.Float64).to_numpy() * people_per_unit
    return site(
        travel.pairs(minutes),
        np.asarray(counted, dtype=np.float64),
        model=model,
        is_open=status != "candidate",
        candidate=status == "candidate",
        cost=facilities["cost"].cast(pl.Float64).to_numpy(),
        p=p,
        budget=budget,
        capacity=capacity,
        time_limit=time_limit,
    )
