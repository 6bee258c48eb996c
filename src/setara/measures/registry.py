"""Measure specifications: ``name[:key=value,...]`` text to measure objects.

Examples: ``gini``, ``gini:method=osier``, ``atkinson:epsilon=1``, ``ge:alpha=2``,
``fgt:alpha=0,line=0.6*median``, ``fgt:alpha=1,line=10000``, ``fgt:alpha=0,line=@povline``,
``watts:line=10000``, ``qsr``, ``palma``, ``mean``, ``median``, ``quantile:p=0.2``, ``arpr``,
``arpt``, ``lorenz`` (nine ordinates), ``shares`` (decile shares), ``p90p10``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from setara.errors import MeasureSpecError
from setara.measures.base import Measure
from setara.measures.basic import Mean, Proportion, Ratio, Total
from setara.measures.equity_registry import EQUITY_BUILDERS
from setara.measures.inequality import Atkinson, CoefficientOfVariation, GeneralizedEntropy, Gini
from setara.measures.poverty import FGT, AtRiskRate, SenShorrocksThon, Watts, parse_line
from setara.measures.quantiles import (
    Lorenz,
    PovertyThreshold,
    Quantile,
    QuantileRatio,
    Share,
    ShareRatio,
)

Params = dict[str, str]


def _float(params: Params, *keys: str, default: float | None = None) -> float:
    for key in keys:
        if key in params:
            text = params.pop(key)
            try:
                return float(text)
            except ValueError:
                raise MeasureSpecError(f"parameter {key}={text!r} is not a number") from None
    if default is None:
        raise MeasureSpecError(f"parameter {keys[0]}= is required")
    return default


def _line(params: Params, name: str) -> Any:
    scope = params.pop("scope", "population")
    if scope not in ("population", "domain"):
        raise MeasureSpecError(f"scope must be population or domain, not {scope!r}")
    if "line" not in params:
        raise MeasureSpecError(
            f"{name} needs a poverty line: line=10000, line=@column, line=0.6*median or "
            "line=0.5*mean"
        )
    return parse_line(params.pop("line"), scope)


def _arpr(params: Params) -> list[Measure]:
    scope = params.pop("scope", "population")
    percent = _float(params, "percent", default=0.6)
    rate = AtRiskRate(percent=percent, line=parse_line(f"{percent}*median", scope))
    return [rate]


BUILDERS: dict[str, Callable[[Params], list[Measure]]] = {
    "mean": lambda p: [Mean()],
    "total": lambda p: [Total()],
    "proportion": lambda p: [Proportion()],
    "ratio": lambda p: [Ratio(denominator=p.pop("denominator", ""))],
    "median": lambda p: [Quantile(p=0.5, se=p.pop("se", "woodruff"))],
    "quantile": lambda p: [Quantile(p=_float(p, "p"), se=p.pop("se", "woodruff"))],
    "gini": lambda p: [Gini(method=p.pop("method", "midrank"))],
    "ge": lambda p: [GeneralizedEntropy(alpha=_float(p, "alpha", "epsilon", default=1.0))],
    "theil": lambda p: [GeneralizedEntropy(alpha=1.0)],
    "mld": lambda p: [GeneralizedEntropy(alpha=0.0)],
    "atkinson": lambda p: [Atkinson(epsilon=_float(p, "epsilon", default=1.0))],
    "cv": lambda p: [CoefficientOfVariation()],
    "qsr": lambda p: [ShareRatio(upper=0.8, lower=0.2)],
    "s80s20": lambda p: [ShareRatio(upper=0.8, lower=0.2)],
    "palma": lambda p: [_palma()],
    "share": lambda p: [Share(lower=_float(p, "lower", default=0.0), upper=_float(p, "upper"))],
    "bottom40": lambda p: [Share(lower=0.0, upper=0.4)],
    "shares": lambda p: _group_shares(p),
    "lorenz": lambda p: _lorenz(p, generalized=False),
    "glorenz": lambda p: _lorenz(p, generalized=True),
    "pratio": lambda p: [QuantileRatio(upper=_float(p, "upper"), lower=_float(p, "lower"))],
    "p90p10": lambda p: [QuantileRatio(upper=0.9, lower=0.1)],
    "p90p50": lambda p: [QuantileRatio(upper=0.9, lower=0.5)],
    "p50p10": lambda p: [QuantileRatio(upper=0.5, lower=0.1)],
    "fgt": lambda p: [FGT(alpha=_float(p, "alpha", "g"), line=_line(p, "fgt"))],
    "headcount": lambda p: [FGT(alpha=0.0, line=_line(p, "headcount"))],
    "watts": lambda p: [Watts(line=_line(p, "watts"))],
    "sst": lambda p: [SenShorrocksThon(line=_line(p, "sst"))],
    "arpr": _arpr,
    "arpt": lambda p: [PovertyThreshold(percent=_float(p, "percent", default=0.6))],
}


def register(builders: dict[str, Callable[[Params], list[Measure]]]) -> None:
    """Add measure builders (used by modules that define further measures)."""
    BUILDERS.update(builders)


def _palma() -> Measure:
    m = ShareRatio(upper=0.9, lower=0.4)
    m.name = "palma"
    return m


def _group_shares(params: Params) -> list[Measure]:
    groups = int(_float(params, "groups", default=10))
    if not 2 <= groups <= 100:
        raise MeasureSpecError(f"shares groups must be between 2 and 100, not {groups}")
    return [Share(lower=i / groups, upper=(i + 1) / groups) for i in range(groups)]


def _lorenz(params: Params, *, generalized: bool) -> list[Measure]:
    if "p" in params:
        return [Lorenz(p=_float(params, "p"), generalized=generalized)]
    return [Lorenz(p=i / 10, generalized=generalized) for i in range(1, 10)]


def parse_spec(spec: str) -> list[Measure]:
    """Measures named by one specification (some names expand to several, e.g. ``lorenz``)."""
    text = spec.strip()
    name, _, rest = text.partition(":")
    name = name.strip().lower()
    if name not in BUILDERS:
        known = ", ".join(sorted(BUILDERS))
        raise MeasureSpecError(f"unknown measure {name!r} in {spec!r}; known: {known}")
    params: Params = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, value = item.partition("=")
            if not eq or not key.strip():
                raise MeasureSpecError(f"measure parameter {item!r} in {spec!r} is not key=value")
            params[key.strip().lower()] = value.strip()
    measures = BUILDERS[name](params)
    if params:
        raise MeasureSpecError(
            f"measure {name!r} does not take parameter(s) {', '.join(sorted(params))}"
        )
    return measures


register(EQUITY_BUILDERS)
