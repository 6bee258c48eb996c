"""The fused Gini, Theil and Palma kernels of the programme lab (:mod:`setara.programmes.fused`)
give bit for bit the estimates and influence values of the measures' own kernels, on data with
many ties, one or several domains, an empty domain and zero weights; and so does
:func:`view_parts`, which uses them, against ``Measure.linearize`` one measure at a time; and
:func:`stable_argsort` gives NumPy's stable sort."""

from __future__ import annotations

import numpy as np
import pytest

from setara.kernels.groups import SortedGroups
from setara.kernels.inequality import ge_influence, gini_influence
from setara.measures.base import MeasureData
from setara.programmes.change import impact_measures
from setara.programmes.fused import cumsum, gini_parts, per_row, theil_parts, tie_runs
from setara.programmes.impact import fgt_values, reference_parts, view_parts
from setara.programmes.population import stable_argsort

# (rows, domains, decimals welfare is rounded to: few decimals give many ties)
CASES = [(5_000, 1, 0), (5_000, 1, 3), (20_000, 7, 0), (20_000, 7, 8), (3, 2, 0), (1, 1, 0)]


def _view(rows: int, domains: int, decimals: int, seed: int) -> MeasureData:
    rng = np.random.default_rng(seed)
    welfare = np.round(rng.lognormal(1.0, 0.8, rows) * 10, decimals) + 0.5
    weights = rng.uniform(0.5, 40.0, rows) * rng.integers(1, 7, rows)
    weights[rng.random(rows) < 0.02] = 0.0
    # domain 1 is left empty when there are more than two
    codes = rng.integers(0, domains, rows)
    if domains > 2:
        codes[codes == 1] = 0
    return MeasureData(
        y=welfare,
        weights=weights,
        domain=codes.astype(np.int64),
        n_domains=domains,
        population=np.zeros(rows, dtype=np.int64),
        n_population=1,
        extra={"line": np.full(rows, 9.0)},
    )


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the empty domain's 0 / 0 (NaN)
@pytest.mark.parametrize(("rows", "domains", "decimals"), CASES)
def test_fused_kernels_equal_measure_kernels(rows: int, domains: int, decimals: int) -> None:
    view = _view(rows, domains, decimals, seed=rows + domains + decimals)
    sg, ys, ws = view.sorted, view.y_sorted, view.w_sorted
    for fused, kernel in ((gini_parts, gini_influence), (theil_parts, _theil_kernel)):
        est, lin = fused(sg, ys, ws)
        ref_est, ref_lin = kernel(sg, ys, ws)
        np.testing.assert_array_equal(est, ref_est)
        np.testing.assert_array_equal(lin, ref_lin)


def _theil_kernel(sg: SortedGroups, ys: np.ndarray, ws: np.ndarray) -> tuple[np.ndarray, ...]:
    return ge_influence(sg, ys, ws, 1.0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the empty domain's 0 / 0 (NaN)
@pytest.mark.parametrize(("rows", "domains", "decimals"), CASES)
def test_view_parts_equal_reference_with_ties(rows: int, domains: int, decimals: int) -> None:
    measures = impact_measures()
    seed = 7 * rows + domains + decimals
    fast_view = _view(rows, domains, decimals, seed)
    fgt = fgt_values(fast_view.y, fast_view.weights, fast_view.extra["line"], measures)
    fast = view_parts(fast_view, measures, fgt)
    slow = reference_parts(_view(rows, domains, decimals, seed), measures)
    for label, _ in measures:
        np.testing.assert_array_equal(fast[label][0], slow[label][0], err_msg=label)
        np.testing.assert_array_equal(fast[label][1], slow[label][1], err_msg=label)


def test_tie_runs_and_helpers() -> None:
    ys = np.array([1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0, 4.0, 5.0])
    codes = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1])
    sg = SortedGroups(order=np.arange(9), codes=codes, starts=np.array([0, 5]),
                      counts=np.array([5, 4]))  # fmt: skip
    rows, run, last = tie_runs(sg, ys)
    # 3.0 in rows 3-4 (domain 0) and row 5 (domain 1) are different runs
    np.testing.assert_array_equal(rows, [0, 1, 3, 4, 6, 7])
    np.testing.assert_array_equal(run, [0, 0, 1, 1, 2, 2])
    np.testing.assert_array_equal(last, [1, 4, 7])
    values = np.arange(1.0, 10.0)
    np.testing.assert_array_equal(cumsum(sg, values), sg.cumsum(values))
    np.testing.assert_array_equal(per_row(sg, np.array([10.0, 20.0])), [10.0] * 5 + [20.0] * 4)


@pytest.mark.parametrize("seed", range(8))
def test_stable_argsort_equals_numpy_stable_sort(seed: int) -> None:
    rng = np.random.default_rng(seed)
    size = int(rng.integers(0, 3_000))
    values = np.round(rng.normal(size=size) * 5, int(rng.integers(0, 3)))  # many ties
    values[rng.random(size) < 0.05] = -0.0  # equal to 0.0: ties in row order too
    if seed % 4 == 3:
        values[rng.random(size) < 0.05] = np.nan
    np.testing.assert_array_equal(stable_argsort(values), np.argsort(values, kind="stable"))
    distinct = rng.permutation(size).astype(np.float64)  # no ties: the quick sort alone
    np.testing.assert_array_equal(stable_argsort(distinct), np.argsort(distinct, kind="stable"))
