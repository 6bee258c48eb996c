"""A domain's estimate minus the national one, with the standard error of the difference.

A regency is part of the nation, so its estimate and the national one are correlated: the
variance of the difference is ``Var(d) + Var(N) - 2 Cov(d, N)``. The covariance comes from the
same linearization (influence values of both, totalled by PSU within strata on the one design)
or from the same replicate weights, for all domains at once.

References
----------
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R, sec. 2.3 (domains) and 3.5
(``svycontrast``); Wolter, K. (2007). Introduction to Variance Estimation, ch. 1.
"""

from __future__ import annotations

import numpy as np

from setara.design import SurveyDesign
from setara.errors import DesignError
from setara.kernels.groups import FloatArray, IntArray
from setara.kernels.variance import domain_covariance
from setara.measures.base import VariableParts

__all__ = ["difference_from_national"]


def difference_from_national(
    design: SurveyDesign,
    domain: IntArray,
    n_domains: int,
    population: IntArray,
    domains: tuple[FloatArray, FloatArray, VariableParts],
    nation: tuple[FloatArray, FloatArray, VariableParts],
) -> tuple[FloatArray, FloatArray]:
    """``(estimate_d - national, SE)`` for every domain code of ``domain``.

    ``domains`` and ``nation`` are ``(estimate, se, parts)`` of
    :meth:`Measure.estimate_parts` on the domain view and on the whole-population view (whose
    rows are coded by ``population``, 0 inside and -1 outside). The variance is
    ``se_d^2 + se_N^2 - 2 Cov``: the reported variances (Woodruff for quantiles) and the
    covariance of the linearized or replicate estimates.
    """
    est_d, se_d, parts_d = domains
    est_n, se_n, parts_n = nation
    diff = est_d - est_n[0]
    if parts_d.thetas is not None and parts_n.thetas is not None:
        cov = _replicate_covariance(design, parts_d.thetas, est_d, parts_n.thetas, est_n)
    elif parts_d.weighted is not None and parts_n.weighted is not None:
        g = _national_total(parts_n)
        cov = _covariance(design, domain, n_domains, parts_d.weighted, g)
        if parts_d.shared is not None:
            b, c = parts_d.shared
            cov = cov + c * _covariance(design, population, 1, b, g)[0]
    else:
        return diff, np.full(diff.shape, np.nan)
    var = se_d**2 + se_n[0] ** 2 - 2.0 * cov
    return diff, np.sqrt(np.maximum(var, 0.0))


def _national_total(parts: VariableParts) -> FloatArray:
    """The national linearized values as one row vector (its shared term folded in)."""
    if parts.weighted is None:
        raise DesignError("national parts hold no linearized values")
    if parts.shared is None:
        return parts.weighted
    b, c = parts.shared
    return parts.weighted + float(c[0]) * b


def _covariance(
    design: SurveyDesign, domain: IntArray, n_domains: int, a: FloatArray, g: FloatArray
) -> FloatArray:
    """``Cov(sum a_d, sum g)`` per domain, ``g`` counted in every domain (as
    :meth:`SurveyDesign.variance` does for its shared term)."""
    cells = design.cells(domain, n_domains)
    cov = np.zeros(n_domains)
    for stage, stage_cells in zip(design.stages, cells, strict=True):
        cov += domain_covariance(stage, stage_cells, n_domains, a, g, b_is_domain=False)
    return cov


def _replicate_covariance(
    design: SurveyDesign,
    thetas_d: FloatArray,
    est_d: FloatArray,
    thetas_n: FloatArray,
    est_n: FloatArray,
) -> FloatArray:
    """Replicate covariance of each domain with the nation (R survey's ``svrVar`` form)."""
    reps = design.replicates
    if reps is None:
        raise DesignError("the design has no replicate weights")
    if reps.mse:
        centre_d, centre_n = est_d[:, None], est_n[:, None]
    else:
        centre_d = np.nanmean(thetas_d, axis=1, keepdims=True)
        centre_n = np.nanmean(thetas_n, axis=1, keepdims=True)
    cross = (thetas_d - centre_d) * (thetas_n - centre_n) * reps.rscales[None, :]
    return np.asarray(reps.scale * cross.sum(axis=1))
