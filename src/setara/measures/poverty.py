"""Poverty measures: FGT(alpha), Watts, Sen–Shorrocks–Thon, at-risk-of-poverty rate.

A poverty line is a number, a column (one line per row, e.g. BPS province x urban/rural lines;
treated as fixed, without sampling variance), or relative: a fraction of the median or the
mean. A relative line comes from the whole population by default (as R convey and Eurostat's
regional rates) and its sampling variance enters the standard error through the linearized
line; ``scope="domain"`` uses each domain's own line instead.

A person is poor when welfare is at or below the line (``y <= z``, as convey); laeken, DASP
and PIP use ``y < z``. The two differ only for values exactly at the line.

References
----------
Foster, J., Greer, J., Thorbecke, E. (1984). Econometrica 52(3).
Osier (2009), section 4 (linearization with an estimated line); R convey ``svyfgt``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from setara.errors import MeasureSpecError
from setara.kernels.distribution import bandwidth, kernel_densities, quantile_values
from setara.kernels.groups import FloatArray, SortedGroups, group_sum
from setara.kernels.inequality import gini_estimate, gini_influence
from setara.measures.base import Linearized, Measure, MeasureData, sorted_weights
from setara.measures.inequality import scatter
from setara.measures.quantiles import quantile_parts


@dataclass(frozen=True)
class PovertyLine:
    """``kind`` is ``"value"``, ``"column"`` or ``"relative"`` (``fraction`` of ``of``)."""

    kind: str
    value: float = 0.0
    column: str = ""
    fraction: float = 0.6
    of: str = "median"
    scope: str = "population"

    def text(self) -> str:
        if self.kind == "value":
            return f"{self.value:g}"
        if self.kind == "column":
            return f"@{self.column}"
        own = ",scope=domain" if self.scope == "domain" else ""
        return f"{self.fraction:g}*{self.of}{own}"


def parse_line(text: str, scope: str = "population") -> PovertyLine:
    """Parse ``10000``, ``@povline``, ``0.6*median`` or ``0.5*mean``."""
    text = text.strip()
    if text.startswith("@") and len(text) > 1:
        return PovertyLine(kind="column", column=text[1:])
    if "*" in text:
        frac_text, of = (part.strip() for part in text.split("*", 1))
        if of not in ("median", "mean"):
            raise MeasureSpecError(f"relative poverty line must be of median or mean, not {of!r}")
        try:
            fraction = float(frac_text)
        except ValueError:
            raise MeasureSpecError(f"poverty line fraction {frac_text!r} is not a number") from None
        if fraction <= 0:
            raise MeasureSpecError(f"poverty line fraction must be positive, not {fraction:g}")
        return PovertyLine(kind="relative", fraction=fraction, of=of, scope=scope)
    try:
        value = float(text)
    except ValueError:
        raise MeasureSpecError(
            f"poverty line {text!r} is not a number, a column (@name) or a relative line "
            "(0.6*median, 0.5*mean)"
        ) from None
    if value <= 0:
        raise MeasureSpecError(f"poverty line must be positive, not {value:g}")
    return PovertyLine(kind="value", value=value)


def _line_groups(data: MeasureData) -> tuple[SortedGroups, FloatArray]:
    """The rows defining a relative line, sorted, and their values."""
    sg = data.population_sorted
    return sg, data.y[sg.order]


def line_estimates(data: MeasureData, line: PovertyLine, weights: FloatArray) -> FloatArray:
    """Line per row for every weight column, ``(n, k)`` (relative lines per column)."""
    n, k = data.y.size, weights.shape[1]
    if line.kind == "value":
        return np.full((n, k), line.value)
    if line.kind == "column":
        return np.broadcast_to(data.extra["line"][:, None], (n, k))
    sg, ys = _line_groups(data)
    ws = weights[sg.order]
    if line.of == "median":
        base = quantile_values(sg, ys, ws, 0.5)
    else:
        base = sg.sum(ys[:, None] * ws) / sg.sum(ws)
    per_row = np.zeros((n, k))
    inside = data.population >= 0
    per_row[inside] = line.fraction * base[data.population[inside]]
    return per_row


def line_influence(data: MeasureData, line: PovertyLine) -> FloatArray:
    """Influence of the relative line on each row of its population (zero elsewhere)."""
    sg, ys = _line_groups(data)
    ws = data.weights[sg.order]
    if line.of == "median":
        sub = MeasureData(
            y=data.y,
            weights=data.weights,
            domain=data.population,
            n_domains=data.n_population,
            population=data.population,
            n_population=data.n_population,
            memo=data.population_memo(),
        )
        infl_sorted = line.fraction * quantile_parts(sub, 0.5).influence
    else:
        n_total = sg.sum(ws)
        mean = sg.sum(ys * ws) / n_total
        infl_sorted = line.fraction * (ys - mean[sg.codes]) / n_total[sg.codes]
    out = np.zeros(data.y.size)
    out[sg.order] = infl_sorted
    return out


class LineMeasure(Measure):
    """A poverty measure ``mean of g(y, z)`` with its derivative with respect to the line."""

    line: PovertyLine

    def extra_columns(self) -> dict[str, str]:
        return {"line": self.line.column} if self.line.kind == "column" else {}

    def _value(self, y: FloatArray, z: FloatArray) -> FloatArray:
        raise NotImplementedError

    def _line_slope(self, y: FloatArray, z: FloatArray) -> FloatArray:
        """d g(y, z) / dz for the continuous part."""
        raise NotImplementedError

    _jump_at_line = False  # True when g jumps from 1 to 0 at the line (headcount)

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        z = line_estimates(data, self.line, weights)
        inside = data.domain >= 0
        values = np.where(inside[:, None], self._value(data.y[:, None], z), 0.0)
        n_total = group_sum(data.domain, weights, data.n_domains)
        return group_sum(data.domain, values * weights, data.n_domains) / n_total

    def linearize(self, data: MeasureData) -> Linearized:
        w = data.weights
        key = self.line.text()
        z = data.remember(("line", key), lambda: line_estimates(data, self.line, w[:, None])[:, 0])
        inside = data.domain >= 0
        d = np.where(inside, data.domain, 0)
        g = np.where(inside, self._value(data.y, z), 0.0)
        n_total = data.population_size
        est = group_sum(data.domain, w * g, data.n_domains) / n_total
        influence = np.where(inside, (g - est[d]) / n_total[d], 0.0)
        if self.line.kind != "relative":
            return Linearized(estimate=est, influence=influence)
        slope = np.where(inside, self._line_slope(data.y, z), 0.0)
        coef = group_sum(data.domain, w * slope, data.n_domains) / n_total
        if self._jump_at_line:
            line_d = np.zeros(data.n_domains)
            line_d[data.domain[inside]] = z[inside]
            h = bandwidth(data.y[inside], w[inside], data.domain[inside], data.n_domains)
            density, _ = kernel_densities(
                data.y[inside], w[inside], data.domain[inside], data.n_domains, line_d, h
            )
            coef = coef + density
        line_infl = data.remember(("line_influence", key), lambda: line_influence(data, self.line))
        if data.own_line:
            return Linearized(estimate=est, influence=influence + coef[d] * line_infl * inside)
        return Linearized(estimate=est, influence=influence, shared=(line_infl, coef))


@dataclass
class FGT(LineMeasure):
    """Foster–Greer–Thorbecke index ``mean of ((z - y)/z)^alpha 1{y <= z}``."""

    alpha: float = 0.0
    line: PovertyLine = PovertyLine(kind="relative")
    name = "fgt"

    def __post_init__(self) -> None:
        if self.alpha < 0:
            raise MeasureSpecError(f"fgt alpha must be >= 0, not {self.alpha:g}")
        self._jump_at_line = self.alpha == 0

    def params(self) -> str:
        return f"alpha={self.alpha:g},line={self.line.text()}"

    def value_range(self) -> str:
        """The headcount is a proportion; FGT(alpha > 0) is in [0, 1] for welfare >= 0."""
        return "proportion" if self.alpha == 0 else "unit"

    def _value(self, y: FloatArray, z: FloatArray) -> FloatArray:
        poor = y <= z
        if self.alpha == 0:
            return poor.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):  # z is 0 outside the population
            gap = np.where(poor, (z - y) / z, 0.0)
        return np.asarray(gap**self.alpha)

    def _line_slope(self, y: FloatArray, z: FloatArray) -> FloatArray:
        if self.alpha == 0:
            return np.zeros_like(y)
        poor = y <= z
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(poor, (z - y) / z, 0.0)
            slope = self.alpha * gap ** (self.alpha - 1.0) * y / z**2
        return np.where(poor, slope, 0.0)


@dataclass
class Watts(LineMeasure):
    """Watts index ``mean of log(z / y) 1{y <= z}`` (needs positive welfare)."""

    line: PovertyLine = PovertyLine(kind="relative")
    name = "watts"
    positive_only = True

    def params(self) -> str:
        return f"line={self.line.text()}"

    def _value(self, y: FloatArray, z: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(y <= z, np.log(z / y), 0.0)

    def _line_slope(self, y: FloatArray, z: FloatArray) -> FloatArray:
        with np.errstate(divide="ignore"):  # z is 0 on rows outside the population
            return np.where(y <= z, 1.0 / z, 0.0)


@dataclass
class AtRiskRate(FGT):
    """At-risk-of-poverty rate: headcount below ``percent`` of the median (Eurostat ARPR)."""

    percent: float = 0.6
    name = "arpr"

    def __post_init__(self) -> None:
        self.alpha = 0.0
        self.line = PovertyLine(
            kind="relative", fraction=self.percent, of="median", scope=self.line.scope
        )
        super().__post_init__()

    def params(self) -> str:
        return f"percent={self.percent:g}"


@dataclass
class SenShorrocksThon(Measure):
    """Sen–Shorrocks–Thon index ``FGT1 (1 + G)``, ``G`` the Gini of poverty-gap ratios over
    the whole domain (Osberg and Xu 2000). Fixed lines only (a number or a column)."""

    line: PovertyLine = PovertyLine(kind="value", value=1.0)
    name = "sst"

    def __post_init__(self) -> None:
        if self.line.kind == "relative":
            raise MeasureSpecError("sst needs a fixed poverty line: a number or a column (@name)")

    def params(self) -> str:
        return f"line={self.line.text()}"

    def extra_columns(self) -> dict[str, str]:
        return {"line": self.line.column} if self.line.kind == "column" else {}

    def _gap_data(self, data: MeasureData) -> tuple[MeasureData, FloatArray]:
        z = line_estimates(data, self.line, data.weights[:, None])[:, 0]
        gap = np.where(data.y <= z, (z - data.y) / z, 0.0)
        gap_data = MeasureData(
            y=gap,
            weights=data.weights,
            domain=data.domain,
            n_domains=data.n_domains,
            population=data.population,
            n_population=data.n_population,
        )
        return gap_data, gap

    def linearize(self, data: MeasureData) -> Linearized:
        gd, _gap = self._gap_data(data)
        ws = gd.weights[gd.sorted.order]
        gini, lin_g = gini_influence(gd.sorted, gd.y_sorted, ws)
        n_total = gd.sorted.sum(ws)
        p1 = gd.sorted.sum(gd.y_sorted * ws) / n_total
        c = gd.sorted.codes
        lin_p1 = (gd.y_sorted - p1[c]) / n_total[c]
        lin = lin_p1 * (1.0 + gini[c]) + p1[c] * lin_g
        return Linearized(estimate=p1 * (1.0 + gini), influence=scatter(gd, lin))

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        gd, _ = self._gap_data(data)
        ws = sorted_weights(gd, weights)
        gini = gini_estimate(gd.sorted, gd.y_sorted, ws)
        p1 = gd.sorted.sum(gd.y_sorted[:, None] * ws) / gd.sorted.sum(ws)
        return p1 * (1.0 + gini)
