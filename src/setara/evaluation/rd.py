"""Regression discontinuity: local-polynomial estimates with robust bias-corrected intervals
(rdrobust), the density (manipulation) test (rddensity) and binned means for an RD plot.

rdrobust 2.1.1 and rddensity 3.0 do the estimation (pinned in ``requirements.lock``); this
module checks the columns, drops incomplete rows with a note, and returns the rows of the
``setara evaluate rd`` contract. Definitions: ``docs/evaluation-rd-matching.md``.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import polars as pl

from setara.errors import InputValueError
from setara.evaluation._columns import read_columns
from setara.frames import key_column, to_polars
from setara.kernels.groups import FloatArray

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BANDWIDTH_SELECTORS",
    "KERNELS",
    "RD_COLUMNS",
    "RDResult",
    "rd_bins",
    "rd_density",
    "rd_estimate",
]

KERNELS = ("triangular", "uniform", "epanechnikov")
BANDWIDTH_SELECTORS = ("mserd", "msetwo", "cerrd")
RD_COLUMNS = (
    "estimand",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "h_left",
    "h_right",
    "b_left",
    "b_right",
    "n_left",
    "n_right",
)
# rdrobust's three rows, in its order, under the names of the CLI contract
_ESTIMANDS = ("conventional", "bias_corrected", "robust")
# fewest observations on a side: rdrobust's bias correction fits a polynomial of order p + 1
# and its variance matches 3 nearest neighbours, so fewer cannot give an estimate
_MIN_SIDE = 10


@dataclass
class RDResult:
    """The three RD rows (``conventional``, ``bias_corrected``, ``robust``) and notes.

    ``frame`` has the columns :data:`RD_COLUMNS`; ``estimate`` of the ``robust`` row is the
    bias-corrected estimate (rdrobust reports the robust interval around it), and ``se`` of
    the ``robust`` row is the robust standard error.
    """

    frame: pl.DataFrame
    design: Literal["sharp", "fuzzy"]
    cutoff: float
    level: float = 0.95
    notes: list[str] = field(default_factory=list)

    def to_polars(self) -> pl.DataFrame:
        return self.frame

    def to_pandas(self) -> pd.DataFrame:
        return self.frame.to_pandas()

    def __repr__(self) -> str:
        head = f"RDResult: {self.design} RD at {self.cutoff:g}, {self.level:.0%} CI"
        with pl.Config(tbl_cols=-1, tbl_hide_dataframe_shape=True, float_precision=4):
            return f"{head}\n{self.frame}" + "".join(f"\nnote: {n}" for n in self.notes)


def _check_sides(running: FloatArray, cutoff: float, name: str) -> None:
    left = int((running < cutoff).sum())
    right = running.size - left
    if min(left, right) < _MIN_SIDE:
        raise InputValueError(
            f"running variable {name!r} has {left:,} rows below the cutoff {cutoff:g} and "
            f"{right:,} at or above it; each side needs at least {_MIN_SIDE}"
        )


def _quiet(function: Any, *args: Any, **kwargs: Any) -> Any:
    """Call rdrobust/rddensity without their printed messages and warnings; their errors
    (too few distinct values, a singular fit) become one-line input errors."""
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            return function(*args, **kwargs)
        except Exception as exc:  # rdrobust raises bare Exception for bad data
            expected = (ValueError, ArithmeticError, IndexError, np.linalg.LinAlgError)
            if type(exc) is not Exception and not isinstance(exc, expected):
                raise
            name = getattr(function, "__name__", "the estimator")
            raise InputValueError(f"{name} cannot estimate on these data: {exc}") from exc


def rd_estimate(
    data: Any,
    *,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    fuzzy: str | None = None,
    p: int = 1,
    kernel: str = "triangular",
    bwselect: str = "mserd",
    weight: str | None = None,
    cluster: str | None = None,
    level: float = 0.95,
) -> RDResult:
    """Sharp or fuzzy RD effect at ``cutoff`` by local polynomials (Calonico, Cattaneo and
    Titiunik 2014; rdrobust).

    Parameters
    ----------
    data : polars or pandas frame
    outcome, running : str
        The outcome column and the running variable (score); treatment starts at
        ``running >= cutoff``.
    cutoff : float
    fuzzy : str, optional
        The treatment actually received (0/1 or a dose): a fuzzy design, the estimate is the
        jump in the outcome divided by the jump in this column.
    p : int
        Order of the local polynomial (the bias correction uses ``p + 1``).
    kernel : {"triangular", "uniform", "epanechnikov"}
    bwselect : {"mserd", "msetwo", "cerrd"}
        One MSE-optimal bandwidth, two (left and right), or one coverage-error-optimal.
    weight : str, optional
        Survey weights: they multiply the kernel weights (rdrobust ``weights``).
    cluster : str, optional
        Cluster (PSU) column, any type: rdrobust's cluster-robust variance ``cr1``.
    level : float

    Returns
    -------
    RDResult
        Rows ``conventional``, ``bias_corrected``, ``robust`` with the estimate, standard
        error, interval, bandwidths ``h`` (estimation) and ``b`` (bias) on each side and the
        effective numbers of observations (inside ``h``) on each side.

    Examples
    --------
    >>> import numpy as np, polars as pl
    >>> rng = np.random.default_rng(3)
    >>> score = rng.uniform(-1, 1, 1000)
    >>> y = 0.5 * score + 2.0 * (score >= 0) + rng.normal(0, 0.5, 1000)
    >>> result = rd_estimate(pl.DataFrame({"y": y, "score": score}), outcome="y", running="score")
    >>> result.frame["estimand"].to_list()
    ['conventional', 'bias_corrected', 'robust']
    """
    if kernel not in KERNELS:
        raise InputValueError(f"kernel {kernel!r} is not one of {', '.join(KERNELS)}")
    if bwselect not in BANDWIDTH_SELECTORS:
        raise InputValueError(
            f"bwselect {bwselect!r} is not one of {', '.join(BANDWIDTH_SELECTORS)}"
        )
    if not 1 <= p <= 4:
        raise InputValueError(f"polynomial order p must be 1 to 4, not {p}")
    if not 0 < level < 1:
        raise InputValueError(f"level must be between 0 and 1, not {level}")
    frame = to_polars(data)
    roles = {outcome: "outcome", running: "running variable"}
    if fuzzy:
        roles[fuzzy] = "treatment received (fuzzy)"
    cluster_codes = "\x00cluster"  # the cluster's integer codes (any key type, no missing)
    if cluster:
        codes = key_column(frame, cluster, "cluster")
        frame = frame.with_columns(pl.Series(cluster_codes, codes, dtype=pl.Float64))
        roles[cluster_codes] = "cluster"
    columns = read_columns(frame, roles, weight)
    x = columns.values[running]
    _check_sides(x, cutoff, running)
    from rdrobust import rdrobust

    fit = _quiet(
        rdrobust,
        columns.values[outcome],
        x,
        c=cutoff,
        fuzzy=columns.values[fuzzy] if fuzzy else None,
        p=p,
        kernel=kernel,
        bwselect=bwselect,
        weights=columns.weight if weight else None,
        cluster=columns.values[cluster_codes] if cluster else None,
        vce="cr1" if cluster else "nn",
        level=100 * level,
    )
    bws = np.asarray(fit.bws, dtype=float)  # rows h, b; columns left, right
    n_h = np.asarray(fit.N_h, dtype=np.int64)
    out = pl.DataFrame(
        {
            "estimand": list(_ESTIMANDS),
            "estimate": np.asarray(fit.coef, dtype=float).ravel(),
            "se": np.asarray(fit.se, dtype=float).ravel(),
            "ci_low": np.asarray(fit.ci, dtype=float)[:, 0],
            "ci_high": np.asarray(fit.ci, dtype=float)[:, 1],
            "h_left": np.full(3, bws[0, 0]),
            "h_right": np.full(3, bws[0, 1]),
            "b_left": np.full(3, bws[1, 0]),
            "b_right": np.full(3, bws[1, 1]),
            "n_left": np.full(3, n_h[0]),
            "n_right": np.full(3, n_h[1]),
        }
    )
    return RDResult(out, "fuzzy" if fuzzy else "sharp", float(cutoff), level, list(columns.notes))


def rd_density(data: Any, *, running: str, cutoff: float = 0.0) -> pl.DataFrame:
    """Density (manipulation) test at the cutoff (Cattaneo, Jansson and Ma 2020; rddensity).

    A large difference between the density of the running variable just left and just right
    of the cutoff suggests units sorted themselves across it (a score pushed over the line).

    Returns
    -------
    polars.DataFrame
        One row: ``density_left``, ``density_right`` (local-polynomial density estimates at
        the cutoff), ``statistic`` (robust bias-corrected t, jackknife variance), ``p_value``,
        ``h_left``, ``h_right``, ``n_left``, ``n_right`` (observations inside the bandwidths).
    """
    frame = to_polars(data)
    columns = read_columns(frame, {running: "running variable"})
    x = columns.values[running]
    _check_sides(x, cutoff, running)
    from rddensity import rddensity

    fit = _quiet(rddensity, x, c=cutoff)
    return pl.DataFrame(
        {
            "density_left": [float(fit.hat["left"])],
            "density_right": [float(fit.hat["right"])],
            "statistic": [float(fit.test["t_jk"])],
            "p_value": [float(fit.test["p_jk"])],
            "h_left": [float(fit.h["left"])],
            "h_right": [float(fit.h["right"])],
            "n_left": [int(fit.n["eff_left"])],
            "n_right": [int(fit.n["eff_right"])],
        }
    )


def rd_bins(
    data: Any,
    *,
    outcome: str,
    running: str,
    cutoff: float = 0.0,
    bins: int = 20,
    spacing: Literal["even", "quantile"] = "even",
    weight: str | None = None,
) -> pl.DataFrame:
    """Binned means of the outcome on each side of the cutoff, the points of an RD plot.

    ``bins`` bins per side, evenly spaced over each side's range or holding equal numbers of
    observations (``quantile``); bins never straddle the cutoff. The mean is survey-weighted
    when ``weight`` is given; ``se`` is the standard error of the bin mean (linearisation,
    weights fixed), empty for a bin of one observation.

    Returns
    -------
    polars.DataFrame
        ``side`` (``left``/``right``), ``bin``, ``x_low``, ``x_high``, ``x_mean``, ``y_mean``,
        ``se``, ``n``; empty bins are left out.
    """
    if bins < 1:
        raise InputValueError(f"bins must be at least 1, not {bins}")
    if spacing not in ("even", "quantile"):
        raise InputValueError(f"spacing {spacing!r} is not 'even' or 'quantile'")
    frame = to_polars(data)
    columns = read_columns(frame, {outcome: "outcome", running: "running variable"}, weight)
    x, y, w = columns.values[running], columns.values[outcome], columns.weight
    _check_sides(x, cutoff, running)
    parts = [
        _side_bins(x[mask], y[mask], w[mask], bins, spacing, side)
        for side, mask in (("left", x < cutoff), ("right", x >= cutoff))
    ]
    return pl.concat(parts)


def _side_bins(
    x: FloatArray, y: FloatArray, w: FloatArray, bins: int, spacing: str, side: str
) -> pl.DataFrame:
    if spacing == "even":
        edges = np.linspace(x.min(), x.max(), bins + 1)
    else:
        edges = np.quantile(x, np.linspace(0, 1, bins + 1))
    # bin k holds edges[k] <= x < edges[k + 1]; the last bin is closed on the right
    index = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, bins - 1)
    total = np.bincount(index, weights=w, minlength=bins)
    count = np.bincount(index, minlength=bins)
    used = count > 0
    safe = np.where(total > 0, total, 1.0)
    y_mean = np.bincount(index, weights=w * y, minlength=bins) / safe
    x_mean = np.bincount(index, weights=w * x, minlength=bins) / safe
    resid = w * (y - y_mean[index])
    ss = np.bincount(index, weights=resid * resid, minlength=bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(count > 1, np.sqrt(count / (count - 1.0) * ss) / safe, np.nan)
    return pl.DataFrame(
        {
            "side": [side] * int(used.sum()),
            "bin": np.flatnonzero(used) + 1,
            "x_low": edges[:-1][used],
            "x_high": edges[1:][used],
            "x_mean": x_mean[used],
            "y_mean": y_mean[used],
            "se": se[used],
            "n": count[used],
        }
    ).with_columns(pl.col("se").fill_nan(None))
