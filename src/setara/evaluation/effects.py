"""Programme effects under selection on observables: one entry point, :func:`match_estimate`,
for nearest-neighbour and kernel matching, IPW and entropy balancing on survey microdata, with
the balance table and common-support data. Definitions: ``docs/evaluation-rd-matching.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from scipy import stats

from setara.errors import InputValueError
from setara.evaluation._columns import binary_column, read_columns
from setara.evaluation.balance import balance_table, common_support
from setara.evaluation.matching import (
    Direction,
    KernelMatches,
    matched_effect,
    nearest_pairs,
)
from setara.evaluation.propensity import fit_logit
from setara.evaluation.weighting import entropy_effect, ipw_effect
from setara.frames import to_polars
from setara.kernels.groups import FloatArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ESTIMANDS", "MATCH_COLUMNS", "METHODS", "MatchResult", "match_estimate"]

METHODS = ("nn", "kernel", "ipw", "entropy")
ESTIMANDS = ("att", "ate")
MATCH_COLUMNS = (
    "estimand",
    "method",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n_treated",
    "n_control",
    "se_method",
)
# kernel half-width in SDs of the log-odds when none is given: Austin's (2011) caliper width.
# Silverman's rule (2.34 sd n^-1/5) oversmooths: in benchmarks/sim_matching.py it biased the
# ATT by +0.11 (true effect 1, SE 0.08) against +0.02 with 0.2
DEFAULT_BANDWIDTH = 0.2
_SE_METHOD = {
    "nn": "Abadie-Imbens (2006), score taken as known",
    "kernel": "Abadie-Imbens form on kernel weights, score taken as known",
    "ipw": "sandwich, logit estimation included",
    "entropy": "sandwich, balancing weights estimation included",
}


@dataclass
class MatchResult:
    """The effect row (:data:`MATCH_COLUMNS`), the unadjusted difference in means (``raw``,
    same columns, method ``unadjusted``), the balance table before and after, the
    common-support histogram, each unit's propensity score, and notes."""

    frame: pl.DataFrame
    raw: pl.DataFrame
    balance: pl.DataFrame
    support: pl.DataFrame
    scores: pl.DataFrame
    level: float = 0.95
    notes: list[str] = field(default_factory=list)

    def to_polars(self) -> pl.DataFrame:
        return self.frame

    def to_pandas(self) -> pd.DataFrame:
        return self.frame.to_pandas()

    def __repr__(self) -> str:
        head = f"MatchResult: {self.level:.0%} CI"
        with pl.Config(tbl_cols=-1, tbl_hide_dataframe_shape=True, float_precision=4):
            return f"{head}\n{self.frame}\n{self.balance}" + "".join(
                f"\nnote: {n}" for n in self.notes
            )


def match_estimate(
    data: Any,
    *,
    outcome: str,
    treat: str,
    covariates: Sequence[str],
    method: str = "nn",
    estimand: str = "att",
    weight: str | None = None,
    neighbours: int = 1,
    caliper: float | None = None,
    bandwidth: float | None = None,
    level: float = 0.95,
) -> MatchResult:
    """Effect of a 0/1 treatment on ``outcome`` adjusting for ``covariates``.

    Parameters
    ----------
    data : polars or pandas frame
    outcome, treat : str
        Outcome column and treatment indicator (0/1).
    covariates : sequence of str
        Pre-treatment covariates of the logit propensity score (``nn``, ``kernel``, ``ipw``)
        or balanced in their means (``entropy``).
    method : {"nn", "kernel", "ipw", "entropy"}
    estimand : {"att", "ate"}
        Effect on the treated, or on the whole population.
    weight : str, optional
        Survey weights: they define the population the effect is about.
    neighbours : int
        Nearest neighbours per unit (``nn``; with replacement).
    caliper : float, optional
        Largest distance for a match (``nn``), in standard deviations of the log-odds
        score; units without a match inside it are left out (a note counts them).
    bandwidth : float, optional
        Kernel half-width (``kernel``) in the same units; 0.2 when not given.
    level : float

    Returns
    -------
    MatchResult

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> rng = np.random.default_rng(5)
    >>> x = rng.normal(size=600)
    >>> d = (rng.random(600) < 1 / (1 + np.exp(-x))).astype(float)
    >>> y = x + 2.0 * d + rng.normal(size=600)
    >>> data = pl.DataFrame({"y": y, "d": d, "x": x})
    >>> result = match_estimate(data, outcome="y", treat="d", covariates=["x"], method="ipw")
    >>> abs(result.frame["estimate"][0] - 2.0) < 0.5
    True
    """
    if method not in METHODS:
        raise InputValueError(f"method {method!r} is not one of {', '.join(METHODS)}")
    if estimand not in ESTIMANDS:
        raise InputValueError(f"estimand {estimand!r} is not one of {', '.join(ESTIMANDS)}")
    if not covariates:
        raise InputValueError("at least one covariate is needed")
    if neighbours < 1:
        raise InputValueError(f"neighbours must be at least 1, not {neighbours}")
    for name, value in (("caliper", caliper), ("bandwidth", bandwidth)):
        if value is not None and not value > 0:
            raise InputValueError(f"{name} must be positive, not {value}")
    if not 0 < level < 1:
        raise InputValueError(f"level must be between 0 and 1, not {level}")
    names = list(dict.fromkeys([covariates] if isinstance(covariates, str) else covariates))
    roles = {outcome: "outcome", treat: "treatment", **{c: "covariate" for c in names}}
    if len(roles) < 2 + len(names):
        raise InputValueError("the outcome, the treatment and the covariates must differ")
    columns = read_columns(to_polars(data), roles, weight)
    y = columns.values[outcome]
    d = binary_column(columns.values[treat], treat, "treatment")
    x = np.column_stack([columns.values[c] for c in names])
    w = columns.weight
    notes = list(columns.notes)
    for arm, label in ((1.0, "treated"), (0.0, "untreated")):
        if (d == arm).sum() < 2:
            raise InputValueError(
                f"treatment column {treat!r} has {int((d == arm).sum())} {label} rows in "
                f"{d.size:,}; each arm needs at least 2"
            )
    score = fit_logit(x, d, w, names).score  # every method shows common support with it
    if method in ("nn", "kernel"):
        log_odds = np.log(score / (1 - score))
        sd = float(log_odds.std())
        treated, control = np.flatnonzero(d == 1), np.flatnonzero(d == 0)
        directions = [(treated, control)]
        if estimand == "ate":
            directions.append((control, treated))
        if method == "nn":
            limit = caliper * sd if caliper is not None else None
            matches: list[Direction] = [
                nearest_pairs(log_odds, q, p, neighbours, limit) for q, p in directions
            ]
        else:
            h = (bandwidth if bandwidth is not None else DEFAULT_BANDWIDTH) * sd
            matches = [KernelMatches(log_odds, w, q, p, h) for q, p in directions]
        effect = matched_effect(log_odds, y, d, w, matches)
        queried = np.zeros(d.size, dtype=bool)
        for q, _ in directions:
            queried[q] = True
        unmatched = int((queried & ~effect.matched).sum())
        if unmatched:
            notes.append(
                f"{unmatched:,} of {int(queried.sum()):,} units found no match within the "
                f"{'caliper' if method == 'nn' else 'bandwidth'} and were left out"
            )
        estimate, se, unit_weight = effect.estimate, effect.se, effect.unit_weight
    elif method == "ipw":
        weighted = ipw_effect(y, d, x, w, names, estimand)
        estimate, se, unit_weight = weighted.estimate, weighted.se, weighted.unit_weight
    else:
        weighted = entropy_effect(y, d, x, w, names, estimand)
        estimate, se, unit_weight = weighted.estimate, weighted.se, weighted.unit_weight
    row = _row(estimand, method, estimate, se, unit_weight, d, level, _SE_METHOD[method])
    difference = balance_table(y[:, None], [outcome], d, w, None).row(0, named=True)
    raw = _row(
        estimand,
        "unadjusted",
        difference["diff_before"],
        difference["diff_se_before"],
        w,
        d,
        level,
        "linearisation, independent arms",
    )
    balance = balance_table(x, names, d, w, unit_weight)
    support = common_support(score, d, w)
    scores = pl.DataFrame({"score": score, "treat": d, "weight": w})
    return MatchResult(row, raw, balance, support, scores, level, notes)


def _row(
    estimand: str,
    method: str,
    estimate: float,
    se: float,
    unit_weight: FloatArray,
    treat: FloatArray,
    level: float,
    se_method: str,
) -> pl.DataFrame:
    z = float(stats.norm.ppf(0.5 + level / 2))
    return pl.DataFrame(
        {
            "estimand": [estimand],
            "method": [method],
            "estimate": [estimate],
            "se": [se],
            "ci_low": [estimate - z * se],
            "ci_high": [estimate + z * se],
            "n_treated": [int(((unit_weight > 0) & (treat == 1)).sum())],
            "n_control": [int(((unit_weight > 0) & (treat == 0)).sum())],
            "se_method": [se_method],
        }
    )
