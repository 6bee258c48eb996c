"""Equity gaps between two groups (difference and parity ratio).

:func:`gap` compares the mean (or total) of an outcome between a comparison and a reference
group (girls and boys, the poorest and the richest quintile, rural and urban) for every
domain. Both group means are domain estimates from the same sample, so they are correlated
(clustered samples put both groups in the same PSUs); the standard error of the contrast is
computed from one linearized variable per domain, which carries that covariance:

    IF(difference) = IF(mean_comp) - IF(mean_ref)
    IF(ratio)      = (IF(mean_comp) - ratio IF(mean_ref)) / mean_ref

where each row enters only its own group's influence. The ratio is the parity index of
UNESCO's education statistics (e.g. the gender parity index, girls over boys).

References
----------
Lumley, T. (2010). Complex Surveys, ch. 2.4 (domain estimation, ``svycontrast``).
UNESCO Institute for Statistics (2010). Guide to the analysis and use of household survey and
census education data, ch. 4 (parity indices).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.analysis import Analysis
from setara.design import SurveyDesign
from setara.errors import InputValueError
from setara.frames import require_column
from setara.kernels.groups import (
    FloatArray,
    group_sum,
)
from setara.measures.base import Linearized, Measure, MeasureData
from setara.results import Results

__all__ = ["gap"]

GAP_MEASURES = ("mean", "proportion", "total")


def group_rows(frame: pl.DataFrame, column: str, value: Any) -> npt.NDArray[np.bool_]:
    """Rows whose ``column`` equals ``value``: numbers and booleans are compared as such,
    anything else as text; missing group values match nothing."""
    series = require_column(frame, column, "group")
    if series.dtype == pl.Boolean:
        text = str(value).lower()
        if not isinstance(value, bool | np.bool_ | int) and text not in ("true", "false"):
            return np.zeros(series.len(), dtype=bool)
        target = bool(value) if not isinstance(value, str) else text == "true"
        matched = series == target
    elif series.dtype.is_numeric() and isinstance(value, int | float | np.number):
        matched = series == value
    else:
        matched = series.cast(pl.Utf8) == str(value)
    return np.asarray(matched.fill_null(False).to_numpy(), dtype=bool)


@dataclass
class GroupContrast(Measure):
    """Difference or ratio of an outcome's mean (or total) in two groups of each domain.

    ``data.extra`` holds 0/1 indicators ``comparison`` and ``reference``.
    """

    ratio: bool = False
    kind: str = "mean"

    def _totals(
        self, data: MeasureData, weights: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        comp, ref = data.extra["comparison"], data.extra["reference"]
        ys = data.y[:, None] * weights if weights.ndim == 2 else data.y * weights
        cw = comp[:, None] if weights.ndim == 2 else comp
        rw = ref[:, None] if weights.ndim == 2 else ref
        n = data.n_domains
        y_c = group_sum(data.domain, cw * ys, n)
        y_r = group_sum(data.domain, rw * ys, n)
        if self.kind == "total":
            return y_c, y_r, np.ones_like(y_c), np.ones_like(y_r)
        return (
            y_c,
            y_r,
            group_sum(data.domain, cw * weights, n),
            group_sum(data.domain, rw * weights, n),
        )

    def _combine(self, comp: FloatArray, ref: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(comp / ref if self.ratio else comp - ref)

    def linearize(self, data: MeasureData) -> Linearized:
        y_c, y_r, n_c, n_r = self._totals(data, data.weights)
        inside = data.domain >= 0
        d = np.where(inside, data.domain, 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            m_c, m_r = y_c / n_c, y_r / n_r
            if self.kind == "total":
                lin_c = data.extra["comparison"] * data.y
                lin_r = data.extra["reference"] * data.y
            else:
                lin_c = data.extra["comparison"] * (data.y - m_c[d]) / n_c[d]
                lin_r = data.extra["reference"] * (data.y - m_r[d]) / n_r[d]
            est = self._combine(m_c, m_r)
            lin = (lin_c - est[d] * lin_r) / m_r[d] if self.ratio else lin_c - lin_r
        return Linearized(estimate=est, influence=np.where(inside, lin, 0.0))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        y_c, y_r, n_c, n_r = self._totals(data, weights)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self._combine(y_c / n_c, y_r / n_r)


def gap(
    data: Any,
    design: SurveyDesign,
    *,
    outcome: str,
    group: str,
    reference: Any,
    comparison: Any,
    by: str | Sequence[str] | None = None,
    measure: str = "mean",
    level: float = 0.95,
) -> Results:
    """Gap in ``outcome`` between the ``comparison`` and the ``reference`` group.

    Parameters
    ----------
    data : polars or pandas DataFrame
    design : SurveyDesign
        The sample design of ``data`` (linearization or replicate weights).
    outcome : str
        Numeric (or 0/1, boolean) column, e.g. school enrolment.
    group : str
        Column whose values define the groups, e.g. ``"sex"`` or ``"quintile"``.
    reference, comparison : value of ``group``
        The two groups compared; numbers are matched as numbers, anything else as text.
    by : str or list of str, optional
        Domains (one set of rows per domain; the whole population when omitted).
    measure : {"mean", "proportion", "total"}
        Group statistic compared (``proportion`` is the mean of a 0/1 outcome).
    level : float
        Confidence level of the intervals.

    Returns
    -------
    Results
        Rows ``gap_difference`` (comparison minus reference) and ``gap_ratio`` (comparison
        over reference, the parity index), with design-based standard errors that include the
        covariance of the two group estimates. ``n`` counts the rows of both groups.

    References
    ----------
    Lumley (2010), ch. 2.4; UNESCO Institute for Statistics (2010), ch. 4.
    """
    kind = measure.lower()
    if kind not in GAP_MEASURES:
        raise InputValueError(f"gap measure must be mean, proportion or total, not {measure!r}")
    if str(reference) == str(comparison):
        raise InputValueError(f"comparison and reference are the same group ({reference!r})")
    an = Analysis.start(data, design, by, level)
    y = an.numeric(outcome, "outcome")
    comp = group_rows(an.frame, group, comparison)
    ref = group_rows(an.frame, group, reference)
    for value, rows in ((comparison, comp), (reference, ref)):
        if not rows.any():
            raise InputValueError(f"group column {group!r} has no rows equal to {value!r}")
    dom = an.restrict(~np.isnan(y) & (comp | ref))
    view = an.data(
        y, dom, an.n_domains, comparison=comp.astype(np.float64), reference=ref.astype(np.float64)
    )
    params = f"outcome={outcome},group={group},comparison={comparison},reference={reference}"
    if kind == "total":
        params += ",measure=total"
    for name, is_ratio in (("gap_difference", False), ("gap_ratio", True)):
        an.add_measure(GroupContrast(ratio=is_ratio, kind=kind), view, name, params)
    return an.results()
