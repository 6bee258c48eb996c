"""Sun–Abraham interaction-weighted event study on a staggered panel.

A two-way fixed effects regression (pyfixest) of the outcome on one indicator per cohort and
period relative to treatment (the period before treatment left out), with never-treated units
as the comparison; each event-time effect is the average of the cohort effects weighted by the
cohorts' shares of units observed at that event time.

References
----------
Sun, L. and Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
heterogeneous treatment effects. *Journal of Econometrics* 225(2), 175-199.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import polars as pl

from setara.errors import InputValueError
from setara.evaluation.panel import to_panel

__all__ = ["sun_abraham"]


def sun_abraham(
    data: pl.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    cohort: str,
    cluster: str | None = None,
    weight: str | None = None,
    level: float = 0.95,
) -> pl.DataFrame:
    """Interaction-weighted event-study estimates, one row per event time.

    Columns ``estimand`` (``sun_abraham``), ``group`` and ``time`` (null), ``event``,
    ``estimate``, ``se``, ``ci_low``, ``ci_high``. Standard errors are cluster-robust (pyfixest
    ``CRV1``) on ``cluster`` or the unit, through the delta method with the cohort shares held
    fixed (as R ``fixest::sunab``'s aggregation does). The event time -1 is the reference.
    With never-treated units as the only comparison, the post-treatment effects equal the
    Callaway–Sant'Anna dynamic aggregation by outcome regression (checked by the tests).
    """
    import pandas as pd
    import pyfixest as pf
    from scipy import stats

    panel = to_panel(
        data,
        outcome=outcome,
        unit=unit,
        time=time,
        cohort=cohort,
        weight=weight,
        cluster=cluster,
    )
    g = panel.cohort
    if not (g == 0).any():
        raise InputValueError(
            f"cohort column {cohort!r} has no never-treated unit; the Sun–Abraham estimator "
            "here compares with never-treated units"
        )
    n, n_t = panel.outcome.shape
    times = panel.times
    rel = times[None, :] - g[:, None]
    treated = np.broadcast_to((g > 0)[:, None], (n, n_t))
    keys = np.unique(
        np.column_stack([np.broadcast_to(g[:, None], (n, n_t))[treated], rel[treated]]), axis=0
    )
    keys = keys[keys[:, 1] != -1]
    frame: dict[str, Any] = {
        "y": panel.outcome.ravel(),
        "unit": np.repeat(np.arange(n), n_t),
        "time": np.tile(np.arange(n_t), n),
        "cl": np.repeat(panel.cluster, n_t),
        "w": np.repeat(panel.weight, n_t),
    }
    flat_g, flat_rel = np.repeat(g, n_t), rel.ravel()
    names = []
    for j, (kg, ke) in enumerate(keys):  # one indicator column per (cohort, event time)
        names.append(f"c{j}")
        frame[f"c{j}"] = ((flat_g == kg) & (flat_rel == ke)).astype(np.float64)
    with warnings.catch_warnings():  # pandas deprecation notices from inside pyfixest
        warnings.filterwarnings("ignore", message=".*inplace keyword.*")
        fit: Any = pf.feols(
            f"y ~ {' + '.join(names)} | unit + time",
            data=pd.DataFrame(frame),
            vcov={"CRV1": "cl"},
            weights="w" if weight else None,
        )
    kept = [name for name in names if name in list(fit._coefnames)]
    position = {name: i for i, name in enumerate(fit._coefnames)}
    beta = np.asarray(fit._beta_hat, dtype=np.float64)
    vcov = np.asarray(fit._vcov, dtype=np.float64)
    unit_share = {c: float(np.sum(panel.weight[g == c])) for c in np.unique(g[g > 0])}
    z = float(stats.norm.ppf(0.5 + level / 2))
    rows = []
    for e in np.unique(keys[:, 1]):
        cols = [names.index(nm) for nm in kept if keys[names.index(nm), 1] == e]
        if not cols:
            continue
        idx = np.array([position[names[c]] for c in cols])
        share = np.array([unit_share[keys[c, 0]] for c in cols])
        share = share / share.sum()
        est = float(share @ beta[idx])
        se = float(np.sqrt(share @ vcov[np.ix_(idx, idx)] @ share))
        rows.append((float(e), est, se))
    table = pl.DataFrame(rows, schema=["event", "estimate", "se"], orient="row")
    if np.all(times == np.round(times)):
        table = table.with_columns(pl.col("event").cast(pl.Int64))
    return table.select(
        estimand=pl.lit("sun_abraham"),
        group=pl.lit(None, dtype=pl.Float64),
        time=pl.lit(None, dtype=pl.Float64),
        event=pl.col("event"),
        estimate=pl.col("estimate"),
        se=pl.col("se"),
        ci_low=pl.col("estimate") - z * pl.col("se"),
        ci_high=pl.col("estimate") + z * pl.col("se"),
    )
