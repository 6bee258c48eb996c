"""Staggered difference-in-differences: Callaway–Sant'Anna group-time effects ATT(g,t).

:func:`att_gt` estimates every ATT(g,t) of a balanced panel with never-treated or
not-yet-treated comparison units, by outcome regression, IPW or the doubly robust estimator
(:mod:`setara.evaluation.drdid`), with analytic influence-function standard errors clustered
by unit (or a coarser ``cluster``), the Wald pre-trend test and the simple, dynamic (event
study), group and calendar aggregations of R ``did::aggte``.

References
----------
Callaway, B. and Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
periods. *Journal of Econometrics* 225(2), 200-230.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from numpy.typing import NDArray

from setara.errors import InputValueError
from setara.evaluation.drdid import KERNELS
from setara.evaluation.panel import Panel, to_panel

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["AGGREGATES", "DidResult", "att_gt"]

Array = NDArray[np.float64]
AGGREGATES = ("att_gt", "simple", "dynamic", "group", "calendar")
CONTROLS = ("never", "notyet")
# (group, time, event, estimate, influence function) of one output row
Row = tuple[float | None, float | None, float | None, float, Array]
COLUMNS = ("estimand", "group", "time", "event", "estimate", "se", "ci_low", "ci_high")


@dataclass(frozen=True)
class DidResult:
    """Group-time effects and their aggregations in one tidy table.

    ``table`` has the columns ``estimand`` (``att_gt``, ``simple``, ``dynamic``, ``group`` or
    ``calendar``), ``group`` (first treated period), ``time``, ``event`` (time minus group),
    ``estimate``, ``se``, ``ci_low``, ``ci_high``; columns that do not apply to a row are null.
    The overall effect of an aggregation is its row with ``group``, ``time`` and ``event`` all
    null. ``pretest_*`` is the Wald test that every pre-treatment ATT(g,t) is zero.
    """

    table: pl.DataFrame
    pretest_chi2: float
    pretest_df: int
    pretest_pvalue: float
    method: str
    control: str
    n_units: int
    n_clusters: int
    notes: tuple[str, ...] = ()

    def to_polars(self) -> pl.DataFrame:
        """The tidy table as a Polars frame."""
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        """The tidy table as a pandas frame."""
        return self.table.to_pandas()

    def __repr__(self) -> str:
        return (
            f"DidResult(method={self.method!r}, control={self.control!r}, units={self.n_units}, "
            f"rows={self.table.height}, pretest p={self.pretest_pvalue:.4g})"
        )


@dataclass(frozen=True)
class _Cells:
    group: Array
    time: Array
    att: Array
    inf: Array  # (n_units, n_cells), scaled as in R did (n / n_cell)


def _cells(panel: Panel, method: str, control: str) -> _Cells:
    kernel = KERNELS[method]
    n = panel.units.size
    times, cohort = panel.times, panel.cohort
    weight = panel.weight / panel.weight.mean()
    groups = np.unique(cohort[cohort > 0])
    pairs = [(g, ti) for g in groups for ti in range(1, times.size)]
    att = np.full(len(pairs), np.nan)
    inf = np.zeros((n, len(pairs)))
    intercept = np.ones((n, 1))
    for c, (g, ti) in enumerate(pairs):  # one small 2x2 estimate per (g, t) cell
        now = times[ti]
        base = ti - 1 if now < g else int(np.searchsorted(times, g)) - 1
        treated = cohort == g
        comparison = cohort == 0
        if control == "notyet":
            comparison |= (cohort > now) & ~treated
        sample = treated | comparison
        if not comparison.any():
            continue
        delta_y = panel.outcome[sample, ti] - panel.outcome[sample, base]
        x = np.hstack([intercept[sample], panel.covariates[sample, base, :]])
        est, cell_inf = kernel(delta_y, treated[sample].astype(np.float64), x, weight[sample])
        att[c] = est
        inf[sample, c] = (n / sample.sum()) * cell_inf
    keep = np.isfinite(att)
    return _Cells(
        group=np.array([p[0] for p in pairs])[keep],
        time=np.array([times[p[1]] for p in pairs])[keep],
        att=att[keep],
        inf=inf[:, keep],
    )


def _last_cohort_as_control(panel: Panel) -> Panel:
    """Without never-treated units, the last cohort serves as the comparison and the periods
    from its start on are dropped (R ``did``'s ``pre_process_did`` does the same)."""
    last = panel.cohort.max()
    keep = panel.times < last
    if keep.sum() < 2 or not (panel.cohort[panel.cohort < last] > 0).any():
        raise InputValueError("without never-treated units at least two cohorts are needed")
    return replace(
        panel,
        times=panel.times[keep],
        outcome=panel.outcome[:, keep],
        covariates=panel.covariates[:, keep, :],
        cohort=np.where(panel.cohort == last, 0.0, panel.cohort),
        notes=(
            *panel.notes,
            f"no never-treated units: the last cohort ({last:g}) is the comparison and the "
            "periods from its start on are left out",
        ),
    )


def _se(inf: Array, cluster: NDArray[np.int64]) -> Array:
    """Standard errors of influence-function columns, summed within clusters first."""
    n = inf.shape[0]
    by_cluster = np.zeros((int(cluster.max()) + 1, inf.shape[1]))
    np.add.at(by_cluster, cluster, inf)
    se: Array = np.sqrt(np.sum(by_cluster**2, axis=0)) / n
    return se


def _weight_if(labels: Array, pg: Array, att: Array, cohort: Array, weight: Array) -> Array:
    """Influence of estimating the group shares ``pg`` (R did's ``wif``) times ``att``."""
    indicator = (cohort[:, None] == labels[None, :]) * weight[:, None] - pg[None, :]
    total = pg.sum()
    if1 = indicator / total
    if2 = indicator.sum(axis=1)[:, None] * (pg / total**2)[None, :]
    out: Array = (if1 - if2) @ att
    return out


def _aggregate(cells: _Cells, cohort: Array, weight: Array, kind: str) -> list[Row]:
    """Rows ``(group, time, event, estimate, influence)`` of one aggregation of R ``aggte``."""
    groups = np.unique(cohort[cohort > 0])
    pg_group = np.array([np.mean(weight * (cohort == g)) for g in groups])
    pg = pg_group[np.searchsorted(groups, cells.group)]
    post = cells.group <= cells.time

    def combine(mask: NDArray[np.bool_]) -> tuple[float, Array]:
        share = pg[mask] / pg[mask].sum()
        inf = cells.inf[:, mask] @ share
        inf = inf + _weight_if(cells.group[mask], pg[mask], cells.att[mask], cohort, weight)
        return float(share @ cells.att[mask]), inf

    rows: list[Row] = []
    if kind == "simple":
        est, inf = combine(post)
        return [(None, None, None, est, inf)]
    if kind == "group":
        atts, infs = [], []
        for g in groups:
            mask = post & (cells.group == g)
            atts.append(float(cells.att[mask].mean()))
            infs.append(cells.inf[:, mask].mean(axis=1))
            rows.append((float(g), None, None, atts[-1], infs[-1]))
        att_g = np.array(atts)
        share = pg_group / pg_group.sum()
        inf = np.column_stack(infs) @ share + _weight_if(groups, pg_group, att_g, cohort, weight)
        return [(None, None, None, float(share @ att_g), inf), *rows]
    if kind == "dynamic":
        event = cells.time - cells.group
        for e in np.unique(event):
            est, inf = combine(event == e)
            rows.append((None, None, float(e), est, inf))
    elif kind == "calendar":
        for t in np.unique(cells.time[cells.time >= groups.min()]):
            est, inf = combine(post & (cells.time == t))
            rows.append((None, float(t), None, est, inf))
    overall = [r for r in rows if kind != "dynamic" or (r[2] is not None and r[2] >= 0)]
    est = float(np.mean([r[3] for r in overall]))
    inf = np.mean(np.column_stack([r[4] for r in overall]), axis=1)
    return [(None, None, None, est, inf), *rows]


def _pretest(cells: _Cells, cluster: NDArray[np.int64]) -> tuple[float, int, float]:
    from scipy import stats

    pre = cells.group > cells.time
    if not pre.any():
        return float("nan"), 0, float("nan")
    n = cells.inf.shape[0]
    by_cluster = np.zeros((int(cluster.max()) + 1, int(pre.sum())))
    np.add.at(by_cluster, cluster, cells.inf[:, pre])
    vcov = by_cluster.T @ by_cluster / n**2
    try:
        chi2 = float(cells.att[pre] @ np.linalg.solve(vcov, cells.att[pre]))
    except np.linalg.LinAlgError:
        return float("nan"), int(pre.sum()), float("nan")
    df = int(pre.sum())
    return chi2, df, float(stats.chi2.sf(chi2, df))


def att_gt(
    data: pl.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    control: str = "never",
    method: str = "dr",
    covariates: Sequence[str] = (),
    weight: str | None = None,
    cluster: str | None = None,
    aggregate: Sequence[str] = ("att_gt",),
    level: float = 0.95,
) -> DidResult:
    """Callaway–Sant'Anna group-time average treatment effects and their aggregations.

    Parameters
    ----------
    data : a balanced panel, one row per ``unit`` and ``time``.
    outcome, unit, time : column names.
    cohort : column with the first treated period of each unit, 0 or empty for never treated.
    control : ``"never"`` (never-treated units) or ``"notyet"`` (never and not yet treated).
    method : ``"dr"`` (doubly robust, R ``did``'s default), ``"ipw"`` or ``"reg"``.
    covariates : columns for the propensity score and outcome regression, taken in each cell's
        base period (as R ``did`` does for panels).
    weight : a unit-level sampling weight column (constant within unit).
    cluster : a column constant within unit; standard errors are clustered on it (always at
        least on the unit).
    aggregate : any of ``att_gt``, ``simple``, ``dynamic``, ``group``, ``calendar``.
    level : confidence level of the pointwise normal intervals.

    Returns
    -------
    DidResult

    Examples
    --------
    >>> import polars as pl
    >>> from setara.evaluation import att_gt
    >>> panel = pl.DataFrame({
    ...     "unit": [1, 1, 2, 2, 3, 3, 4, 4], "year": [1, 2] * 4,
    ...     "cohort": [2, 2, 2, 2, 0, 0, 0, 0], "y": [1.0, 3.0, 2.0, 4.5, 1.0, 1.5, 2.0, 2.0]})
    >>> res = att_gt(panel, outcome="y", unit="unit", time="year", cohort="cohort", method="reg")
    >>> round(res.table["estimate"][0], 3)
    2.0

    Notes
    -----
    The base period is the one just before ``group`` for post-treatment cells and the
    previous period for pre-treatment cells (R ``did``'s ``base_period = "varying"``). The
    standard error of each row is ``sqrt(sum_c (sum_{i in c} psi_i)^2) / n`` over clusters
    ``c`` of the influence function ``psi`` (R ``did`` with ``bstrap = FALSE``); intervals are
    pointwise ``estimate +- z * se``.
    """
    from scipy import stats

    if control not in CONTROLS:
        raise InputValueError(f"control {control!r}: use one of {', '.join(CONTROLS)}")
    if method not in KERNELS:
        raise InputValueError(f"method {method!r}: use one of {', '.join(KERNELS)}")
    unknown = [a for a in aggregate if a not in AGGREGATES]
    if unknown or not aggregate:
        raise InputValueError(
            f"aggregate {', '.join(map(repr, unknown)) or '(none)'}: "
            f"use any of {', '.join(AGGREGATES)}"
        )
    if not 0.0 < level < 1.0:
        raise InputValueError(f"level {level} must be between 0 and 1")
    panel = to_panel(
        data,
        outcome=outcome,
        unit=unit,
        time=time,
        cohort=cohort,
        covariates=covariates,
        weight=weight,
        cluster=cluster,
    )
    if not (panel.cohort == 0).any():
        if control == "never":
            raise InputValueError(
                f"cohort column {cohort!r} has no never-treated unit; use control='notyet'"
            )
        panel = _last_cohort_as_control(panel)
    cells = _cells(panel, method, control)
    if cells.att.size == 0:
        raise InputValueError("no (group, time) cell has comparison units")
    weight_n = panel.weight / panel.weight.mean()
    found: list[tuple[str, float | None, float | None, float | None, float, float]] = []
    for kind in dict.fromkeys(aggregate):
        rows: list[Row]
        if kind == "att_gt":
            rows = [
                (float(g), float(t), float(t - g), float(a), cells.inf[:, i])
                for i, (g, t, a) in enumerate(zip(cells.group, cells.time, cells.att, strict=True))
            ]
        else:
            rows = _aggregate(cells, panel.cohort, weight_n, kind)
        ses = _se(np.column_stack([r[4] for r in rows]), panel.cluster)
        found += [(kind, *r[:4], float(se)) for r, se in zip(rows, ses, strict=True)]
    z = float(stats.norm.ppf(0.5 + level / 2))
    estimate = np.array([r[4] for r in found])
    se = np.array([r[5] for r in found])
    integral = bool(np.all(panel.times == np.round(panel.times)))
    label = pl.Int64 if integral else pl.Float64
    table = pl.DataFrame(
        {
            "estimand": [r[0] for r in found],
            "group": [r[1] for r in found],
            "time": [r[2] for r in found],
            "event": [r[3] for r in found],
            "estimate": estimate,
            "se": se,
            "ci_low": estimate - z * se,
            "ci_high": estimate + z * se,
        },
        schema={
            "estimand": pl.String,
            "group": label,
            "time": label,
            "event": label,
            "estimate": pl.Float64,
            "se": pl.Float64,
            "ci_low": pl.Float64,
            "ci_high": pl.Float64,
        },
        strict=False,
    )
    chi2, df, pvalue = _pretest(cells, panel.cluster)
    return DidResult(
        table=table,
        pretest_chi2=chi2,
        pretest_df=df,
        pretest_pvalue=pvalue,
        method=method,
        control=control,
        n_units=int(panel.units.size),
        n_clusters=int(np.unique(panel.cluster).size),
        notes=panel.notes,
    )
