"""Growth and redistribution components of a change in poverty (Datt and Ravallion 1992).

Write ``P(mu_t, L_r)`` for the FGT(alpha) poverty of round ``r``'s distribution rescaled to
round ``t``'s mean (everyone's welfare times ``mu_t / mu_r``: round ``r``'s Lorenz curve),
at a fixed real poverty line. Between round 1 (``before``) and round 2 (``after``):

* Datt--Ravallion, reference period = ``before``::

      growth         = P(mu_2, L_1) - P(mu_1, L_1)
      redistribution = P(mu_1, L_2) - P(mu_1, L_1)
      residual       = change - growth - redistribution

* Shapley (Shorrocks 2013; Kolenikov and Shorrocks 2005), no residual::

      growth         = [P(mu_2, L_1) - P(mu_1, L_1) + P(mu_2, L_2) - P(mu_1, L_2)] / 2
      redistribution = [P(mu_1, L_2) - P(mu_1, L_1) + P(mu_2, L_2) - P(mu_2, L_1)] / 2

Poverty counts ``y <= z`` as poor (as the engine); means and poverty are weighted by the
sampling weights, per domain (a region's own mean and Lorenz curve). The components are point
estimates (no standard errors).

References
----------
Datt, G. and Ravallion, M. (1992). Growth and redistribution components of changes in poverty
measures. Journal of Development Economics 38(2), 275-295.
Shorrocks, A. F. (2013). Decomposition procedures for distributional analysis: a unified
framework based on the Shapley value. Journal of Economic Inequality 11(1), 99-126.
Kolenikov, S. and Shorrocks, A. (2005). A decomposition analysis of regional poverty in
Russia. Review of Development Economics 9(1), 25-46.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from setara.errors import ColumnNotFoundError, InputValueError
from setara.frames import to_polars
from setara.results import Results

__all__ = ["METHODS", "growth_redistribution"]

METHODS = ("datt-ravallion", "shapley")


@dataclass(frozen=True)
class _Round:
    """One round's welfare, weights, poverty lines and domain codes (valid rows only)."""

    y: np.ndarray
    w: np.ndarray
    line: np.ndarray
    domain: np.ndarray
    n: np.ndarray
    mean: np.ndarray

    def poverty(self, alpha: float, factor: np.ndarray) -> np.ndarray:
        """FGT(alpha) per domain of this round's welfare times ``factor[domain]``."""
        scaled = self.y * factor[self.domain]
        poor = scaled <= self.line
        gap = np.where(poor, 1.0 - scaled / self.line, 0.0)
        value = poor.astype(np.float64) if alpha == 0 else np.where(poor, gap**alpha, 0.0)
        size = self.mean.size
        total = np.bincount(self.domain, weights=self.w, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.bincount(self.domain, weights=self.w * value, minlength=size) / total


def _line_text(line: float | str) -> str:
    return f"@{line[1:]}" if isinstance(line, str) else f"{line:g}"


def _round(
    frame: pl.DataFrame,
    name: str,
    welfare: str,
    weight: str | None,
    line: float | str,
    codes: np.ndarray,
    n_domains: int,
) -> _Round:
    for column in [welfare, weight, line[1:] if isinstance(line, str) else None]:
        if column and column not in frame.columns:
            raise ColumnNotFoundError(f"{name} round: column {column!r} not in the data")
    y = frame[welfare].cast(pl.Float64).to_numpy()
    w = np.ones(frame.height) if weight is None else frame[weight].cast(pl.Float64).to_numpy()
    if isinstance(line, str):
        z = frame[line[1:]].cast(pl.Float64).to_numpy()
    else:
        z = np.full(frame.height, float(line))
    bad_line = int((z <= 0).sum())
    if bad_line:
        raise InputValueError(f"{name} round: {bad_line:,} zero or negative poverty lines")
    negative = int((w < 0).sum())
    if negative:
        raise InputValueError(
            f"{name} round: weight column {weight!r} has {negative:,} negative values"
        )
    keep = ~np.isnan(y) & ~np.isnan(w) & ~np.isnan(z) & (codes >= 0)
    y, w, z, d = y[keep], w[keep], z[keep], codes[keep]
    total = np.bincount(d, weights=w, minlength=n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(d, weights=w * y, minlength=n_domains) / total
    return _Round(y, w, z, d, np.bincount(d, minlength=n_domains), mean)


def _codes(frames: Sequence[pl.DataFrame], by: list[str]) -> tuple[list[np.ndarray], pl.DataFrame]:
    if not by:
        return [np.zeros(f.height, dtype=np.int64) for f in frames], pl.DataFrame()
    for name, frame in zip(("before", "after"), frames, strict=True):
        missing = [c for c in by if c not in frame.columns]
        if missing:
            raise ColumnNotFoundError(f"{name} round: by column(s) {missing} not in the data")
    domains = pl.concat([f.select(by) for f in frames], how="vertical_relaxed").unique(
        maintain_order=True
    )
    keys = domains.with_row_index("__setara_domain")
    codes = []
    for frame in frames:
        joined = (
            frame.select(by)
            .with_row_index("__setara_row")
            .join(keys, on=by, how="left", nulls_equal=True)
        )
        codes.append(
            joined.sort("__setara_row")["__setara_domain"].fill_null(-1).to_numpy().astype(np.int64)
        )
    return codes, domains


def growth_redistribution(
    before: Any,
    after: Any,
    *,
    welfare: str,
    line: float | str,
    alpha: float = 0.0,
    design: Mapping[str, Any] | None = None,
    by: str | Sequence[str] | None = None,
    method: str = "datt-ravallion",
) -> Results:
    """Split the change in FGT(``alpha``) at a fixed real ``line`` into growth and
    redistribution, by domain.

    Parameters
    ----------
    before, after : polars or pandas DataFrame
        The two rounds, welfare in the same real prices.
    welfare : str
        Welfare column.
    line : float or str
        The poverty line: a number, or ``"@column"`` for a line per row (province x
        urban/rural lines), kept fixed in real terms.
    alpha : float
        FGT parameter: 0 headcount, 1 poverty gap, 2 severity.
    design : mapping, optional
        The keyword arguments of :func:`setara.survey_design`; only ``weight`` is used.
    by : str or list of str, optional
        Domains (each its own mean and Lorenz curve).
    method : {"datt-ravallion", "shapley"}
        Datt--Ravallion with the ``before`` round as reference and a residual, or the
        Shapley split without residual.

    Returns
    -------
    Results
        Rows ``measure, params, <by>, method, before, after, change, growth,
        redistribution, residual, n_before, n_after``; ``growth + redistribution +
        residual`` equals ``change`` (the residual is 0 for Shapley).

    Examples
    --------
    >>> from setara.demo_rounds import generate_round
    >>> from setara.monitoring import growth_redistribution
    >>> r1 = generate_round(10_000, year=2024, seed=5)
    >>> r2 = generate_round(10_000, year=2026, seed=5)
    >>> res = growth_redistribution(r1, r2, welfare="expenditure_pc", line="@poverty_line",
    ...                             design={"weight": "weight"}, method="shapley")
    >>> row = res.frame.row(0, named=True)
    >>> bool(abs(row["growth"] + row["redistribution"] - row["change"]) < 1e-12)
    True

    References
    ----------
    Datt and Ravallion (1992); Shorrocks (2013); Kolenikov and Shorrocks (2005).
    """
    kind = method.lower()
    if kind not in METHODS:
        raise InputValueError(f"decomposition must be datt-ravallion or shapley, not {method!r}")
    if not np.isfinite(alpha) or alpha < 0:
        raise InputValueError(f"FGT alpha must be zero or positive, not {alpha}")
    if not isinstance(line, str) and not line > 0:
        raise InputValueError(f"poverty line must be positive, not {line}")
    if isinstance(line, str) and not line.startswith("@"):
        raise InputValueError(f"poverty line {line!r}: give a number or @column")
    frames = [to_polars(before), to_polars(after)]
    by_cols = [by] if isinstance(by, str) else list(by or [])
    codes, domains = _codes(frames, by_cols)
    n_domains = max(domains.height, 1)
    weight = (design or {}).get("weight")
    r1, r2 = (
        _round(f, name, welfare, weight, line, c, n_domains)
        for f, name, c in zip(frames, ("before", "after"), codes, strict=True)
    )
    one = np.ones(n_domains)
    with np.errstate(invalid="ignore", divide="ignore"):
        p11, p22 = r1.poverty(alpha, one), r2.poverty(alpha, one)
        p21 = r1.poverty(alpha, r2.mean / r1.mean)  # after's mean, before's Lorenz curve
        p12 = r2.poverty(alpha, r1.mean / r2.mean)  # before's mean, after's Lorenz curve
    total = p22 - p11
    if kind == "shapley":
        growth = 0.5 * ((p21 - p11) + (p22 - p12))
        redistribution = 0.5 * ((p12 - p11) + (p22 - p21))
        residual = np.zeros(n_domains)
    else:
        growth = p21 - p11
        redistribution = p12 - p11
        residual = total - growth - redistribution
    frame = pl.DataFrame(
        {
            "measure": ["fgt"] * n_domains,
            "params": [f"alpha={alpha:g},line={_line_text(line)}"] * n_domains,
        }
    )
    if by_cols:
        frame = pl.concat([frame, domains], how="horizontal")
    values = {
        "before": p11,
        "after": p22,
        "change": total,
        "growth": growth,
        "redistribution": redistribution,
        "residual": residual,
    }
    frame = frame.with_columns(
        pl.lit(kind).alias("method"),
        *(pl.Series(k, v, dtype=pl.Float64).fill_nan(None) for k, v in values.items()),
        pl.Series("n_before", r1.n, dtype=pl.Int64),
        pl.Series("n_after", r2.n, dtype=pl.Int64),
    )
    return Results(frame, tuple(by_cols), 0.95, [])
