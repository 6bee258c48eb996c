"""The one shape every estimate comes back in.

:class:`Results` wraps a tidy Polars frame with fixed columns
``measure, params, <by columns>, estimate, se, ci_low, ci_high, n, rse, reliability,
reliability_reason, diff_national, diff_se, diff_flag``.

``ci_low``/``ci_high`` are on the measure's scale (:mod:`setara.intervals`); ``reliability``
is the BPS RSE category, downgraded by the NCHS interval checks when the rule uses them, and
``reliability_reason`` says why (:mod:`setara.reliability`). ``diff_national`` is a domain's
estimate minus the national one, ``diff_se`` its standard error (the domain is part of the
nation: the covariance counts) and ``diff_flag`` ``above``, ``below`` or ``not different`` at
the results' level; the three are null on national rows and when the national figure was not
estimated (``estimate(..., overall=True)`` fills them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from setara.design import SurveyDesign
from setara.intervals import Scale, confidence_interval
from setara.kernels.groups import FloatArray, IntArray, group_count
from setara.reliability import Assessment, ReliabilityRule

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "RESULT_COLUMNS",
    "ReliabilityRule",
    "Results",
    "build_frame",
    "psu_counts",
    "results_frame",
    "with_difference",
]

RESULT_COLUMNS = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "n",
    "rse",
    "reliability",
    "reliability_reason",
    "diff_national",
    "diff_se",
    "diff_flag",
)
ABOVE, BELOW, NOT_DIFFERENT = "above", "below", "not different"


@dataclass
class Results:
    """Estimates with standard errors, confidence intervals and reliability flags.

    ``frame`` is a Polars frame with the fixed columns; ``by`` names the domain columns;
    ``notes`` lists what the user must know (rows excluded and why).
    """

    frame: pl.DataFrame
    by: tuple[str, ...] = ()
    level: float = 0.95
    notes: list[str] = field(default_factory=list)

    def to_polars(self) -> pl.DataFrame:
        return self.frame

    def to_pandas(self) -> pd.DataFrame:
        return self.frame.to_pandas()

    def to_records(self) -> list[dict[str, Any]]:
        return self.frame.to_dicts()

    def __len__(self) -> int:
        return self.frame.height

    def __repr__(self) -> str:
        head = f"Results: {self.frame.height} estimates, {self.level:.0%} CI"
        if self.by:
            head += f", by {', '.join(self.by)}"
        with pl.Config(tbl_rows=20, tbl_cols=-1, tbl_hide_dataframe_shape=True, fmt_str_lengths=40):
            return f"{head}\n{self.frame}" + "".join(f"\nnote: {n}" for n in self.notes)

    @classmethod
    def concat(cls, parts: Sequence[Results]) -> Results:
        frames = [p.frame for p in parts]
        notes: list[str] = []
        for p in parts:
            notes.extend(n for n in p.notes if n not in notes)
        first = parts[0]
        return cls(pl.concat(frames, how="vertical_relaxed"), first.by, first.level, notes)


def build_frame(
    *,
    measure: str,
    params: str,
    labels: pl.DataFrame,
    estimate: FloatArray,
    se: FloatArray,
    n: IntArray,
    n_psu: IntArray | None,
    t: FloatArray,
    rule: ReliabilityRule,
    interval: tuple[FloatArray, FloatArray] | None = None,
    df: FloatArray | None = None,
    scale: Scale | None = None,
) -> pl.DataFrame:
    """Rows of one measure: ``interval`` defaults to Wald ``estimate ± t se``; the NCHS
    checks of ``rule`` run when the domains' ``df`` are given."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = se / np.abs(estimate)
    low, high = interval if interval is not None else (estimate - t * se, estimate + t * se)
    facts = None
    if df is not None:
        facts = Assessment(estimate, se, low, high, np.broadcast_to(df, estimate.shape), scale)
    flags, reasons = rule.assess(rse, n, n_psu, facts)
    frame = pl.DataFrame(
        {
            "measure": [measure] * estimate.size,
            "params": [params] * estimate.size,
        }
    )
    if labels.width:
        frame = pl.concat([frame, labels], how="horizontal")
    nothing = pl.Series([None] * estimate.size, dtype=pl.Float64)
    return frame.with_columns(
        pl.Series("estimate", estimate, dtype=pl.Float64).fill_nan(None),
        pl.Series("se", se, dtype=pl.Float64).fill_nan(None),
        pl.Series("ci_low", low, dtype=pl.Float64).fill_nan(None),
        pl.Series("ci_high", high, dtype=pl.Float64).fill_nan(None),
        pl.Series("n", n, dtype=pl.Int64),
        pl.Series("rse", rse, dtype=pl.Float64).fill_nan(None),
        pl.Series("reliability", flags, dtype=pl.Utf8),
        pl.Series("reliability_reason", reasons, dtype=pl.Utf8),
        nothing.alias("diff_national"),
        nothing.alias("diff_se"),
        nothing.cast(pl.Utf8).alias("diff_flag"),
    )


def with_difference(
    frame: pl.DataFrame, diff: FloatArray, se: FloatArray, t: FloatArray
) -> pl.DataFrame:
    """Rows with the difference from the national figure, its SE and the two-sided test at
    the interval's level (``|diff| > t se``); no flag where the domain's own SE is 0 or
    missing."""
    with np.errstate(invalid="ignore"):
        flag = np.where(
            np.abs(diff) > t * se, np.where(diff > 0, ABOVE, BELOW), NOT_DIFFERENT
        ).astype(object)
    flag[np.isnan(diff) | np.isnan(se)] = None
    # A domain estimate without sampling variance (no poor person in its sample, one PSU) says
    # nothing about a difference: no flag rather than a "significant" one.
    domain_se = frame["se"].cast(pl.Float64).fill_null(float("nan")).to_numpy()
    flag[~(domain_se > 0)] = None
    return frame.with_columns(
        pl.Series("diff_national", diff, dtype=pl.Float64).fill_nan(None),
        pl.Series("diff_se", se, dtype=pl.Float64).fill_nan(None),
        pl.Series("diff_flag", flag.tolist(), dtype=pl.Utf8),
    )


def results_frame(
    measure: str,
    params: str,
    labels: pl.DataFrame,
    estimate: np.ndarray,
    se: np.ndarray,
    design: SurveyDesign,
    domain: IntArray,
    n_domains: int,
    *,
    level: float,
    rule: ReliabilityRule,
    n_obs: IntArray | None = None,
    ci_method: str = "wald",
    scale: Scale | None = None,
) -> pl.DataFrame:
    """The tidy results rows of one measure over the ``n_domains`` codes of ``domain``:
    counts, PSUs, intervals with the domains' degrees of freedom and reliability flags."""
    n = group_count(domain, n_domains) if n_obs is None else n_obs
    df = design.domain_degf(domain, n_domains)
    t = design.t_quantile(level, df)
    est = np.where(n > 0, estimate, np.nan)
    se = np.where(n > 0, se, np.nan)
    interval = confidence_interval(
        est, se, t=t, level=level, method=ci_method, scale=scale, df=df, n=n
    )
    return build_frame(
        measure=measure,
        params=params,
        labels=labels,
        estimate=est,
        se=se,
        n=n,
        n_psu=psu_counts(design, domain, n_domains),
        t=t,
        rule=rule,
        interval=interval,
        df=df,
        scale=scale,
    )


def psu_counts(design: SurveyDesign, domain: IntArray, n_domains: int) -> IntArray:
    cells = design.cells(domain, n_domains)[0]
    return np.bincount(cells.cell_domain, minlength=n_domains).astype(np.int64)
