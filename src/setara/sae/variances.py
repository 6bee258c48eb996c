"""Sampling variances for the Fay–Herriot model: a generalised variance function (GVF).

The model treats each area's sampling variance ``D_d`` as known, but a direct variance from an
area with a handful of PSUs is itself very noisy (and is zero when every sampled household has
the same value). :func:`smooth_variances` replaces those by a variance predicted from areas with
enough PSUs, by one of two functions (Wolter 2007, ch. 7; the practice of small-area poverty
maps, e.g. the World Bank's Indonesian kecamatan maps):

- ``proportion``: ``D = deff × p (1 − p) / n`` with one pooled design effect, the mean of
  ``D n / (p (1 − p))`` over the well-measured areas weighted by their PSUs − 1 (the pooled
  variance: each area's ratio scatters like a chi-square with about that many degrees of
  freedom, so a median would sit below the mean and make every variance too small); ``p`` is the
  area's own estimate, or the pooled proportion where the area's is 0 or 1;
- ``loglinear``: ``log D = a + b log n + c log |y|`` by least squares over the well-measured
  areas, predicted with Duan's smearing factor (the mean of the exponentiated residuals), so the
  prediction estimates the variance rather than its geometric mean.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from setara.errors import SetaraError

__all__ = ["GvfKind", "smooth_variances"]

GvfKind = Literal["proportion", "loglinear"]
FloatArray = NDArray[np.float64]


def smooth_variances(
    direct: NDArray[np.floating],
    vardir: NDArray[np.floating],
    n: NDArray[np.integer],
    psu: NDArray[np.integer],
    *,
    kind: GvfKind = "loglinear",
    min_psu: int = 5,
    replace: Literal["few", "all"] = "few",
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Sampling variances with those of areas under ``min_psu`` PSUs predicted by a GVF.

    Parameters
    ----------
    direct, vardir : array_like, shape (m,)
        Direct estimates and their design-based variances.
    n, psu : array_like, shape (m,)
        Each area's sample size and number of sampled PSUs.
    kind : {"loglinear", "proportion"}
        The variance function (module docstring).
    min_psu : int
        Areas with fewer PSUs (or a variance of zero) get the predicted variance, and only the
        others fit the function.
    replace : {"few", "all"}
        ``few`` replaces those areas' variances only; ``all`` gives every area the predicted
        variance (the usual use of a GVF: a direct variance from a few PSUs is noisy even above
        ``min_psu``, and treating it as known makes the model's intervals too narrow; the
        design-based simulation in ``tests/sae/test_design_simulation.py`` shows both).

    Returns
    -------
    variances : ndarray
        The variances to give the model.
    smoothed : ndarray of bool
        Which areas got a predicted variance.

    Examples
    --------
    >>> v, s = smooth_variances([0.2, 0.3, 0.25, 0.1], [0.002, 0.003, 0.0, 0.001],
    ...                         [100, 90, 8, 120], [10, 9, 2, 12], kind="proportion")
    >>> s.tolist(), bool(v[2] > 0)
    ([False, False, True, False], True)
    """
    y = np.asarray(direct, dtype=np.float64)
    d = np.asarray(vardir, dtype=np.float64)
    size = np.asarray(n, dtype=np.float64)
    psus = np.asarray(psu)
    if replace not in ("few", "all"):
        raise SetaraError(f"replace must be few or all, not {replace!r}")
    if not (y.shape == d.shape == size.shape == psus.shape) or y.ndim != 1:
        raise SetaraError("direct, vardir, n and psu must have one value per area")
    if (bad := int((~np.isfinite(y) | ~np.isfinite(d) | (size <= 0)).sum())) > 0:
        raise SetaraError(f"{bad} area(s) have a missing estimate or variance, or no sample")
    good = (psus >= min_psu) & (d > 0)
    smoothed = ~good if replace == "few" else np.ones(y.size, dtype=bool)
    if kind == "proportion":
        predicted = _proportion(y, d, size, good, np.maximum(psus - 1, 1))
    elif kind == "loglinear":
        predicted = _loglinear(y, d, size, good)
    else:
        raise SetaraError(f"the variance function must be proportion or loglinear, not {kind!r}")
    return np.where(smoothed, predicted, d), smoothed


def _enough(good: NDArray[np.bool_], needed: int) -> None:
    if int(good.sum()) < needed:
        raise SetaraError(
            f"only {int(good.sum())} area(s) have enough PSUs and a positive variance: the "
            f"variance function needs at least {needed}; lower min_psu"
        )


def _proportion(
    y: FloatArray, d: FloatArray, n: FloatArray, good: NDArray[np.bool_], df: NDArray[np.integer]
) -> FloatArray:
    if ((y < 0) | (y > 1)).any():
        raise SetaraError("the proportion variance function needs estimates between 0 and 1")
    _enough(good, 1)
    bernoulli = y * (1.0 - y)
    usable = good & (bernoulli > 0)
    _enough(usable, 1)
    ratio = d[usable] * n[usable] / bernoulli[usable]
    deff = float(np.average(ratio, weights=df[usable]))
    pooled = float(np.average(y[usable], weights=n[usable]))
    p = np.where(bernoulli > 0, y, pooled)
    return deff * p * (1.0 - p) / n


def _loglinear(y: FloatArray, d: FloatArray, n: FloatArray, good: NDArray[np.bool_]) -> FloatArray:
    magnitude = np.abs(y)
    usable = good & (magnitude > 0)
    _enough(usable, 4)
    floor = float(np.min(magnitude[usable]))
    x = np.column_stack([np.ones(y.size), np.log(n), np.log(np.maximum(magnitude, floor))])
    coef, *_ = np.linalg.lstsq(x[usable], np.log(d[usable]), rcond=None)
    residual = np.log(d[usable]) - x[usable] @ coef
    smearing = float(np.mean(np.exp(residual)))
    return np.asarray(np.exp(x @ coef) * smearing, dtype=np.float64)
