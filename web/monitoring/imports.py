"""Checked tables to unsaved model objects: targets, realisation rows, indicator values and
beneficiary records. Every check is vectorised over the whole table and every problem is
reported at once (:class:`tables.TableError`); the callers in ``actions``/``workflow`` write
the objects in one transaction. The column lists here are the download templates.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import polars as pl
from agencies.access import readable
from django.utils import timezone

from monitoring.choices import Disaggregation, FormKind
from monitoring.models import (
    Indicator,
    IndicatorValue,
    Plan,
    RealisationRow,
    Submission,
    Target,
)
from monitoring.tables import (
    Column,
    TableError,
    beneficiary_keys,
    cast_columns,
    check_columns,
    duplicated,
    outside,
)

TARGET_COLUMNS = [
    Column("indicator_code", "text", required=True),
    Column("region_code", "region"),
    Column("year", "year", required=True),
    Column("baseline_value", "float"),
    Column("baseline_year", "year"),
    Column("target_value", "float"),
    Column("target_low", "float"),
    Column("target_high", "float"),
    Column("source_note", "text"),
]
REALISATION_COLUMNS = [
    Column("region_code", "region", required=True),
    Column("budget_allocated", "money"),
    Column("budget_realised", "money"),
    Column("beneficiaries_planned", "int"),
    Column("beneficiaries_reached", "int"),
    Column("participants", "int"),
    Column("followed_up", "int"),
    Column("outcome_improved", "int"),
    Column("note", "text"),
]
VALUE_COLUMNS = [
    Column("indicator_code", "text", required=True),
    Column("region_code", "region", required=True),
    Column("disaggregation", "text"),
    Column("group", "text"),
    Column("value", "float", required=True),
    *(Column(name, "float") for name in ("se", "ci_low", "ci_high", "rse")),
    Column("n", "int"),
]
BENEFICIARY_COLUMNS = [
    Column("nik", "text", required=True),
    Column("region_code", "region", required=True),
    Column("amount", "money"),
    Column("followed_up", "bool"),
    Column("outcome_improved", "bool"),
]
MONEY_COLUMNS = ("budget_allocated", "budget_realised", "amount")
GROUPS = list(Disaggregation.values)
LIMIT_TEXT = {"note": 300, "source_note": 300, "group": 60}


def columns_for(kind: str) -> list[Column]:
    """The template columns of a form kind."""
    return VALUE_COLUMNS if kind == FormKind.INDICATOR_VALUES else REALISATION_COLUMNS


def _raise(problems: list[Any]) -> None:
    found = [p for p in problems if p]
    if found:
        raise TableError(found)


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, 2)))


def _records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    money = [c for c in MONEY_COLUMNS if c in frame.columns]
    rows = frame.to_dicts()
    if money:
        for row in rows:
            for name in money:
                row[name] = _money(row[name])
    return rows


def _too_long(frame: pl.DataFrame) -> list[str | None]:
    out: list[str | None] = []
    for name, limit in LIMIT_TEXT.items():
        if name in frame.columns:
            mask = frame[name].fill_null("").str.len_chars() > limit
            if mask.any():
                first = int(mask.arg_true()[0]) + 1
                out.append(
                    f"{name}: {int(mask.sum()):,} of {mask.len():,} rows are longer than "
                    f"{limit} characters (first at row {first})"
                )
    return out


def row_table(submission: Submission, frame: pl.DataFrame) -> tuple[Any, pl.DataFrame]:
    """The model and the checked rows of a submission (realisation, or indicator values),
    with the table's column names, ready for :func:`monitoring.bulk.insert_frame`."""
    kind = submission.form.kind
    checked, problems = cast_columns(frame, columns_for(kind))
    if checked.height == 0:
        raise TableError(["the table has no rows"])
    if kind == FormKind.INDICATOR_VALUES:
        return IndicatorValue, _value_table(submission, checked, problems)
    _raise(
        [
            *problems,
            duplicated(checked, ["region_code"]),
            outside(checked, "region_code", submission.region_code),
            *_too_long(checked),
        ]
    )
    return RealisationRow, _money_rounded(checked).with_columns(
        pl.col("note").fill_null(""), pl.lit(submission.pk).alias("submission_id")
    )


def _money_rounded(frame: pl.DataFrame) -> pl.DataFrame:
    """Money to whole sen (two decimals), the precision of the database column."""
    return frame.with_columns(pl.col(c).round(2) for c in MONEY_COLUMNS if c in frame.columns)


def _value_table(
    submission: Submission, checked: pl.DataFrame, problems: list[str]
) -> pl.DataFrame:
    codes = dict(submission.form.indicators.values_list("code", "pk"))
    checked = checked.with_columns(
        pl.col("disaggregation").fill_null("").str.to_lowercase(), pl.col("group").fill_null("")
    )
    unknown = ~checked["indicator_code"].is_in(list(codes))
    known = ", ".join(codes)
    bad_group = ~checked["disaggregation"].is_in(["", *GROUPS])
    half = (checked["disaggregation"] == "") != (checked["group"] == "")
    _raise(
        [
            *problems,
            _masked("indicator_code", f"name no indicator of the form ({known})", unknown),
            _masked("disaggregation", f"are not one of {', '.join(GROUPS)}", bad_group),
            _masked("disaggregation + group", "have one of the two empty", half),
            duplicated(checked, ["indicator_code", "region_code", "disaggregation", "group"]),
            outside(checked, "region_code", submission.region_code),
            *_too_long(checked),
        ]
    )
    ids = pl.col("indicator_code").replace_strict(codes, return_dtype=pl.Int64)
    return checked.with_columns(
        ids.alias("indicator_id"),
        pl.lit(submission.pk).alias("submission_id"),
        pl.lit(submission.period).alias("period"),
        pl.lit(timezone.now()).alias("created_at"),
    ).drop("indicator_code")


def _masked(name: str, what: str, mask: pl.Series) -> str | None:
    if not mask.any():
        return None
    first = int(mask.arg_true()[0]) + 1
    return f"{name}: {int(mask.sum()):,} of {mask.len():,} rows {what} (first at row {first})"


def target_objects(user: Any, plan: Plan, frame: pl.DataFrame) -> tuple[list[Target], list[int]]:
    """Unsaved targets of a plan from a table, and the ids of the targets they replace."""
    checked, problems = cast_columns(frame, TARGET_COLUMNS)
    if checked.height == 0:
        raise TableError(["the table has no rows"])
    pairs = list(readable(user, Indicator.objects.all()).values_list("code", "pk", "owner_id"))
    by_code: dict[str, int] = {}
    for code, pk, _owner in sorted(pairs, key=lambda p: p[2] != plan.owner_id):
        by_code.setdefault(code, pk)  # the plan owner's indicator first
    unknown = ~checked["indicator_code"].is_in(list(by_code))
    unknown = ~checked["indicator_code"].is_in(list(by_code))
    has_value = checked["target_value"].is_not_null()
    has_range = checked["target_low"].is_not_null() & checked["target_high"].is_not_null()
    partial = checked["target_low"].is_not_null() != checked["target_high"].is_not_null()
    year = checked["year"]
    _raise(
        [
            *problems,
            _masked("indicator_code", "name no indicator you can read", unknown),
            _masked(
                "year",
                f"lie outside the plan's {plan.start_year}-{plan.end_year}",
                (year < plan.start_year) | (year > plan.end_year),
            ),
            _masked("target_value", "have both a value and a range", has_value & has_range),
            _masked("target_value", "have neither a value nor a range", ~has_value & ~has_range),
            _masked("target_low", "have only one end of the range", partial),
            _masked(
                "target_low",
                "have the range reversed (low above high)",
                has_range & (checked["target_low"] > checked["target_high"]),
            ),
            duplicated(checked, ["indicator_code", "region_code", "year"]),
            *_too_long(checked),
        ]
    )
    checked = checked.with_columns(pl.col("source_note").fill_null(""))
    targets = []
    for row in _records(checked):
        row["indicator_id"] = by_code[row.pop("indicator_code")]
        targets.append(Target(plan_id=plan.pk, **row))
    keys = {(t.indicator_id, t.region_code, t.year) for t in targets}
    existing = Target.objects.filter(plan=plan, indicator_id__in={k[0] for k in keys})
    replaced = [
        pk
        for pk, *key in existing.values_list("pk", "indicator_id", "region_code", "year")
        if tuple(key) in keys
    ]
    return targets, replaced


def beneficiary_table(submission: Submission, frame: pl.DataFrame) -> pl.DataFrame:
    """Checked pseudonymised records: the NIK column is hashed and dropped before anything
    else is read (problems count bad NIKs, never show them)."""
    if "nik" not in frame.columns:
        raise TableError(["missing required column: nik"])
    keys = beneficiary_keys(frame["nik"])
    frame = frame.drop("nik").with_columns(keys)
    columns = [c for c in BENEFICIARY_COLUMNS if c.name != "nik"]
    columns.append(Column("beneficiary_key", "text", required=True))
    checked = check_columns(frame, columns)
    _raise(
        [
            _masked("nik", "repeat a NIK", checked["beneficiary_key"].is_duplicated()),
            outside(checked, "region_code", submission.region_code),
        ]
    )
    return _money_rounded(checked).with_columns(pl.lit(submission.pk).alias("submission_id"))
