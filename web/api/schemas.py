"""The API's request and response bodies.

Request bodies are plain pydantic models, strict and closed: a body that is not an object, a
field of the wrong type or an unknown field is refused with 400 (ninja's ``Schema`` reads any
value's attributes and falls back to the defaults, which let ``"x"`` or ``[]`` through as an
empty body).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from analyses.compute import BREAKDOWNS
from analyses.models import Dimension
from datasets.labels import CODED_ROLES, MEANINGS
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

STRICT_BODY = ConfigDict(extra="forbid", strict=True)
Name = Annotated[str, Field(min_length=1, max_length=200)]


class AgencyOut(Schema):
    slug: str
    name: str
    kind: str


class CsvDialectOut(Schema):
    """How a CSV upload is read: ``separator`` (``,`` ``;`` tab ``|``), ``decimal`` mark,
    ``thousands`` separator (null: numbers not grouped), ``encoding``; ``notes`` say what the
    detection guessed."""

    separator: str
    decimal: str
    thousands: str | None
    encoding: str
    notes: list[str]


class VersionOut(Schema):
    number: int
    original_name: str
    n_rows: int
    n_columns: int
    status: str
    mapping: dict[str, str]
    validation: list[dict[str, Any]]
    uploaded_at: datetime


class VersionDetailOut(VersionOut):
    """A version with how it is read: its code tables and CSV dialect (lists leave them out)."""

    labels: dict[str, dict[str, str]] = Field(
        description="code tables per coded role: code -> meaning (an empty meaning is missing)"
    )
    csv_dialect: CsvDialectOut | None = Field(description="null for files other than CSV")


Separator = Literal[",", ";", "\t", "|"]
Decimal = Literal[".", ","]
Thousands = Literal["", ".", ",", " "]
Encoding = Literal["utf-8", "utf-8-sig", "windows-1252"]


class CsvDialectIn(BaseModel):
    """How to read the version's CSV file again (before acceptance)."""

    model_config = STRICT_BODY
    separator: Separator
    decimal: Decimal = "."
    thousands: Thousands = Field(default="", description='"" when numbers are not grouped')
    encoding: Encoding = "utf-8"


class UploadOut(Schema):
    """A received file the worker is turning into a dataset version (``POST /api/datasets``
    answers 202 with it). Follow ``status_url`` until ``status`` is ``done`` (then ``dataset``
    and ``version`` name the new version) or ``failed`` (``error`` says why; nothing was
    created)."""

    id: int
    status: Literal["queued", "running", "done", "failed"]
    progress: int = Field(description="percent done")
    message: str = Field(description="what the worker is doing")
    error: str
    original_name: str
    csv_dialect_fields: dict[str, str] = Field(
        description="CSV dialect fields given with the upload, in place of the detected ones"
    )
    dataset: int | None = Field(description="the dataset, once the version is created")
    version: int | None = Field(description="the version's number, once created")
    status_url: str
    dataset_url: str | None


class DatasetOut(Schema):
    id: int
    name: str
    description: str
    owner: AgencyOut
    shared_with: list[str]
    published: bool
    versions: list[VersionOut]


class VersionSummaryOut(Schema):
    """A version in the dataset list: its validation report summed up as counts (the report
    itself and the column mapping are in the dataset's detail, ``url``)."""

    number: int
    original_name: str
    n_rows: int
    n_columns: int
    status: str
    uploaded_at: datetime
    warnings: int = Field(description="checks of the validation report with status 'warning'")
    errors: int = Field(description="checks of the validation report with status 'error'")


class DatasetListOut(Schema):
    """A row of the dataset list: the dataset's detail (``url``) with each version summed up."""

    id: int
    url: str = Field(description="the dataset's detail: every version in full")
    name: str
    description: str
    owner: AgencyOut
    shared_with: list[str]
    published: bool
    versions: list[VersionSummaryOut]


class AnalysisOut(Schema):
    id: int
    title: str
    owner: AgencyOut
    dataset: int
    dataset_version: int
    dimension: str
    breakdowns: list[str]
    ci_method: str
    status: str
    progress: int
    error: str
    shared_with: list[str]
    published: bool


class AnalysisIn(BaseModel):
    model_config = STRICT_BODY
    dataset: int
    version: int
    dimension: Literal[tuple(Dimension.values)]  # type: ignore[valid-type]
    breakdowns: list[Literal[BREAKDOWNS]] = Field(default=[], max_length=20)  # type: ignore[valid-type]
    title: str = Field(default="", max_length=200)
    # the interval of rates, shares and indices
    ci_method: Literal["logit", "beta", "wald"] = "logit"


MAX_CODES = 200
CodedRole = Literal[CODED_ROLES]  # type: ignore[valid-type]
Code = Annotated[str, Field(min_length=1, max_length=80)]
Meaning = Annotated[str, Field(max_length=80)]


class MappingIn(BaseModel):
    """Column roles, and optionally the code tables of coded roles (they replace the stored
    ones; without ``labels`` the stored tables are kept where a role keeps its column)."""

    model_config = STRICT_BODY
    mapping: dict[Name, Name] = Field(max_length=50)
    labels: dict[CodedRole, dict[Code, Meaning]] | None = Field(
        default=None,
        max_length=len(CODED_ROLES),
        description=(
            "code -> meaning per coded role; fixed meanings: "
            + "; ".join(f"{role}: {', '.join(allowed)}" for role, allowed in MEANINGS.items())
            + ' ("" makes the code missing)'
        ),
    )

    @field_validator("labels")
    @classmethod
    def known_meanings(
        cls, labels: dict[str, dict[str, str]] | None, info: ValidationInfo
    ) -> dict[str, dict[str, str]] | None:
        """Meanings of fixed roles from their set; only mapped roles; at most 200 codes."""
        mapping = info.data.get("mapping")  # None when the mapping itself was refused
        problems = []
        for role, table in (labels or {}).items():
            allowed = MEANINGS.get(role)
            wrong = sorted(m for m in set(table.values()) if allowed and m and m not in allowed)
            if wrong:
                problems.append(
                    f"{role}: meaning {', '.join(map(repr, wrong))} is not one of "
                    f'{", ".join(allowed or ())} (or "" for missing)'
                )
            if mapping is not None and role not in mapping:
                problems.append(f"{role}: the role has no column in mapping")
            if len(table) > MAX_CODES:
                problems.append(f"{role}: {len(table)} codes, at most {MAX_CODES}")
        if problems:
            raise ValueError("; ".join(problems))
        return labels


class ShareIn(BaseModel):
    """Only what the body names changes: ``agencies`` replaces the list of agencies the object
    is shared with; ``published`` publishes or withdraws it."""

    model_config = STRICT_BODY
    agencies: list[Name] | None = Field(
        default=None, max_length=500, description="every agency to share with (replaces the list)"
    )
    published: bool | None = None

    @model_validator(mode="after")
    def names_a_change(self) -> ShareIn:
        if self.agencies is None and self.published is None:
            raise ValueError("give agencies, published or both")
        return self


class ProgrammeVersionOut(Schema):
    number: int
    spec: str
    template: str
    note: str
    created_at: datetime


class ProgrammeOut(Schema):
    id: int
    name: str
    description: str
    owner: AgencyOut
    published: bool
    versions: list[ProgrammeVersionOut]


class SimulationOut(Schema):
    id: int
    title: str
    owner: AgencyOut
    dataset: int
    dataset_version: int
    scenario_name: str
    status: str
    error: str


class ErrorOut(Schema):
    """Every refusal: ``detail`` says what is wrong; a body that fails its schema also lists
    the pydantic ``errors``."""

    detail: str
    errors: list[dict[str, Any]] | None = None


ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 409)}
# Results endpoints answer JSON, or CSV with format=csv. The whole 200 content is given here:
# django-ninja replaces the generated one with it, so JSON must be listed beside CSV (with only
# text/csv, schemathesis found the JSON answer undocumented).
CSV_TOO = {
    "responses": {
        "200": {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            }
        },
    }
}
