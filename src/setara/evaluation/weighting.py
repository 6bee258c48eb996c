"""Weighting estimators of programme effects: inverse probability weighting and entropy
balancing, each with its M-estimation sandwich standard error.

Both are Hajek (normalised) weighted differences of means. IPW's weights come from the logit
propensity score (Hirano, Imbens and Ridder 2003); entropy balancing's from the dual of
Hainmueller (2012): weights ``q_j exp(lambda' x_j)`` closest to the survey weights ``q`` in
Kullback-Leibler divergence whose weighted covariate means equal the target's (the treated
means for the ATT, the whole sample's for the ATE). The standard errors stack the weights'
own estimating equations (logit scores, balance conditions) with the two means, so they
count the estimation of the weights (Lunceford and Davidian 2004; Zhao and Percival 2017).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from setara.errors import InputValueError
from setara.evaluation.propensity import fit_logit, sandwich
from setara.kernels.groups import FloatArray

__all__ = ["WeightedEffect", "entropy_effect", "ipw_effect"]

# entropy balancing stops when every standardised covariate mean is this close to its target
_BALANCE_TOL = 1e-8


@dataclass(frozen=True)
class WeightedEffect:
    """An effect, its standard error, and the weight each unit carries in its arm's mean."""

    estimate: float
    se: float
    unit_weight: FloatArray
    score: FloatArray | None


def _difference(theta: FloatArray, cov: FloatArray) -> tuple[float, float]:
    estimate = float(theta[-2] - theta[-1])
    var = cov[-2, -2] + cov[-1, -1] - 2 * cov[-2, -1]
    return estimate, float(np.sqrt(max(var, 0.0)))


def _hajek(y: FloatArray, weight: FloatArray) -> float:
    return float((weight * y).sum() / weight.sum())


def ipw_effect(
    y: FloatArray,
    treat: FloatArray,
    covariates: FloatArray,
    weight: FloatArray,
    names: list[str],
    estimand: str,
) -> WeightedEffect:
    """IPW estimate of the ATT (controls weighted by ``p / (1 - p)``) or the ATE (``1 / p``
    and ``1 / (1 - p)``), survey weights multiplying."""
    logit = fit_logit(covariates, treat, weight, names)
    k = logit.coef.size

    def factors(p: FloatArray) -> tuple[FloatArray, FloatArray]:
        if estimand == "att":
            return np.ones_like(p), p / (1 - p)
        return 1 / p, 1 / (1 - p)

    f1, f0 = factors(logit.score)
    w1, w0 = weight * treat * f1, weight * (1 - treat) * f0

    def estimating(theta: FloatArray) -> FloatArray:
        coef, mu1, mu0 = theta[:k], theta[k], theta[k + 1]
        p = 1 / (1 + np.exp(-(logit.design @ coef)))
        g1, g0 = factors(p)
        return np.column_stack(
            [
                logit.estimating(coef, treat, weight),
                weight * treat * g1 * (y - mu1),
                weight * (1 - treat) * g0 * (y - mu0),
            ]
        )

    theta = np.concatenate([logit.coef, [_hajek(y, w1), _hajek(y, w0)]])
    estimate, se = _difference(theta, sandwich(estimating, theta))
    return WeightedEffect(estimate, se, w1 + w0, logit.score)


def _solve_entropy(z: FloatArray, base: FloatArray, target: FloatArray) -> FloatArray:
    """Dual of entropy balancing: ``lambda`` minimising ``log sum q exp(lambda'(z - t))``,
    whose gradient is the weighted mean of ``z - t`` (zero at balance)."""
    centred = z - target
    q = base / base.sum()

    def parts(lam: FloatArray) -> tuple[float, FloatArray, FloatArray]:
        eta = centred @ lam
        top = eta.max()
        e = q * np.exp(eta - top)
        total = e.sum()
        share = e / total
        mean = share @ centred
        spread = (centred * share[:, None]).T @ centred - np.outer(mean, mean)
        return float(np.log(total) + top), mean, spread

    def value(lam: FloatArray) -> float:
        return parts(lam)[0]

    def gradient(lam: FloatArray) -> FloatArray:
        return parts(lam)[1]

    def hessian(lam: FloatArray) -> FloatArray:
        return parts(lam)[2]

    start: FloatArray = np.zeros(z.shape[1])
    result = optimize.minimize(
        value,
        start,
        jac=gradient,
        hess=hessian,
        method="trust-exact",
        options={"gtol": _BALANCE_TOL, "maxiter": 500},
    )
    lam: FloatArray = np.asarray(result.x)
    if np.max(np.abs(parts(lam)[1])) > 1e3 * _BALANCE_TOL:
        raise InputValueError(
            "entropy balancing cannot reach the target covariate means: they lie outside what "
            "a reweighting of this arm can give (a covariate mean beyond the arm's range)"
        )
    return lam


def entropy_effect(
    y: FloatArray,
    treat: FloatArray,
    covariates: FloatArray,
    weight: FloatArray,
    names: list[str],
    estimand: str,
) -> WeightedEffect:
    """Entropy-balancing estimate of the ATT (controls reweighted to the treated means) or the
    ATE (each arm reweighted to the whole sample's means); first moments are balanced."""
    sd = covariates.std(axis=0)
    constant = [names[j] for j in np.flatnonzero(sd == 0)]
    if constant:
        raise InputValueError(
            f"covariate {', '.join(repr(c) for c in constant)} has the same value in every "
            f"one of {y.size:,} rows; leave it out"
        )
    z = (covariates - covariates.mean(0)) / sd
    k = z.shape[1]
    t, c = treat == 1, treat == 0
    if estimand == "att":
        target = weight[t] @ z[t] / weight[t].sum()
        lam1 = np.zeros(k)
        lam0 = _solve_entropy(z[c], weight[c], target)
    else:
        target = weight @ z / weight.sum()
        lam1 = _solve_entropy(z[t], weight[t], target)
        lam0 = _solve_entropy(z[c], weight[c], target)

    def estimating(theta: FloatArray) -> FloatArray:
        m, l1, l0 = theta[:k], theta[k : 2 * k], theta[2 * k : 3 * k]
        mu1, mu0 = theta[3 * k], theta[3 * k + 1]
        d = z - m
        e1 = np.exp(d @ l1) if estimand == "ate" else np.ones(y.size)
        e0 = np.exp(d @ l0)
        w1, w0 = weight * treat * e1, weight * (1 - treat) * e0
        own = w1[:, None] * d if estimand == "att" else weight[:, None] * d
        columns = [own, w1[:, None] * d, w0[:, None] * d] if estimand == "ate" else [own]
        if estimand == "att":
            columns.append(w0[:, None] * d)
        columns += [(w1 * (y - mu1))[:, None], (w0 * (y - mu0))[:, None]]
        return np.column_stack(columns)

    d = z - target
    w1 = weight * treat * (np.exp(d @ lam1) if estimand == "ate" else 1.0)
    w0 = weight * (1 - treat) * np.exp(d @ lam0)
    mus = [_hajek(y, w1), _hajek(y, w0)]
    if estimand == "att":
        theta = np.concatenate([target, lam0, mus])
        lam_index = slice(k, 2 * k)

        def stacked(theta: FloatArray) -> FloatArray:
            full = np.concatenate([theta[:k], np.zeros(k), theta[lam_index], theta[2 * k :]])
            return estimating(full)

        cov = sandwich(stacked, theta)
    else:
        theta = np.concatenate([target, lam1, lam0, mus])
        cov = sandwich(estimating, theta)
    estimate, se = _difference(theta, cov)
    return WeightedEffect(estimate, se, w1 + w0, None)
