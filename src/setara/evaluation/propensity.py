"""Propensity score by weighted logistic regression, and the M-estimation sandwich that the
weighting estimators share (estimating equations stacked with the logit's own).

The logit is fitted by Newton's method on standardised covariates (an intercept added);
survey weights make it the pseudo-maximum-likelihood fit of the population logit. The
sandwich variance ``A^-1 B A^-T`` (Stefanski and Boos 2002) uses the sum of the per-unit
estimating functions' outer products for ``B`` (with-replacement linearisation: strata and
PSUs are not used) and a central-difference Jacobian of their sum for ``A``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from setara.errors import InputValueError
from setara.kernels.groups import FloatArray

__all__ = ["Logit", "fit_logit", "sandwich"]

_MAX_ITER = 100
# Newton stops when no coefficient moves by more than this (standardised covariates, so the
# scale is that of a log-odds per standard deviation)
_TOL = 1e-10
# fitted probabilities this close to 0 or 1 mean the covariates separate the arms
_SEPARATION = 1e-9


@dataclass(frozen=True)
class Logit:
    """A fitted logit: ``design`` is the standardised covariate matrix with the intercept
    first, ``coef`` its coefficients, ``score`` the propensity scores."""

    design: FloatArray
    coef: FloatArray
    score: FloatArray

    def estimating(self, coef: FloatArray, treat: FloatArray, weight: FloatArray) -> FloatArray:
        """Per-unit logit score equations ``w (D - p) x`` at ``coef``, shape (n, k)."""
        p = _expit(self.design @ coef)
        out: FloatArray = (weight * (treat - p))[:, None] * self.design
        return out


def _expit(eta: FloatArray) -> FloatArray:
    out: FloatArray = 0.5 * (1.0 + np.tanh(0.5 * eta))
    return out


def fit_logit(
    covariates: FloatArray, treat: FloatArray, weight: FloatArray, names: list[str]
) -> Logit:
    """Weighted logit of ``treat`` on ``covariates`` (n, k); errors name the covariates when
    one is constant or collinear and when they separate the arms."""
    sd = covariates.std(axis=0)
    constant = [names[k] for k in np.flatnonzero(sd == 0)]
    if constant:
        raise InputValueError(
            f"covariate {', '.join(repr(c) for c in constant)} has the same value in every "
            f"one of {treat.size:,} rows; leave it out"
        )
    design = np.column_stack([np.ones(treat.size), (covariates - covariates.mean(0)) / sd])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise InputValueError(
            f"covariates {', '.join(repr(n) for n in names)} are collinear (one is a "
            "combination of the others); leave one out"
        )
    coef = np.zeros(design.shape[1])
    for _ in range(_MAX_ITER):
        p = _expit(design @ coef)
        gradient = design.T @ (weight * (treat - p))
        hessian = (design * (weight * p * (1 - p))[:, None]).T @ design
        try:
            step = np.linalg.solve(hessian, gradient)
        except np.linalg.LinAlgError:
            break
        coef = coef + step
        if np.max(np.abs(step)) < _TOL:
            break
    p = _expit(design @ coef)
    extreme = int(((p < _SEPARATION) | (p > 1 - _SEPARATION)).sum())
    if extreme or not np.isfinite(coef).all():
        raise InputValueError(
            f"the covariates ({', '.join(names)}) separate treated from untreated units "
            f"almost perfectly ({extreme:,} of {treat.size:,} propensity scores are 0 or 1): "
            "no comparison is possible there; drop a covariate or restrict the sample"
        )
    return Logit(design, coef, p)


def sandwich(estimating: Callable[[FloatArray], FloatArray], theta: FloatArray) -> FloatArray:
    """Sandwich covariance of the M-estimator ``theta`` that solves ``sum_i g_i(theta) = 0``.

    ``estimating(theta)`` returns the (n, m) matrix of per-unit estimating functions. The
    bread is the central-difference Jacobian of their sum (one evaluation pair per parameter,
    each vectorised over units), the meat their outer products with the ``n / (n - 1)``
    factor of with-replacement linearisation.
    """
    g = estimating(theta)
    n, m = g.shape
    bread = np.empty((m, m))
    for k in range(m):  # over parameters, not units
        h = 1e-6 * max(1.0, abs(float(theta[k])))
        up, down = theta.copy(), theta.copy()
        up[k] += h
        down[k] -= h
        bread[:, k] = (estimating(up).sum(0) - estimating(down).sum(0)) / (2 * h)
    centred = g - g.mean(0)
    meat = centred.T @ centred * n / max(n - 1, 1)
    inverse = np.linalg.pinv(bread)
    out: FloatArray = inverse @ meat @ inverse.T
    return out
