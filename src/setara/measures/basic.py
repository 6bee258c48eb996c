"""Totals, means, proportions and ratios by domain (R survey's ``svytotal``/``svymean``/
``svyratio`` with domain estimation)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from setara.kernels.groups import FloatArray, group_sum
from setara.measures.base import Linearized, Measure, MeasureData


def _domain_rows(data: MeasureData) -> tuple[np.ndarray, np.ndarray]:
    inside = data.domain >= 0
    return inside, np.where(inside, data.domain, 0)


@dataclass
class Total(Measure):
    """Estimated population total of the variable in each domain."""

    name = "total"

    def linearize(self, data: MeasureData) -> Linearized:
        inside, _ = _domain_rows(data)
        y = np.where(inside, data.y, 0.0)
        return Linearized(estimate=data.domain_total(data.weights * y), influence=y)

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        inside, _ = _domain_rows(data)
        y = np.where(inside, data.y, 0.0)
        return group_sum(data.domain, y[:, None] * weights, data.n_domains)


@dataclass
class Mean(Measure):
    """Weighted mean in each domain; ``proportion`` is the mean of a 0/1 indicator."""

    name = "mean"

    def value_range(self) -> str:
        """A mean of values in [0, 1] stays in it (a rate of a 0/1 indicator)."""
        return "data"

    def linearize(self, data: MeasureData) -> Linearized:
        inside, d = _domain_rows(data)
        y = np.where(inside, data.y, 0.0)
        n_total = data.population_size
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = data.domain_total(data.weights * y) / n_total
        return Linearized(
            estimate=mean, influence=np.where(inside, (y - mean[d]) / n_total[d], 0.0)
        )

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        inside, _ = _domain_rows(data)
        y = np.where(inside, data.y, 0.0)
        totals = group_sum(data.domain, y[:, None] * weights, data.n_domains)
        return totals / group_sum(data.domain, weights, data.n_domains)


@dataclass
class Proportion(Mean):
    """Share of the domain population with the indicator (values 0/1 or true/false)."""

    name = "proportion"

    def value_range(self) -> str:
        """A share of units."""
        return "proportion"


@dataclass
class Ratio(Measure):
    """Ratio of two totals, ``sum w y / sum w x`` (``denominator`` column in ``extra``)."""

    denominator: str = ""
    name = "ratio"

    def params(self) -> str:
        return f"denominator={self.denominator}"

    def extra_columns(self) -> dict[str, str]:
        return {"denominator": self.denominator}

    def linearize(self, data: MeasureData) -> Linearized:
        inside, d = _domain_rows(data)
        y = np.where(inside, data.y, 0.0)
        x = np.where(inside, data.extra["denominator"], 0.0)
        den = data.domain_total(data.weights * x)
        ratio = _undefined_where_zero(data.domain_total(data.weights * y), den)
        defined = inside & (den[d] != 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            influence = np.where(defined, (y - ratio[d] * x) / den[d], 0.0)
        return Linearized(estimate=ratio, influence=influence)

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        inside, _ = _domain_rows(data)
        y = np.where(inside, data.y, 0.0)
        x = np.where(inside, data.extra["denominator"], 0.0)
        num = group_sum(data.domain, y[:, None] * weights, data.n_domains)
        return _undefined_where_zero(
            num, group_sum(data.domain, x[:, None] * weights, data.n_domains)
        )


def _undefined_where_zero(numerator: FloatArray, denominator: FloatArray) -> FloatArray:
    """``numerator / denominator``, NaN (not infinity) where the denominator total is zero: a
    domain with no weighted denominator (e.g. no children of school age in a regency's sample)
    has no ratio."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0, numerator / denominator, np.nan)
