"""What every measure shares: its data view, its linearization and the estimation loop.

A measure is a small object with two methods:

``linearize(data)``
    estimates with the full-sample weights and the influence values of each row in its own
    domain (zero elsewhere), optionally plus one population-level component shared by every
    domain (the linearized national poverty line);
``replicate(data, weights)``
    estimates for a block of weight columns (replicate weights), ``(domains, k)``.

:func:`run_measure` turns either into estimates and standard errors for all domains at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import numpy as np

from setara.design import SurveyDesign
from setara.kernels.groups import (
    FloatArray,
    IntArray,
    SortedGroups,
    group_count,
    group_sum,
    stable_argsort,
)
from setara.replicates import ReplicateWeights

T = TypeVar("T")
_LOCKS = "__locks__"  # memo entry holding one lock per key


@dataclass
class MeasureData:
    """Welfare values, weights and domains for one measure call.

    ``domain`` codes rows ``0..n_domains-1`` (``-1`` outside every domain or excluded);
    ``population`` codes the rows that define a population-level relative poverty line
    (``0``, or ``-1``); when a domain's own line is wanted ``population`` equals ``domain``.
    """

    y: FloatArray
    weights: FloatArray
    domain: IntArray
    n_domains: int
    population: IntArray
    n_population: int
    extra: dict[str, FloatArray] = field(default_factory=dict)
    memo: dict[object, Any] = field(default_factory=dict)
    """Intermediate results shared by every measure of one call that sees the same rows and
    domains: the one sort per variable, quantiles and poverty lines. Views that share a memo
    must have the same ``y``, ``weights`` and ``domain``."""

    def remember(self, key: object, compute: Callable[[], T]) -> T:
        """``compute()`` once per key for all measures sharing this memo (thread safe: a
        measure running concurrently waits for the value instead of computing it again)."""
        if key in self.memo:
            return cast(T, self.memo[key])
        locks = self.memo.setdefault(_LOCKS, {})
        lock = locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self.memo:
                self.memo[key] = compute()
        return cast(T, self.memo[key])

    @property
    def sorted(self) -> SortedGroups:
        return self.remember(
            "domain", lambda: SortedGroups.build(self.y, self.domain, self.n_domains, self.order)
        )

    @property
    def order(self) -> IntArray:
        """Rows sorted by value (stable), shared by the domain and population layouts."""
        return self.remember("value_order", lambda: stable_argsort(self.y))

    @property
    def population_sorted(self) -> SortedGroups:
        if self.own_line:
            return self.sorted
        return self.remember(
            "population",
            lambda: SortedGroups.build(self.y, self.population, self.n_population, self.order),
        )

    def population_memo(self) -> dict[object, Any]:
        """Memo of the population view: shares this view's population layout (with the
        domain's own line the population view *is* this view)."""
        if self.own_line:
            return self.memo
        return self.remember(
            "population_memo",
            lambda: {"domain": self.population_sorted, "value_order": self.order},
        )

    @property
    def w_sorted(self) -> FloatArray:
        """Full-sample weights in the domain-sorted layout."""
        return self.remember("w_sorted", lambda: self.weights[self.sorted.order])

    @property
    def y_sorted(self) -> FloatArray:
        return self.remember("y_sorted", lambda: self.y[self.sorted.order])

    @property
    def n_obs(self) -> IntArray:
        """Observations per domain."""
        return self.remember(
            ("n_obs", id(self.domain)), lambda: group_count(self.domain, self.n_domains)
        )

    @property
    def population_size(self) -> FloatArray:
        """Estimated population (sum of full-sample weights) per domain."""
        return self.remember("population_size", lambda: self.domain_total(self.weights))

    @property
    def own_line(self) -> bool:
        return self.population is self.domain

    def domain_total(self, w: FloatArray) -> FloatArray:
        return group_sum(self.domain, w, self.n_domains)

    def in_domain(self) -> FloatArray:
        return (self.domain >= 0).astype(np.float64)


@dataclass
class Linearized:
    """Estimates and influence values from the full-sample weights.

    ``influence[i]`` belongs to row ``i``'s own domain. ``shared = (b, c)``: domain ``d`` also
    has influence ``c[d] * b[i]`` on every row ``i`` (``b`` zero outside the population).
    """

    estimate: FloatArray
    influence: FloatArray
    shared: tuple[FloatArray, FloatArray] | None = None


@dataclass
class VariableParts:
    """What a variance came from: weighted influence values ``weighted`` (each row in its own
    domain) and the ``shared`` population-level term of :meth:`SurveyDesign.variance`, or the
    replicate estimates ``thetas`` (domains x replicates)."""

    weighted: FloatArray | None = None
    shared: tuple[FloatArray, FloatArray] | None = None
    thetas: FloatArray | None = None


class Measure:
    """Base class; subclasses set ``name`` and implement the two methods."""

    name: str = ""
    positive_only: bool = False
    needs_population_line: bool = False

    def params(self) -> str:
        return ""

    def value_range(self) -> str:
        """The range of the measure's values, for intervals that cannot leave it
        (:func:`setara.intervals.scale_of`): ``"open"`` unless a subclass says otherwise."""
        return "open"

    def extra_columns(self) -> dict[str, str]:
        """Other columns the measure reads, as ``{key in MeasureData.extra: column name}``."""
        return {}

    def linearize(self, data: MeasureData) -> Linearized:
        raise NotImplementedError

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        raise NotImplementedError

    def replicate_all(self, replicates: ReplicateWeights, data: MeasureData) -> FloatArray:
        """Estimates for every replicate, ``(domains, replicates)``, a block at a time."""
        thetas = np.empty((data.n_domains, replicates.n_replicates))
        for cols, block in replicates.blocks(data.weights):
            thetas[:, cols] = self.replicate(data, block)
        return thetas

    def standard_error(
        self, design: SurveyDesign, data: MeasureData
    ) -> tuple[FloatArray, FloatArray]:
        """Estimates and standard errors for every domain (linearization or replicates)."""
        estimate, se, _ = self.estimate_parts(design, data)
        return estimate, se

    def estimate_parts(
        self, design: SurveyDesign, data: MeasureData
    ) -> tuple[FloatArray, FloatArray, VariableParts]:
        """Estimates, standard errors and what the variance was computed from (to combine
        with another estimate on the same sample, e.g. a domain minus the nation)."""
        if design.replicates is not None:
            estimate = self.replicate(data, data.weights[:, None])[:, 0]
            thetas = self.replicate_all(design.replicates, data)
            var = design.replicates.variance(thetas, estimate)
            return estimate, _se(estimate, var), VariableParts(thetas=thetas)
        estimate, a, shared = self._weighted_influence(data)
        var = design.variance(data.domain, data.n_domains, a, shared)
        return estimate, _se(estimate, var), VariableParts(weighted=a, shared=shared)

    def linear_parts(self, data: MeasureData) -> tuple[FloatArray, VariableParts]:
        """Estimates and weighted influence values from the full-sample weights, without a
        variance (for a variance taken on another design, or an SE that is not linearized)."""
        estimate, a, shared = self._weighted_influence(data)
        return estimate, VariableParts(weighted=a, shared=shared)

    def _weighted_influence(
        self, data: MeasureData
    ) -> tuple[FloatArray, FloatArray, tuple[FloatArray, FloatArray] | None]:
        lin = self.linearize(data)
        w = data.weights
        a = np.where(data.domain >= 0, w * lin.influence, 0.0)
        shared = None
        if lin.shared is not None:
            b, c = lin.shared
            shared = (np.where(data.population >= 0, w * b, 0.0), c)
        return lin.estimate, a, shared


def sorted_weights(data: MeasureData, weights: FloatArray) -> FloatArray:
    """Weight columns in the domain-sorted layout, ``(m, k)``."""
    return weights[data.sorted.order]


def _se(estimate: FloatArray, variance: FloatArray) -> FloatArray:
    """Standard errors; undefined (NaN) where the estimate is (e.g. a ratio over a domain
    whose denominator total is zero), never a misleading 0."""
    return np.where(np.isnan(estimate), np.nan, np.sqrt(variance))
