"""Data-quality rules for realisation data before approval: ranges, ratios, completeness, outliers.

A :class:`QualityRule` says what must hold; :func:`check_quality` checks a table of rows against
a list of rules at once (Polars expressions over whole columns) and returns one row per
finding, with an English message and a ``message_id`` plus ``params`` (JSON) from which the web
app writes the message in the reader's language.

Rules and their findings (``rule`` column):

- ``range``: a value below ``min`` or above ``max`` (error);
- ``ratio``: ``column op other_column`` fails, e.g. realised ≤ allocated (error);
- ``required``: a missing (null or blank) field (error);
- ``complete``: an expected (region, period) with no row (error; ``row`` is null), or with
  ``first=k`` one finding per period counting them and naming the first ``k``; and a row
  whose (region, period) was not expected (warning);
- ``outlier_history`` / ``outlier_neighbours``: the modified z-score (Iglewicz and Hoaglin
  1993; :mod:`setara.monitoring.outliers`, which also documents MAD = 0) of the value against
  the region's own earlier periods (``history``) and against its neighbours: the regions with
  the same parent in the same period (the regencies of the same province, the districts of
  the same regency); ``|M| > threshold`` is a warning. Null values are never outliers.

Values missing in a rule's columns are skipped by ``range``, ``ratio`` and the outlier tests:
``required`` is the rule that finds them.

Message ids and their ``params`` (for translations; every message also has an English text):

=================================== =========================================================
``quality.range.below_min``         column, value, min
``quality.range.above_max``         column, value, max
``quality.ratio.failed``            column, value, op, other_column, other_value
``quality.required.missing``        column
``quality.complete.missing_row``    region_code, period
``quality.complete.unexpected_row`` region_code, period
``quality.complete.missing_rows``   period, missing, expected, codes (the first ``first``
                                    missing codes, ", …" when there are more), area (the
                                    missing codes' common parent, or null)
``quality.outlier.neighbours``      column, value, median, mad, score, threshold, n, area
                                    (the parent region), period
``quality.outlier.history``         the same, area = the region itself
``quality.outlier.*_constant``      the same with score null: the comparison values are all
                                    equal (MAD and MeanAD 0) and the value differs
=================================== =========================================================
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from setara.errors import InputValueError
from setara.monitoring._findings import PERIOD, QUALITY_COLUMNS, REGION, ROW, emit
from setara.monitoring._rows import numeric, require_columns
from setara.monitoring.completeness import complete_findings
from setara.monitoring.outliers import outlier_findings

__all__ = ["QUALITY_COLUMNS", "QualityRule", "check_quality"]

_OPS = {"<=": "le", "<": "lt", ">=": "ge", ">": "gt", "==": "eq", "!=": "ne"}
_SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class QualityRule:
    """One data-quality rule; build it with the constructors (``QualityRule.range(...)``, ...)."""

    kind: str
    columns: tuple[str, ...]
    minimum: float | None = None
    maximum: float | None = None
    op: str | None = None
    other_column: str | None = None
    expected: pl.DataFrame | None = field(default=None, compare=False, repr=False)
    threshold: float = 3.5
    min_points: int = 5
    by: tuple[str, ...] = ()
    severity: str = "error"
    first: int | None = None

    def __post_init__(self) -> None:
        if self.severity not in _SEVERITIES:
            raise InputValueError(f"severity must be 'error' or 'warning', not {self.severity!r}")

    @classmethod
    def range(
        cls,
        column: str,
        min: float | None = None,
        max: float | None = None,
        *,
        severity: str = "error",
    ) -> QualityRule:
        """Values of ``column`` must lie in ``[min, max]`` (either side may be open)."""
        if min is None and max is None:
            raise InputValueError(f"range rule on {column!r} needs min or max")
        if min is not None and max is not None and min > max:
            raise InputValueError(f"range rule on {column!r}: min {min} is above max {max}")
        return cls("range", (column,), minimum=min, maximum=max, severity=severity)

    @classmethod
    def ratio(
        cls, column: str, op: str, other_column: str, *, severity: str = "error"
    ) -> QualityRule:
        """``column op other_column`` must hold on every row.

        For example ``QualityRule.ratio("realised", "<=", "allocated")``.
        """
        if op not in _OPS:
            raise InputValueError(
                f"ratio rule operator must be one of {', '.join(_OPS)}, not {op!r}"
            )
        return cls("ratio", (column,), op=op, other_column=other_column, severity=severity)

    @classmethod
    def required(cls, columns: str | Sequence[str], *, severity: str = "error") -> QualityRule:
        """Every row must have a value (not null, not blank text) in each of ``columns``."""
        names = (columns,) if isinstance(columns, str) else tuple(columns)
        if not names:
            raise InputValueError("required rule needs at least one column")
        return cls("required", names, severity=severity)

    @classmethod
    def complete(
        cls, expected: pl.DataFrame, *, severity: str = "error", first: int | None = None
    ) -> QualityRule:
        """Every (``region_code``, ``period``) of ``expected`` must have a row.

        With ``first=k`` the missing regions of a period are one finding saying how many of
        the expected regions are missing and naming the first ``k`` codes (e.g. the districts
        of a regency), instead of one finding per region.
        """
        require_columns(expected, ("region_code", "period"), what="complete rule's expected frame")
        if first is not None and first < 1:
            raise InputValueError(f"complete rule: first must be at least 1, not {first}")
        pairs = expected.select(pl.col("region_code", "period").cast(pl.String)).unique()
        return cls("complete", (), expected=pairs, severity=severity, first=first)

    @classmethod
    def outlier(
        cls,
        column: str,
        threshold: float = 3.5,
        *,
        min_points: int = 5,
        by: Sequence[str] = (),
    ) -> QualityRule:
        """Warn when ``|modified z| > threshold`` against the history and the neighbours.

        ``min_points``: fewer comparison values than this (history rows of the region, or
        regions in the neighbour group including the row itself) and no test is made.
        ``by``: further columns that must match (e.g. ``"programme"``).
        """
        if not threshold > 0:
            raise InputValueError(f"outlier threshold must be positive, not {threshold}")
        if min_points < 2:
            raise InputValueError(f"outlier min_points must be at least 2, not {min_points}")
        return cls(
            "outlier",
            (column,),
            threshold=threshold,
            min_points=min_points,
            by=tuple(by),
            severity="warning",
        )


def check_quality(
    rows: pl.DataFrame,
    rules: Sequence[QualityRule],
    *,
    history: pl.DataFrame | None = None,
    region_col: str = "region_code",
    period_col: str = "period",
) -> pl.DataFrame:
    """Check ``rows`` against ``rules``; one result row per finding.

    Parameters
    ----------
    rows
        The submitted data, one row per region × period (× programme, ...).
    rules
        :class:`QualityRule` objects.
    history
        Earlier data with the same columns for the outliers' history test; rows of ``history``
        with the same region and period (and ``by``) as a submitted row are left out, so
        passing the whole store including the submission is fine. Without it only the
        neighbour test runs.
    region_col, period_col
        Names of the region (*kode wilayah*) and period columns; needed by ``complete`` and
        ``outlier`` rules, reported when present.

    Returns
    -------
    polars.DataFrame
        Columns of :data:`QUALITY_COLUMNS`: ``row`` (0-based index into ``rows``, null for a
        missing region/period), ``region_code``, ``period``, ``rule``, ``column``, ``value``,
        ``expected`` (what would have passed, as text), ``severity`` (``error`` or
        ``warning``), ``message`` (English), ``message_id`` (e.g.
        ``quality.range.above_max``) and ``params`` (JSON object of the message's values).
        Sorted by row (missing rows last), then in the order of ``rules``.

    Examples
    --------
    >>> import polars as pl
    >>> rows = pl.DataFrame({"region_code": ["32.01", "32.02"], "period": ["2025-Q1"] * 2,
    ...     "allocated": [100.0, 80.0], "realised": [90.0, 95.0]})
    >>> found = check_quality(rows, [QualityRule.ratio("realised", "<=", "allocated")])
    >>> found.select("row", "rule", "message").rows()
    [(1, 'ratio', 'realised 95.0 is not <= allocated 80.0')]
    """
    needs_keys = any(rule.kind in ("complete", "outlier") for rule in rules)
    if needs_keys:
        require_columns(rows, (region_col, period_col), what="check_quality")
    wanted = {c for rule in rules for c in (*rule.columns, *rule.by)}
    wanted |= {rule.other_column for rule in rules if rule.other_column}
    require_columns(rows, sorted(wanted), what="check_quality")
    base = rows.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias(ROW),
        _key(rows, region_col).alias(REGION),
        _key(rows, period_col).alias(PERIOD),
        *(pl.col(c) for c in sorted(wanted)),
    )
    found = []
    for order, rule in enumerate(rules):
        if rule.kind == "complete":
            result = complete_findings(base, rule.expected, rule.severity, first=rule.first)
        elif rule.kind == "outlier":
            result = outlier_findings(
                base, rule, history, region_col=region_col, period_col=period_col
            )
        else:
            result = _CHECKS[rule.kind](base, rule)
        found.append(result.with_columns(pl.lit(order).alias("__order")))
    if not found:
        return pl.DataFrame(schema=QUALITY_COLUMNS)
    return (
        pl.concat(found)
        .sort(["row", "__order"], nulls_last=True, maintain_order=True)
        .drop("__order")
    )


def _key(rows: pl.DataFrame, name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String) if name in rows.columns else pl.lit(None, pl.String)


def _range(base: pl.DataFrame, rule: QualityRule) -> pl.DataFrame:
    (column,) = rule.columns
    work = base.with_columns(numeric(base, column, what="range rule").alias("__v"))
    value = pl.col("__v")
    sides = (
        (rule.minimum, "below_min", "min", ">=", "below the minimum"),
        (rule.maximum, "above_max", "max", "<=", "above the maximum"),
    )
    out = []
    for bound, name, key, passing, words in sides:
        if bound is None:
            continue
        limit = float(bound)
        failed = work.filter(value < limit if key == "min" else value > limit)
        out.append(
            emit(
                failed,
                rule.severity,
                name="range",
                column=column,
                value=value,
                expected=pl.lit(f"{passing} {limit}"),
                message=pl.format(f"{column} {{}} is {words} {limit}", value),
                message_id=f"quality.range.{name}",
                params={"column": pl.lit(column), "value": value, key: pl.lit(limit)},
            )
        )
    return pl.concat(out)


def _ratio(base: pl.DataFrame, rule: QualityRule) -> pl.DataFrame:
    (column,) = rule.columns
    other = rule.other_column or ""
    op = rule.op or "<="
    work = base.with_columns(
        numeric(base, column, what="ratio rule").alias("__v"),
        numeric(base, other, what="ratio rule").alias("__o"),
    )
    value, limit = pl.col("__v"), pl.col("__o")
    failed = work.filter(~getattr(value, _OPS[op])(limit))
    return emit(
        failed,
        rule.severity,
        name="ratio",
        column=column,
        value=value,
        expected=pl.format(f"{op} {other} ({{}})", limit),
        message=pl.format(f"{column} {{}} is not {op} {other} {{}}", value, limit),
        message_id="quality.ratio.failed",
        params={
            "column": pl.lit(column),
            "value": value,
            "op": pl.lit(op),
            "other_column": pl.lit(other),
            "other_value": limit,
        },
    )


def _required(base: pl.DataFrame, rule: QualityRule) -> pl.DataFrame:
    out = []
    for column in rule.columns:
        series = base.get_column(column)
        blank = series.is_null()
        if series.dtype == pl.String:
            blank = blank | (series.str.strip_chars() == "")
        out.append(
            emit(
                base.filter(blank),
                rule.severity,
                name="required",
                column=column,
                value=pl.lit(None),
                expected=pl.lit("a value"),
                message=pl.lit(f"{column} is missing"),
                message_id="quality.required.missing",
                params={"column": pl.lit(column)},
            )
        )
    return pl.concat(out)


_CHECKS = {"range": _range, "ratio": _ratio, "required": _required}
