"""Replicate weights: user supplied (bootstrap, JK1, JKn, BRR, Fay) or created from a design.

The variance of replicate estimates ``theta_r`` follows R survey's ``svrVar``::

    v = scale * sum_r rscales_r (theta_r - centre)^2

with ``centre`` the mean of the replicates, or the full-sample estimate when ``mse=True``.

Created replicates are stored as factors per first-stage unit, so 200 bootstrap replicates on
a million rows cost a (PSUs x 200) matrix and weights are materialised a block at a time.

References
----------
Rao, J.N.K., Wu, C.F.J. (1988). Resampling inference with complex survey data. JASA 83.
Lumley, T. (2010). Complex Surveys, ch. 2.3 (``as.svrepdesign``, ``svrVar``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from setara.errors import DesignError
from setara.kernels.groups import FloatArray, IntArray

REPLICATE_TYPES = ("bootstrap", "jk1", "jkn", "brr", "fay")
BLOCK_COLUMNS = 32  # replicate columns materialised at once: bounds memory at n * 32 floats


@dataclass(frozen=True)
class ReplicateWeights:
    """Replicate weights and how to combine replicate estimates into a variance.

    Either ``matrix`` (rows x replicates, full analysis weights) or ``factors`` (first-stage
    units x replicates, multiplying the full-sample weight of each row of the unit).
    """

    kind: str
    scale: float
    rscales: FloatArray
    mse: bool
    matrix: FloatArray | None = None
    factors: FloatArray | None = None
    unit: IntArray | None = None
    rho: float | None = None
    rank: int | None = None

    @property
    def n_replicates(self) -> int:
        return int(self.rscales.size)

    @property
    def degf(self) -> int:
        """Degrees of freedom: rank of the replicate weights minus one (R survey's rule)."""
        rank = self.rank if self.rank is not None else self.n_replicates
        return max(rank - 1, 1)

    def blocks(
        self, weights: FloatArray, size: int = BLOCK_COLUMNS
    ) -> Iterator[tuple[slice, FloatArray]]:
        """Yield ``(columns, weights block)`` pairs covering all replicates."""
        for start in range(0, self.n_replicates, size):
            cols = slice(start, min(start + size, self.n_replicates))
            if self.matrix is not None:
                yield cols, self.matrix[:, cols]
            elif self.factors is not None and self.unit is not None:
                yield cols, weights[:, None] * self.factors[self.unit, cols]
            else:
                raise DesignError("replicate weights have neither a matrix nor PSU factors")

    def row_blocks(
        self, weights: FloatArray, order: IntArray, size: int = BLOCK_COLUMNS
    ) -> Iterator[tuple[slice, FloatArray]]:
        """Yield ``(columns, block)`` with one replicate per row, ``(k, len(order))``, rows of
        the data taken in ``order``: the layout sorted kernels stream through fastest."""
        if self.matrix is not None:
            for cols, block in self.blocks(weights, size):
                yield cols, np.array(block[order].T, order="C")
            return
        if self.factors is None or self.unit is None:
            raise DesignError("replicate weights have neither a matrix nor PSU factors")
        unit = self.unit[order]
        w = weights[order]
        factors_t = np.array(self.factors.T, order="C")
        for start in range(0, self.n_replicates, size):
            cols = slice(start, min(start + size, self.n_replicates))
            rows = np.take(factors_t[cols], unit, axis=1)  # C order: rows stream contiguously
            rows *= w
            yield cols, rows

    def variance(self, thetas: FloatArray, estimate: FloatArray) -> FloatArray:
        """Variance from replicate estimates ``thetas`` (domains x replicates)."""
        if self.mse:
            centre = estimate[:, None]
        else:  # the mean of the defined replicates; NaN, silently, where none is defined
            defined = (~np.isnan(thetas)).sum(axis=1, keepdims=True)
            total = np.nansum(thetas, axis=1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                centre = np.where(defined > 0, total / defined, np.nan)
        dev = (thetas - centre) ** 2
        return np.asarray(self.scale * (dev * self.rscales[None, :]).sum(axis=1))


def supplied(
    matrix: npt.ArrayLike,
    *,
    kind: str,
    scale: float | None = None,
    rscales: npt.ArrayLike | float | None = None,
    mse: bool = False,
    rho: float | None = None,
) -> ReplicateWeights:
    """Wrap user-supplied replicate weights (full analysis weights, one column each).

    Defaults as R survey's ``svrepdesign``: bootstrap ``scale = 1/(R-1)``; JK1
    ``scale = (R-1)/R``; BRR ``scale = 1/R``; Fay ``scale = 1/(R (1-rho)^2)``; ``rscales = 1``.
    """
    kind = kind.lower()
    if kind not in REPLICATE_TYPES:
        raise DesignError(
            f"replicate type must be one of {', '.join(REPLICATE_TYPES)}, not {kind!r}"
        )
    mat = np.asarray(matrix, dtype=np.float64)
    if mat.ndim != 2 or mat.shape[1] < 2:
        raise DesignError("replicate weights need at least two columns")
    n_rep = mat.shape[1]
    if np.isnan(mat).any():
        raise DesignError(f"replicate weights have {int(np.isnan(mat).sum()):,} missing values")
    if (mat < 0).any():
        raise DesignError(f"replicate weights have {int((mat < 0).sum()):,} negative values")
    if scale is None:
        if kind == "bootstrap":
            scale = 1.0 / (n_rep - 1)
        elif kind == "jk1":
            scale = (n_rep - 1) / n_rep
        elif kind == "brr":
            scale = 1.0 / n_rep
        elif kind == "fay":
            if rho is None:
                raise DesignError("Fay replicate weights need rho (0 < rho < 1)")
            scale = 1.0 / (n_rep * (1.0 - rho) ** 2)
        else:
            scale = 1.0
    rs = (
        np.ones(n_rep)
        if rscales is None
        else np.broadcast_to(np.asarray(rscales, dtype=np.float64), (n_rep,)).copy()
    )
    rank = None
    if mat.shape[0] * n_rep * n_rep <= 2e9:  # rank as R survey (qr tolerance 1e-5), when cheap
        _, r_factor = np.linalg.qr(mat / np.maximum(np.abs(mat).max(), 1e-300))
        diag = np.abs(np.diag(r_factor))
        rank = int((diag > 1e-5 * diag.max()).sum()) if diag.size else 0
    return ReplicateWeights(
        kind=kind, scale=float(scale), rscales=rs, mse=mse, matrix=mat, rho=rho, rank=rank
    )


def jackknife(
    unit: IntArray,
    unit_stratum: IntArray,
    fraction: FloatArray,
    *,
    stratified: bool,
    mse: bool,
    sampled: npt.NDArray[np.bool_] | None = None,
) -> ReplicateWeights:
    """Delete-one-PSU jackknife replicates, as R survey's ``as.svrepdesign`` JK1 / JKn.

    JK1 ignores strata: replicate ``k`` drops unit ``k`` and multiplies the others by
    ``n/(n-1)``; ``scale = (n-1)/n``. JKn drops unit ``k`` of stratum ``h`` and multiplies the
    other units of ``h`` by ``n_h/(n_h-1)``; ``rscales_k = (n_h-1)/n_h``. A finite population
    correction multiplies the rscales by ``1 - f_h``. ``sampled`` marks the units with a row of
    non-zero weight (all by default); the degrees of freedom are the rank of the replicate
    weights minus one, as R survey's ``degf`` computes it (:func:`jackknife_rank`).
    """
    n_units = unit_stratum.size
    factors = np.ones((n_units, n_units))
    if stratified:
        n_h = np.bincount(unit_stratum).astype(np.float64)
        if (n_h[unit_stratum] < 2).any():
            raise DesignError("JKn replicates need at least two PSUs in every stratum")
        same = unit_stratum[:, None] == unit_stratum[None, :]
        factors = np.where(same, (n_h / (n_h - 1.0))[unit_stratum][None, :], 1.0)
        np.fill_diagonal(factors, 0.0)
        rscales = ((n_h - 1.0) / n_h)[unit_stratum] * (1.0 - fraction[unit_stratum])
        scale = 1.0
    else:
        if n_units < 2:
            raise DesignError("JK1 replicates need at least two PSUs")
        factors *= n_units / (n_units - 1.0)
        np.fill_diagonal(factors, 0.0)
        f = float(fraction.mean()) if fraction.size else 0.0
        rscales = np.full(n_units, 1.0 - f)
        scale = (n_units - 1.0) / n_units
    return ReplicateWeights(
        kind="jkn" if stratified else "jk1",
        scale=scale,
        rscales=rscales,
        mse=mse,
        factors=factors,
        unit=unit,
        rank=jackknife_rank(
            unit_stratum if stratified else np.zeros_like(unit_stratum),
            np.ones(n_units, dtype=bool) if sampled is None else sampled,
        ),
    )


def jackknife_rank(unit_stratum: IntArray, sampled: npt.NDArray[np.bool_]) -> int:
    """Rank of delete-one jackknife weights over the rows of ``sampled`` units.

    Within a stratum with ``p`` sampled units the replicates differ by multiples of unit
    indicators (rank ``p - 1``); their sum is a multiple of the all-ones vector when every unit
    of the stratum is sampled, and otherwise adds the stratum's indicator, as does the
    replicate that drops an unsampled unit. Hence ``sum_h (p_h - 1)`` plus one per stratum
    with unsampled units, plus one more when some stratum has none (R survey's ``qr`` rank;
    ``n - H + 1`` without zero weights).
    """
    n_groups = int(unit_stratum.max()) + 1 if unit_stratum.size else 0
    p = np.bincount(unit_stratum[sampled], minlength=n_groups)
    n = np.bincount(unit_stratum, minlength=n_groups)
    present = p > 0
    partial = present & (p < n)
    complete = bool((present & ~partial).any())
    return int((p[present] - 1).sum() + partial.sum() + complete)


def rao_wu_bootstrap(
    unit: IntArray,
    unit_stratum: IntArray,
    n_replicates: int,
    *,
    rng: np.random.Generator,
    mse: bool = False,
) -> ReplicateWeights:
    """Rao–Wu rescaled bootstrap: in each stratum draw ``n_h - 1`` PSUs with replacement.

    A PSU drawn ``m`` times gets factor ``m n_h/(n_h-1)``; ``scale = 1/(R-1)`` around the
    replicate mean (``mse=False``), as R survey's ``as.svrepdesign(type="bootstrap")``.
    Fully vectorised over strata and replicates.
    """
    if n_replicates < 2:
        raise DesignError("a bootstrap needs at least two replicates")
    n_units = unit_stratum.size
    order = np.argsort(unit_stratum, kind="stable")
    n_h = np.bincount(unit_stratum).astype(np.int64)
    if (n_h < 2).any():
        raise DesignError("the bootstrap needs at least two PSUs in every stratum")
    start = np.concatenate(([0], np.cumsum(n_h)[:-1]))
    draws_per = n_h - 1
    draw_stratum = np.repeat(np.arange(n_h.size), draws_per)
    u = rng.random((n_replicates, draw_stratum.size))
    picked = order[start[draw_stratum] + np.floor(u * n_h[draw_stratum]).astype(np.int64)]
    rep_index = np.repeat(np.arange(n_replicates), draw_stratum.size)
    counts = np.bincount(
        picked.reshape(-1) * n_replicates + rep_index, minlength=n_units * n_replicates
    ).reshape(n_units, n_replicates)
    rescale = (n_h / (n_h - 1.0))[unit_stratum]
    factors = counts.astype(np.float64) * rescale[:, None]
    return ReplicateWeights(
        kind="bootstrap",
        scale=1.0 / (n_replicates - 1),
        rscales=np.ones(n_replicates),
        mse=mse,
        factors=factors,
        unit=unit,
    )
