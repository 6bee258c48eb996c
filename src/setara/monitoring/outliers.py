"""The modified z-score of Iglewicz and Hoaglin as Polars expressions (the outlier kernel).

For a value ``x`` compared with a set of values of median ``m``:

    M = 0.6745 (x − m) / MAD,  MAD = median |x_i − m|

and ``|M| > 3.5`` marks a potential outlier (Iglewicz and Hoaglin 1993, ch. 3; 0.6745 is the
0.75 quantile of the standard normal, so ``MAD / 0.6745`` estimates σ for normal data).

When more than half the values are equal, MAD is 0 and ``M`` is undefined. Setara then uses
the mean absolute deviation from the median, ``M = (x − m) / (1.253314 · MeanAD)``
(1.253314 = √(π/2), so ``1.253314 · MeanAD`` also estimates σ for normal data), as IBM's
documentation of the modified z-score does (IBM SPSS Modeler / Cognos Analytics, "Modified
z-score"). When MeanAD is 0 too (every comparison value is the same), a value equal to them
scores 0 and any other value scores ±∞: it is flagged, and its message says the comparison
values do not vary.

With few comparison values the median and above all the MAD are uncertain, so ``M`` has
much heavier tails than a normal variable: with a history of 8 values, ``|M| > 3.5`` flags
4.7 % of clean normal values instead of the 0.047 % the limit means for large samples. The
history test therefore uses the limit that keeps that false-alarm rate with ``n`` values,
``threshold × ratio(n)`` (:func:`history_limit`): ``ratio`` comes from a seeded simulation of
normal data for n = 5..40 (``tests/data/monitoring/make_outlier_limits.py``, stored in
``setara/data/outlier_limits.csv``; 14.6 for 8 values, 8.6 for 12, 6.0 for 20) and, beyond,
from ``sqrt(1 + π/(2n)) t_(0.37 n)`` (the median's variance, and the MAD's 37 % efficiency as
the degrees of freedom of the scale), within about 3 % of the simulation at n = 30..40. On
the clean rows of ``benchmarks/outlier_false_alarms.py`` (8 quarters of history) the history
warnings fall from 4.95 % of the rows to 0.05 %. The neighbour test keeps the fixed limit
(its sets are the regencies of one province, 1 to 38 values).

References
----------
Iglewicz, B. and Hoaglin, D. C. (1993). *How to Detect and Handle Outliers*. ASQC Basic
References in Quality Control, vol. 16. Milwaukee: ASQC Quality Press.
"""

from __future__ import annotations

import functools
import math
from importlib.resources import files
from statistics import NormalDist
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from setara.kernels.student import t_critical
from setara.monitoring._findings import PERIOD, REGION, emit
from setara.monitoring._rows import numeric, require_columns
from setara.monitoring.hierarchy import parent_codes

if TYPE_CHECKING:
    from setara.monitoring.quality import QualityRule

__all__ = [
    "MAD_FACTOR",
    "MEAN_AD_FACTOR",
    "history_limit",
    "modified_z",
    "outlier_findings",
    "spread",
]

MAD_FACTOR = 0.6745
MEAN_AD_FACTOR = 1.253314


MAD_EFFICIENCY = 0.37  # asymptotic efficiency of the MAD against the SD for normal data


@functools.cache
def _ratios() -> dict[int, float]:
    """Simulated ``limit(n) / 3.5`` for n comparison values (outlier_limits.csv)."""
    with (files("setara") / "data" / "outlier_limits.csv").open("rb") as handle:
        table = pl.read_csv(handle.read())
    return dict(zip(table["n"].to_list(), table["ratio"].to_list(), strict=True))


def history_limit(threshold: float, n: np.ndarray) -> np.ndarray:
    """The limit of ``|M|`` with ``n`` comparison values that keeps the large-sample
    false-alarm rate of ``threshold`` on normal data: ``threshold × ratio(n)``.

    ``ratio`` is simulated for n = 5..40 (for the limit 3.5; other limits are scaled by the
    same ratio) and approximated beyond by ``sqrt(1 + π/(2n)) t_ν(1 - α/2) / threshold`` with
    ``ν = 0.37 n`` and ``α = P(|Z| > threshold)``.

    Examples
    --------
    >>> history_limit(3.5, np.array([8, 20, 400])).round(1).tolist()
    [14.6, 6.0, 3.6]
    """
    sizes = np.asarray(n, dtype=np.int64)
    table = _ratios()
    level = 2.0 * NormalDist().cdf(threshold) - 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        spread_of_centre = np.sqrt(1.0 + math.pi / (2.0 * np.maximum(sizes, 1)))
        formula = spread_of_centre * t_critical(level, MAD_EFFICIENCY * sizes) / threshold
    ratio = np.array([table.get(int(k), f) for k, f in zip(sizes, formula, strict=True)])
    return np.asarray(threshold * ratio, dtype=np.float64)


def modified_z(value: pl.Expr, median: pl.Expr, mad: pl.Expr, mean_ad: pl.Expr) -> pl.Expr:
    """The modified z-score of ``value`` given the comparison set's median, MAD and MeanAD.

    Null when any input is null; ±inf when MAD and MeanAD are both 0 and ``value`` differs.

    Examples
    --------
    >>> frame = pl.DataFrame({"x": [10.0, 13.0], "m": [10.0, 10.0], "mad": [2.0, 0.0],
    ...     "mean_ad": [2.5, 0.0]})
    >>> frame.select(modified_z(pl.col("x"), pl.col("m"), pl.col("mad"),
    ...     pl.col("mean_ad"))).to_series().to_list()
    [0.0, inf]
    """
    deviation = value - median
    return (
        pl.when(value.is_null() | median.is_null() | mad.is_null() | mean_ad.is_null())
        .then(None)
        .when(mad > 0)
        .then(MAD_FACTOR * deviation / mad)
        .when(mean_ad > 0)
        .then(deviation / (MEAN_AD_FACTOR * mean_ad))
        .when(deviation == 0)
        .then(0.0)
        .otherwise(deviation.sign() * math.inf)
    )


def spread(value: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """Aggregations ``(median, MAD, MeanAD, n)`` of a set of values (nulls left out)."""
    median = value.median()
    absolute = (value - median).abs()
    return median, absolute.median(), absolute.mean(), value.count()


def outlier_findings(
    base: pl.DataFrame,
    rule: QualityRule,
    history: pl.DataFrame | None,
    *,
    region_col: str,
    period_col: str,
) -> pl.DataFrame:
    """Findings of an outlier rule: against the neighbours, and against the history if given."""
    (column,) = rule.columns
    by = list(rule.by)
    work = base.with_columns(
        numeric(base, column, what="outlier rule").alias("__v"),
        *(pl.col(c).cast(pl.String) for c in by),
    )
    value = pl.col("__v")
    median, mad, mean_ad, n = spread(value)
    group = ["__parent", PERIOD, *by]
    near = work.with_columns(parent_codes(work.get_column(REGION)).alias("__parent"))
    near = near.filter(pl.col("__parent").is_not_null()).with_columns(
        median.over(group).alias("__median"),
        mad.over(group).alias("__mad"),
        mean_ad.over(group).alias("__mean_ad"),
        n.over(group).alias("__n"),
    )
    out = [_flag(near, rule, column, "neighbours", "the other regions of {} in period {}")]
    if history is not None:
        require_columns(history, (region_col, period_col, column, *by), what="outlier history")
        past = history.select(
            pl.col(region_col).cast(pl.String).alias(REGION),
            pl.col(period_col).cast(pl.String).alias(PERIOD),
            *(pl.col(c).cast(pl.String) for c in by),
            numeric(history, column, what="outlier history").alias("__v"),
        )
        now = work.select(REGION, PERIOD, *by).unique()
        past = past.join(now, on=[REGION, PERIOD, *by], how="anti", nulls_equal=True)
        stats = past.group_by([REGION, *by]).agg(
            median.alias("__median"),
            mad.alias("__mad"),
            mean_ad.alias("__mean_ad"),
            n.alias("__n"),
        )
        then = work.join(stats, on=[REGION, *by], how="inner", nulls_equal=True)
        out.append(_flag(then, rule, column, "history", "the other periods of region {}"))
    return pl.concat(out)


def _flag(
    frame: pl.DataFrame, rule: QualityRule, column: str, against: str, where: str
) -> pl.DataFrame:
    """Findings where ``|modified z| > threshold`` with at least ``min_points`` comparisons."""
    value, center = pl.col("__v"), pl.col("__median")
    z = modified_z(value, center, pl.col("__mad"), pl.col("__mean_ad"))
    frame = frame.with_columns(z.alias("__z"), _limit(frame, rule, against).alias("__limit"))
    flagged = frame.filter(
        (pl.col("__n") >= rule.min_points) & (pl.col("__z").abs() > pl.col("__limit"))
    )
    limit = pl.col("__limit").round(2)
    place = pl.col("__parent") if against == "neighbours" else pl.col(REGION)
    score = pl.col("__z")
    finite = score.is_finite()
    context = (
        pl.format(where, place, pl.col(PERIOD))
        if where.count("{}") == 2
        else pl.format(where, place)
    )
    message = (
        pl.when(finite)
        .then(
            pl.format(
                f"{column} {{}} is far from {{}} (median {{}}, modified z-score {{}}, "
                "limit {}, {} values)",
                value,
                context,
                center,
                score.round(2),
                limit,
                pl.col("__n"),
            )
        )
        .otherwise(
            pl.format(
                f"{column} {{}} differs from {{}}, which are all {{}}", value, context, center
            )
        )
    )
    params = {
        "column": pl.lit(column),
        "value": value,
        "median": center,
        "mad": pl.col("__mad"),
        "score": pl.when(finite).then(score),
        "threshold": limit,
        "n": pl.col("__n"),
        "area": place,
        "period": pl.col(PERIOD),
    }
    return emit(
        flagged,
        "warning",
        name=f"outlier_{against}",
        column=column,
        value=value,
        expected=pl.format("|modified z| <= {} (median {})", limit, center),
        message=message,
        message_id=pl.when(finite)
        .then(pl.lit(f"quality.outlier.{against}"))
        .otherwise(pl.lit(f"quality.outlier.{against}_constant")),
        params=params,
    )


def _limit(frame: pl.DataFrame, rule: QualityRule, against: str) -> pl.Expr:
    """The limit of ``|M|`` per row: the rule's threshold against the neighbours, the
    small-sample limit of :func:`history_limit` against the history."""
    if against != "history" or frame.height == 0:
        return pl.lit(rule.threshold, pl.Float64)
    sizes = np.unique(frame.get_column("__n").drop_nulls().to_numpy())
    limits = history_limit(rule.threshold, sizes)
    return pl.col("__n").replace_strict(
        sizes.tolist(), limits.tolist(), default=rule.threshold, return_dtype=pl.Float64
    )
