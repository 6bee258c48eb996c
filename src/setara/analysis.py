"""What the frame-level analyses share (:mod:`setara.gaps`, :mod:`setara.mpi`,
:mod:`setara.decomposition`): a frame with its design and ``by`` domains, group cells, measure
views and the results rows they append."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.design import SurveyDesign
from setara.errors import InputValueError
from setara.estimation import checked_frame, column_names, domain_codes, results_frame
from setara.frames import key_column, numeric_column
from setara.kernels.groups import FloatArray, IntArray, combine_codes, factorize
from setara.measures.base import Measure, MeasureData
from setara.results import ReliabilityRule, Results

__all__ = ["Analysis", "Cells"]


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
        frame = checked_frame(data, design, level)
        by_cols = column_names(by)
        domain, n_domains, labels = domain_codes(frame, by_cols)
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
        self.parts.append(
            results_frame(
                measure,
                params,
                self.labels if labels is None else labels,
                estimate,
                se,
                self.design,
                domain,
                n_domains,
                level=self.level,
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
