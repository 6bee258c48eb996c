"""Alkire–Foster multidimensional poverty: headcount, intensity, adjusted headcount (MPI).

Each row has 0/1 deprivation indicators ``I_ij`` with weights ``w_j`` summing to one; its
deprivation score is ``c_i = sum_j w_j I_ij`` and it is poor when ``c_i >= k``. With the
censored score ``c_i(k) = c_i 1{c_i >= k}``:

* ``H = sum w 1{c >= k} / N``, the multidimensional headcount ratio;
* ``A = sum w c(k) / sum w 1{c >= k}``, the average intensity among the poor;
* ``M0 = sum w c(k) / N = H A``, the adjusted headcount ratio (the MPI);
* ``CH_j = sum w I_j 1{c >= k} / N``, the censored headcount of indicator ``j``;
* ``contribution_j = w_j CH_j / M0``, the share of ``M0`` due to indicator ``j`` (they sum
  to one).

Every statistic is a ratio of two estimated totals, so its linearized variable is
``(u_i - R v_i) / V`` (Woodruff's ratio linearization, R survey's ``svyratio``); replicate
designs recompute the ratio with every replicate weight. A score within ``1e-9`` of ``k`` counts
as reaching it, so that weights such as 1/3 + 1/3 do not miss ``k = 2/3`` by rounding.

References
----------
Alkire, S., Foster, J. (2011). Counting and multidimensional poverty measurement. Journal of
Public Economics 95(7-8), 476-487.
Alkire, S., Foster, J., Seth, S., Santos, M.E., Roche, J.M., Ballon, P. (2015).
Multidimensional Poverty Measurement and Analysis. Oxford University Press, ch. 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from setara.analysis import Analysis
from setara.design import SurveyDesign
from setara.errors import InputValueError
from setara.kernels.groups import FloatArray
from setara.measures.basic import Ratio
from setara.results import Results

__all__ = ["mpi"]

SCORE_TOLERANCE = 1e-9


def _weights(indicators: dict[str, float]) -> dict[str, float]:
    if not indicators:
        raise InputValueError("mpi needs at least one indicator column with its weight")
    bad = {c: w for c, w in indicators.items() if not np.isfinite(w) or w <= 0}
    if bad:
        shown = ", ".join(f"{c}={w!r}" for c, w in bad.items())
        raise InputValueError(f"mpi indicator weights must be positive numbers, not {shown}")
    total = float(sum(indicators.values()))
    return {c: float(w) / total for c, w in indicators.items()}


def mpi(
    data: Any,
    design: SurveyDesign,
    *,
    indicators: dict[str, float],
    k: float = 1.0 / 3.0,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> Results:
    """Alkire–Foster multidimensional poverty measures with design-based standard errors.

    Parameters
    ----------
    data : polars or pandas DataFrame
    design : SurveyDesign
        Linearization or replicate-weight design of ``data``.
    indicators : dict of str to float
        Deprivation indicator columns (0/1 or boolean; 1 = deprived) and their weights; the
        weights are normalised to sum to one.
    k : float
        Poverty cutoff on the weighted deprivation score, ``0 < k <= 1`` (1/3 in the global
        MPI).
    by : str or list of str, optional
        Domains; the whole population when omitted.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    Results
        Rows ``mpi_H``, ``mpi_A``, ``mpi_M0`` (params ``k=..``) and, per indicator (params
        ``indicator=col``), ``mpi_censored_headcount`` and ``mpi_contribution``. Rows with a
        missing indicator are left out (counted in the notes).

    References
    ----------
    Alkire and Foster (2011); Alkire et al. (2015), ch. 5 (eq. 5.6-5.10).
    """
    if not 0.0 < k <= 1.0:
        raise InputValueError(f"mpi cutoff k must be in (0, 1], not {k!r}")
    weights = _weights(indicators)
    an = Analysis.start(data, design, by, level)
    columns = {c: an.numeric(c, "mpi indicator") for c in weights}
    keep = np.ones(an.frame.height, dtype=bool)
    for column, values in columns.items():
        present = ~np.isnan(values)
        invalid = present & (values != 0.0) & (values != 1.0)
        if invalid.any():
            raise InputValueError(
                f"mpi indicator column {column!r} must hold 0/1 deprivations; "
                f"{int(invalid.sum()):,} rows hold other values"
            )
        keep &= present
    dom = an.restrict(keep)
    score = np.zeros(an.frame.height)
    for column, values in columns.items():
        score += weights[column] * np.where(keep, values, 0.0)
    poor = (score >= k - SCORE_TOLERANCE).astype(np.float64)
    censored = score * poor
    ones = np.ones(an.frame.height)
    ratio = Ratio()

    def add(name: str, num: FloatArray, den: FloatArray, params: str) -> None:
        an.add_measure(ratio, an.data(num, dom, an.n_domains, denominator=den), name, params)

    k_text = f"k={k:g}"
    add("mpi_H", poor, ones, k_text)
    add("mpi_A", censored, poor, k_text)
    add("mpi_M0", censored, ones, k_text)
    for column, values in columns.items():
        deprived = np.where(keep, values, 0.0) * poor
        add("mpi_censored_headcount", deprived, ones, f"indicator={column}")
    for column, values in columns.items():
        deprived = np.where(keep, values, 0.0) * poor
        add("mpi_contribution", weights[column] * deprived, censored, f"indicator={column}")
    return an.results()
