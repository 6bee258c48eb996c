"""The nested-error model fit: the profile likelihood equals the dense multivariate-normal
(restricted) likelihood, the optimum is at least as good as statsmodels' MixedLM, and the
transformations invert."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from setara.errors import SetaraError
from setara.sae.nested_error import back_transform, fit_nested_error, transform

RNG = np.random.default_rng(4)
M = 40
SIZES = RNG.integers(3, 30, M)
AREA = np.repeat(np.arange(M), SIZES)
X = np.column_stack([np.ones(AREA.size), RNG.normal(size=AREA.size), RNG.uniform(size=AREA.size)])
Y = X @ [1.0, 0.5, -0.3] + RNG.normal(0, 0.4, M)[AREA] + RNG.normal(0, 1, AREA.size)


def _dense_loglik(refvar: float, errorvar: float, method: str) -> float:
    """The (restricted) log-likelihood with the n × n covariance written out, at its GLS beta."""
    same = AREA[:, None] == AREA[None, :]
    v = errorvar * np.eye(AREA.size) + refvar * same
    v_inv = np.linalg.inv(v)
    gram = X.T @ v_inv @ X
    beta = np.linalg.solve(gram, X.T @ v_inv @ Y)
    r = Y - X @ beta
    _, log_det_v = np.linalg.slogdet(v)
    quad = r @ v_inv @ r
    if method == "ml":
        return float(-0.5 * (AREA.size * np.log(2 * np.pi) + log_det_v + quad))
    _, log_det_gram = np.linalg.slogdet(gram)
    p = X.shape[1]
    return float(-0.5 * ((AREA.size - p) * np.log(2 * np.pi) + log_det_v + log_det_gram + quad))


@pytest.mark.parametrize("method", ["reml", "ml"])
def test_the_profile_is_the_dense_likelihood_and_beats_statsmodels(method: str) -> None:
    fit = fit_nested_error(Y, X, AREA, method=method)
    assert fit.loglik == pytest.approx(_dense_loglik(fit.refvar, fit.errorvar, method), abs=1e-8)
    mixed = sm.MixedLM(Y, X, groups=AREA).fit(reml=method == "reml", method=["powell", "lbfgs"])
    assert fit.loglik >= mixed.llf - 1e-8  # at least as high a maximum
    np.testing.assert_allclose(fit.beta, mixed.fe_params, rtol=1e-4)
    assert fit.refvar == pytest.approx(float(np.asarray(mixed.cov_re)[0, 0]), rel=1e-3)
    assert fit.errorvar == pytest.approx(mixed.scale, rel=1e-4)
    np.testing.assert_allclose(fit.beta_se, mixed.bse_fe, rtol=1e-3)


def test_area_effects_are_the_shrunk_mean_residuals() -> None:
    fit = fit_nested_error(Y, X, AREA)
    residual = Y - X @ fit.beta
    means = np.array([residual[a == AREA].mean() for a in range(M)])  # by hand, area by area
    gamma = fit.refvar / (fit.refvar + fit.errorvar / SIZES)
    np.testing.assert_allclose(fit.area_effect, gamma * means, rtol=1e-12)


@pytest.mark.parametrize(
    ("kind", "parameter"), [("log", 0.0), ("log-shift", 3.0), ("boxcox", 0.4), ("boxcox", 0.0)]
)
def test_transformations_invert(kind: str, parameter: float) -> None:
    y = RNG.lognormal(2, 1, size=100)
    np.testing.assert_allclose(
        back_transform(transform(y, kind, parameter), kind, parameter), y, rtol=1e-12
    )


def test_box_cox_recovers_a_log_scale_model() -> None:
    """Data generated on the log scale: the likelihood picks a Box–Cox λ near 0."""
    welfare = np.exp(Y / 2 + 8)
    fit = fit_nested_error(welfare, X, AREA, transform_kind="boxcox")
    assert abs(fit.parameter) < 0.15
    log_fit = fit_nested_error(welfare, X, AREA, transform_kind="log")
    assert fit.loglik >= log_fit.loglik - 1e-6


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"transform_kind": "log-shift"}, "needs its constant"),
        ({"method": "bayes"}, "reml or ml"),
    ],
)
def test_bad_requests_are_named(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SetaraError, match=message):
        fit_nested_error(Y, X, AREA, **kwargs)  # type: ignore[arg-type]


def test_non_positive_welfare_is_counted() -> None:
    with pytest.raises(SetaraError, match="3 welfare value"):
        fit_nested_error(
            np.where(np.arange(Y.size) < 3, 0.0, 5.0 + Y), X, AREA, transform_kind="log"
        )
