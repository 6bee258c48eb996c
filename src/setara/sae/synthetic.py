"""A synthetic population of districts with known poverty, and two-stage samples from it.

For design-based simulations of small-area estimators and for demos where the truth must be
known: :func:`synthetic_districts` builds households in villages in districts with a district
covariate that predicts poverty (as a census or village-census aggregate would), and
:func:`two_stage_sample` draws villages (PSUs) within each district and households within
villages, with their design weights. Everything is vectorised; the same seed gives the same
population and samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import NDArray

from setara.errors import SetaraError

__all__ = ["SyntheticDistricts", "synthetic_districts", "two_stage_sample"]


@dataclass(frozen=True)
class SyntheticDistricts:
    """The population and what is known about it.

    Attributes
    ----------
    households : polars.DataFrame
        ``district, village, income``: one row per household.
    areas : polars.DataFrame
        ``district, covariate, poverty`` (the true headcount ratio under ``poverty_line``),
        ``villages``, ``sampled_villages`` (how many :func:`two_stage_sample` draws).
    poverty_line : float
    households_per_village : int
    """

    households: pl.DataFrame
    areas: pl.DataFrame
    poverty_line: float
    households_per_village: int


def synthetic_districts(
    districts: int = 150,
    *,
    villages: int = 20,
    households_per_village: int = 60,
    max_sampled_villages: int = 6,
    rng: np.random.Generator | None = None,
) -> SyntheticDistricts:
    """Households with log-normal income: a district covariate and effect, a village effect.

    ``log income = 10 + 0.2 x_d + u_d + v_dv + e``, ``x_d ~ N(0, 1)``, ``u_d ~ N(0, 0.12²)``,
    ``v ~ N(0, 0.15²)``, ``e ~ N(0, 0.6²)``; the poverty line is ``exp(9.6)`` (about 28% poor).
    Each district will be sampled in 1 to ``max_sampled_villages`` villages, so some districts
    are far too small for a reliable direct estimate.
    """
    if districts < 10 or villages < max_sampled_villages or households_per_village < 10:
        raise SetaraError(
            "need at least 10 districts, as many villages as are sampled, 10 households each"
        )
    rng = rng if rng is not None else np.random.default_rng()
    covariate = rng.normal(size=districts)
    effect = rng.normal(0.0, 0.12, size=districts)
    size = villages * households_per_village
    district = np.repeat(np.arange(districts), size)
    village = np.repeat(np.arange(districts * villages), households_per_village)
    log_income = (
        10.0
        + 0.2 * covariate[district]
        + effect[district]
        + rng.normal(0.0, 0.15, size=districts * villages)[village]
        + rng.normal(0.0, 0.6, size=district.size)
    )
    line = float(np.exp(9.6))
    poor = np.bincount(district, weights=log_income < np.log(line), minlength=districts) / size
    areas = pl.DataFrame(
        {
            "district": np.arange(districts),
            "covariate": covariate,
            "poverty": poor,
            "villages": np.full(districts, villages),
            "sampled_villages": rng.integers(1, max_sampled_villages + 1, size=districts),
        }
    )
    households = pl.DataFrame(
        {"district": district, "village": village, "income": np.exp(log_income)}
    )
    return SyntheticDistricts(households, areas, line, households_per_village)


def two_stage_sample(
    population: SyntheticDistricts,
    *,
    households_per_village: int = 10,
    rng: np.random.Generator,
) -> pl.DataFrame:
    """Villages by simple random sampling within each district (``sampled_villages`` of them),
    then households by simple random sampling within each sampled village; the weight is the
    inverse of the two inclusion probabilities. Columns ``district, village, income, weight``.
    """
    areas = population.areas
    per_village = population.households_per_village
    if not 1 <= households_per_village <= per_village:
        raise SetaraError(f"households per village must be between 1 and {per_village}")
    villages = areas["villages"].to_numpy()
    drawn = areas["sampled_villages"].to_numpy()
    district_of_village = np.repeat(np.arange(areas.height), villages)
    order = np.lexsort((rng.random(district_of_village.size), district_of_village))
    first = np.concatenate([[0], np.cumsum(villages)[:-1]])
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size) - np.repeat(first, villages)
    chosen = np.flatnonzero(rank < drawn[district_of_village])
    within = np.argsort(rng.random((chosen.size, per_village)), axis=1)
    picks = within[:, :households_per_village]
    rows: NDArray[np.int64] = (chosen[:, None] * per_village + picks).ravel()
    d = district_of_village[chosen]
    weight = (villages[d] / drawn[d]) * (per_village / households_per_village)
    return population.households[rows].with_columns(
        weight=pl.Series(np.repeat(weight, households_per_village))
    )
