"""Two survey rounds estimated over the same domains, and the variance of their contrasts.

Each round is estimated on its own design (:func:`setara.contrast.linearize`). A contrast
``sum_k c_k theta_k`` of estimates of both rounds (a change, a growth rate) gets its variance

* for independent rounds, as the sum of each round's variance of its own terms: exactly what a
  design stacking the rounds with distinct strata gives;
* with ``common_psu=True``, on the design of both rounds stacked, in which a PSU with the same
  stratum and PSU id in both rounds is one PSU: the covariance between rounds comes from the
  PSUs they share (R survey: ``svycontrast`` on ``svyby(~y, ~round, stacked, ...)``).

Estimates whose reported SE is not the linearized one (Woodruff quantiles) keep it: a
two-term contrast is ``c_1^2 se_1^2 + c_2^2 se_2^2 + 2 rho |c_1 se_1| |c_2 se_2|``, where
``rho`` is the correlation of the two signed terms' linearizations (kernel density, Osier
2009) on the stacked design; so the same sample twice has no sampling error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl

import setara
from setara import SurveyDesign
from setara.contrast import (
    Linearization,
    combination_variance,
    domain_codes_for,
    linearize,
    stack_designs,
)
from setara.errors import ColumnNotFoundError, DesignError, InputValueError, SetaraError

__all__ = ["Rounds", "Term", "prepare_rounds"]

ROUND_NAMES = ("before", "after")

Term = tuple[np.ndarray, Linearization]
"""A per-domain coefficient and the estimate it multiplies."""


def _columns(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _named(round_name: str, exc: SetaraError) -> SetaraError:
    """The same error with the round named (``before``/``after``)."""
    return type(exc)(f"{round_name} round: {exc}")


@dataclass
class Rounds:
    """Both rounds' frames and designs, their common domains and (with shared PSUs) the
    stacked design."""

    frames: tuple[pl.DataFrame, pl.DataFrame]
    designs: tuple[SurveyDesign, SurveyDesign]
    welfare: str
    by: list[str]
    domains: pl.DataFrame
    stacked: SurveyDesign | None
    level: float
    stacked_codes: np.ndarray
    """Domain codes of every row of both rounds (before, then after)."""
    memo: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict)
    """Stacked df by the identity of the rounds' domain arrays (measures over the same rows
    share them; the linearizations outlive the computation)."""

    @property
    def n_domains(self) -> int:
        return max(self.domains.height, 1)

    def linearize(self, measures: Sequence[str]) -> tuple[list[list[Linearization]], list[str]]:
        """Every measure in both rounds over the common domains, and the notes.

        The two rounds are estimated concurrently (their measures each on the engine's
        threads): the rounds share nothing, and a core left idle by one round's serial steps
        serves the other."""

        def run(index: int) -> tuple[list[Linearization], list[str]]:
            name = ROUND_NAMES[index]
            try:
                lins, _, round_notes = linearize(
                    self.frames[index],
                    self.designs[index],
                    welfare=self.welfare,
                    measures=list(measures),
                    by=self.by or None,
                    domains=self.domains if self.by else None,
                    variance=self.stacked is None,  # shared PSUs: variances on the stacked design
                )
            except SetaraError as exc:
                raise _named(name, exc) from exc
            return lins, [f"{name} round: {note}" for note in round_notes]

        with ThreadPoolExecutor(max_workers=2) as pool:
            results = list(pool.map(run, range(2)))  # the before round's error first
        return [lins for lins, _ in results], [note for _, notes in results for note in notes]

    def variance(self, before: Sequence[Term], after: Sequence[Term]) -> np.ndarray:
        """Variance of ``sum c_k theta_k`` over the terms of both rounds, per domain."""
        if self.stacked is None:
            return np.asarray(self._round_variance(0, before) + self._round_variance(1, after))
        if all(lin.linear_se for _, lin in (*before, *after)):
            return self._stacked_variance(before, after)
        if len(before) != 1 or len(after) != 1:
            raise DesignError("a Woodruff quantile can be combined with one term per round only")
        (c1, lin1), (c2, lin2) = before[0], after[0]
        v1 = self._stacked_variance(before, [])
        v2 = self._stacked_variance([], after)
        with np.errstate(divide="ignore", invalid="ignore"):
            # the correlation of the two terms' linearizations, carried to the reported SEs
            rho = (self._stacked_variance(before, after) - v1 - v2) / (2.0 * np.sqrt(v1 * v2))
        rho = np.clip(np.nan_to_num(rho), -1.0, 1.0)
        s1, s2 = np.abs(c1) * lin1.se, np.abs(c2) * lin2.se
        return np.asarray(np.maximum(s1**2 + s2**2 + 2.0 * rho * s1 * s2, 0.0))

    def _round_variance(self, index: int, terms: Sequence[Term]) -> np.ndarray:
        n_domains = self.n_domains
        if not terms:
            return np.zeros(n_domains)
        if len(terms) == 1:
            coef, lin = terms[0]
            return np.asarray(coef**2 * lin.se**2)
        design = self.designs[index]
        if any(lin.weighted is None for _, lin in terms):
            if design.replicates is None or any(lin.replicates is None for _, lin in terms):
                raise DesignError("the round has neither influence values nor replicates")
            thetas = np.zeros_like(terms[0][1].replicates)
            estimate = np.zeros(n_domains)
            for coef, lin in terms:
                thetas = thetas + coef[:, None] * lin.replicates
                estimate = estimate + coef * lin.estimate
            return np.asarray(design.replicates.variance(thetas, estimate))
        if not all(lin.linear_se for _, lin in terms):
            raise DesignError("Woodruff quantiles cannot be combined: use quantile:se=kernel")
        a, shared = _combined(terms, n_domains)
        return combination_variance(design, _domain_of(terms), n_domains, a, shared)

    def _stacked_variance(self, before: Sequence[Term], after: Sequence[Term]) -> np.ndarray:
        """Linearized variance of the terms of both rounds on the stacked design.

        Every call uses the same row domain codes (all rows of both rounds by their ``by``
        domain): rows a measure leaves out carry zero influence, and zero cells add nothing to
        the sums, so the stacked design's cells are built once for every measure.
        """
        if self.stacked is None:
            raise DesignError("the rounds were not stacked (common_psu=False)")
        n1, n2 = self.frames[0].height, self.frames[1].height
        a_parts: list[np.ndarray] = []
        shared: list[tuple[np.ndarray, np.ndarray]] = []
        for terms, size, head, tail in ((before, n1, 0, n2), (after, n2, n1, 0)):
            if not terms:
                a_parts.append(np.zeros(size))
                continue
            a, round_shared = _combined(terms, self.n_domains)
            a_parts.append(a)
            for b, c in round_shared:
                shared.append((np.concatenate([np.zeros(head), b, np.zeros(tail)]), c))
        return combination_variance(
            self.stacked, self.stacked_codes, self.n_domains, np.concatenate(a_parts), shared
        )

    def df(self, before: Linearization, after: Linearization) -> np.ndarray:
        """Degrees of freedom of a contrast of the two rounds per domain: PSUs minus strata
        of the domain in both rounds (on the stacked design when PSUs are shared)."""
        if self.stacked is None:
            return np.asarray(before.df + after.df, dtype=np.float64)
        key = ("df", id(before.domain), id(after.domain))
        if key not in self.memo:
            domain = np.concatenate([before.domain, after.domain])
            self.memo[key] = self.stacked.domain_degf(domain, self.n_domains)
        return np.asarray(self.memo[key], dtype=np.float64)


def _domain_of(terms: Sequence[Term]) -> np.ndarray:
    """Row domain codes of terms over the same rows (a row in any term's domain)."""
    domain = terms[0][1].domain.copy()
    for _, lin in terms[1:]:
        domain = np.where(domain >= 0, domain, lin.domain)
    return domain


def _combined(
    terms: Sequence[Term], n_domains: int
) -> tuple[np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """``sum_k c_k[d(i)] a_ki`` and the shared terms ``(b_k, c_k c'_k)``."""
    a = np.zeros(terms[0][1].domain.size)
    shared: list[tuple[np.ndarray, np.ndarray]] = []
    for coef, lin in terms:
        if lin.weighted is None:
            raise DesignError("shared PSUs need a linearization design, not replicate weights")
        coef = np.nan_to_num(coef)
        if coef.size and np.all(coef == coef[0]):
            a += coef[0] * lin.weighted  # one coefficient for every domain (a change)
        else:
            inside = lin.domain >= 0
            a += np.where(inside, coef[np.where(inside, lin.domain, 0)], 0.0) * lin.weighted
        if lin.shared is not None:
            shared.append((lin.shared[0], coef * lin.shared[1]))
    return a, shared


def prepare_rounds(
    before: Any,
    after: Any,
    *,
    welfare: str,
    design: Mapping[str, Any] | None,
    by: str | Sequence[str] | None,
    common_psu: bool,
    level: float,
) -> Rounds:
    """Both rounds as Polars frames with their designs (``design`` holds the keyword
    arguments of :func:`setara.survey_design`, applied to both), the union of their domains
    and, with ``common_psu``, the design of both rounds stacked."""
    from setara.frames import to_polars

    if not 0.5 <= level < 1.0:
        raise InputValueError(f"confidence level must be between 0.5 and 1, not {level}")
    args = dict(design or {})
    frames = (to_polars(before), to_polars(after))
    designs = []
    for name, frame in zip(ROUND_NAMES, frames, strict=True):
        try:
            designs.append(setara.survey_design(frame, **args))
        except SetaraError as exc:
            raise _named(name, exc) from exc
    by_cols = _columns(by)
    for name, frame in zip(ROUND_NAMES, frames, strict=True):
        missing = [c for c in by_cols if c not in frame.columns]
        if missing:
            raise ColumnNotFoundError(
                f"{name} round: by column(s) {', '.join(map(repr, missing))} not in the data"
            )
    domains = pl.DataFrame()
    if by_cols:
        both = pl.concat([f.select(by_cols) for f in frames], how="vertical_relaxed")
        domains = both.unique(maintain_order=True)
    stacked = None
    codes = np.zeros(0, dtype=np.int64)
    if common_psu:
        stacked = _stacked_design(frames, (designs[0], designs[1]), args)
        codes = np.concatenate([domain_codes_for(f, by_cols, domains)[0] for f in frames])
    return Rounds(
        frames, (designs[0], designs[1]), welfare, by_cols, domains, stacked, level, codes
    )


def _stacked_design(
    frames: tuple[pl.DataFrame, pl.DataFrame],
    designs: tuple[SurveyDesign, SurveyDesign],
    args: dict[str, Any],
) -> SurveyDesign:
    """Both rounds in one design whose PSUs are identified by stratum and PSU id, so a PSU
    surveyed in both rounds is one PSU."""
    if args.get("replicate_weights") is not None:
        raise DesignError(
            "common_psu needs the PSUs of a linearization design; with replicate weights the "
            "rounds can only be compared as independent samples"
        )
    psu = _columns(args.get("psu"))
    if not psu:
        raise DesignError("common_psu needs the PSU column (psu=) of both rounds")
    strata, fpc = _columns(args.get("strata")), _columns(args.get("fpc"))
    if len(psu) == 1 and len(strata) <= 1 and len(fpc) <= 1:
        # one stage: the rounds' own PSU codes give the stacked ones without sorting every row
        return stack_designs(
            frames,
            designs,
            weight=args.get("weight"),
            strata=strata[0] if strata else None,
            psu=psu[0],
            fpc=fpc[0] if fpc else None,
            lonely_psu=args.get("lonely_psu", "fail"),
        )
    needed: list[str] = []
    for key in ("weight", "strata", "psu", "fpc"):
        needed.extend(c for c in _columns(args.get(key)) if c not in needed)
    try:
        stacked = pl.concat([f.select(needed) for f in frames], how="vertical_relaxed")
    except pl.exceptions.PolarsError as exc:
        raise DesignError(f"the design columns of the two rounds do not stack: {exc}") from None
    return setara.survey_design(stacked, **{**args, "nest": True})
