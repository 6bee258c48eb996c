"""Critical values of Student's t for two-sided intervals, in NumPy alone.

Every estimate's interval needs ``t`` with the domain's degrees of freedom; importing SciPy's
special functions for it costs the command line more than the estimate itself (about 0.4 s of
CPU at start-up). Degrees of freedom here are whole numbers (PSUs minus strata, or the rank of
replicate weights), for which the t distribution has a closed form:

- ``df < 500``: Newton's method on the exact finite series of ``A(t | df) = P(|T| <= t)``
  (Abramowitz and Stegun 1964, 26.7.3 and 26.7.4) in the angle ``theta = arctan(t / sqrt(df))``,
  where the function is concave and the iteration, started at the normal quantile (always
  below the t quantile), increases monotonically to the root;
- ``df >= 500``: the Cornish–Fisher expansion of the t quantile in powers of ``1/df`` up to
  the fifth (Abramowitz and Stegun 26.7.5; Fisher and Cornish 1960), whose remainder is below
  1e-14 there for levels up to 0.999.

Other degrees of freedom (fractions) are passed to :func:`scipy.special.stdtrit`.

Two-sided p-values (:func:`t_two_sided_p`) use the same finite series for every whole ``df``:
it has ``df / 2`` terms, whose coefficients depend on the parity of ``df`` only, evaluated
for many statistics at once.
``tests/test_student_t.py`` checks both branches against SciPy's ``stdtrit``: relative
differences are below 1e-13 for levels up to 0.99 and 1e-12 up to 0.999 (the tail of a
quantile taken from its CDF is ill-conditioned by the density there).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from setara.kernels.groups import FloatArray

SERIES_BELOW = 500  # df from here on use the expansion (remainder < 1e-14 up to level 0.999)
NEWTON_STEPS = 100  # the iteration stops earlier, once no angle moves by 1e-13 of itself
SERIES_CELLS = 1 << 21  # statistics x series terms evaluated at once (16 MB of float64)


def t_critical(level: float, df: npt.ArrayLike) -> FloatArray:
    """``c`` such that ``P(|T_df| <= c) = level``, elementwise over ``df`` (at least 1).

    Examples
    --------
    >>> round(float(t_critical(0.95, 10)), 6)
    2.228139
    """
    nu = np.maximum(np.asarray(df, dtype=np.float64), 1.0)
    missing = np.isnan(nu)  # no degrees of freedom (an empty domain): no critical value
    if not np.array_equal(nu[~missing], np.round(nu[~missing])):
        from scipy.special import stdtrit

        return np.asarray(stdtrit(nu, 0.5 + level / 2.0), dtype=np.float64)
    out = np.full(nu.shape, np.nan, dtype=np.float64)
    large = ~missing & (nu >= SERIES_BELOW)
    out[large] = _cornish_fisher(level, nu[large])
    small = ~missing & ~large
    if small.any():
        values, inverse = np.unique(nu[small], return_inverse=True)
        out[small] = _series_root(level, values.astype(np.int64))[inverse.ravel()]
    return out


def _cornish_fisher(level: float, nu: FloatArray) -> FloatArray:
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    g = (
        (z**3 + z) / 4.0,
        (5 * z**5 + 16 * z**3 + 3 * z) / 96.0,
        (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384.0,
        (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160.0,
        (27 * z**11 + 339 * z**9 + 930 * z**7 - 1782 * z**5 - 765 * z**3 + 17955 * z) / 368640.0,
    )
    inv = 1.0 / nu
    return np.asarray(z + inv * (g[0] + inv * (g[1] + inv * (g[2] + inv * (g[3] + inv * g[4])))))


def _series_root(level: float, nu: npt.NDArray[np.int64]) -> FloatArray:
    """Newton in ``theta`` on the exact series, for distinct whole ``nu`` below 500."""
    odd = nu % 2 == 1
    n_terms = np.where(odd, (nu - 1) // 2, nu // 2)  # terms of the cos^2 series (0 for df 1)
    j = np.arange(int(n_terms.max()) + 1, dtype=np.float64)
    # series coefficients: odd df 2.4...(2j) / 3.5...(2j+1), even df 1.3...(2j-1) / 2.4...(2j)
    i = np.maximum(j, 1.0)  # ratio of coefficient j to j - 1; coefficient 0 is 1
    ratio = np.where(odd[:, None], 2.0 * i / (2.0 * i + 1.0), (2.0 * i - 1.0) / (2.0 * i))
    ratio[:, 0] = 1.0
    coef = np.cumprod(ratio, axis=1)
    coef[j[None, :] >= n_terms[:, None]] = 0.0
    # dA/dtheta = 2 r / sqrt(pi) cos^(df-1) theta with r = Gamma((df+1)/2) / Gamma(df/2)
    slope_scale = 2.0 * _gamma_ratio(nu) / np.sqrt(np.pi)
    theta = np.arctan(NormalDist().inv_cdf(0.5 + level / 2.0) / np.sqrt(nu))
    for _ in range(NEWTON_STEPS):
        cos = np.cos(theta)
        powers = np.cumprod(np.broadcast_to(cos * cos, (j.size, nu.size)), axis=0).T
        series = coef[:, 0] + (coef[:, 1:] * powers[:, :-1]).sum(axis=1)
        value = np.where(
            odd, (2.0 / np.pi) * (theta + np.sin(theta) * cos * series), np.sin(theta) * series
        )
        step = (level - value) / (slope_scale * cos ** (nu - 1.0))
        theta = theta + step
        if (np.abs(step) <= 1e-13 * theta).all():
            break  # quadratic convergence: the error left is about the step squared
    return np.asarray(np.sqrt(nu) * np.tan(theta), dtype=np.float64)


def _gamma_ratio(nu: npt.NDArray[np.int64]) -> FloatArray:
    """``Gamma((nu+1)/2) / Gamma(nu/2)`` by the recurrence ``r(nu+2) = r(nu) (nu+1)/nu``."""
    top = max(int(nu.max()), 2)
    factor = np.ones(top + 1)
    later = np.arange(3, top + 1, dtype=np.float64)
    factor[3:] = (later - 1.0) / (later - 2.0)
    factor[1] = 1.0 / np.sqrt(np.pi)  # r(1) = Gamma(1) / Gamma(1/2)
    factor[2] = np.sqrt(np.pi) / 2.0  # r(2) = Gamma(3/2) / Gamma(1)
    ratio = np.ones(top + 1)
    ratio[1::2] = np.cumprod(factor[1::2])
    ratio[2::2] = np.cumprod(factor[2::2])
    return np.asarray(ratio[nu], dtype=np.float64)


def t_two_sided_p(statistic: npt.ArrayLike, df: npt.ArrayLike) -> FloatArray:
    """``P(|T_df| >= |t|)`` elementwise: the two-sided p-value of a t statistic.

    NaN where the statistic is NaN or ``df`` is missing or not positive. Whole ``df`` use the
    finite series of Abramowitz and Stegun 26.7.3 and 26.7.4 (``tests/test_student_t.py``
    compares it with SciPy's ``stdtr``); fractional ``df`` are passed to SciPy.

    Examples
    --------
    >>> round(float(t_two_sided_p(2.228139, 10)), 6)
    0.05
    """
    t, nu = np.broadcast_arrays(
        np.abs(np.asarray(statistic, dtype=np.float64)), np.asarray(df, dtype=np.float64)
    )
    out = np.full(t.shape, np.nan, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        usable = ~np.isnan(t) & (nu > 0.0)
        whole = usable & (nu >= 1.0) & (nu == np.round(nu)) & np.isfinite(nu)
    if (usable & ~whole).any():
        from scipy.special import stdtr

        other = usable & ~whole
        out[other] = 2.0 * stdtr(nu[other], -t[other])
    if whole.any():
        out[whole] = _series_p(t[whole], nu[whole].astype(np.int64))
    return out


def _series_p(t: FloatArray, nu: npt.NDArray[np.int64]) -> FloatArray:
    """``1 - A(t | nu)`` for whole ``nu``, in groups of statistics with similar numbers of
    terms (within a factor 2) so that padding the series never doubles the work."""
    n_terms = np.where(nu % 2 == 1, (nu - 1) // 2, nu // 2)
    size_class = np.floor(np.log2(n_terms + 1.0)).astype(np.int64)
    out = np.empty(t.size)
    for size in np.unique(size_class):
        members = np.flatnonzero(size_class == size)
        width = int(n_terms[members].max()) + 1
        rows = max(1, SERIES_CELLS // width)
        for start in range(0, members.size, rows):
            chunk = members[start : start + rows]
            out[chunk] = _series_tail(t[chunk], nu[chunk], n_terms[chunk], width)
    return out


def _series_tail(
    t: FloatArray, nu: npt.NDArray[np.int64], n_terms: npt.NDArray[np.int64], width: int
) -> FloatArray:
    """``P(|T| >= t)`` from the series in ``theta = arctan(t / sqrt(nu))``: for even ``nu``
    ``1 - sin(theta) sum_k c_k cos^2k(theta)``, for odd ``nu``
    ``(2/pi) (arctan(sqrt(nu) / t) - sin(theta) cos(theta) sum_k d_k cos^2k(theta))``."""
    odd = nu % 2 == 1
    k = np.arange(width, dtype=np.float64)
    i = np.maximum(k, 1.0)  # ratio of coefficient k to k - 1; coefficient 0 is 1
    even_coef = np.cumprod(np.where(k > 0, (2.0 * i - 1.0) / (2.0 * i), 1.0))
    odd_coef = np.cumprod(np.where(k > 0, 2.0 * i / (2.0 * i + 1.0), 1.0))
    coef = np.where(odd[:, None], odd_coef[None, :], even_coef[None, :])
    nu_f = nu.astype(np.float64)
    radius = np.sqrt(nu_f + t * t)
    sin, cos = t / radius, np.sqrt(nu_f) / radius
    log_cos2 = -np.log1p(t * t / nu_f)  # log cos^2(theta), exact for small t / sqrt(nu)
    terms = coef * np.exp(k[None, :] * log_cos2[:, None])
    terms[k[None, :] >= n_terms[:, None]] = 0.0
    series = terms.sum(axis=1)
    tail_odd = (2.0 / np.pi) * (np.arctan2(np.sqrt(nu_f), t) - sin * cos * series)
    return np.asarray(
        np.clip(np.where(odd, tail_odd, 1.0 - sin * series), 0.0, 1.0), dtype=np.float64
    )
