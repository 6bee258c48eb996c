"""Yearly rounds of the synthetic survey with a known change (for change-over-time demos).

:func:`generate_round` returns the survey of :func:`setara.demo.generate_survey` as observed in
a given year. Round ``BASE_YEAR`` is that survey itself. A later round keeps the same frame of
strata and census blocks and changes two things, both known:

* **growth**: each household's per-capita expenditure grows by ``BOTTOM40_GROWTH`` a year when
  the household is in the national bottom 40 % of the base round (weighted, per person), by
  ``TOP60_GROWTH`` otherwise, times a mean-one log-normal idiosyncratic shock
  (``exp(s z - s^2/2)``, ``s = SHOCK_SD``) drawn anew each round; so the growth incidence
  curve is about 5 % a year in the bottom 40 % and 2 % above (before the shocks re-rank);
  the real poverty lines are kept.
* **rotation**: a share ``ROTATION`` of the census blocks (chosen with the year's seed) is
  replaced by new blocks, which get new PSU ids (``psu + year * 10**11``); the others are
  re-surveyed under the same id, so the two rounds share PSUs and ``common_psu=True`` is meaningful.

Rounds are deterministic given ``(n_persons, year, seed)``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from setara.demo import generate_survey

__all__ = [
    "BASE_YEAR",
    "BOTTOM40_GROWTH",
    "ROTATION",
    "SHOCK_SD",
    "TOP60_GROWTH",
    "generate_round",
]

BASE_YEAR = 2024
BOTTOM40_GROWTH = 0.05  # yearly real growth of the base round's bottom 40 %
TOP60_GROWTH = 0.02  # yearly real growth of the others
SHOCK_SD = 0.10  # sd of the log idiosyncratic shock of a later round
ROTATION = 0.5  # share of census blocks replaced in a later round
NEW_BLOCK = 10**11  # a new block's id is the old id plus year * NEW_BLOCK (ids stay integers)


def generate_round(
    n_persons: int = 200_000, *, year: int = BASE_YEAR, seed: int = 2026
) -> pl.DataFrame:
    """The synthetic survey as observed in ``year`` (see the module docstring).

    Parameters
    ----------
    n_persons : int
        Rows of the round (as :func:`setara.demo.generate_survey`).
    year : int
        Survey year, at least ``BASE_YEAR``; the frame gets a ``year`` column.
    seed : int
        Seed of the base survey; a later round's shocks and rotation use ``(seed, year)``.

    Examples
    --------
    >>> r1 = generate_round(10_000, year=2024, seed=5)
    >>> r2 = generate_round(10_000, year=2026, seed=5)
    >>> ratio = r2["expenditure_pc"].sum() / r1["expenditure_pc"].sum()
    >>> bool(1.02 < ratio < 1.10)
    True
    """
    if year < BASE_YEAR:
        raise ValueError(f"year must be {BASE_YEAR} or later, not {year}")
    base = generate_survey(n_persons, seed=seed)
    if year == BASE_YEAR:
        return base.with_columns(pl.lit(year, dtype=pl.Int32).alias("year"))
    rng = np.random.default_rng([seed, year])
    y = base["expenditure_pc"].to_numpy()
    w = base["weight"].to_numpy()
    order = np.argsort(y, kind="stable")
    cum = np.cumsum(w[order]) / w.sum()
    cut = y[order][np.searchsorted(cum, 0.4)]
    hh, hh_index = np.unique(base["hh_id"].to_numpy(), return_inverse=True)
    years = year - BASE_YEAR
    rate = np.where(y <= cut, BOTTOM40_GROWTH, TOP60_GROWTH)
    shock = np.exp(SHOCK_SD * rng.standard_normal(hh.size) - SHOCK_SD**2 / 2.0)[hh_index]
    grown = np.round(y * (1.0 + rate) ** years * shock)
    psu = base["psu"]
    blocks = psu.unique().sort()
    replaced = blocks.filter(pl.Series(rng.random(blocks.len()) < ROTATION))
    new_psu = pl.when(pl.col("psu").is_in(replaced.implode())).then(
        pl.col("psu") + year * NEW_BLOCK
    )
    return base.with_columns(
        pl.Series("expenditure_pc", grown),
        new_psu.otherwise(pl.col("psu")).alias("psu"),
        pl.lit(year, dtype=pl.Int32).alias("year"),
    )
