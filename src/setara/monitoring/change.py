"""The change of any measure between two survey rounds, with its standard error.

:func:`change` estimates each measure in both rounds over the same domains and tests the
change ``after - before``: its SE is ``sqrt(v_before + v_after)`` for independent samples,
and with ``common_psu=True`` the SE of the contrast on the design of both rounds stacked
(a PSU with the same stratum and id in both rounds is one PSU, so the covariance between the
rounds counts), as R survey's ``svycontrast`` over ``svyby(~y, ~round, stacked, ...)``.
Intervals are ``change ± t se`` with the df of the domain in both rounds (PSUs minus strata);
the p-value is the two-sided t test of no change.

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, sec. 3.5 (contrasts).
Kish, L. (1965). Survey Sampling, sec. 12.4 (overlapping samples in repeated surveys).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from setara.contrast import Linearization
from setara.monitoring.rounds import Rounds, prepare_rounds
from setara.results import Results

__all__ = ["change", "contrast_frame"]


def _p_value(statistic: np.ndarray, df: np.ndarray) -> np.ndarray:
    """Two-sided p-value of a t statistic (NaN without df)."""
    from scipy.special import stdtr  # the t CDF; scipy.stats costs seconds to import

    with np.errstate(invalid="ignore"):
        p = 2.0 * stdtr(np.where(df > 0, df, np.nan), -np.abs(statistic))
    return np.asarray(p, dtype=np.float64)


def contrast_frame(
    rounds: Rounds,
    labels: pl.DataFrame,
    *,
    measure: str,
    params: str,
    before: Linearization | None,
    after: Linearization | None,
    values: tuple[np.ndarray, np.ndarray],
    name: str,
    value: np.ndarray,
    var: np.ndarray,
    df: np.ndarray,
) -> pl.DataFrame:
    """Rows ``measure, params, <by>, before, after, <name>, se, ci_low, ci_high, df, p_value,
    n_before, n_after`` of one contrast; ``values`` are the two rounds' figures shown."""
    size = value.size
    se = np.sqrt(var)
    t = np.where(df > 0, rounds.designs[0].t_quantile(rounds.level, np.maximum(df, 1.0)), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = np.where(se > 0, value / se, np.nan)
    frame = pl.DataFrame({"measure": [measure] * size, "params": [params] * size})
    if rounds.by:
        frame = pl.concat([frame, labels], how="horizontal")

    def column(label: str, data: np.ndarray) -> pl.Series:
        return pl.Series(label, data, dtype=pl.Float64).fill_nan(None)

    def count(label: str, lin: Linearization | None) -> pl.Series:
        return pl.Series(label, [None] * size if lin is None else lin.n, dtype=pl.Int64)

    return frame.with_columns(
        column("before", values[0]),
        column("after", values[1]),
        column(name, value),
        column("se", se),
        column("ci_low", value - t * se),
        column("ci_high", value + t * se),
        column("df", df),
        column("p_value", _p_value(statistic, df)),
        count("n_before", before),
        count("n_after", after),
    )


def change(
    before: Any,
    after: Any,
    *,
    welfare: str,
    measures: Sequence[str] | str,
    design: Mapping[str, Any] | None = None,
    by: str | Sequence[str] | None = None,
    common_psu: bool = False,
    level: float = 0.95,
) -> Results:
    """Change of ``measures`` of ``welfare`` between two survey rounds, by domain.

    Parameters
    ----------
    before, after : polars or pandas DataFrame
        The two rounds (the same column names).
    welfare : str
        Welfare column (e.g. per-capita expenditure), in real terms in both rounds.
    measures : str or list of str
        Engine measure specifications (``gini``, ``fgt:alpha=0,line=@poverty_line``,
        ``mean``, ``median``, ``bottom40``, ``proportion`` ...), see :func:`setara.estimate`.
    design : mapping, optional
        Keyword arguments of :func:`setara.survey_design` (``weight``, ``strata``, ``psu``,
        ``fpc``, ``lonely_psu``, replicate weights ...) applied to both rounds.
    by : str or list of str, optional
        Domains: every combination seen in either round (a domain missing from one round
        gets no change).
    common_psu : bool
        The rounds share PSUs (same stratum and PSU id): the covariance between rounds is taken
        from the shared PSUs. Otherwise the samples are independent.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    Results
        Rows ``measure, params, <by>, before, after, change, se, ci_low, ci_high, df,
        p_value, n_before, n_after``.

    Examples
    --------
    >>> from setara.demo_rounds import generate_round
    >>> from setara.monitoring import change
    >>> r1 = generate_round(10_000, year=2024, seed=5)
    >>> r2 = generate_round(10_000, year=2025, seed=5)
    >>> res = change(r1, r2, welfare="expenditure_pc", measures=["mean"],
    ...              design={"weight": "weight", "strata": "stratum", "psu": "psu"},
    ...              common_psu=True)
    >>> res.frame.select("measure", "change").height
    1

    References
    ----------
    Lumley (2010), sec. 3.5; Kish (1965), sec. 12.4.
    """
    rounds = prepare_rounds(
        before,
        after,
        welfare=welfare,
        design=design,
        by=by,
        common_psu=common_psu,
        level=level,
    )
    specs = [measures] if isinstance(measures, str) else list(measures)
    (first, second), notes = rounds.linearize(specs)
    one = np.ones(rounds.n_domains)
    frames = []
    for lin1, lin2 in zip(first, second, strict=True):
        var = rounds.variance([(-one, lin1)], [(one, lin2)])
        est1 = np.where(lin1.n > 0, lin1.estimate, np.nan)
        est2 = np.where(lin2.n > 0, lin2.estimate, np.nan)
        frames.append(
            contrast_frame(
                rounds,
                rounds.domains,
                measure=lin1.measure,
                params=lin1.params,
                before=lin1,
                after=lin2,
                values=(est1, est2),
                name="change",
                value=est2 - est1,
                var=var,
                df=rounds.df(lin1, lin2),
            )
        )
    return Results(pl.concat(frames, how="vertical_relaxed"), tuple(rounds.by), level, notes)
