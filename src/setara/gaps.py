"""Equity gaps between two groups (difference and parity ratio), and the helpers the
frame-level analyses (:mod:`setara.mpi`, :mod:`setara.decomposition`) share.

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
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.design import SurveyDesign
from setara.errors import InputValueError
from setara.estimation import _domains, _names, _psu_counts
from setara.frames import key_column, numeric_column, require_column, to_polars
from setara.kernels.groups import (
    FloatArray,
    IntArray,
    combine_codes,
    factorize,
    group_count,
    group_sum,
)
from setara.measures.base import Linearized, Measure, MeasureData
from setara.results import ReliabilityRule, Results, build_frame

__all__ = ["gap"]

GAP_MEASURES = ("mean", "proportion", "total")


@dataclass(frozen=True)
class Cells:
    """Rows coded by (domain, group level) cell, sorted by domain then level.

    ``cell`` and ``group`` are row codes (``cell`` is ``-1`` outside every domain);
    ``cell_domain`` and ``cell_group`` map cells to their domain and level; ``labels`` holds
    the ``by`` columns and the group column of every cell.
    """

    cell: IntArray
    n_cells: int
    cell_domain: IntArray
    cell_group: IntArray
    group: IntArray
    n_groups: int
    labels: pl.DataFrame


@dataclass
class Analysis:
    """A frame, its design and its ``by`` domains, shared by the frame-level analyses.

    Every domain-code array handed to the design is kept in ``_keep``: the design caches its
    domain cells by array identity, so a code array must stay alive while it is in use.
    """

    frame: pl.DataFrame
    design: SurveyDesign
    domain: IntArray
    n_domains: int
    labels: pl.DataFrame
    by: tuple[str, ...]
    level: float
    notes: list[str] = field(default_factory=list)
    parts: list[pl.DataFrame] = field(default_factory=list)
    _keep: list[IntArray] = field(default_factory=list)

    @classmethod
    def start(
        cls, data: Any, design: SurveyDesign, by: str | Sequence[str] | None, level: float
    ) -> Analysis:
        frame = to_polars(data)
        if frame.height != design.n:
            raise InputValueError(f"the data has {frame.height:,} rows but the design {design.n:,}")
        if not 0.5 <= level < 1.0:
            raise InputValueError(f"confidence level must be between 0.5 and 1, not {level}")
        by_cols = _names(by)
        domain, n_domains, labels = _domains(frame, by_cols)
        return cls(
            frame=frame,
            design=design,
            domain=domain,
            n_domains=n_domains,
            labels=labels,
            by=tuple(by_cols),
            level=level,
        )

    def numeric(self, column: str, role: str) -> FloatArray:
        """A numeric column; rows with missing values are counted in the notes."""
        values = numeric_column(self.frame, column, role)
        missing = int(np.isnan(values).sum())
        if missing:
            self.notes.append(
                f"{role} column {column!r}: {missing:,} rows with missing values left out"
            )
        return values

    def restrict(self, keep: npt.NDArray[np.bool_]) -> IntArray:
        """Domain codes of the rows in ``keep`` (``-1`` elsewhere)."""
        return self.hold(np.where(keep, self.domain, -1))

    def hold(self, codes: IntArray) -> IntArray:
        self._keep.append(codes)
        return codes

    def cells(self, domain: IntArray, column: str) -> Cells:
        """The (domain, ``column`` level) cells of the rows of ``domain``."""
        if column in self.by:
            raise InputValueError(f"group column {column!r} is also a by column")
        group, n_groups = factorize(key_column(self.frame, column, "group"))
        cell, n_cells = combine_codes(domain, group, n_groups)
        inside = cell >= 0
        cell_domain = np.zeros(n_cells, dtype=np.int64)
        cell_group = np.zeros(n_cells, dtype=np.int64)
        cell_domain[cell[inside]] = domain[inside]
        cell_group[cell[inside]] = group[inside]
        first = np.zeros(n_cells, dtype=np.int64)
        rows = np.flatnonzero(inside)
        first[cell[rows[::-1]]] = rows[::-1]
        labels = self.frame.select([*self.by, column])[first]
        return Cells(self.hold(cell), n_cells, cell_domain, cell_group, group, n_groups, labels)

    def data(
        self, y: FloatArray, domain: IntArray, n_domains: int, **extra: FloatArray
    ) -> MeasureData:
        """A measure view of ``y`` over ``domain`` (excluded rows hold 0)."""
        inside = domain >= 0
        return MeasureData(
            y=np.where(inside, y, 0.0),
            weights=self.design.weights,
            domain=domain,
            n_domains=n_domains,
            population=np.where(inside, 0, -1),
            n_population=1,
            extra=extra,
        )

    def add(
        self,
        measure: str,
        params: str,
        estimate: FloatArray,
        se: FloatArray,
        domain: IntArray,
        n_domains: int,
        labels: pl.DataFrame | None = None,
    ) -> None:
        """Append rows of ``measure`` for the ``n_domains`` codes of ``domain``."""
        n_obs = group_count(domain, n_domains)
        n_psu = _psu_counts(self.design, domain, n_domains)
        self.parts.append(
            build_frame(
                measure=measure,
                params=params,
                labels=self.labels if labels is None else labels,
                estimate=np.where(n_obs > 0, estimate, np.nan),
                se=np.where(n_obs > 0, se, np.nan),
                n=n_obs,
                n_psu=n_psu,
                t=self.design.t_quantile(self.level, self.design.domain_degf(domain, n_domains)),
                rule=ReliabilityRule(),
            )
        )

    def add_measure(
        self,
        measure: Measure,
        data: MeasureData,
        name: str,
        params: str,
        labels: pl.DataFrame | None = None,
    ) -> tuple[FloatArray, FloatArray]:
        """Estimate ``measure`` on ``data`` and append its rows; returns ``(estimate, se)``."""
        with np.errstate(divide="ignore", invalid="ignore"):
            est, se = measure.standard_error(self.design, data)
        self.add(name, params, est, se, data.domain, data.n_domains, labels)
        return est, se

    def results(self, by: tuple[str, ...] | None = None) -> Results:
        frame = pl.concat(self.parts, how="vertical_relaxed")
        return Results(frame, self.by if by is None else by, self.level, self.notes)


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
class ProductMeasure(Measure):
    """``prod_j theta_j ** p_j`` of other measures over the same domains (delta method).

    ``parts`` pairs each measure with its data view and exponent; the influence of row ``i``
    is ``sum_j d f / d theta_j IF_ij``, the replicates multiply replicate estimates.
    """

    parts: list[tuple[Measure, MeasureData, float]] = field(default_factory=list)

    def linearize(self, data: MeasureData) -> Linearized:
        lins = [(m.linearize(d), p) for m, d, p in self.parts]
        inside = data.domain >= 0
        d = np.where(inside, data.domain, 0)
        est = np.ones(data.n_domains)
        for lin, p in lins:
            est = est * lin.estimate**p
        influence = np.zeros(data.y.size)
        for j, (lin, p) in enumerate(lins):
            grad = p * lin.estimate ** (p - 1.0)
            for i, (other, q) in enumerate(lins):
                if i != j:
                    grad = grad * other.estimate**q
            influence += np.where(inside, grad[d] * lin.influence, 0.0)
        return Linearized(estimate=est, influence=influence)

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        out = np.ones((data.n_domains, weights.shape[1]))
        for m, d, p in self.parts:
            out = out * m.replicate(d, weights) ** p
        return out


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
