"""The shape of a data-quality finding, shared by the rule checks and the outlier tests."""

from __future__ import annotations

import polars as pl

#: Columns of :func:`check_quality`'s result, with their types.
QUALITY_COLUMNS: dict[str, pl.DataType] = {
    "row": pl.Int64(),
    "region_code": pl.String(),
    "period": pl.String(),
    "rule": pl.String(),
    "column": pl.String(),
    "value": pl.Float64(),
    "expected": pl.String(),
    "severity": pl.String(),
    "message": pl.String(),
    "message_id": pl.String(),
    "params": pl.String(),
}
#: Working names of the row index, region and period columns while rules are checked.
ROW, REGION, PERIOD = "__row", "__region", "__period"


def emit(
    frame: pl.DataFrame,
    severity: str,
    *,
    name: str,
    column: str | None,
    value: pl.Expr,
    expected: pl.Expr,
    message: pl.Expr,
    message_id: str | pl.Expr,
    params: dict[str, pl.Expr],
) -> pl.DataFrame:
    """One finding per row of ``frame``, in the columns and types of :data:`QUALITY_COLUMNS`."""
    # pl.format panics on a filtered multi-chunk string column (polars 2.1: "assertion failed:
    # i < self.len()"); one chunk avoids it (tests/monitoring/test_quality.py concatenates)
    return frame.rechunk().select(
        pl.col(ROW).alias("row"),
        pl.col(REGION).alias("region_code"),
        pl.col(PERIOD).alias("period"),
        pl.lit(name, pl.String).alias("rule"),
        pl.lit(column, pl.String).alias("column"),
        value.cast(pl.Float64).alias("value"),
        expected.cast(pl.String).alias("expected"),
        pl.lit(severity, pl.String).alias("severity"),
        message.alias("message"),
        (pl.lit(message_id) if isinstance(message_id, str) else message_id).alias("message_id"),
        pl.struct([expr.alias(key) for key, expr in params.items()])
        .struct.json_encode()
        .alias("params"),
    )
