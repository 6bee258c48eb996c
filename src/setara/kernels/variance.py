"""Design-based variance of estimated totals for stratified multistage samples.

The estimator is R survey's ``svyrecvar``: at each stage, the between-unit variance within
strata, ``n_h/(n_h-1) (1-f_h) sum_i (t_hi - mean_h t)^2``, plus the next stage's variance scaled
by the sampling fraction of the stage above (it vanishes when the first stage is sampled with
replacement, i.e. without a finite population correction).

Domains are handled the way ``svyby``/``subset`` do: the full design is kept and rows outside a
domain contribute zero, but the sums run only over (unit, domain) cells that hold rows, so the
cost is linear in the rows whatever the number of domains.

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, ch. 2 and appendix C.
Wolter, K. (2007). Introduction to Variance Estimation, 2nd ed., ch. 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from setara.kernels.groups import FloatArray, IntArray, combine_codes, group_sum

LONELY_POLICIES = ("fail", "remove", "certainty", "adjust", "average")


@dataclass(frozen=True)
class StageLayout:
    """One sampling stage: units nested in strata.

    ``unit`` and ``stratum`` are row codes; ``unit_stratum`` maps units to strata;
    ``n_units`` and ``fraction`` are per stratum; ``scale`` per stratum already holds
    ``n/(n-1) (1-f)`` times the sampling fractions of the stages above (0 for lonely strata).
    ``lonely_scale`` per stratum is ``(1-f)`` times the fractions above for the lonely strata
    of an ``adjust`` design (0 elsewhere): their single unit is centred at zero, as R survey's
    ``onestrat`` leaves it uncentred.
    """

    unit: IntArray
    unit_stratum: IntArray
    n_units: FloatArray
    fraction: FloatArray
    scale: FloatArray
    lonely: npt.NDArray[np.bool_]
    lonely_scale: FloatArray
    average_factor: float


@dataclass(frozen=True)
class DomainCells:
    """(unit, domain) cells of one stage, computed once and reused by every measure."""

    cell: IntArray
    cell_unit: IntArray
    cell_domain: IntArray
    pair: IntArray
    pair_stratum: IntArray
    pair_domain: IntArray
    n_cells: int
    n_pairs: int

    @classmethod
    def build(cls, stage: StageLayout, domain: IntArray, n_domains: int) -> DomainCells:
        cell, n_cells = combine_codes(stage.unit, domain, n_domains)
        keep = cell >= 0
        cell_unit = np.zeros(n_cells, dtype=np.int64)
        cell_domain = np.zeros(n_cells, dtype=np.int64)
        cell_unit[cell[keep]] = stage.unit[keep]
        cell_domain[cell[keep]] = domain[keep]
        cell_stratum = stage.unit_stratum[cell_unit]
        pair, n_pairs = combine_codes(cell_stratum, cell_domain, n_domains)
        pair_stratum = np.zeros(n_pairs, dtype=np.int64)
        pair_domain = np.zeros(n_pairs, dtype=np.int64)
        pair_stratum[pair] = cell_stratum
        pair_domain[pair] = cell_domain
        return cls(cell, cell_unit, cell_domain, pair, pair_stratum, pair_domain, n_cells, n_pairs)


def domain_covariance(
    stage: StageLayout,
    cells: DomainCells,
    n_domains: int,
    a: FloatArray,
    b: FloatArray | None = None,
    *,
    b_is_domain: bool = True,
) -> FloatArray:
    """Stage contribution to ``Cov(sum a_d, sum b_d)`` for every domain ``d``.

    ``a`` holds weighted linearized values, each row counted in its own domain. ``b`` is
    either another such vector (``b_is_domain``) or a vector counted in every domain (a
    population-level quantity such as a national poverty line); ``None`` means ``b = a``.
    """
    t_a = group_sum(cells.cell, a, cells.n_cells)
    if b is None:
        return totals_covariance(stage, cells, n_domains, t_a)
    if b_is_domain:
        return totals_covariance(
            stage, cells, n_domains, t_a, group_sum(cells.cell, b, cells.n_cells)
        )
    return totals_covariance(stage, cells, n_domains, t_a, unit_b=unit_totals(stage, b))


def unit_totals(stage: StageLayout, values: FloatArray) -> FloatArray:
    """Sum of ``values`` by unit of the stage."""
    return group_sum(stage.unit, values, int(stage.unit_stratum.size))


def totals_covariance(
    stage: StageLayout,
    cells: DomainCells,
    n_domains: int,
    t_a: FloatArray,
    t_b: FloatArray | None = None,
    *,
    unit_b: FloatArray | None = None,
) -> FloatArray:
    """:func:`domain_covariance` from totals already summed: ``t_a`` (and ``t_b``) by cell,
    or ``unit_b`` by unit for a vector counted in every domain; ``b = a`` when neither is
    given. Several covariances of the same vectors then sum the rows once."""
    s1_a = np.bincount(cells.pair, weights=t_a, minlength=cells.n_pairs)
    n_strata = stage.n_units.size
    if unit_b is not None:
        t_b_cell = unit_b[cells.cell_unit]
        s1_b = np.bincount(stage.unit_stratum, weights=unit_b, minlength=n_strata)[
            cells.pair_stratum
        ]
    elif t_b is not None:
        t_b_cell = t_b
        s1_b = np.bincount(cells.pair, weights=t_b_cell, minlength=cells.n_pairs)
    else:
        t_b_cell = t_a
        s1_b = s1_a
    cross = np.bincount(cells.pair, weights=t_a * t_b_cell, minlength=cells.n_pairs)
    n_h = stage.n_units[cells.pair_stratum]
    scale = stage.scale[cells.pair_stratum]
    contrib = scale * (cross - s1_a * s1_b / n_h)
    out = np.bincount(cells.pair_domain, weights=contrib, minlength=n_domains).astype(np.float64)
    if stage.lonely_scale.any():
        # lonely strata under ``adjust``: the single unit's total, uncentred (R survey)
        lonely = stage.lonely_scale[stage.unit_stratum[cells.cell_unit]]
        out += np.bincount(cells.cell_domain, weights=lonely * t_a * t_b_cell, minlength=n_domains)
    return np.asarray(out * stage.average_factor, dtype=np.float64)
