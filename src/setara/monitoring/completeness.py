"""Completeness of a submission: every expected (region, period) has a row.

The findings of :class:`setara.monitoring.QualityRule.complete`: each expected pair without a
row (``quality.complete.missing_row``), or one finding per period counting the missing
regions and naming the first few (``quality.complete.missing_rows``, e.g. the districts a
regency's report left out), and each row whose pair was not expected
(``quality.complete.unexpected_row``, a warning).
"""

from __future__ import annotations

import polars as pl

from setara.monitoring._findings import PERIOD, REGION, ROW, emit

__all__ = ["complete_findings"]


def complete_findings(
    base: pl.DataFrame, expected: pl.DataFrame | None, severity: str, *, first: int | None
) -> pl.DataFrame:
    """Findings of the ``complete`` rule on ``base`` (rows with the working ``ROW``,
    ``REGION`` and ``PERIOD`` columns); ``expected`` holds ``region_code, period`` text."""
    expected = expected if expected is not None else pl.DataFrame()
    pairs = expected.rename({"region_code": REGION, "period": PERIOD})
    missing = pairs.join(base, on=[REGION, PERIOD], how="anti", nulls_equal=True)
    missing = missing.with_columns(pl.lit(None, pl.Int64).alias(ROW)).sort(REGION, PERIOD)
    keys = {"region_code": pl.col(REGION), "period": pl.col(PERIOD)}
    if first is None:
        absent = emit(
            missing,
            severity,
            name="complete",
            column=None,
            value=pl.lit(None),
            expected=pl.lit("a row"),
            message=pl.format("no row for region {} in period {}", *keys.values()),
            message_id="quality.complete.missing_row",
            params=keys,
        )
    else:
        absent = _summary(missing, pairs, severity, first)
    extra = base.join(pairs, on=[REGION, PERIOD], how="anti", nulls_equal=True)
    unexpected = emit(
        extra,
        "warning",
        name="complete",
        column=None,
        value=pl.lit(None),
        expected=pl.lit("an expected region and period"),
        message=pl.format(
            "region {} in period {} is not expected",
            _text(keys["region_code"]),
            _text(keys["period"]),
        ),
        message_id="quality.complete.unexpected_row",
        params=keys,
    )
    return pl.concat([absent, unexpected])


def _summary(missing: pl.DataFrame, pairs: pl.DataFrame, severity: str, first: int) -> pl.DataFrame:
    """One finding per period: how many expected regions have no row, the first codes."""
    totals = pairs.group_by(PERIOD).agg(pl.len().alias("__expected"))
    parent = pl.col(REGION).str.replace(r"\.[^.]*$", "")
    grouped = (
        missing.group_by(PERIOD, maintain_order=True)
        .agg(
            pl.len().alias("__missing"),
            pl.col(REGION).head(first).str.join(", ").alias("__codes"),
            parent.unique().alias("__parents"),
        )
        .join(totals, on=PERIOD, how="left")
        .with_columns(
            pl.when(pl.col("__missing") > first)
            .then(pl.col("__codes") + ", …")
            .otherwise(pl.col("__codes"))
            .alias("__codes"),
            # the common parent of the missing codes (a regency for its districts), else null
            pl.when(pl.col("__parents").list.len() == 1)
            .then(pl.col("__parents").list.first())
            .otherwise(None)
            .alias(REGION),
            pl.lit(None, pl.Int64).alias(ROW),
        )
    )
    count, total, codes = pl.col("__missing"), pl.col("__expected"), pl.col("__codes")
    return emit(
        grouped,
        severity,
        name="complete",
        column=None,
        value=count,
        expected=pl.format("a row for each of {} regions", total),
        message=pl.format(
            "{} of {} expected regions have no row in period {}: {}",
            count,
            total,
            pl.col(PERIOD),
            codes,
        ),
        message_id="quality.complete.missing_rows",
        params={
            "period": pl.col(PERIOD),
            "missing": count,
            "expected": total,
            "codes": codes,
            "area": pl.col(REGION),
        },
    )


def _text(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.String).fill_null("missing")
