"""Growth incidence curve between two survey rounds, with delta-method standard errors.

The growth incidence curve (Ravallion and Chen 2003) is the growth rate of each quantile,
``g(p) = q_after(p) / q_before(p) - 1``. Its variance by the delta method is

    Var g = (Var q_a + r^2 Var q_b - 2 r Cov(q_b, q_a)) / q_b^2,   r = q_a / q_b,

with the Woodruff variances of the quantiles (as R survey's ``svyquantile``) and, when the
rounds share PSUs, their covariance as the Woodruff SEs times the correlation of the
quantiles' linearizations on the design of both rounds stacked
(:mod:`setara.monitoring.rounds`); independent rounds have no covariance.

Two summaries come with the curve: the growth rate of the mean, ``mu_a / mu_b - 1``, and the
mean of the growth rates over the points (Ravallion and Chen's contrast to growth in the
mean), whose SE uses the quantiles' kernel linearization (Osier 2009) for the covariance
between points.

References
----------
Ravallion, M. and Chen, S. (2003). Measuring pro-poor growth. Economics Letters 78, 93-99.
Osier, G. (2009). Variance estimation for complex indicators of poverty and inequality using
linearization techniques. Survey Research Methods 3(3), 167-195.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl

from setara.contrast import Linearization
from setara.errors import InputValueError
from setara.monitoring.change import contrast_frame
from setara.monitoring.rounds import Rounds, Term, prepare_rounds
from setara.results import Results

__all__ = ["growth_incidence", "percentile_points"]

MAX_POINTS = 999


def percentile_points(points: int | Sequence[float]) -> list[float]:
    """The cumulative population shares of the curve: ``n`` evenly spaced points
    ``i / (n + 1)`` (99 gives the percentiles 0.01 ... 0.99), or the given shares."""
    if isinstance(points, int | np.integer):
        if not 1 <= points <= MAX_POINTS:
            raise InputValueError(f"points must be between 1 and {MAX_POINTS}, not {points}")
        return [round(i / (int(points) + 1), 10) for i in range(1, int(points) + 1)]
    shares = [float(p) for p in points]
    bad = [p for p in shares if not 0.0 < p < 1.0]
    if not shares or bad:
        raise InputValueError(f"growth incidence points must lie strictly between 0 and 1: {bad}")
    return sorted(set(shares))


def _growth_terms(lin1: Linearization, lin2: Linearization) -> tuple[Term, Term, np.ndarray]:
    """Delta-method terms of ``after / before - 1`` and the growth itself."""
    with np.errstate(divide="ignore", invalid="ignore"):
        q1 = np.where((lin1.n > 0) & (lin1.estimate > 0), lin1.estimate, np.nan)
        q2 = np.where(lin2.n > 0, lin2.estimate, np.nan)
        return (-q2 / q1**2, lin1), (1.0 / q1, lin2), q2 / q1 - 1.0


def growth_incidence(
    before: Any,
    after: Any,
    *,
    welfare: str,
    design: Mapping[str, Any] | None = None,
    by: str | Sequence[str] | None = None,
    points: int | Sequence[float] = 99,
    common_psu: bool = False,
    level: float = 0.95,
) -> Results:
    """Growth incidence curve of ``welfare`` between two rounds, by domain.

    Parameters
    ----------
    before, after, welfare, design, by, common_psu, level
        As :func:`setara.monitoring.change`.
    points : int or sequence of float
        Number of evenly spaced points (99: the percentiles) or the shares themselves.

    Returns
    -------
    Results
        Rows ``measure, params, <by>, before, after, growth, se, ci_low, ci_high, df,
        p_value, n_before, n_after``: ``gic`` (``p=0.01`` ...; the two quantiles and their
        growth rate), ``growth_mean`` (the means and the growth of the mean) and
        ``mean_growth_rate`` (the mean of the curve's growth rates; ``before``/``after``
        empty). Growth rates are fractions (0.05 is 5 %).

    Examples
    --------
    >>> from setara.demo_rounds import generate_round
    >>> from setara.monitoring import growth_incidence
    >>> r1 = generate_round(10_000, year=2024, seed=5)
    >>> r2 = generate_round(10_000, year=2026, seed=5)
    >>> gic = growth_incidence(r1, r2, welfare="expenditure_pc", points=9,
    ...                        design={"weight": "weight", "strata": "stratum", "psu": "psu"})
    >>> gic.frame.filter(gic.frame["measure"] == "gic").height
    9

    References
    ----------
    Ravallion and Chen (2003); Osier (2009).
    """
    shares = percentile_points(points)
    rounds = prepare_rounds(
        before,
        after,
        welfare=welfare,
        design=design,
        by=by,
        common_psu=common_psu,
        level=level,
    )
    specs = [f"quantile:p={p!r}" for p in shares] + ["mean"]
    (first, second), notes = rounds.linearize(specs)
    frames: list[pl.DataFrame] = []
    mean_terms: tuple[list[Term], list[Term]] = ([], [])
    growths = []
    for p, lin1, lin2 in zip(shares, first, second, strict=False):
        term1, term2, growth = _growth_terms(lin1, lin2)
        frames.append(_row(rounds, "gic", f"p={p:g}", term1, term2, growth))
        growths.append(growth)
        scale = 1.0 / len(shares)
        mean_terms[0].append((scale * term1[0], replace(lin1, linear_se=True)))
        mean_terms[1].append((scale * term2[0], replace(lin2, linear_se=True)))
    term1, term2, growth = _growth_terms(first[-1], second[-1])
    frames.append(_row(rounds, "growth_mean", "", term1, term2, growth))
    average = np.mean(growths, axis=0)
    var = rounds.variance(*mean_terms)
    frames.append(
        contrast_frame(
            rounds,
            rounds.domains,
            measure="mean_growth_rate",
            params=f"points={len(shares)}",
            before=first[-1],
            after=second[-1],
            values=(np.full(average.shape, np.nan), np.full(average.shape, np.nan)),
            name="growth",
            value=average,
            var=var,
            df=rounds.df(first[-1], second[-1]),
        )
    )
    return Results(pl.concat(frames, how="vertical_relaxed"), tuple(rounds.by), level, notes)


def _row(
    rounds: Rounds, measure: str, params: str, term1: Term, term2: Term, growth: np.ndarray
) -> pl.DataFrame:
    lin1, lin2 = term1[1], term2[1]
    return contrast_frame(
        rounds,
        rounds.domains,
        measure=measure,
        params=params,
        before=lin1,
        after=lin2,
        values=(
            np.where(lin1.n > 0, lin1.estimate, np.nan),
            np.where(lin2.n > 0, lin2.estimate, np.nan),
        ),
        name="growth",
        value=growth,
        var=rounds.variance([term1], [term2]),
        df=rounds.df(lin1, lin2),
    )
