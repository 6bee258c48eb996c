"""Inequality measures: Gini, generalised entropy (Theil T, MLD), Atkinson, CV."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from setara.errors import MeasureSpecError
from setara.kernels import inequality as k
from setara.kernels.groups import FloatArray, SortedGroups
from setara.measures.base import Linearized, Measure, MeasureData, sorted_weights
from setara.replicates import ReplicateWeights

GINI_METHODS = ("midrank", "osier")
MAX_THREADS = 4  # replicate blocks computed concurrently

InfluenceKernel = Callable[[SortedGroups, FloatArray, FloatArray], tuple[FloatArray, FloatArray]]
EstimateKernel = Callable[[SortedGroups, FloatArray, FloatArray], FloatArray]


def scatter(data: MeasureData, sorted_values: FloatArray) -> FloatArray:
    """Put values of the sorted layout back in row order (zero outside every domain)."""
    out = np.zeros(data.y.size)
    out[data.sorted.order] = sorted_values
    return out


class SortedMeasure(Measure):
    """A measure computed from the domain-sorted layout by an estimate and an influence kernel."""

    def _estimate(self, sg: SortedGroups, y: FloatArray, w: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _influence(
        self, sg: SortedGroups, y: FloatArray, w: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        raise NotImplementedError

    def linearize(self, data: MeasureData) -> Linearized:
        w = data.w_sorted
        est, lin = self._influence(data.sorted, data.y_sorted, w)
        return Linearized(estimate=est, influence=scatter(data, lin))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        return self._estimate(data.sorted, data.y_sorted, sorted_weights(data, weights))

    row_kernel = False  # True when _estimate_rows is implemented (fast replicate path)

    def _estimate_rows(self, sg: SortedGroups, y: FloatArray, wt: FloatArray) -> FloatArray:
        """Estimates from sorted weights given one column per row, ``(k, m)``."""
        raise NotImplementedError

    def replicate_all(self, replicates: ReplicateWeights, data: MeasureData) -> FloatArray:
        if not self.row_kernel:
            return super().replicate_all(replicates, data)
        sg, y = data.sorted, data.y_sorted
        thetas = np.empty((data.n_domains, replicates.n_replicates))
        # NumPy releases the GIL in these kernels: blocks run on all cores, at most `workers`
        # blocks in memory at once
        workers = min(MAX_THREADS, os.cpu_count() or 1)
        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: deque[tuple[slice, Future[FloatArray]]] = deque()
            for cols, rows in replicates.row_blocks(data.weights, sg.order):
                pending.append((cols, pool.submit(self._estimate_rows, sg, y, rows)))
                if len(pending) >= workers:
                    done_cols, done = pending.popleft()
                    thetas[:, done_cols] = done.result()
            for done_cols, done in pending:
                thetas[:, done_cols] = done.result()
        return thetas


@dataclass
class Gini(SortedMeasure):
    """Gini coefficient; ``method="midrank"`` (default) or ``"osier"`` (equals R convey)."""

    method: str = "midrank"
    name = "gini"

    def __post_init__(self) -> None:
        if self.method not in GINI_METHODS:
            raise MeasureSpecError(f"gini method must be midrank or osier, not {self.method!r}")

    def params(self) -> str:
        return "" if self.method == "midrank" else f"method={self.method}"

    def value_range(self) -> str:
        """The Gini of non-negative welfare is in [0, 1]."""
        return "unit"

    def _estimate(self, sg: SortedGroups, y: FloatArray, w: FloatArray) -> FloatArray:
        return k.gini_estimate(sg, y, w, method=self.method)

    row_kernel = True

    def _estimate_rows(self, sg: SortedGroups, y: FloatArray, wt: FloatArray) -> FloatArray:
        return k.gini_estimate_rows(sg, y, wt, method=self.method)

    def _influence(
        self, sg: SortedGroups, y: FloatArray, w: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        return k.gini_influence(sg, y, w, method=self.method)


@dataclass
class GeneralizedEntropy(SortedMeasure):
    """GE(alpha); alpha 0 = mean log deviation, 1 = Theil T, 2 = half the squared CV."""

    alpha: float = 1.0
    name = "ge"

    positive_only = True  # as R convey: GE is defined for strictly positive values

    def params(self) -> str:
        return f"alpha={self.alpha:g}"

    def _estimate(self, sg: SortedGroups, y: FloatArray, w: FloatArray) -> FloatArray:
        return k.ge_estimate(sg, y, w, self.alpha)

    def _influence(
        self, sg: SortedGroups, y: FloatArray, w: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        return k.ge_influence(sg, y, w, self.alpha)


@dataclass
class Atkinson(SortedMeasure):
    """Atkinson index A(epsilon), epsilon >= 0."""

    epsilon: float = 1.0
    name = "atkinson"

    def __post_init__(self) -> None:
        if self.epsilon < 0:
            raise MeasureSpecError(f"atkinson epsilon must be >= 0, not {self.epsilon:g}")

    positive_only = True

    def value_range(self) -> str:
        """Atkinson indices are in [0, 1]."""
        return "unit"

    def params(self) -> str:
        return f"epsilon={self.epsilon:g}"

    def _estimate(self, sg: SortedGroups, y: FloatArray, w: FloatArray) -> FloatArray:
        return k.atkinson_estimate(sg, y, w, self.epsilon)

    def _influence(
        self, sg: SortedGroups, y: FloatArray, w: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        return k.atkinson_influence(sg, y, w, self.epsilon)


class CoefficientOfVariation(SortedMeasure):
    """Coefficient of variation: population standard deviation over the mean."""

    name = "cv"

    def _estimate(self, sg: SortedGroups, y: FloatArray, w: FloatArray) -> FloatArray:
        return k.cv_estimate(sg, y, w)

    def _influence(
        self, sg: SortedGroups, y: FloatArray, w: FloatArray
    ) -> tuple[FloatArray, FloatArray]:
        return k.cv_influence(sg, y, w)
