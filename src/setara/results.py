"""The one shape every estimate comes back in, and the reliability rule.

:class:`Results` wraps a tidy Polars frame with fixed columns
``measure, params, <by columns>, estimate, se, ci_low, ci_high, n, rse, reliability``.

Reliability follows Badan Pusat Statistik (BPS) practice for Susenas estimates: relative
standard error (RSE = SE / |estimate|) at most 25% is reliable, 25–50% should be used with
caution, above 50% is unreliable; estimates from fewer than ``min_n`` observations are flagged
whatever their RSE. Thresholds are configurable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl

from setara.kernels.groups import FloatArray, IntArray

if TYPE_CHECKING:
    import pandas as pd

RESULT_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "n", "rse", "reliability")
RELIABLE, CAUTION, UNRELIABLE = "reliable", "caution", "unreliable"
SMALL_N, EMPTY, ONE_PSU = "small n", "empty", "one PSU"


@dataclass(frozen=True)
class ReliabilityRule:
    """BPS rule: RSE <= ``reliable_rse`` reliable, <= ``caution_rse`` caution, else
    unreliable; fewer than ``min_n`` observations is flagged ``small n``."""

    reliable_rse: float = 0.25
    caution_rse: float = 0.50
    min_n: int = 30

    def flags(self, rse: FloatArray, n: IntArray, n_psu: IntArray | None = None) -> list[str]:
        out = np.where(
            rse <= self.reliable_rse,
            RELIABLE,
            np.where(rse <= self.caution_rse, CAUTION, UNRELIABLE),
        ).astype(object)
        out[np.isnan(rse)] = UNRELIABLE
        out[n < self.min_n] = SMALL_N
        if n_psu is not None:
            out[(n_psu == 1) & (n > 0)] = ONE_PSU
        out[n == 0] = EMPTY
        return [str(v) for v in out]


@dataclass
class Results:
    """Estimates with standard errors, confidence intervals and reliability flags.

    ``frame`` is a Polars frame with the fixed columns; ``by`` names the domain columns;
    ``notes`` lists what the user must know (rows excluded and why).
    """

    frame: pl.DataFrame
    by: tuple[str, ...] = ()
    level: float = 0.95
    notes: list[str] = field(default_factory=list)

    def to_polars(self) -> pl.DataFrame:
        return self.frame

    def to_pandas(self) -> pd.DataFrame:
        return self.frame.to_pandas()

    def to_records(self) -> list[dict[str, Any]]:
        return self.frame.to_dicts()

    def __len__(self) -> int:
        return self.frame.height

    def __repr__(self) -> str:
        head = f"Results: {self.frame.height} estimates, {self.level:.0%} CI"
        if self.by:
            head += f", by {', '.join(self.by)}"
        with pl.Config(tbl_rows=20, tbl_cols=-1, tbl_hide_dataframe_shape=True, fmt_str_lengths=40):
            return f"{head}\n{self.frame}" + "".join(f"\nnote: {n}" for n in self.notes)

    @classmethod
    def concat(cls, parts: Sequence[Results]) -> Results:
        frames = [p.frame for p in parts]
        notes: list[str] = []
        for p in parts:
            notes.extend(n for n in p.notes if n not in notes)
        first = parts[0]
        return cls(pl.concat(frames, how="vertical_relaxed"), first.by, first.level, notes)


def build_frame(
    *,
    measure: str,
    params: str,
    labels: pl.DataFrame,
    estimate: FloatArray,
    se: FloatArray,
    n: IntArray,
    n_psu: IntArray | None,
    t: FloatArray,
    rule: ReliabilityRule,
) -> pl.DataFrame:
    with np.errstate(divide="ignore", invalid="ignore"):
        rse = se / np.abs(estimate)
    frame = pl.DataFrame(
        {
            "measure": [measure] * estimate.size,
            "params": [params] * estimate.size,
        }
    )
    if labels.width:
        frame = pl.concat([frame, labels], how="horizontal")
    return frame.with_columns(
        pl.Series("estimate", estimate, dtype=pl.Float64).fill_nan(None),
        pl.Series("se", se, dtype=pl.Float64).fill_nan(None),
        pl.Series("ci_low", estimate - t * se, dtype=pl.Float64).fill_nan(None),
        pl.Series("ci_high", estimate + t * se, dtype=pl.Float64).fill_nan(None),
        pl.Series("n", n, dtype=pl.Int64),
        pl.Series("rse", rse, dtype=pl.Float64).fill_nan(None),
        pl.Series("reliability", rule.flags(rse, n, n_psu), dtype=pl.Utf8),
    )
