"""Student t critical values without SciPy (setara.kernels.student) against SciPy's stdtrit,
the function ``scipy.stats.t.ppf`` calls."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import stdtr, stdtrit

from setara.kernels.student import SERIES_BELOW, t_critical, t_two_sided_p

# relative tolerances: the exact series and the expansion agree with stdtrit to ~1e-13 up to
# level 0.99; at 0.999 the quantile's tail conditioning (density ~1e-3) costs one digit
RTOL = {0.5: 1e-13, 0.8: 1e-13, 0.9: 1e-13, 0.95: 1e-13, 0.99: 2e-13, 0.999: 1e-12}
DF = np.concatenate([np.arange(1, 2 * SERIES_BELOW + 1), [4_000, 30_000, 1e6, 1e9]])


@pytest.mark.parametrize("level", sorted(RTOL))
def test_equals_scipy_for_whole_degrees_of_freedom(level: float) -> None:
    expected = stdtrit(DF, 0.5 + level / 2.0)
    np.testing.assert_allclose(t_critical(level, DF), expected, rtol=RTOL[level], atol=0)


def test_table_values_and_shapes() -> None:
    # Abramowitz and Stegun table 26.10: t(0.975; 1) = 12.706, t(0.975; 10) = 2.228
    assert t_critical(0.95, 1.0) == pytest.approx(12.7062047361747, rel=1e-13)
    assert t_critical(0.95, 10) == pytest.approx(2.22813885198627, rel=1e-13)
    out = t_critical(0.95, np.array([[3.0, 3.0], [40.0, 0.0]]))
    assert out.shape == (2, 2)
    assert out[1, 1] == t_critical(0.95, 1.0)  # df below 1 count as 1
    assert out[0, 0] == out[0, 1]


def test_fractional_degrees_of_freedom_fall_back_to_scipy() -> None:
    df = np.array([2.5, 7.25, 100.5])
    np.testing.assert_array_equal(t_critical(0.9, df), stdtrit(df, 0.95))


def test_missing_degrees_of_freedom_give_no_value_and_need_no_scipy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, numpy as np; from setara.kernels.student import t_critical, "
        "t_two_sided_p; v = t_critical(0.95, np.array([np.nan, 5.0, np.inf])); "
        "p = t_two_sided_p(np.array([2.0, 1.0]), np.array([10.0, 30_000.0])); "
        "print(np.isnan(v[0]), round(float(v[1]), 6), round(float(p[0]), 6), "
        "'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    p_10 = str(round(float(2.0 * stdtr(10.0, -2.0)), 6))
    assert out.stdout.split() == ["True", "2.570582", p_10, "False"]


# p-values: absolute tolerance, since a p-value is read against 0.05 or 0.01 (the relative
# error of a p-value below 1e-6 is irrelevant); the series and stdtr agree to ~2e-14
P_ATOL = 1e-13
P_DF = np.concatenate([np.arange(1, 200), [499, 500, 501, 1_000, 4_999, 25_000, 100_001, 1e6]])
P_T = np.array([0.0, 0.01, 0.1, 0.5, 1.0, 1.5, 1.96, 2.0, 2.5, 3.0, 4.0, 5.0, 7.0, 10.0, 40.0])


def test_p_values_equal_scipy_for_whole_degrees_of_freedom() -> None:
    t, df = np.meshgrid(P_T, P_DF)
    expected = 2.0 * stdtr(df, -t)
    np.testing.assert_allclose(t_two_sided_p(t, df), expected, rtol=0, atol=P_ATOL)
    np.testing.assert_allclose(t_two_sided_p(-t, df), expected, rtol=0, atol=P_ATOL)


def test_p_values_in_closed_form_and_at_the_critical_values() -> None:
    t = np.array([1e-8, 0.3, 2.0, 1e4])
    # Cauchy (df 1) and df 2 have closed forms; SciPy's stdtr loses digits at t = 1e-8
    np.testing.assert_allclose(t_two_sided_p(t, 1), 1 - 2 / np.pi * np.arctan(t), atol=1e-15)
    np.testing.assert_allclose(t_two_sided_p(t, 2), 1 - t / np.sqrt(2 + t * t), atol=1e-15)
    df = np.array([3.0, 17.0, 60.0, 2_000.0])
    np.testing.assert_allclose(t_two_sided_p(t_critical(0.95, df), df), 0.05, atol=1e-12)


def test_p_values_missing_and_fractional_degrees_of_freedom() -> None:
    out = t_two_sided_p([np.nan, 1.0, 1.0, 1.0, 1.0], [5.0, np.nan, 0.0, 0.5, 2.5])
    assert np.isnan(out[:3]).all()
    np.testing.assert_array_equal(out[3:], 2.0 * stdtr([0.5, 2.5], -1.0))
    assert t_two_sided_p(np.zeros((2, 3)), 7.0).shape == (2, 3)
