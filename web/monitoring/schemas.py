"""Request and response bodies of the monitoring API (strict, closed request bodies as in
``api.schemas``: a wrong type or an unknown field is refused with 400)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from api.schemas import STRICT_BODY, AgencyOut, Name
from ninja import Schema
from pydantic import BaseModel, Field

from monitoring.choices import (
    Disaggregation,
    Formula,
    PeriodType,
    Polarity,
    RegionLevel,
    SourceKind,
)

Code = Annotated[str, Field(max_length=13)]
Count = Annotated[int, Field(ge=0, le=2_000_000_000)]
Money = Annotated[float, Field(ge=0, le=1e15)]
Comment = Annotated[str, Field(max_length=5_000)]
Number = Annotated[float, Field(ge=-1e15, le=1e15)]
MAX_ROWS = 100_000


class IndicatorOut(Schema):
    id: int
    code: str
    name_id: str
    name_en: str
    unit: str
    polarity: str
    definition: str
    source_kind: str
    measure_spec: str
    welfare_column: str
    region_levels: list[str]
    period_type: str
    disaggregations: list[str]
    source_form: int | None
    formula: str
    owner: AgencyOut
    published: bool


class IndicatorIn(BaseModel):
    model_config = STRICT_BODY
    agency: Name
    code: Annotated[str, Field(min_length=1, max_length=40)]
    name_id: Annotated[str, Field(min_length=1, max_length=300)]
    name_en: Annotated[str, Field(min_length=1, max_length=300)]
    unit: Annotated[str, Field(max_length=40)] = ""
    polarity: Literal[tuple(Polarity.values)]  # type: ignore[valid-type]
    definition: Annotated[str, Field(max_length=5_000)] = ""
    source_kind: Literal[tuple(SourceKind.values)]  # type: ignore[valid-type]
    measure_spec: Annotated[str, Field(max_length=200)] = ""
    welfare_column: Annotated[str, Field(max_length=100)] = ""
    region_levels: list[Literal[tuple(RegionLevel.values)]] = Field(  # type: ignore[valid-type]
        default=["national"], min_length=1, max_length=5
    )
    period_type: Literal[tuple(PeriodType.values)] = "annual"  # type: ignore[valid-type]
    disaggregations: list[Literal[tuple(Disaggregation.values)]] = Field(  # type: ignore[valid-type]
        default=[], max_length=5
    )
    source_form: Annotated[int, Field(ge=1)] | None = None
    formula: Literal[("", *Formula.values)] = ""  # type: ignore[valid-type]


class PlanOut(Schema):
    id: int
    name: str
    start_year: int
    end_year: int
    document_title: str
    document_reference: str
    owner: AgencyOut
    published: bool


class TargetOut(Schema):
    id: int
    indicator: int
    indicator_code: str
    region_code: str
    year: int
    baseline_value: float | None
    baseline_year: int | None
    target_value: float | None
    target_low: float | None
    target_high: float | None
    source_note: str


class TargetIn(BaseModel):
    model_config = STRICT_BODY
    indicator: int
    region_code: Code = ""
    year: Annotated[int, Field(ge=1900, le=2100)]
    baseline_value: Number | None = None
    baseline_year: Annotated[int, Field(ge=1900, le=2100)] | None = None
    target_value: Number | None = None
    target_low: Number | None = None
    target_high: Number | None = None
    source_note: Annotated[str, Field(max_length=300)] = ""


class FormOut(Schema):
    id: int
    name: str
    kind: str
    period_type: str
    approval_levels: list[str]
    row_level: str
    programme: int | None
    programme_name: str
    indicators: list[str]
    owner: AgencyOut
    published: bool


class SubmissionOut(Schema):
    id: int
    form: int
    agency: str
    region_code: str
    period: str
    state: str
    approvals: int
    locked: bool
    justification: str
    quality_errors: int
    quality_warnings: int
    created_at: datetime
    submitted_at: datetime | None
    approved_at: datetime | None
    accepted_at: datetime | None


class RealisationRowIn(BaseModel):
    model_config = STRICT_BODY
    region_code: Code
    budget_allocated: Money | None = None
    budget_realised: Money | None = None
    beneficiaries_planned: Count | None = None
    beneficiaries_reached: Count | None = None
    participants: Count | None = None
    followed_up: Count | None = None
    outcome_improved: Count | None = None
    note: Annotated[str, Field(max_length=300)] = ""


class ValueRowIn(BaseModel):
    model_config = STRICT_BODY
    indicator_code: Annotated[str, Field(min_length=1, max_length=40)]
    region_code: Code
    disaggregation: Literal[("", *Disaggregation.values)] = ""  # type: ignore[valid-type]
    group: Annotated[str, Field(max_length=60)] = ""
    value: Number
    se: Number | None = None
    ci_low: Number | None = None
    ci_high: Number | None = None
    rse: Number | None = None
    n: Count | None = None


class RowsIn(BaseModel):
    """The rows of a realisation or empowerment form, or the values of an indicator form."""

    model_config = STRICT_BODY
    rows: list[RealisationRowIn] | None = Field(default=None, max_length=MAX_ROWS)
    values: list[ValueRowIn] | None = Field(default=None, max_length=MAX_ROWS)


class SubmissionIn(RowsIn):
    form: int
    agency: Name
    period: Annotated[str, Field(min_length=4, max_length=7)]


class SubmitIn(BaseModel):
    model_config = STRICT_BODY
    justification: Comment = ""


class StepIn(BaseModel):
    model_config = STRICT_BODY
    comment: Comment = ""


class BulkIn(BaseModel):
    model_config = STRICT_BODY
    submissions: list[int] = Field(min_length=1, max_length=1_000)
    comment: Comment = ""


class ValueOut(Schema):
    indicator: str
    region_code: str
    period: str
    disaggregation: str
    group: str
    value: float
    se: float | None
    ci_low: float | None
    ci_high: float | None
    rse: float | None
    n: int | None
    submission: int | None


class FollowUpOut(Schema):
    row: int | None
    region_code: str | None
    period: str | None
    rule: str | None
    column: str | None
    severity: str
    message: str
    message_id: str | None = None
    details: dict[str, Any] = {}
