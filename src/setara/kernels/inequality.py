"""Inequality kernels: Gini (mid-rank and Osier), generalised entropy, Atkinson, CV.

Every ``*_estimate`` function takes values and weight columns in the group-sorted layout and
returns ``(n_groups, k)`` estimates; every ``*_influence`` function returns the linearized
(influence) value of each row for its own group, from one weight column.

References
----------
Osier, G. (2009). Variance estimation for complex indicators of poverty and inequality using
linearization techniques. Survey Research Methods 3(3), 167-195.
Biewen, M., Jenkins, S. (2006). Variance estimation for generalized entropy and Atkinson
inequality indices: the complex survey data case. Oxford Bull. Econ. Stat. 68(3).
Langel, M., Tillé, Y. (2013). Variance estimation of the Gini index. JRSS A 176(2).
"""

from __future__ import annotations

import numpy as np

from setara.kernels.groups import FloatArray, SortedGroups


def gini_estimate(
    sg: SortedGroups, y: FloatArray, w: FloatArray, *, method: str = "midrank"
) -> FloatArray:
    """Gini of each group: ``midrank`` (laeken, DASP, PIP) or ``osier`` (convey, vardpoor)."""
    return gini_estimate_rows(sg, y, np.array(w.T, order="C"), method=method)


def gini_estimate_rows(
    sg: SortedGroups, y: FloatArray, wt: FloatArray, *, method: str = "midrank"
) -> FloatArray:
    """:func:`gini_estimate` for weights given one column per row, ``(k, m)``.

    Many replicates stream through contiguous memory in this layout; ``wt`` is overwritten
    (the cumulative weight ``r`` and products are computed in place).
    """
    yw = wt * y
    r = sg.cumsum_rows(wt)
    n_total = sg.sum_rows(wt)
    y_total = sg.sum_rows(yw)
    if method == "osier":
        r *= 2.0
        r -= 1.0
        r *= yw
        num = sg.sum_rows(r)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(num / (n_total * y_total) - 1.0)
    wt *= 0.5
    r -= wt
    r *= yw
    num = sg.sum_rows(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(2.0 * num / (n_total * y_total) - 1.0)


def gini_influence(
    sg: SortedGroups, y: FloatArray, w: FloatArray, *, method: str = "midrank"
) -> tuple[FloatArray, FloatArray]:
    """Gini estimates and influence values (sorted layout) from one weight vector."""
    g = gini_estimate(sg, y, w[:, None], method=method)[:, 0]
    n_total = sg.sum(w)
    y_total = sg.sum(y * w)
    r = sg.cumsum(w)
    cum_yw = sg.cumsum(y * w)
    nt = n_total[sg.codes]
    yt = y_total[sg.codes]
    if method == "osier":
        # T1 = sum w y r; its influence is y_i r_i + sum_{k >= i} w_k y_k (convey's CalcGini_IF)
        lin_t1 = yt - cum_yw + y * w + r * y
        lin = (2.0 * lin_t1 - y) / (yt * nt) - (g[sg.codes] + 1.0) * (y / yt + 1.0 / nt)
        return g, lin
    # mid-rank: ties share the mid cumulative weight, so tied rows get equal influence
    new_tie = np.ones(y.size, dtype=bool)
    new_tie[1:] = (y[1:] != y[:-1]) | (sg.codes[1:] != sg.codes[:-1])
    tie = np.cumsum(new_tie) - 1
    last = np.r_[np.flatnonzero(new_tie)[1:] - 1, y.size - 1]
    tie_w = np.bincount(tie, weights=w)
    r_mid = (r[last] - 0.5 * tie_w)[tie]
    cum_mid = (cum_yw[last] - 0.5 * tie_w * y[last])[tie]
    lin_a = y * r_mid + (yt - cum_mid)
    lin = 2.0 * lin_a / (nt * yt) - (g[sg.codes] + 1.0) * (1.0 / nt + y / yt)
    return g, lin


def ge_estimate(sg: SortedGroups, y: FloatArray, w: FloatArray, alpha: float) -> FloatArray:
    """Generalised entropy GE(alpha) of each group; alpha 0 is the MLD, 1 Theil's T."""
    n_total = sg.sum(w)
    y_total = sg.sum(y[:, None] * w)
    mu = y_total / n_total
    with np.errstate(divide="ignore", invalid="ignore"):
        if alpha == 0:
            return np.asarray(np.log(mu) - sg.sum(np.log(y)[:, None] * w) / n_total)
        if alpha == 1:
            return np.asarray(sg.sum((y * np.log(y))[:, None] * w) / y_total - np.log(mu))
        u = sg.sum((y**alpha)[:, None] * w)
        return np.asarray((u / n_total / mu**alpha - 1.0) / (alpha * (alpha - 1.0)))


def ge_influence(
    sg: SortedGroups, y: FloatArray, w: FloatArray, alpha: float
) -> tuple[FloatArray, FloatArray]:
    """GE(alpha) estimates and influence values from one weight vector."""
    est = ge_estimate(sg, y, w[:, None], alpha)[:, 0]
    nt = sg.sum(w)[sg.codes]
    yt = sg.sum(y * w)[sg.codes]
    if alpha == 0:
        log_mean = (sg.sum(np.log(y) * w) / sg.sum(w))[sg.codes]
        return est, y / yt - (1.0 + np.log(y) - log_mean) / nt
    if alpha == 1:
        z = sg.sum(y * np.log(y) * w)[sg.codes]
        return est, y * np.log(y) / yt - z * y / yt**2 - y / yt + 1.0 / nt
    u = sg.sum(y**alpha * w)[sg.codes]
    f = u * nt ** (alpha - 1.0) * yt ** (-alpha)
    df = f * (y**alpha / u + (alpha - 1.0) / nt - alpha * y / yt)
    return est, df / (alpha * (alpha - 1.0))


def atkinson_estimate(sg: SortedGroups, y: FloatArray, w: FloatArray, epsilon: float) -> FloatArray:
    """Atkinson index A(epsilon) of each group."""
    n_total = sg.sum(w)
    mu = sg.sum(y[:, None] * w) / n_total
    with np.errstate(divide="ignore", invalid="ignore"):
        if epsilon == 1:
            ede = np.exp(sg.sum(np.log(y)[:, None] * w) / n_total)
        else:
            ede = (sg.sum((y ** (1.0 - epsilon))[:, None] * w) / n_total) ** (1.0 / (1.0 - epsilon))
        return np.asarray(1.0 - ede / mu)


def atkinson_influence(
    sg: SortedGroups, y: FloatArray, w: FloatArray, epsilon: float
) -> tuple[FloatArray, FloatArray]:
    """Atkinson estimates and influence values from one weight vector."""
    est = atkinson_estimate(sg, y, w[:, None], epsilon)[:, 0]
    nt = sg.sum(w)[sg.codes]
    yt = sg.sum(y * w)[sg.codes]
    if epsilon == 1:
        log_total = sg.sum(np.log(y) * w)[sg.codes]
        ede = np.exp(log_total / nt)
        d_ede = ede * (np.log(y) / nt - log_total / nt**2)
    else:
        u = sg.sum(y ** (1.0 - epsilon) * w)[sg.codes]
        ede = (u / nt) ** (1.0 / (1.0 - epsilon))
        d_ede = ede / (1.0 - epsilon) * (y ** (1.0 - epsilon) / u - 1.0 / nt)
    d_ratio = d_ede * nt / yt + ede / yt - ede * nt * y / yt**2
    return est, -d_ratio


def cv_estimate(sg: SortedGroups, y: FloatArray, w: FloatArray) -> FloatArray:
    """Coefficient of variation (population standard deviation over the mean)."""
    n_total = sg.sum(w)
    mu = sg.sum(y[:, None] * w) / n_total
    var = sg.sum((y * y)[:, None] * w) / n_total - mu * mu
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.sqrt(np.maximum(var, 0.0)) / mu)


def cv_influence(sg: SortedGroups, y: FloatArray, w: FloatArray) -> tuple[FloatArray, FloatArray]:
    """CV estimates and influence values from one weight vector."""
    est = cv_estimate(sg, y, w[:, None])[:, 0]
    nt = sg.sum(w)[sg.codes]
    mu = (sg.sum(y * w) / sg.sum(w))[sg.codes]
    s2 = sg.sum(y * y * w)[sg.codes]
    sd = np.sqrt(np.maximum(s2 / nt - mu * mu, 0.0))
    d_mu = (y - mu) / nt
    d_var = (y * y - s2 / nt) / nt - 2.0 * mu * d_mu
    return est, d_var / (2.0 * sd * mu) - sd * d_mu / mu**2
