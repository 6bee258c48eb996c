"""Generalised variance functions: exact on data that follow them, closer to the truth than the
noisy direct variances of areas with few PSUs, and clear about what they cannot do."""

from __future__ import annotations

import numpy as np
import pytest

from setara.errors import SetaraError
from setara.sae.variances import smooth_variances

RNG = np.random.default_rng(13)
M = 200
N = RNG.integers(10, 500, size=M)
PSU = np.maximum(1, N // 10)
P = RNG.uniform(0.05, 0.6, size=M)


def test_proportion_function_is_exact_for_a_common_design_effect() -> None:
    truth = 1.8 * P * (1 - P) / N
    got, smoothed = smooth_variances(P, truth, N, PSU, kind="proportion", min_psu=5)
    assert smoothed.tolist() == (PSU < 5).tolist() and smoothed.any()
    np.testing.assert_allclose(got, truth, rtol=1e-12)


def test_loglinear_function_is_exact_on_a_power_law() -> None:
    y = RNG.lognormal(8, 1, size=M)
    truth = 0.3 * N**-0.9 * y**2.1
    got, smoothed = smooth_variances(y, truth, N, PSU, min_psu=5)
    np.testing.assert_allclose(got[smoothed], truth[smoothed], rtol=1e-9)
    np.testing.assert_array_equal(got[~smoothed], truth[~smoothed])


@pytest.mark.parametrize("kind", ["proportion", "loglinear"])
def test_smoothing_brings_few_psu_variances_closer_to_the_truth(kind: str) -> None:
    """Direct variances scatter around the truth like a chi-square with PSUs − 1 degrees of
    freedom; for areas under 5 PSUs the function's values have a far smaller mean squared
    relative error than the direct ones."""
    truth = 2.0 * P * (1 - P) / N
    df = np.maximum(PSU - 1, 1)
    noisy = truth * RNG.chisquare(df) / df
    got, smoothed = smooth_variances(P, noisy, N, PSU, kind=kind, min_psu=5)  # type: ignore[arg-type]
    direct_error = np.mean((noisy[smoothed] / truth[smoothed] - 1) ** 2)
    model_error = np.mean((got[smoothed] / truth[smoothed] - 1) ** 2)
    assert model_error < 0.25 * direct_error


def test_a_zero_variance_is_always_replaced() -> None:
    d = 1.5 * P * (1 - P) / N
    d[3] = 0.0
    got, smoothed = smooth_variances(P, d, N, np.full(M, 50), kind="proportion")
    assert smoothed.tolist() == [i == 3 for i in range(M)] and got[3] > 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_psu": 10_000}, "only 0 area\\(s\\) have enough PSUs"),
        ({"kind": "cubic"}, "proportion or loglinear"),
    ],
)
def test_what_it_cannot_do_is_said(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SetaraError, match=message):
        smooth_variances(P, P * (1 - P) / N, N, PSU, **kwargs)  # type: ignore[arg-type]
