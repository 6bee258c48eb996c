"""Access measures on travel-time pairs, one value per demand point (vectorised kernels).

Every function takes :class:`~setara.access.travel.Pairs` (or nearest times) and plain arrays
and sums with ``np.bincount`` over the pairs, so the work grows with the number of pairs
within the cut-off, never with demand x facilities.

- nearest time and coverage within a threshold;
- ``ratio``: providers per 1,000 people once travel is counted. Each demand point is served
  by its nearest facility within the threshold; a facility's capacity is shared by the people
  it serves (``R_j = 1000 s_j / sum P_i``) and each point gets its facility's ``R_j`` (0 when
  none is within reach);
- the floating catchment family: ``R_j = s_j / sum_i W(d_ij) P_i`` and
  ``A_i = sum_j W(d_ij) R_j`` with ``W`` = 1 within the threshold (2SFCA, Luo and Wang 2003),
  step weights (E2SFCA, Luo and Qi 2009), Gaussian decay ``(exp(-d^2/2T^2) - exp(-1/2)) /
  (1 - exp(-1/2))`` within ``T`` (Dai 2010) and gravity ``max(d, 1)^-beta`` within a cut-off
  (Joseph and Bantock 1982; Luo and Wang 2003: the 2SFCA is its special case);
- catchment populations of facilities.

References
----------
Luo, W. and Wang, F. (2003). Measures of spatial accessibility to health care in a GIS
environment. Environment and Planning B 30, 865-884.
Luo, W. and Qi, Y. (2009). An enhanced two-step floating catchment area (E2SFCA) method.
Health & Place 15, 1100-1107.
Dai, D. (2010). Black residential segregation, disparities in spatial access to health care
facilities, and late-stage breast cancer diagnosis. Health & Place 16, 1038-1052.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from setara.access.travel import Pairs
from setara.errors import MeasureSpecError
from setara.kernels.groups import FloatArray

__all__ = [
    "AccessSpec",
    "catchment_population",
    "coverage",
    "floating_catchment",
    "nearest_assignment",
    "parse_access_spec",
    "provider_ratio",
    "step_weights",
]

GRAVITY_CUTOFF = 180.0  # minutes: beyond three hours a gravity weight is treated as none
MEASURES = ("nearest", "coverage", "ratio", "2sfca", "e2sfca", "gaussian", "gravity")


@dataclass(frozen=True)
class AccessSpec:
    """A parsed ``--measure`` spec: its kind, the cut-off in minutes and its parameters."""

    text: str
    kind: str
    cutoff: float
    steps: tuple[tuple[float, float], ...] = ()
    beta: float = 0.0

    def weight(self) -> Callable[[FloatArray], FloatArray]:
        """The distance-decay weight of the floating catchment kinds."""
        if self.kind == "e2sfca":
            return step_weights(self.steps)
        if self.kind == "gaussian":
            t, floor = self.cutoff, np.exp(-0.5)
            return lambda d: np.where(
                d <= t, (np.exp(-0.5 * (d / t) ** 2) - floor) / (1 - floor), 0.0
            )
        if self.kind == "gravity":
            beta, t = self.beta, self.cutoff
            return lambda d: np.where(d <= t, np.maximum(d, 1.0) ** -beta, 0.0)
        t = self.cutoff
        return lambda d: (d <= t).astype(float)


def _number(text: str, spec: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise MeasureSpecError(f"measure {spec!r}: {text!r} is not a number") from None
    if not np.isfinite(value) or value < 0:
        raise MeasureSpecError(f"measure {spec!r}: {text!r} must be 0 or more")
    return value


def parse_access_spec(spec: str) -> AccessSpec:
    """Parse ``nearest``, ``coverage:60``, ``ratio:60``, ``2sfca:60``,
    ``e2sfca:10=1,20=0.68,30=0.22``, ``gaussian:60`` or ``gravity:1.5`` (``gravity:1.5,120``
    sets the cut-off, 180 minutes by default).

    Examples
    --------
    >>> parse_access_spec("e2sfca:10=1,20=0.68,30=0.22").cutoff
    30.0
    """
    kind, _, arg = spec.strip().partition(":")
    kind = kind.lower()
    if kind not in MEASURES:
        raise MeasureSpecError(f"unknown access measure {spec!r}; use one of {', '.join(MEASURES)}")
    if kind == "nearest":
        if arg:
            raise MeasureSpecError("measure 'nearest' takes no argument")
        return AccessSpec(spec, kind, np.inf)
    if not arg:
        raise MeasureSpecError(f"measure {kind!r} needs a value, e.g. {kind}:60")
    if kind == "e2sfca":
        steps = []
        for part in arg.split(","):
            upper, eq, weight = part.partition("=")
            if not eq:
                raise MeasureSpecError(f"measure {spec!r}: write steps as MINUTES=WEIGHT")
            steps.append((_number(upper, spec), _number(weight, spec)))
        uppers = [u for u, _ in steps]
        if uppers != sorted(uppers) or len(set(uppers)) != len(uppers):
            raise MeasureSpecError(f"measure {spec!r}: step minutes must increase")
        return AccessSpec(spec, kind, uppers[-1], steps=tuple(steps))
    if kind == "gravity":
        beta, _, cut = arg.partition(",")
        cutoff = _number(cut, spec) if cut else GRAVITY_CUTOFF
        return AccessSpec(spec, kind, cutoff, beta=_number(beta, spec))
    return AccessSpec(spec, kind, _number(arg, spec))


def step_weights(steps: Sequence[tuple[float, float]]) -> Callable[[FloatArray], FloatArray]:
    """E2SFCA weight: ``w_k`` for times in the ``k``-th band (up to its minutes), 0 beyond."""
    uppers = np.array([u for u, _ in steps])
    weights = np.r_[[w for _, w in steps], 0.0]
    return lambda d: weights[np.searchsorted(uppers, d, side="left")]


def coverage(nearest: FloatArray, threshold: float) -> FloatArray:
    """1.0 where the nearest facility is within ``threshold`` minutes, else 0.0."""
    return (nearest <= threshold).astype(float)


def floating_catchment(
    pairs: Pairs,
    population: FloatArray,
    capacity: FloatArray,
    weight: Callable[[FloatArray], FloatArray],
) -> FloatArray:
    """Two-step floating catchment accessibility of each demand point.

    Examples
    --------
    Two villages (100 and 300 people) and one doctor reachable by both within 30 minutes:
    the doctor serves 400 people, so each village has 1/400 doctors per person.

    >>> p = Pairs(np.array([0, 1]), np.array([0, 0]), np.array([10.0, 20.0]), 2, 1)
    >>> floating_catchment(p, np.array([100.0, 300.0]), np.array([1.0]),
    ...                    lambda d: (d <= 30).astype(float))
    array([0.0025, 0.0025])
    """
    w = weight(pairs.minutes)
    demand = np.bincount(pairs.facility, w * population[pairs.demand], pairs.n_facilities)
    ratio = np.divide(capacity, demand, out=np.zeros(pairs.n_facilities), where=demand > 0)
    return np.bincount(pairs.demand, w * ratio[pairs.facility], pairs.n_demand).astype(float)


def nearest_assignment(pairs: Pairs) -> np.ndarray:
    """Row of each demand point's nearest facility among the pairs (-1: none)."""
    order = np.lexsort((pairs.facility, pairs.minutes, pairs.demand))
    first = np.r_[True, np.diff(pairs.demand[order]) != 0]
    chosen = np.full(pairs.n_demand, -1, dtype=np.int64)
    chosen[pairs.demand[order][first]] = pairs.facility[order][first]
    return chosen


def provider_ratio(
    pairs: Pairs, population: FloatArray, capacity: FloatArray, *, per: float = 1000.0
) -> FloatArray:
    """Providers per ``per`` people at each point's nearest facility within reach (0: none)."""
    chosen = nearest_assignment(pairs)
    served = chosen >= 0
    load = np.bincount(chosen[served], population[served], pairs.n_facilities)
    ratio = np.divide(per * capacity, load, out=np.zeros(pairs.n_facilities), where=load > 0)
    return np.where(served, ratio[np.maximum(chosen, 0)], 0.0)


def catchment_population(pairs: Pairs, population: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Per facility: the people within reach (each pair counted) and the people for whom it is
    the nearest facility within reach (each person counted once)."""
    within = np.bincount(pairs.facility, population[pairs.demand], pairs.n_facilities)
    chosen = nearest_assignment(pairs)
    served = chosen >= 0
    nearest = np.bincount(chosen[served], population[served], pairs.n_facilities)
    return within.astype(float), nearest.astype(float)
