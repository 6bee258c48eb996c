"""Reliability flags that agree with the interval shown: the BPS rule, and the NCHS checks.

BPS (Badan Pusat Statistik) practice for Susenas looks at the relative standard error only:
RSE at most 25% is reliable, 25–50% use with caution, above 50% unreliable; fewer than
``min_n`` observations is ``small n``. The RSE says nothing about the degrees of freedom or
the interval, so an estimate from three PSUs can be "reliable" beside an interval of -100% to
150%. The NCHS data presentation standards for proportions (Parker et al. 2017) add checks on
the interval itself; with ``standards=("bps", "nchs")`` a row is downgraded when

- degrees of freedom are below ``min_df`` (8): at most ``caution`` (NCHS: statistical review);
- for a proportion, the effective sample size ``min(n, p (1 - p) / var)`` is below
  ``min_effective_n`` (30): ``unreliable``;
- for a measure in [0, 1], the interval is ``max_ci_width`` (0.30) wide or more, or wider than
  ``narrow_ci_width`` (0.05) and more than ``max_relative_ci_width`` (130%) of the estimate:
  ``unreliable``;
- the interval leaves the measure's range (a Wald interval asked for): ``unreliable``.

Every flag comes with its reason (``reliability_reason``): the RSE test and each check that
changed the flag.

References
----------
Parker, J. D., Talih, M., Malec, D. J., et al. (2017). National Center for Health Statistics
Data Presentation Standards for Proportions. Vital Health Stat 2(175).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from setara.errors import InputValueError
from setara.intervals import Scale, effective_n
from setara.kernels.groups import FloatArray, IntArray

__all__ = ["RELIABILITY_STANDARDS", "ReliabilityRule"]

RELIABLE, CAUTION, UNRELIABLE = "reliable", "caution", "unreliable"
SMALL_N, EMPTY, ONE_PSU = "small n", "empty", "one PSU"
RELIABILITY_STANDARDS = ("bps", "nchs")
_RANKED = (RELIABLE, CAUTION, UNRELIABLE)


@dataclass(frozen=True)
class Assessment:
    """The interval facts the NCHS checks look at, one value per row."""

    estimate: FloatArray
    se: FloatArray
    ci_low: FloatArray
    ci_high: FloatArray
    df: FloatArray
    scale: Scale | None


@dataclass(frozen=True)
class ReliabilityRule:
    """BPS RSE categories, optionally with the NCHS interval checks (``standards``)."""

    reliable_rse: float = 0.25
    caution_rse: float = 0.50
    min_n: int = 30
    standards: tuple[str, ...] = RELIABILITY_STANDARDS
    min_df: float = 8
    min_effective_n: float = 30
    max_ci_width: float = 0.30
    narrow_ci_width: float = 0.05
    max_relative_ci_width: float = 1.30

    def __post_init__(self) -> None:
        unknown = [s for s in self.standards if s not in RELIABILITY_STANDARDS]
        if unknown or "bps" not in self.standards:
            raise InputValueError(
                f"reliability standards must be 'bps' or 'bps' and 'nchs', not {self.standards!r}"
            )

    @property
    def uses_nchs(self) -> bool:
        return "nchs" in self.standards

    def flags(self, rse: FloatArray, n: IntArray, n_psu: IntArray | None = None) -> list[str]:
        """BPS flags from the RSE and counts alone."""
        return self.assess(rse, n, n_psu)[0]

    def assess(
        self,
        rse: FloatArray,
        n: IntArray,
        n_psu: IntArray | None = None,
        interval: Assessment | None = None,
    ) -> tuple[list[str], list[str]]:
        """Flags and reasons for every row; the NCHS checks need ``interval``."""
        level = np.where(rse <= self.reliable_rse, 0, np.where(rse <= self.caution_rse, 1, 2))
        level[np.isnan(rse)] = 2
        reasons = [_rse_reason(r, self) for r in rse]
        if self.uses_nchs and interval is not None:
            for worst, failed, text in _nchs_checks(self, interval, n):
                for i in np.flatnonzero(failed):
                    reasons[i] += f"; {text[i]} (NCHS)"
                level = np.where(failed, np.maximum(level, worst), level)
        out = np.asarray(_RANKED, dtype=object)[level]
        small = n < self.min_n
        out[small] = SMALL_N
        one = np.zeros(n.size, dtype=bool) if n_psu is None else (n_psu == 1) & (n > 0)
        out[one] = ONE_PSU
        out[n == 0] = EMPTY
        for i in np.flatnonzero(small | one | (n == 0)):
            first = (
                "no observations"
                if n[i] == 0
                else "one PSU"
                if one[i]
                else f"n {int(n[i])} < {self.min_n}"
            )
            reasons[i] = first if n[i] == 0 else f"{first}; {reasons[i]}"
        return [str(v) for v in out], reasons


def _rse_reason(rse: float, rule: ReliabilityRule) -> str:
    if np.isnan(rse):
        return "RSE undefined"
    if rse <= rule.reliable_rse:
        return f"RSE {rse:.1%} <= {rule.reliable_rse:.0%}"
    limit = rule.reliable_rse if rse <= rule.caution_rse else rule.caution_rse
    return f"RSE {rse:.1%} > {limit:.0%}"


def _nchs_checks(
    rule: ReliabilityRule, iv: Assessment, n: IntArray
) -> list[tuple[int, np.ndarray, list[str]]]:
    """``(worst flag level, failed rows, reason text per row)`` for each NCHS check."""
    checks: list[tuple[int, np.ndarray, list[str]]] = []
    df = iv.df
    checks.append((1, df < rule.min_df, [f"df {d:g} < {rule.min_df:g}" for d in df]))
    scale = iv.scale
    if scale is None:
        return checks
    with np.errstate(invalid="ignore"):
        outside = (iv.ci_low < scale.lower - 1e-12) | (iv.ci_high > scale.upper + 1e-12)
    checks.append((2, outside, [f"interval leaves {scale.text()}"] * n.size))
    if scale.proportion:
        n_eff = np.minimum(effective_n(iv.estimate, iv.se, n), n)
        checks.append(
            (
                2,
                n_eff < rule.min_effective_n,
                [f"effective n {v:.1f} < {rule.min_effective_n:g}" for v in n_eff],
            )
        )
    if scale.lower == 0.0 and scale.upper == 1.0:
        width = iv.ci_high - iv.ci_low
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = width / iv.estimate
            wide = width >= rule.max_ci_width
            loose = (width > rule.narrow_ci_width) & ~wide & (relative > rule.max_relative_ci_width)
        checks.append((2, wide, [f"CI width {w:.3f} >= {rule.max_ci_width:g}" for w in width]))
        checks.append(
            (
                2,
                loose,
                [f"relative CI width {r:.0%} > {rule.max_relative_ci_width:.0%}" for r in relative],
            )
        )
    return checks
