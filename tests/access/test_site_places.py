"""Siting from facility and demand tables (the CLI's and the web app's shared reading)."""

from __future__ import annotations

import polars as pl
import pytest

from setara.access import MatrixCost, site_places
from setara.errors import ColumnNotFoundError, InputValueError


def _tables(status: list[str]) -> tuple[pl.DataFrame, pl.DataFrame, MatrixCost]:
    facilities = pl.DataFrame(
        {"id": ["F1", "C1", "C2"], "status": status, "cost": [0.0, 10.0, 10.0]}
    )
    demand = pl.DataFrame(
        {"id": ["a", "b", "c"], "population": [100.0, 50.0, 70.0], "poor": [10.0, None, 60.0]}
    )
    matrix = pl.DataFrame(
        {
            "origin": ["a", "b", "c"],
            "destination": ["F1", "C1", "C2"],
            "minutes": [10.0, 10.0, 10.0],
        }
    )
    return demand, facilities, MatrixCost(matrix, demand["id"], facilities["id"])


def test_candidates_open_and_a_missing_weight_counts_nobody() -> None:
    demand, facilities, travel = _tables(["existing", "candidate", "candidate"])
    by_population = site_places(demand, facilities, travel, model="mclp", minutes=30, p=1)
    assert by_population.objective == pytest.approx(100 + 70)  # F1 kept, C2 (70) beats C1 (50)
    by_poor = site_places(demand, facilities, travel, model="mclp", minutes=30, p=1, weight="poor")
    assert by_poor.objective == pytest.approx(10 + 60)  # village b's missing 'poor' counts 0


def test_no_candidate_or_unknown_weight_is_a_clear_error() -> None:
    demand, facilities, travel = _tables(["existing", "existing", "existing"])
    with pytest.raises(InputValueError, match="no row with status 'candidate'"):
        site_places(demand, facilities, travel, model="mclp", minutes=30, p=1)
    demand, facilities, travel = _tables(["existing", "candidate", "candidate"])
    with pytest.raises(ColumnNotFoundError, match="'elderly'"):
        site_places(demand, facilities, travel, model="mclp", minutes=30, p=1, weight="elderly")


def test_capacity_column_times_people_per_unit_limits_each_site() -> None:
    """Village a (100 people) reaches F1 only, c (70) reaches C2 only; b (50) reaches C1. With
    one doctor per site and 60 people per doctor, F1 serves 60 of a and C2 60 of c."""
    demand, facilities, travel = _tables(["existing", "candidate", "candidate"])
    facilities = facilities.with_columns(pl.lit(1.0).alias("capacity"))
    plan = site_places(
        demand, facilities, travel, model="mclp", minutes=30, p=1, people_per_unit=60.0
    )
    assert plan.objective == pytest.approx(60 + 60)
    with pytest.raises(InputValueError, match="people per unit of capacity must be above 0"):
        site_places(demand, facilities, travel, model="mclp", minutes=30, p=1, people_per_unit=0)
