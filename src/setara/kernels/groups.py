"""Segmented reductions: sums by group and cumulative sums that restart at each group.

Rows carry an integer group code in ``[0, n_groups)``; ``-1`` marks a row outside every group.
Every function accepts a 1-D value vector or a 2-D matrix whose columns are reduced together
(for example the full-sample weights plus all replicate weights).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

DENSE_RANGE_FACTOR = 4  # integer keys spanning under 4 x the rows are coded without a sort


def group_sum(codes: IntArray, values: FloatArray, n_groups: int) -> FloatArray:
    """Sum ``values`` by group; rows with code ``-1`` are ignored.

    Returns shape ``(n_groups,)`` for 1-D values and ``(n_groups, k)`` for ``(n, k)`` values.
    """
    if values.ndim == 1 or values.shape[1] <= 4:
        # bin 0 collects the rows outside every group: cheaper than masking both arrays
        shifted = codes + 1
        columns = [values] if values.ndim == 1 else [values[:, j] for j in range(values.shape[1])]
        sums = [np.bincount(shifted, weights=col, minlength=n_groups + 1)[1:] for col in columns]
        return np.asarray(sums[0] if values.ndim == 1 else np.column_stack(sums), dtype=np.float64)
    keep = codes >= 0
    if not keep.all():
        codes = codes[keep]
        values = values[keep]
    import scipy.sparse as sp  # only wide (replicate) blocks need it: kept off start-up

    indicator = sp.csr_matrix(
        (np.ones(codes.size), (codes, np.arange(codes.size))), shape=(n_groups, codes.size)
    )
    return np.asarray(indicator @ values, dtype=np.float64)


def group_count(codes: IntArray, n_groups: int) -> IntArray:
    """Number of rows in each group (rows with code ``-1`` are ignored)."""
    return np.bincount(codes + 1, minlength=n_groups + 1)[1:].astype(np.int64)


def factorize(*keys: npt.NDArray[np.generic]) -> tuple[IntArray, int]:
    """Dense integer codes for the distinct combinations of one or more key arrays.

    Codes follow the sorted order of the combinations; returns ``(codes, n_distinct)``.
    Combinations of integer keys are packed into one int64 key (one fast sort).
    """
    codes, n = _factorize_one(keys[0])
    for key in keys[1:]:
        other, n_other = _factorize_one(key)
        codes, n = _factorize_one(codes * np.int64(n_other) + other)
    return codes, n


def _factorize_one(key: npt.NDArray[np.generic]) -> tuple[IntArray, int]:
    if key.dtype.kind in "iu" and key.size:
        low, high = int(key.min()), int(key.max())
        if low == 0 and high < key.size and (np.bincount(key.astype(np.int64)) > 0).all():
            return key.astype(np.int64, copy=False), high + 1  # already dense codes: no sort
        if high - low < DENSE_RANGE_FACTOR * key.size and high < 2**62:
            return _dense_rank(key.astype(np.int64, copy=False) - low, high - low + 1)
    _, inverse = np.unique(key, return_inverse=True)
    inverse = inverse.astype(np.int64).reshape(-1)
    return inverse, int(inverse.max()) + 1 if inverse.size else 0


def _dense_rank(offsets: IntArray, size: int) -> tuple[IntArray, int]:
    """Codes of non-negative integers below ``size`` in sorted order of their distinct values
    (what ``np.unique(..., return_inverse=True)`` gives) by marking the values present and
    counting them: linear in the rows and ``size`` instead of a sort."""
    seen = np.zeros(size, dtype=bool)
    seen[offsets] = True
    rank = np.cumsum(seen, dtype=np.int64) - 1
    return rank[offsets], int(rank[-1]) + 1


def combine_codes(first: IntArray, second: IntArray, n_second: int) -> tuple[IntArray, int]:
    """Dense codes for pairs of non-negative codes; ``-1`` in either input gives ``-1``."""
    valid = (first >= 0) & (second >= 0)
    pair = np.where(valid, first * np.int64(n_second) + second, -1)
    out = np.full(first.shape, -1, dtype=np.int64)
    if not valid.any():
        return out, 0
    present = pair[valid]
    n_first = int(first.max()) + 1
    if n_first * n_second < DENSE_RANGE_FACTOR * present.size:
        inverse, n_pairs = _dense_rank(present, int(present.max()) + 1)
        out[valid] = inverse
        return out, n_pairs
    first_valid, second_valid = first[valid], second[valid]
    partner = np.zeros(n_first, dtype=np.int64)
    partner[first_valid] = second_valid
    if np.array_equal(partner[first_valid], second_valid):
        # every first code pairs with one second code (a PSU inside one domain): the pairs'
        # sorted order is that of the first codes, which need no sort
        inverse, n_pairs = _dense_rank(first_valid, n_first)
        out[valid] = inverse
        return out, n_pairs
    _, inverse = np.unique(present, return_inverse=True)
    out[valid] = inverse
    return out, int(inverse.max()) + 1


def stable_argsort(values: FloatArray) -> IntArray:
    """``np.argsort(values, kind="stable")``: rows by value, ties in row order, about three
    times faster for a million values.

    An unstable (quick) sort orders the values; only the rows in runs of equal values then need
    their row numbers sorted, as one integer sort of ``(run, row)`` keys. The stable order is
    unique, so the result is the same permutation. With NaNs (which never compare equal) or
    keys beyond int64, NumPy's stable sort is used.
    """
    n = values.size
    order = np.argsort(values, kind="quicksort")
    ordered = values[order]
    if n == 0 or np.isnan(ordered[-1]) or n > 2**31:
        return np.argsort(values, kind="stable")
    same = ordered[1:] == ordered[:-1]
    starts = np.flatnonzero(same)  # position i + 1 ties with position i
    if starts.size == 0:
        return order
    in_run = np.zeros(n, dtype=bool)
    in_run[starts] = True
    in_run[starts + 1] = True
    positions = np.flatnonzero(in_run)
    first = np.ones(positions.size, dtype=bool)
    first[1:] = ~same[positions[1:] - 1]
    keys = (np.cumsum(first) - 1) * np.int64(n) + order[positions]
    keys.sort()
    order[positions] = keys % n
    return order


def narrow_codes(codes: IntArray, n_groups: int) -> npt.NDArray[np.signedinteger]:
    """``codes`` in the narrowest integer type holding ``-1 .. n_groups - 1``.

    NumPy's stable sort is a radix sort for integers of 16 bits or less (a merge sort for
    int64): a stable argsort of narrowed group codes gives the same order several times faster.
    """
    if n_groups <= np.iinfo(np.int8).max:
        return codes.astype(np.int8)
    if n_groups <= np.iinfo(np.int16).max:
        return codes.astype(np.int16)
    return codes


@dataclass(frozen=True)
class SortedGroups:
    """Rows of every group laid out contiguously, each group sorted by a value.

    ``order`` lists the rows that belong to a group (code >= 0), sorted by group and then by
    value; ties keep the original row order (a stable sort, as R's ``order``).
    """

    order: IntArray
    codes: IntArray
    starts: IntArray
    counts: IntArray

    @property
    def n_groups(self) -> int:
        return int(self.counts.size)

    @classmethod
    def build(
        cls,
        values: FloatArray,
        codes: IntArray,
        n_groups: int,
        value_order: IntArray | None = None,
    ) -> SortedGroups:
        """Sort once by value, then stably by group: one pass shared by all measures.

        ``value_order`` (a stable argsort of ``values``) can be shared by several groupings.
        """
        by_value = stable_argsort(values) if value_order is None else value_order
        in_group = by_value[codes[by_value] >= 0]
        by_group = np.argsort(narrow_codes(codes[in_group], n_groups), kind="stable")
        order = in_group[by_group]
        sorted_codes = codes[order]
        counts = np.bincount(sorted_codes, minlength=n_groups).astype(np.int64)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
        return cls(order=order, codes=sorted_codes, starts=starts, counts=counts)

    def cumsum(self, values: FloatArray) -> FloatArray:
        """Cumulative sum (inclusive) of sorted ``values`` restarting at each group."""
        total = np.cumsum(values, axis=0)
        before = np.zeros((self.n_groups, *values.shape[1:]))
        nonempty = self.counts > 0
        first = self.starts[nonempty]
        before[nonempty] = total[first] - values[first]
        return total - before[self.codes]

    def cumsum_rows(self, values: FloatArray) -> FloatArray:
        """Like :meth:`cumsum` for a ``(k, m)`` matrix holding one weight column per row.

        Many replicate columns are reduced much faster in this layout: every pass runs along
        contiguous memory.
        """
        total = np.cumsum(values, axis=1)
        nonempty = self.counts > 0
        if self.n_groups > 1:
            first = self.starts[nonempty]
            before = np.zeros((values.shape[0], self.n_groups))
            before[:, nonempty] = total[:, first] - values[:, first]
            total -= before[:, self.codes]
        return total

    def sum_rows(self, values: FloatArray) -> FloatArray:
        """Sums by group of a ``(k, m)`` matrix, returned as ``(n_groups, k)``."""
        out = np.zeros((values.shape[0], self.n_groups))
        nonempty = self.counts > 0
        if nonempty.any():
            out[:, nonempty] = np.add.reduceat(values, self.starts[nonempty], axis=1)
        return out.T

    def sum(self, values: FloatArray) -> FloatArray:
        """Sum of sorted ``values`` by group (contiguous segments: one ``reduceat``)."""
        out = np.zeros((self.n_groups, *values.shape[1:]))
        nonempty = self.counts > 0
        if nonempty.any():
            out[nonempty] = np.add.reduceat(values, self.starts[nonempty], axis=0)
        return out
