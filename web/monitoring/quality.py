"""Data-quality checks of a submission before approval: the rules of its form's kind, run by
the library's ``setara.monitoring.check_quality`` against the region's approved history.

The result is the follow-up list: one row per failed rule and row (``severity`` error or
warning, ``message``). A submission with any entry needs a written justification to be
submitted.

A form whose rows are the districts of a regency (``row_level`` district) also has the
completeness rule: a regency's report gets one error counting the districts of the official
list (``setara.regions.read_districts``, idn-area-data, ODbL) it has no row for and naming the
first few, and a warning for each row that is not one of its districts.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from monitoring.bulk import read_frame
from monitoring.choices import APPROVED_STATES, FormKind, RowLevel
from monitoring.models import IndicatorValue, RealisationRow, Submission
from monitoring.validators import region_level
from setara.monitoring import QUALITY_COLUMNS, QualityRule, check_quality
from setara.regions import read_districts

REALISATION = ["budget_allocated", "budget_realised", "beneficiaries_planned"]
REALISATION += ["beneficiaries_reached"]
EMPOWERMENT = ["participants", "followed_up", "outcome_improved"]
NUMBERS = {
    FormKind.REALISATION: REALISATION,
    FormKind.EMPOWERMENT: EMPOWERMENT,
    FormKind.INDICATOR_VALUES: ["value"],
}


def rules_for(kind: str) -> list[QualityRule]:
    """The rules of a form kind: errors block nothing by themselves but, like warnings, need
    a justification; reaching more beneficiaries than planned is only a warning."""
    if kind == FormKind.INDICATOR_VALUES:
        return [QualityRule.required(["value"]), QualityRule.outlier("value")]
    columns = NUMBERS[FormKind(kind)]
    rules = [QualityRule.required(columns[:2] if kind == FormKind.EMPOWERMENT else columns)]
    rules += [QualityRule.range(column, min=0) for column in columns]
    if kind == FormKind.REALISATION:
        rules += [
            QualityRule.ratio("budget_realised", "<=", "budget_allocated"),
            QualityRule.ratio(
                "beneficiaries_reached", "<=", "beneficiaries_planned", severity="warning"
            ),
            QualityRule.outlier("budget_realised"),
            QualityRule.outlier("beneficiaries_reached"),
        ]
    else:
        rules += [
            QualityRule.ratio("followed_up", "<=", "participants"),
            QualityRule.ratio("outcome_improved", "<=", "followed_up"),
            QualityRule.outlier("participants"),
        ]
    return rules


FIRST_CODES = 5  # missing districts named in the completeness finding


def completeness_rule(submission: Submission) -> QualityRule | None:
    """Every district of the submitting regency must have a row in the period, for a form
    reported per district; ``None`` for other forms and regions (or a regency not in the
    official list)."""
    form = submission.form
    if form.row_level != RowLevel.DISTRICT or not submission.region_code:
        return None
    if region_level(submission.region_code) != "regency":
        return None
    districts = read_districts().filter(pl.col("regency_code") == submission.region_code)
    if districts.height == 0:
        return None
    expected = districts.select(
        pl.col("code").alias("region_code"), pl.lit(submission.period).alias("period")
    )
    return QualityRule.complete(expected, first=FIRST_CODES)


def submission_rules(submission: Submission) -> list[QualityRule]:
    """The rules of the submission's form kind, with completeness where it applies."""
    rules = rules_for(submission.form.kind)
    complete = completeness_rule(submission)
    return rules if complete is None else [*rules, complete]


def _frame(queryset: Any, columns: list[str]) -> pl.DataFrame:
    """Rows as a frame of region_code, period and float ``columns`` (one query)."""
    schema: dict[str, Any] = {"region_code": pl.String, "period": pl.String}
    schema.update({c: pl.Float64 for c in columns})
    return read_frame(queryset.values_list("region_code", "submission__period", *columns), schema)


def rows_frame(submission: Submission) -> pl.DataFrame:
    """The submission's rows as the checks see them."""
    columns = NUMBERS[FormKind(submission.form.kind)]
    return _frame(_rows(submission.form.kind).filter(submission=submission), columns)


def _rows(kind: str) -> Any:
    model = IndicatorValue if kind == FormKind.INDICATOR_VALUES else RealisationRow
    return model.objects.order_by("pk")


def history_frame(submission: Submission) -> pl.DataFrame:
    """Approved rows of the same form in the submission's region from other periods: only
    the columns the outlier rules compare (reading 600,000 rows costs ~0.5 s per column)."""
    rules = rules_for(submission.form.kind)
    columns = [c for rule in rules if rule.kind == "outlier" for c in rule.columns]
    earlier = (
        _rows(submission.form.kind)
        .filter(
            submission__form_id=submission.form_id,
            submission__state__in=APPROVED_STATES,
            submission__region_code=submission.region_code,
        )
        .exclude(submission__period=submission.period)
    )
    return _frame(earlier, columns)


def has_rows(submission: Submission) -> bool:
    return bool(_rows(submission.form.kind).filter(submission=submission).exists())


def follow_up(submission: Submission) -> pl.DataFrame:
    """The failed rules of the submission's rows (an empty frame when all pass)."""
    rows = rows_frame(submission)
    if rows.height == 0:
        return pl.DataFrame(schema=QUALITY_COLUMNS)
    history = history_frame(submission)
    found: pl.DataFrame = check_quality(
        rows, submission_rules(submission), history=history if history.height else None
    )
    return found


def counts(found: pl.DataFrame) -> tuple[int, int]:
    """Errors and warnings of a follow-up list."""
    if found.height == 0:
        return 0, 0
    errors = int((found["severity"] == "error").sum())
    return errors, found.height - errors
