"""Student t critical values without SciPy (setara.kernels.student) against SciPy's stdtrit,
the function ``scipy.stats.t.ppf`` calls."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import stdtrit

from setara.kernels.student import SERIES_BELOW, t_critical

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
        "import sys, numpy as np; from setara.kernels.student import t_critical; "
        "v = t_critical(0.95, np.array([np.nan, 5.0, np.inf])); "
        "print(np.isnan(v[0]), round(float(v[1]), 6), 'scipy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "2.570582", "False"]
