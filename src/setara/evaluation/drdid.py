"""Two-group, two-period DiD kernels with influence functions (Sant'Anna and Zhao 2020).

Each kernel takes one (group, time) cell of a balanced panel as arrays: the outcome change
``delta_y`` of every unit, the treated indicator, a covariate matrix with an intercept column
and unit weights, and returns the ATT and its influence function (one value per unit). They
follow R ``DRDID`` 1.0 (``reg_did_panel``, ``std_ipw_did_panel``, ``drdid_panel``), which R
``did`` calls for ``est_method = "reg"``, ``"ipw"`` and ``"dr"``.

References
----------
Sant'Anna, P. H. C. and Zhao, J. (2020). Doubly robust difference-in-differences estimators.
*Journal of Econometrics* 219(1), 101-122.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from setara.errors import InputValueError

__all__ = ["KERNELS", "dr_did", "ipw_did", "logit", "reg_did"]

Array = NDArray[np.float64]
# Propensity scores are capped below 1 as in DRDID (ps <- pmin(ps, 1 - 1e-6)).
PS_CAP = 1.0 - 1e-6
_LOGIT_TOL = 1e-10  # Newton steps stop when the largest coefficient change is below this
_LOGIT_MAX_ITER = 50


def logit(treated: Array, covariates: Array, weights: Array) -> tuple[Array, Array]:
    """Weighted logistic regression of ``treated`` on ``covariates`` by Newton–Raphson.

    Returns the fitted probabilities and the inverse of the weighted information matrix
    (R ``vcov()`` of ``glm(family = binomial, weights = weights)``).
    """
    beta = np.zeros(covariates.shape[1])
    share = float(np.sum(weights * treated) / np.sum(weights))
    if 0.0 < share < 1.0:
        beta[0] = np.log(share / (1.0 - share))
    for _ in range(_LOGIT_MAX_ITER):
        ps = 1.0 / (1.0 + np.exp(-(covariates @ beta)))
        info = (covariates * (weights * ps * (1.0 - ps))[:, None]).T @ covariates
        step = np.linalg.solve(info, covariates.T @ (weights * (treated - ps)))
        beta = beta + step
        if np.max(np.abs(step)) < _LOGIT_TOL:
            break
    ps = 1.0 / (1.0 + np.exp(-(covariates @ beta)))
    info = (covariates * (weights * ps * (1.0 - ps))[:, None]).T @ covariates
    vcov: Array = np.linalg.inv(info).astype(np.float64)
    return ps, vcov


def _ols_controls(delta_y: Array, treated: Array, covariates: Array, weights: Array) -> Array:
    """Fitted change of the comparison units' outcome regression, for every unit."""
    w_ols = weights * (1.0 - treated)
    xtx = (covariates * w_ols[:, None]).T @ covariates
    try:
        beta = np.linalg.solve(xtx, covariates.T @ (w_ols * delta_y))
    except np.linalg.LinAlgError as exc:
        raise InputValueError(
            "the outcome regression of the comparison units is singular: a covariate is "
            "constant or collinear among them"
        ) from exc
    fitted: Array = covariates @ beta
    return fitted


def _ols_linear_rep(
    delta_y: Array, treated: Array, covariates: Array, weights: Array, fitted: Array
) -> Array:
    """Asymptotic linear representation of the outcome-regression coefficients (n x k)."""
    n = delta_y.size
    w_ols = weights * (1.0 - treated)
    xpx_inv = np.linalg.inv((covariates * w_ols[:, None]).T @ covariates / n)
    rep: Array = (covariates * (w_ols * (delta_y - fitted))[:, None]) @ xpx_inv
    return rep


def reg_did(
    delta_y: Array, treated: Array, covariates: Array, weights: Array
) -> tuple[float, Array]:
    """Outcome-regression DiD (Heckman, Ichimura and Todd 1997), DRDID ``reg_did_panel``."""
    weights = weights / weights.mean()
    fitted = _ols_controls(delta_y, treated, covariates, weights)
    w_treat = weights * treated
    att_treat = w_treat * delta_y
    att_cont = w_treat * fitted
    eta_treat = att_treat.mean() / w_treat.mean()
    eta_cont = att_cont.mean() / w_treat.mean()
    rep = _ols_linear_rep(delta_y, treated, covariates, weights, fitted)
    inf_treat = (att_treat - w_treat * eta_treat) / w_treat.mean()
    m1 = (w_treat[:, None] * covariates).mean(axis=0)
    inf_control = (att_cont - w_treat * eta_cont + rep @ m1) / w_treat.mean()
    return float(eta_treat - eta_cont), inf_treat - inf_control


def _ps_linear_rep(treated: Array, covariates: Array, weights: Array) -> tuple[Array, Array]:
    ps, vcov = logit(treated, covariates, weights)
    ps = np.minimum(ps, PS_CAP)
    n = treated.size
    rep: Array = (covariates * (weights * (treated - ps))[:, None]) @ (vcov * n)
    return ps, rep


def ipw_did(
    delta_y: Array, treated: Array, covariates: Array, weights: Array
) -> tuple[float, Array]:
    """Normalised (Hájek) inverse-probability-weighted DiD, DRDID ``std_ipw_did_panel``."""
    weights = weights / weights.mean()
    ps, rep_ps = _ps_linear_rep(treated, covariates, weights)
    w_treat = weights * treated
    w_cont = weights * ps * (1.0 - treated) / (1.0 - ps)
    att_treat = w_treat * delta_y
    att_cont = w_cont * delta_y
    eta_treat = att_treat.mean() / w_treat.mean()
    eta_cont = att_cont.mean() / w_cont.mean()
    inf_treat = (att_treat - w_treat * eta_treat) / w_treat.mean()
    m2 = (w_cont[:, None] * (delta_y - eta_cont)[:, None] * covariates).mean(axis=0)
    inf_control = (att_cont - w_cont * eta_cont + rep_ps @ m2) / w_cont.mean()
    return float(eta_treat - eta_cont), inf_treat - inf_control


def dr_did(
    delta_y: Array, treated: Array, covariates: Array, weights: Array
) -> tuple[float, Array]:
    """Doubly robust DiD (IPW plus outcome regression), DRDID ``drdid_panel``: R ``did``'s
    default ``est_method = "dr"``."""
    weights = weights / weights.mean()
    ps, rep_ps = _ps_linear_rep(treated, covariates, weights)
    fitted = _ols_controls(delta_y, treated, covariates, weights)
    rep_ols = _ols_linear_rep(delta_y, treated, covariates, weights, fitted)
    resid = delta_y - fitted
    w_treat = weights * treated
    w_cont = weights * ps * (1.0 - treated) / (1.0 - ps)
    att_treat = w_treat * resid
    att_cont = w_cont * resid
    eta_treat = att_treat.mean() / w_treat.mean()
    eta_cont = att_cont.mean() / w_cont.mean()
    m1 = (w_treat[:, None] * covariates).mean(axis=0)
    inf_treat = (att_treat - w_treat * eta_treat - rep_ols @ m1) / w_treat.mean()
    m2 = (w_cont[:, None] * (resid - eta_cont)[:, None] * covariates).mean(axis=0)
    m3 = (w_cont[:, None] * covariates).mean(axis=0)
    inf_control = (att_cont - w_cont * eta_cont + rep_ps @ m2 - rep_ols @ m3) / w_cont.mean()
    return float(eta_treat - eta_cont), inf_treat - inf_control


KERNELS: dict[str, Callable[[Array, Array, Array, Array], tuple[float, Array]]] = {
    "reg": reg_did,
    "ipw": ipw_did,
    "dr": dr_did,
}
