"""Two-way fixed effects DiD (pyfixest) and its Goodman-Bacon decomposition.

:func:`twfe` regresses the outcome on a treatment indicator with unit and period fixed
effects (a 2x2 DiD when there are two periods and two groups) with cluster-robust standard
errors; :func:`bacon` splits its coefficient on a balanced staggered panel into the 2x2
comparisons it averages, exposing the "bad comparisons" of already-treated units used as
controls.

References
----------
Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
*Journal of Econometrics* 225(2), 254-277 (Theorem 1).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from numpy.typing import NDArray

from setara.errors import ColumnNotFoundError, DataTypeError, InputValueError, count_phrase
from setara.evaluation.panel import to_panel

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TwfeResult", "bacon", "cohort_from_treatment", "twfe"]


@dataclass(frozen=True)
class TwfeResult:
    """The TWFE coefficient as a one-row tidy table (``estimand`` ``twfe``, ``estimate``,
    ``se``, ``ci_low``, ``ci_high``, ``n``, ``n_clusters``)."""

    table: pl.DataFrame

    def to_polars(self) -> pl.DataFrame:
        """The tidy table as a Polars frame."""
        return self.table

    def to_pandas(self) -> pd.DataFrame:
        """The tidy table as a pandas frame."""
        return self.table.to_pandas()


def _model_frame(data: pl.DataFrame, columns: dict[str, str | None]) -> pd.DataFrame:
    """The named columns under safe names (``y``, ``d``, ...) for a pyfixest formula."""
    given = {safe: name for safe, name in columns.items() if name is not None}
    missing = [name for name in dict.fromkeys(given.values()) if name not in data.columns]
    if missing:
        raise ColumnNotFoundError(f"column(s) {', '.join(map(repr, missing))} not in the data")
    numeric = {"y": "outcome", "d": "treatment", "w": "weight"}
    for safe, role in numeric.items():
        name = given.get(safe)
        if name is None:
            continue
        dtype = data.schema[name]
        if not (dtype.is_numeric() or dtype == pl.Boolean):
            raise DataTypeError(f"{role} column {name!r} must be numeric, not {dtype}")
        nulls = data[name].null_count() + (
            int(data[name].cast(pl.Float64).is_nan().sum()) if dtype.is_float() else 0
        )
        if nulls:
            raise InputValueError(
                f"{role} column {name!r} has {count_phrase(nulls, data.height)} missing"
            )
    for safe in ("unit", "time", "cl"):
        name = given.get(safe)
        if name is not None and data[name].null_count():
            raise InputValueError(
                f"column {name!r} has {count_phrase(data[name].null_count(), data.height)} missing"
            )
    d = data[given["d"]].cast(pl.Float64)
    bad = ~d.is_in([0.0, 1.0])
    if bad.any():
        raise InputValueError(
            f"treatment column {given['d']!r} has {count_phrase(int(bad.sum()), d.len())} "
            "values other than 0 and 1"
        )
    if "w" in given and (data[given["w"]] < 0).any():
        raise InputValueError(f"weight column {given['w']!r} has negative values")
    frame = data.select([pl.col(name).alias(safe) for safe, name in given.items()])
    return frame.with_columns(pl.col("y", "d").cast(pl.Float64)).to_pandas()


def twfe(
    data: pl.DataFrame,
    *,
    outcome: str,
    treat: str,
    unit: str,
    time: str,
    cluster: str | None = None,
    weight: str | None = None,
    level: float = 0.95,
) -> TwfeResult:
    """Two-way fixed effects regression ``outcome ~ treat | unit + time`` (pyfixest).

    Standard errors are cluster-robust (pyfixest ``CRV1``, with its default small-sample
    factor ``G/(G-1) * (N-1)/(N-K)``) on ``cluster``, or on ``unit`` when not given.
    ``weight`` enters as analytic weights (weighted least squares).

    Examples
    --------
    >>> import polars as pl
    >>> from setara.evaluation import twfe
    >>> panel = pl.DataFrame({
    ...     "unit": [1, 1, 2, 2, 3, 3, 4, 4], "year": [1, 2] * 4,
    ...     "d": [0, 1, 0, 1, 0, 0, 0, 0], "y": [1.0, 3.0, 2.0, 4.5, 1.0, 1.5, 2.0, 2.0]})
    >>> round(twfe(panel, outcome="y", treat="d", unit="unit", time="year").table["estimate"][0], 3)
    2.0
    """
    import pyfixest as pf
    from scipy import stats

    frame = _model_frame(
        data, {"y": outcome, "d": treat, "unit": unit, "time": time, "cl": cluster, "w": weight}
    )
    if data[treat].n_unique() < 2:
        raise InputValueError(f"treatment column {treat!r} never changes: nothing to estimate")
    for name in (unit, time):
        if data.group_by(name).agg(pl.col(treat).n_unique())[treat].max() == 1:
            raise InputValueError(
                f"treatment column {treat!r} is constant within every {name!r}, so the {name!r} "
                "fixed effects absorb it; give a 0/1 column that is 1 in the periods a unit is "
                "treated"
            )
    try:
        with warnings.catch_warnings():  # pandas deprecation notices from inside pyfixest
            warnings.filterwarnings("ignore", message=".*inplace keyword.*")
            fit: Any = pf.feols(
                "y ~ d | unit + time",
                data=frame,
                vcov={"CRV1": "cl" if cluster else "unit"},
                weights="w" if weight else None,
            )
    except ValueError as exc:
        reason = " ".join(str(exc).split())
        raise InputValueError(f"the TWFE regression cannot be estimated: {reason}") from exc
    if "d" not in list(fit._coefnames):
        raise InputValueError(
            f"treatment column {treat!r} is collinear with the unit and time fixed effects"
        )
    estimate = float(fit.coef()["d"])
    se = float(fit.se()["d"])
    z = float(stats.norm.ppf(0.5 + level / 2))
    table = pl.DataFrame(
        {
            "estimand": ["twfe"],
            "estimate": [estimate],
            "se": [se],
            "ci_low": [estimate - z * se],
            "ci_high": [estimate + z * se],
            "n": [int(fit._N)],
            "n_clusters": [int(data[cluster or unit].n_unique())],
        }
    )
    return TwfeResult(table=table)


def _did_means(
    y: NDArray[np.float64],
    treated: NDArray[np.bool_],
    control: NDArray[np.bool_],
    pre: NDArray[np.bool_],
    post: NDArray[np.bool_],
) -> float:
    """2x2 DiD of unit means over ``post`` minus ``pre`` periods."""
    change = y[:, post].mean(axis=1) - y[:, pre].mean(axis=1)
    return float(change[treated].mean() - change[control].mean())


def bacon(data: pl.DataFrame, *, outcome: str, unit: str, time: str, cohort: str) -> pl.DataFrame:
    """Goodman-Bacon decomposition of the TWFE DiD coefficient on a balanced panel.

    Returns one row per 2x2 comparison: ``type`` (``treated_vs_never``,
    ``earlier_vs_later`` or ``later_vs_earlier``, the last being the "bad comparisons" that
    use already-treated units as controls), ``treated`` and ``control`` cohorts (0 = never
    treated), ``estimate`` (the 2x2 DiD) and ``weight``. The weights sum to one and
    ``sum(weight * estimate)`` is the TWFE coefficient (Goodman-Bacon 2021, Theorem 1);
    both are checked by the tests. Units treated from the first period are always-treated
    controls. No covariates or weights.
    """
    panel = to_panel(
        data, outcome=outcome, unit=unit, time=time, cohort=cohort, keep_always_treated=True
    )
    y, times, g = panel.outcome, panel.times, panel.cohort
    treated_at = (g[:, None] > 0) & (times[None, :] >= g[:, None])
    d = treated_at.astype(np.float64)
    d_tilde = d - d.mean(axis=1, keepdims=True) - d.mean(axis=0, keepdims=True) + d.mean()
    var_d = float(np.mean(d_tilde**2))
    if var_d <= 0:
        raise InputValueError("the treatment does not vary across units and periods")
    cohorts = np.unique(g)
    share = {c: float(np.mean(g == c)) for c in cohorts}
    dbar = {c: float(d[g == c][0].mean()) for c in cohorts}
    rows: list[dict[str, Any]] = []
    timed = [c for c in cohorts if c > 0]
    if 0 in share:
        for k in timed:
            n_k, n_u, dk = share[k], share[0], dbar[k]
            if dk in (0.0, 1.0):
                continue
            n_ku = n_k / (n_k + n_u)
            weight = (n_k + n_u) ** 2 * n_ku * (1 - n_ku) * dk * (1 - dk) / var_d
            post = times >= k
            est = _did_means(y, g == k, g == 0, ~post, post)
            rows.append(
                {
                    "type": "treated_vs_never",
                    "treated": k,
                    "control": 0.0,
                    "estimate": est,
                    "weight": weight,
                }
            )
    for i, k in enumerate(timed):
        for ell in timed[i + 1 :]:
            n_k, n_l, dk, dl = share[k], share[ell], dbar[k], dbar[ell]
            n_kl = n_k / (n_k + n_l)
            if dl < 1.0 and dk > dl:  # k (earlier) treated, l not yet treated, before l starts
                w = ((n_k + n_l) * (1 - dl)) ** 2 * n_kl * (1 - n_kl)
                w *= (dk - dl) / (1 - dl) * (1 - dk) / (1 - dl) / var_d
                window = times < ell
                if w > 0:
                    est = _did_means(
                        y[:, window], g == k, g == ell, times[window] < k, times[window] >= k
                    )
                    rows.append(
                        {
                            "type": "earlier_vs_later",
                            "treated": k,
                            "control": ell,
                            "estimate": est,
                            "weight": w,
                        }
                    )
            if dl > 0.0:  # l (later) treated, k already treated as control, from k on
                w = ((n_k + n_l) * dk) ** 2 * n_kl * (1 - n_kl)
                w *= dl / dk * (dk - dl) / dk / var_d
                window = times >= k
                if w > 0:
                    est = _did_means(
                        y[:, window], g == ell, g == k, times[window] < ell, times[window] >= ell
                    )
                    rows.append(
                        {
                            "type": "later_vs_earlier",
                            "treated": ell,
                            "control": k,
                            "estimate": est,
                            "weight": w,
                        }
                    )
    return pl.DataFrame(
        rows,
        schema={
            "type": pl.String,
            "treated": pl.Float64,
            "control": pl.Float64,
            "estimate": pl.Float64,
            "weight": pl.Float64,
        },
    )


def cohort_from_treatment(data: pl.DataFrame, *, treat: str, unit: str, time: str) -> pl.Series:
    """The first period each unit is treated (0 when never), from a 0/1 ``treat`` column.

    The treatment must be absorbing (once treated, treated in every later period): the
    cohort-based estimators (Goodman-Bacon, Sun–Abraham) assume staggered adoption.
    """
    for name in (treat, unit, time):
        if name not in data.columns:
            raise ColumnNotFoundError(f"column {name!r} not in the data")
    frame = data.select(
        pl.col(unit).alias("unit"),
        pl.col(time).alias("time"),
        pl.col(treat).cast(pl.Float64).alias("d"),
    )
    first = frame.filter(pl.col("d") == 1).group_by("unit").agg(first=pl.col("time").min())
    joined = frame.join(first, on="unit", how="left")
    reversed_ = joined.filter(
        pl.col("first").is_not_null() & (pl.col("time") >= pl.col("first")) & (pl.col("d") != 1)
    )
    if reversed_.height:
        raise InputValueError(
            f"treatment column {treat!r} switches off again in "
            f"{count_phrase(reversed_['unit'].n_unique(), frame['unit'].n_unique(), 'units')}; "
            "the decomposition and event study need a treatment that stays on"
        )
    return joined["first"].fill_null(0).alias("cohort")
