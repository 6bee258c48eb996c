"""Survey designs: weights, strata, multistage clusters, finite population corrections.

A :class:`SurveyDesign` holds arrays only (no data frame) and answers two questions for the
measures: the weights of every replicate, and the variance of a linearized total, for many
domains at once. Build one with :func:`survey_design` from a data frame and column names, or
with :meth:`SurveyDesign.from_arrays`.

The design follows R survey's ``svydesign``: ``ids`` (one column per stage), ``strata``, ``fpc``
(population counts, or sampling fractions when every value is at most 1), ``weights`` (derived
from the FPCs when absent), ``nest`` and the ``survey.lonely.psu`` policies.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from setara.errors import DesignError, InputValueError, LonelyPSUError, count_phrase
from setara.kernels.groups import FloatArray, IntArray, factorize, group_count
from setara.kernels.student import t_critical
from setara.kernels.variance import LONELY_POLICIES, DomainCells, StageLayout, domain_covariance
from setara.replicates import ReplicateWeights

__all__ = ["SurveyDesign"]

T = TypeVar("T")

CELL_CACHE_SIZE = 8  # domain codings alive at once: by-domains and population, per row subset


def _as_codes(values: npt.ArrayLike, name: str) -> IntArray:
    arr = np.asarray(values)
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        n_bad = int(np.isnan(arr).sum())
        raise InputValueError(
            f"{name} has {count_phrase(n_bad, arr.size)} missing; every row needs a value"
        )
    if arr.dtype == object and any(v is None for v in arr):
        n_bad = sum(v is None for v in arr)
        raise InputValueError(
            f"{name} has {count_phrase(n_bad, arr.size)} missing; every row needs a value"
        )
    codes, _ = factorize(arr.astype(str) if arr.dtype == object else arr)
    return codes


def _stage_fpc(
    fpc: FloatArray | None, stratum: IntArray, n_strata: int, n_units: FloatArray, name: str
) -> tuple[FloatArray, FloatArray]:
    """Per-stratum sampling fraction and population count from a row-level FPC column."""
    if fpc is None:
        return np.zeros(n_strata), np.full(n_strata, np.inf)
    if np.isnan(fpc).any():
        raise InputValueError(
            f"fpc column '{name}' has {count_phrase(int(np.isnan(fpc).sum()), fpc.size)} missing"
        )
    if (fpc <= 0).any():
        n_bad = int((fpc <= 0).sum())
        raise InputValueError(
            f"fpc column '{name}' has {count_phrase(n_bad, fpc.size)} zero or negative"
        )
    lo = np.full(n_strata, np.inf)
    hi = np.full(n_strata, -np.inf)
    np.minimum.at(lo, stratum, fpc)
    np.maximum.at(hi, stratum, fpc)
    varying = np.flatnonzero(hi - lo > 1e-9 * np.maximum(1.0, np.abs(hi)))
    if varying.size:
        raise DesignError(
            f"fpc column '{name}' varies within {varying.size:,} strata; it must be constant "
            "in each stratum"
        )
    if (hi <= 1.0).all():
        fraction = hi.copy()
        population = n_units / fraction
    else:
        population = hi.copy()
        too_small = np.flatnonzero(population < n_units - 1e-9)
        if too_small.size:
            raise DesignError(
                f"fpc column '{name}' is smaller than the number of sampled units in "
                f"{too_small.size:,} strata"
            )
        fraction = n_units / population
    return fraction, population


@dataclass(frozen=True)
class SurveyDesign:
    """A probability sample design over ``n`` rows.

    Use :func:`setara.survey_design` to build one from a frame. Attributes are arrays over
    rows; ``stages`` describe the clustering for linearization variance; ``replicates`` are
    present for replicate-weight designs.
    """

    weights: FloatArray
    stages: tuple[StageLayout, ...]
    lonely_psu: str
    degf: int
    replicates: ReplicateWeights | None = None
    labels: dict[str, str] = field(default_factory=dict)
    _cells: list[tuple[IntArray, int, list[DomainCells]]] = field(
        default_factory=list, repr=False, compare=False
    )
    _degf: list[tuple[IntArray, int, FloatArray]] = field(
        default_factory=list, repr=False, compare=False
    )
    _cells_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    @property
    def n(self) -> int:
        return int(self.weights.size)

    @property
    def is_replicate(self) -> bool:
        return self.replicates is not None

    @classmethod
    def from_arrays(
        cls,
        *,
        weights: FloatArray | None = None,
        strata: Sequence[npt.ArrayLike | None] | npt.ArrayLike | None = None,
        ids: Sequence[npt.ArrayLike] | None = None,
        fpc: Sequence[npt.ArrayLike | None] | None = None,
        n: int | None = None,
        nest: bool = False,
        lonely_psu: str = "fail",
        names: dict[str, str] | None = None,
        strata_labels: Sequence[npt.ArrayLike | None] | None = None,
    ) -> SurveyDesign:
        """Build a design from arrays (see module docstring for the conventions)."""
        if lonely_psu not in LONELY_POLICIES:
            raise DesignError(
                f"lonely_psu must be one of {', '.join(LONELY_POLICIES)}, not {lonely_psu!r}"
            )
        names = names or {}
        size = n if n is not None else (np.asarray(weights).size if weights is not None else None)
        if size is None and ids:
            size = np.asarray(ids[0]).size
        if size is None:
            raise DesignError("a design needs weights, ids or n")
        id_list = list(ids) if ids else [np.arange(size)]
        n_stages = len(id_list)
        strata_list = _per_stage(strata, n_stages)
        fpc_list = _per_stage(fpc, n_stages)

        stages: list[StageLayout] = []
        parent = np.zeros(size, dtype=np.int64)
        parent_fraction = np.ones(size)
        prob = np.ones(size)
        for s in range(n_stages):
            stage_name = names.get(f"psu{s}", f"cluster stage {s + 1}")
            raw_stratum = strata_list[s]
            stratum_codes = (
                np.zeros(size, dtype=np.int64)
                if raw_stratum is None
                else _as_codes(raw_stratum, names.get(f"strata{s}", "strata"))
            )
            stratum, n_strata = factorize(parent, stratum_codes)
            unit_codes = _as_codes(id_list[s], stage_name)
            if nest or s > 0:
                unit, n_units_total = factorize(stratum, unit_codes)
            else:
                unit, n_units_total = factorize(unit_codes)
                _check_nesting(unit, stratum, n_units_total, stage_name)
            unit_stratum = np.zeros(n_units_total, dtype=np.int64)
            unit_stratum[unit] = stratum
            n_units = group_count(unit_stratum, n_strata).astype(np.float64)
            raw_fpc = fpc_list[s]
            fpc_name = names.get(f"fpc{s}", f"fpc stage {s + 1}")
            fraction, population = _stage_fpc(
                None if raw_fpc is None else np.asarray(raw_fpc, dtype=np.float64),
                stratum,
                n_strata,
                n_units,
                fpc_name,
            )
            lonely = (n_units == 1) & (fraction < 1.0)  # f = 1: a certainty unit, no variance
            if lonely.any() and lonely_psu == "fail" and not (s > 0 and fpc_list[0] is None):
                bad = np.flatnonzero(lonely)
                raise LonelyPSUError(
                    f"{bad.size:,} strata have a single PSU at stage {s + 1} "
                    f"({_name_strata(_label(strata_labels, s, raw_stratum), stratum, bad)}); "
                    "choose lonely_psu="
                    "'remove', 'certainty', 'adjust' or 'average'"
                )
            ancestor = np.ones(n_strata)
            ancestor[stratum] = parent_fraction
            with np.errstate(divide="ignore", invalid="ignore"):
                between = np.where(n_units > 1, n_units / (n_units - 1.0), 0.0)
            base = between * (1.0 - fraction)
            adjust = lonely if lonely_psu == "adjust" else np.zeros_like(lonely)
            n_ok = int((~lonely).sum())
            average = (n_strata / n_ok) if (lonely_psu == "average" and n_ok) else 1.0
            stages.append(
                StageLayout(
                    unit=unit,
                    unit_stratum=unit_stratum,
                    n_units=n_units,
                    fraction=fraction,
                    scale=base * ancestor,
                    lonely=lonely,
                    lonely_scale=np.where(adjust, (1.0 - fraction) * ancestor, 0.0),
                    average_factor=average,
                )
            )
            prob = prob * (n_units / population)[stratum]
            parent_fraction = parent_fraction * fraction[stratum]
            parent = unit
            if fpc_list[0] is None:
                break  # with replacement at stage 1: later stages add nothing (as svyrecvar)

        if weights is None:
            if all(f is None for f in fpc_list):
                w = np.ones(size)  # as R survey: no weights and no fpc means equal probability
            elif any(f is None for f in fpc_list):
                raise DesignError(
                    "weights are missing and cannot be derived without an fpc per stage"
                )
            else:
                w = 1.0 / prob
        else:
            w = np.asarray(weights, dtype=np.float64)
        return cls(
            weights=w,
            stages=tuple(stages),
            lonely_psu=lonely_psu,
            degf=_sampled_degf(stages[0], w),
            labels=names,
        )

    def with_replicates(self, replicates: ReplicateWeights) -> SurveyDesign:
        """A copy of this design that estimates variance from ``replicates``."""
        return replace(
            self,
            replicates=replicates,
            degf=replicates.degf,
            _cells=[],
            _degf=[],
            _cells_lock=threading.Lock(),
        )

    def t_quantile(self, level: float, df: FloatArray | float | None = None) -> FloatArray:
        """Critical value for a two-sided ``level`` interval with ``df`` (the design's df by
        default; pass per-domain df from :meth:`domain_degf`)."""
        return t_critical(level, self.degf if df is None else df)

    def domain_degf(self, domain: IntArray, n_domains: int) -> FloatArray:
        """Degrees of freedom per domain: PSUs minus strata with rows of non-zero weight in
        the domain, as R survey's ``degf`` of a ``subset``; replicate designs keep the
        design's df."""
        if self.replicates is not None:
            return np.full(n_domains, float(self.degf))
        with self._cells_lock:
            held = _cached(self._degf, domain, n_domains)
        if held is not None:
            return held.copy()
        degf = self._count_degf(domain, n_domains)
        with self._cells_lock:
            self._degf.insert(0, (domain, n_domains, degf))
            del self._degf[CELL_CACHE_SIZE:]
        return degf.copy()

    def _count_degf(self, domain: IntArray, n_domains: int) -> FloatArray:
        cells = self.cells(domain, n_domains)[0]
        in_domain = cells.cell >= 0
        weighted = np.bincount(
            cells.cell[in_domain],
            weights=(self.weights[in_domain] != 0).astype(np.float64),
            minlength=cells.n_cells,
        )
        cell_counted = weighted > 0
        pair_counted = np.bincount(cells.pair, weights=cell_counted, minlength=cells.n_pairs) > 0
        n_psu = np.bincount(cells.cell_domain[cell_counted], minlength=n_domains)
        n_strata = np.bincount(cells.pair_domain[pair_counted], minlength=n_domains)
        return np.asarray(n_psu - n_strata, dtype=np.float64)

    def cells(self, domain: IntArray, n_domains: int) -> list[DomainCells]:
        """(unit, domain) cells per stage, cached for the few domain arrays in use.

        The cache keeps a reference to each array and checks identity or content, so a freed
        array whose address is reused can never return stale cells.
        """
        with self._cells_lock:
            held = _cached(self._cells, domain, n_domains)
            if held is not None:
                return held
            cells = [DomainCells.build(stage, domain, n_domains) for stage in self.stages]
            self._cells.insert(0, (domain, n_domains, cells))
            del self._cells[CELL_CACHE_SIZE:]
            return cells

    @cached_property
    def sampled_psus(self) -> npt.NDArray[np.bool_]:
        """First-stage PSUs with a row of non-zero weight, as R survey's ``degf`` counts."""
        return _sampled_units(self.stages[0], self.weights)

    @cached_property
    def _whole(self) -> IntArray:
        """Domain codes putting every row in one domain (for population-level terms)."""
        return np.zeros(self.n, dtype=np.int64)

    def variance(
        self,
        domain: IntArray,
        n_domains: int,
        a: FloatArray,
        shared: tuple[FloatArray, FloatArray] | None = None,
    ) -> FloatArray:
        """Variance of ``sum_i a_i`` (rows counted in their own domain) for every domain.

        ``a`` holds *weighted* linearized values (weight times influence). ``shared = (b, c)``
        adds ``c_d * sum_i b_i`` where ``b`` counts in every domain (for example the
        linearized national poverty line): the variance then includes ``2 c Cov + c^2 Var``.
        """
        cells = self.cells(domain, n_domains)
        whole_cells = self.cells(self._whole, 1) if shared is not None else cells
        var = np.zeros(n_domains)
        for stage_index, (stage, stage_cells) in enumerate(zip(self.stages, cells, strict=True)):
            var += domain_covariance(stage, stage_cells, n_domains, a)
            if shared is not None:
                b, c = shared
                cov = domain_covariance(stage, stage_cells, n_domains, a, b, b_is_domain=False)
                vb = domain_covariance(stage, whole_cells[stage_index], 1, b)[0]
                var += 2.0 * c * cov + c * c * vb
        return np.maximum(var, 0.0)


def _cached(cache: list[tuple[IntArray, int, T]], domain: IntArray, n_domains: int) -> T | None:
    """The value held for ``domain`` (the same array or equal codes), or ``None``."""
    for held, n_held, value in cache:
        if n_held == n_domains and (held is domain or np.array_equal(held, domain)):
            return value
    return None


def _per_stage(
    value: Sequence[npt.ArrayLike | None] | npt.ArrayLike | None, n_stages: int
) -> list[npt.ArrayLike | None]:
    if value is None:
        return [None] * n_stages
    if isinstance(value, list | tuple):
        items: list[npt.ArrayLike | None] = list(value)
        return items + [None] * (n_stages - len(items))
    single: list[npt.ArrayLike | None] = [value]  # type: ignore[list-item]
    return single + [None] * (n_stages - 1)


def _sampled_units(first: StageLayout, weights: FloatArray) -> npt.NDArray[np.bool_]:
    """First-stage units with a row of non-zero weight (R survey's ``degf`` counts only
    these: a PSU whose rows all weigh zero is not in the sample)."""
    counted = np.zeros(first.unit_stratum.size, dtype=bool)
    counted[first.unit[weights != 0]] = True
    return counted


def _sampled_degf(first: StageLayout, weights: FloatArray) -> int:
    """PSUs minus strata of the first stage, counting only PSUs with a row of non-zero
    weight."""
    counted = _sampled_units(first, weights)
    n_strata = int(np.count_nonzero(np.bincount(first.unit_stratum[counted])))
    return int(counted.sum()) - n_strata


def _check_nesting(unit: IntArray, stratum: IntArray, n_units: int, name: str) -> None:
    first = np.full(n_units, -1, dtype=np.int64)
    first[unit[::-1]] = stratum[::-1]
    crossing = np.flatnonzero(first[unit] != stratum)
    if crossing.size:
        n_bad = np.unique(unit[crossing]).size
        raise DesignError(
            f"{name}: {n_bad:,} PSUs appear in more than one stratum; give PSU codes that are "
            "unique across strata or set nest=True (codes repeat within each stratum)"
        )


def _label(
    labels: Sequence[npt.ArrayLike | None] | None, stage: int, raw: npt.ArrayLike | None
) -> npt.ArrayLike | None:
    if labels is not None and stage < len(labels) and labels[stage] is not None:
        return labels[stage]
    return raw


def _name_strata(raw: npt.ArrayLike | None, stratum: IntArray, bad: IntArray) -> str:
    if raw is None:
        return "the whole sample"
    arr = np.asarray(raw)
    first_row = np.full(int(stratum.max()) + 1, -1, dtype=np.int64)
    first_row[stratum[::-1]] = np.arange(stratum.size)[::-1]
    shown = [str(arr[first_row[b]]) for b in bad[:5]]
    more = f" and {bad.size - 5:,} more" if bad.size > 5 else ""
    return "strata " + ", ".join(repr(s) for s in shown) + more
