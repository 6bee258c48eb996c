"""Sorted group layouts and cached degrees of freedom: the fast paths give what the plain
computation gives."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import setara
from setara.kernels.groups import (
    SortedGroups,
    combine_codes,
    factorize,
    narrow_codes,
    stable_argsort,
)


@pytest.mark.parametrize("n_groups", [1, 3, 127, 128, 514, 32_767, 32_768, 100_000])
def test_sorted_groups_equal_a_lexicographic_sort(n_groups: int) -> None:
    rng = np.random.default_rng(n_groups)
    size = 50_000
    values = rng.integers(0, 40, size).astype(np.float64)  # many ties: stability matters
    codes = rng.integers(-1, n_groups, size)
    layout = SortedGroups.build(values, codes, n_groups)
    inside = np.flatnonzero(codes >= 0)
    # rows by group, then value, then row number (R's order with ties kept in row order)
    expected = inside[np.lexsort((inside, values[inside], codes[inside]))]
    np.testing.assert_array_equal(layout.order, expected)
    np.testing.assert_array_equal(layout.counts, np.bincount(codes[inside], minlength=n_groups))
    narrow = narrow_codes(codes, n_groups)
    np.testing.assert_array_equal(narrow.astype(np.int64), codes)
    assert narrow.dtype.itemsize == (1 if n_groups <= 127 else 2 if n_groups <= 32_767 else 8)


def test_stable_argsort_keeps_row_order_of_ties() -> None:
    values = np.array([3.0, 1.0, 3.0, 2.0, 1.0, 3.0])
    np.testing.assert_array_equal(stable_argsort(values), [1, 4, 3, 0, 2, 5])


def test_cached_degrees_of_freedom_are_copies_and_match_recomputation() -> None:
    frame = setara.demo.generate_survey(10_000, seed=11)
    design = setara.survey_design(frame, weight="weight", strata="stratum", psu="psu")
    codes = np.asarray(frame["province_code"].rank("dense").to_numpy(), dtype=np.int64) - 1
    n_domains = int(codes.max()) + 1
    first = design.domain_degf(codes, n_domains)
    first[:] = -1.0  # a caller changing its copy must not change the cache
    again = design.domain_degf(codes.copy(), n_domains)  # equal codes, another array
    fresh = setara.survey_design(frame, weight="weight", strata="stratum", psu="psu")
    np.testing.assert_array_equal(again, fresh.domain_degf(codes, n_domains))
    assert (again > 0).all()


@settings(max_examples=200, deadline=None)
@given(
    low=st.integers(-(2**40), 2**40),
    offsets=st.lists(st.integers(0, 200), min_size=1, max_size=300),
    dtype=st.sampled_from([np.int64, np.int32, np.int16, np.uint16]),
)
def test_factorize_without_a_sort_gives_the_codes_of_np_unique(
    low: int, offsets: list[int], dtype: type
) -> None:
    """Keys spanning a small range are coded by marking present values: the same codes (the
    sorted order of the distinct values) as np.unique."""
    info = np.iinfo(dtype)
    key = np.clip(np.asarray(offsets, dtype=np.int64) + low, info.min, info.max).astype(dtype)
    codes, n = factorize(key)
    _, expected = np.unique(key, return_inverse=True)
    np.testing.assert_array_equal(codes, expected.reshape(-1))
    assert n == int(expected.max()) + 1


@settings(max_examples=200, deadline=None)
@given(
    pairs=st.lists(st.tuples(st.integers(-1, 60), st.integers(-1, 40)), min_size=1, max_size=300)
)
def test_combine_codes_dense_path_equals_sorting(pairs: list[tuple[int, int]]) -> None:
    first = np.asarray([p[0] for p in pairs], dtype=np.int64)
    second = np.asarray([p[1] for p in pairs], dtype=np.int64)
    n_second = int(second.max()) + 1 if second.max() >= 0 else 1
    codes, n = combine_codes(first, second, n_second)
    valid = (first >= 0) & (second >= 0)
    expected = np.full(first.size, -1, dtype=np.int64)
    if valid.any():
        _, inverse = np.unique((first * n_second + second)[valid], return_inverse=True)
        expected[valid] = inverse
    np.testing.assert_array_equal(codes, expected)
    assert n == (int(expected.max()) + 1 if valid.any() else 0)


@settings(max_examples=200, deadline=None)
@given(
    units=st.lists(st.integers(-1, 300), min_size=1, max_size=400),
    seed=st.integers(0, 2**32 - 1),
    stray=st.booleans(),
)
def test_combine_codes_of_units_inside_one_domain_equals_sorting(
    units: list[int], seed: int, stray: bool
) -> None:
    """Units (PSUs) that each lie in one domain are paired without a sort; one stray row in
    another domain sends the pairs back to the sort. Both give np.unique's codes."""
    rng = np.random.default_rng(seed)
    first = np.asarray(units, dtype=np.int64)
    n_second = 100_000  # too many pairs for the marking path
    domain_of_unit = rng.integers(-1, n_second, 301)
    second = np.where(first >= 0, domain_of_unit[first], rng.integers(-1, n_second, first.size))
    if stray:
        second[rng.integers(0, first.size)] = rng.integers(0, n_second)
    codes, n = combine_codes(first, second, n_second)
    valid = (first >= 0) & (second >= 0)
    expected = np.full(first.size, -1, dtype=np.int64)
    if valid.any():
        _, inverse = np.unique((first * n_second + second)[valid], return_inverse=True)
        expected[valid] = inverse
    np.testing.assert_array_equal(codes, expected)
    assert n == (int(expected.max()) + 1 if valid.any() else 0)
