"""Specifications of the equity measures, for :func:`setara.measures.registry.register`.

``concentration:outcome=COL`` (standard index), ``concentration:outcome=COL,type=wagstaff``
(binary outcome), ``concentration:outcome=COL,type=erreygers,lower=0,upper=1`` (bounded
outcome). This module does not import the registry, so the registry may import it.
"""

from __future__ import annotations

from collections.abc import Callable

from setara.errors import MeasureSpecError
from setara.measures.base import Measure
from setara.measures.equity import Concentration

Params = dict[str, str]


def _number(params: Params, key: str, default: float) -> float:
    if key not in params:
        return default
    text = params.pop(key)
    try:
        return float(text)
    except ValueError:
        raise MeasureSpecError(f"parameter {key}={text!r} is not a number") from None


def _concentration(params: Params) -> list[Measure]:
    outcome = params.pop("outcome", "")
    if not outcome:
        raise MeasureSpecError(
            "concentration needs an outcome column: concentration:outcome=COLUMN"
        )
    kind = params.pop("type", "standard").lower()
    lower = _number(params, "lower", 0.0)
    upper = _number(params, "upper", 1.0)
    if kind != "erreygers" and (lower, upper) != (0.0, 1.0):
        raise MeasureSpecError("concentration lower= and upper= apply to type=erreygers only")
    return [Concentration(outcome=outcome, type=kind, lower=lower, upper=upper)]


EQUITY_BUILDERS: dict[str, Callable[[Params], list[Measure]]] = {
    "concentration": _concentration,
}
