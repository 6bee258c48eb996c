"""Poverty and inequality before and after a programme, with design-based SEs of the change.

Both welfare vectors live on the same sample and design, so the change is a difference of two
estimates from the same units. Its variance is computed exactly as for one estimate, from the
difference of the two linearized (influence) values of each household,
``Var(theta_1 - theta_0) = V(sum_i w_i (z1_i - z0_i))``, which includes the covariance; with
replicate weights, from the replicate differences ``theta_1r - theta_0r`` (Wolter 2007, ch. 1;
Osier 2009 for the influence functions of Gini and quantile shares; Binder 1983).

Measures: FGT0/1/2 against the population's poverty line (a fixed line per household, so no
line variance), Gini (midrank), Theil T and Palma. Each is computed over households with weight
``weight x members``, which equals the person-level estimate of :func:`setara.estimate`.
Registry data (no design) have no sampling error: SEs are null and reliability ``census``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from setara.estimation import psu_counts
from setara.kernels.groups import FloatArray, IntArray, SortedGroups, group_count
from setara.measures.base import Measure, MeasureData
from setara.measures.inequality import GeneralizedEntropy, Gini
from setara.measures.poverty import FGT, PovertyLine
from setara.measures.quantiles import ShareRatio
from setara.programmes.impact import cell_totals, fgt_values, variance_from_totals, view_parts
from setara.programmes.population import Population, stable_argsort
from setara.results import ReliabilityRule, build_frame

__all__ = ["CENSUS", "DistributionEngine", "Domains", "impact_measures"]

CENSUS = "census"
MAX_THREADS = 4  # measures linearized concurrently (NumPy releases the GIL in the kernels)
_LINE = PovertyLine(kind="column", column="poverty_line")


def impact_measures() -> list[tuple[str, Measure]]:
    """The measures reported before and after: (label, measure)."""
    palma = ShareRatio(upper=0.9, lower=0.4)
    palma.name = "palma"
    return [
        ("fgt0", FGT(alpha=0.0, line=_LINE)),
        ("fgt1", FGT(alpha=1.0, line=_LINE)),
        ("fgt2", FGT(alpha=2.0, line=_LINE)),
        ("gini", Gini()),
        ("theil", GeneralizedEntropy(alpha=1.0)),
        ("palma", palma),
    ]


@dataclass(frozen=True)
class Domains:
    """A domain coding of households: ``codes`` 0..n-1 and a label frame (domain, group)."""

    name: str
    codes: IntArray
    labels: list[str]

    @property
    def n(self) -> int:
        return len(self.labels)

    def label_frame(self) -> pl.DataFrame:
        return pl.DataFrame({"domain": [self.name] * self.n, "group": self.labels})


@dataclass
class DistributionEngine:
    """Estimates, influence values and variances of the impact measures, cached per welfare
    vector and domain coding so that every comparison reuses the sorts and linearizations.

    A comparison needs, per view, the estimates and the (PSU, domain) cell totals of the
    deviates (:mod:`.impact`): the 1-D deviates and sorted layouts are dropped once a view is
    done, so memory stays a few vectors per welfare vector, not per view and measure.
    """

    pop: Population
    level: float = 0.95
    rule: ReliabilityRule = field(default_factory=ReliabilityRule)
    _data: dict[tuple[str, str], MeasureData] = field(default_factory=dict)
    _parts: dict[tuple[str, str, str], tuple[FloatArray, FloatArray]] = field(default_factory=dict)
    _count_cache: dict[str, tuple[IntArray, IntArray, FloatArray]] = field(default_factory=dict)
    _vectors: dict[str, FloatArray] = field(default_factory=dict)
    _orders: dict[str, IntArray] = field(default_factory=dict)
    _variances: dict[tuple[str, str, str], FloatArray] = field(default_factory=dict)
    _fgt: dict[str, dict[str, tuple[FloatArray, FloatArray]]] = field(default_factory=dict)
    _done: set[tuple[str, str]] = field(default_factory=set)
    measures: list[tuple[str, Measure]] = field(default_factory=impact_measures)

    def add(self, key: str, welfare: FloatArray) -> None:
        self._vectors[key] = welfare

    def _view(self, key: str, dom: Domains) -> MeasureData:
        cached = self._data.get((key, dom.name))
        if cached is None:
            y = self._vectors[key]
            order = self._orders.get(key)
            if order is None:
                order = self._orders[key] = self._value_order(y)
            cached = MeasureData(
                y=y,
                weights=self.pop.person_weight,
                domain=dom.codes,
                n_domains=dom.n,
                population=np.zeros(dom.codes.size, dtype=np.int64),
                n_population=1,
                extra={"line": self.pop.poverty_line},
                memo={"value_order": order, "domain": _sorted_groups(order, dom)},
            )
            self._data[(key, dom.name)] = cached
        return cached

    def prepare(self, pairs: Sequence[tuple[str, Domains]]) -> None:
        """Estimates and variance parts of every measure on every (welfare, domains) view: one
        sort per welfare vector, then one job per view, on all cores (NumPy releases the GIL
        in the kernels)."""
        todo = [(key, dom) for key, dom in pairs if (key, dom.name) not in self._done]
        keys = list(dict.fromkeys(key for key, _ in todo))
        _ = self.pop.person_weight  # cached before the threads start
        workers = max(1, min(MAX_THREADS, os.cpu_count() or 1, len(todo)))
        if workers == 1:
            for key in keys:
                self._sort(key)
            for key, dom in todo:
                self._linearize_view(key, dom)
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(self._sort, keys))
            list(pool.map(lambda job: self._linearize_view(*job), todo))

    def _sort(self, key: str) -> None:
        """The value order of a welfare vector and its FGT values (shared by every coding)."""
        y = self._vectors[key]
        if key not in self._orders:
            self._orders[key] = self._value_order(y)
        if key not in self._fgt:
            pop = self.pop
            self._fgt[key] = fgt_values(y, pop.person_weight, pop.poverty_line, self.measures)

    def _value_order(self, y: FloatArray) -> IntArray:
        """``np.argsort(y, kind="stable")``; the population's welfare has its order cached."""
        if y is self.pop.welfare:
            return self.pop.welfare_order
        return stable_argsort(y)

    def _linearize_view(self, key: str, dom: Domains) -> None:
        """Every measure on one view: the estimate per domain, and what the variance of any
        comparison needs (cell totals of the deviates, or replicate estimates)."""
        if (key, dom.name) in self._done:
            return
        self._sort(key)
        view = self._view(key, dom)
        design = self.pop.design
        if design is not None and design.replicates is not None:
            for label, m in self.measures:
                est = m.replicate(view, view.weights[:, None])[:, 0]
                self._parts[(label, key, dom.name)] = (
                    est,
                    m.replicate_all(design.replicates, view),
                )
        else:
            for label, (est, deviates) in view_parts(view, self.measures, self._fgt[key]).items():
                totals = np.empty(0) if design is None else cell_totals(design, dom.codes, dom.n,
                                                                        deviates)  # fmt: skip
                self._parts[(label, key, dom.name)] = (est, totals)
        del self._data[(key, dom.name)]  # the sorted layout is no longer needed
        for label, _ in self.measures:  # level variances: here, on all cores
            est, parts = self._parts[(label, key, dom.name)]
            self._level_variance(label, key, dom, parts, est)
        self._done.add((key, dom.name))

    def _estimate(self, label: str, key: str, dom: Domains) -> tuple[FloatArray, FloatArray]:
        """Estimate per domain and its variance parts: cell totals of the weighted influence
        values (linearization) or replicate estimates (domains x replicates)."""
        self._linearize_view(key, dom)
        return self._parts[(label, key, dom.name)]

    def compare(
        self,
        before: str,
        after: str,
        dom: Domains,
        *,
        stages: Sequence[str] = ("before", "after", "change"),
        change_label: str = "change",
    ) -> pl.DataFrame:
        """Rows for every measure and domain: ``before``, ``after`` and ``after - before``."""
        names: list[tuple[str, str]] = []
        estimates: list[FloatArray] = []
        variances: list[FloatArray] = []
        for label, m in self.measures:
            est0, dev0 = self._estimate(label, before, dom)
            est1, dev1 = self._estimate(label, after, dom)
            names.append((label, m.params()))
            for stage in stages:
                if stage == "before":
                    est, var = est0, self._level_variance(label, before, dom, dev0, est0)
                elif stage == "after":
                    est, var = est1, self._level_variance(label, after, dom, dev1, est1)
                else:
                    est, var = est1 - est0, self._variance(dev1 - dev0, est1 - est0, dom)
                estimates.append(est)
                variances.append(var)
        return self._frame(names, estimates, variances, dom, stages)

    def _level_variance(
        self, label: str, key: str, dom: Domains, deviates: FloatArray, est: FloatArray
    ) -> FloatArray:
        cache_key = (label, key, dom.name)
        if cache_key not in self._variances:
            self._variances[cache_key] = self._variance(deviates, est, dom)
        return self._variances[cache_key]

    def _variance(self, parts: FloatArray, estimate: FloatArray, dom: Domains) -> FloatArray:
        design = self.pop.design
        if design is None:
            return np.full(dom.n, np.nan)
        if design.replicates is not None:
            return design.replicates.variance(parts, estimate)
        return variance_from_totals(design, dom.codes, dom.n, parts)

    def _frame(
        self,
        names: list[tuple[str, str]],
        estimates: list[FloatArray],
        variances: list[FloatArray],
        dom: Domains,
        stages: Sequence[str],
    ) -> pl.DataFrame:
        """One results frame for all measures (``names``: label and params of each) and
        stages, built at once: measure by measure, stage by stage, domain by domain."""
        design = self.pop.design
        k = len(stages) * len(names)
        est = np.concatenate(estimates)
        se = np.sqrt(np.maximum(np.concatenate(variances), 0.0))
        labels = pl.concat([dom.label_frame()] * k)
        rows = len(stages) * dom.n  # rows of each measure
        stage_column = pl.Series(
            "stage", np.tile(np.repeat(np.asarray(stages, dtype=object), dom.n), len(names))
        )
        measure_column = pl.Series("measure", [label for label, _ in names for _ in range(rows)])
        params_column = pl.Series("params", [params for _, params in names for _ in range(rows)])
        counts = self._counts(dom)
        if design is None:
            frame = build_frame(
                measure="",  # the measure and params columns are set below
                params="",
                labels=labels,
                estimate=est,
                se=se,
                n=np.tile(counts[0], k),
                n_psu=None,
                t=np.zeros(est.size),
                rule=self.rule,
            ).with_columns(pl.lit(CENSUS).alias("reliability"))
        else:
            frame = build_frame(
                measure="",  # the measure and params columns are set below
                params="",
                labels=labels,
                estimate=np.where(np.tile(counts[0], k) > 0, est, np.nan),
                se=se,
                n=np.tile(counts[0], k),
                n_psu=np.tile(counts[1], k),
                t=np.tile(counts[2], k),
                rule=self.rule,
            )
        frame = frame.with_columns(measure_column.cast(pl.Utf8), params_column.cast(pl.Utf8))
        return frame.with_columns(stage_column.cast(pl.Utf8))

    def _counts(self, dom: Domains) -> tuple[IntArray, IntArray, FloatArray]:
        """Households, PSUs and the t quantile of each domain (as :func:`results_frame`)."""
        key = dom.name
        if key not in self._count_cache:
            n = group_count(dom.codes, dom.n)
            design = self.pop.design
            if design is None:
                self._count_cache[key] = (n, n, np.zeros(dom.n))
            else:
                n_psu = psu_counts(design, dom.codes, dom.n)
                t = design.t_quantile(self.level, design.domain_degf(dom.codes, dom.n))
                self._count_cache[key] = (n, n_psu, np.broadcast_to(t, (dom.n,)).astype(np.float64))
        return self._count_cache[key]


def _sorted_groups(order: IntArray, dom: Domains) -> SortedGroups:
    """The domain-sorted layout from a shared value order: one stable sort of small integer
    codes (a radix sort) instead of a sort of the values per domain coding."""
    if dom.n == 1:
        codes = np.zeros(order.size, dtype=np.int64)
        return SortedGroups(order=order, codes=codes, starts=np.zeros(1, np.int64),
                            counts=np.array([order.size], dtype=np.int64))  # fmt: skip
    small = dom.codes[order].astype(np.int16 if dom.n < 2**15 else np.int64)
    by_group = np.argsort(small, kind="stable")
    sorted_order = order[by_group]
    sorted_codes = dom.codes[sorted_order]
    counts = np.bincount(sorted_codes, minlength=dom.n).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    return SortedGroups(order=sorted_order, codes=sorted_codes, starts=starts, counts=counts)
