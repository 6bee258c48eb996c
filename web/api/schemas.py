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
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field, model_validator

STRICT_BODY = ConfigDict(extra="forbid", strict=True)
Name = Annotated[str, Field(min_length=1, max_length=200)]


class AgencyOut(Schema):
    slug: str
    name: str
    kind: str


class VersionOut(Schema):
    number: int
    original_name: str
    n_rows: int
    n_columns: int
    status: str
    mapping: dict[str, str]
    validation: list[dict[str, Any]]
    uploaded_at: datetime


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


class MappingIn(BaseModel):
    model_config = STRICT_BODY
    mapping: dict[Name, Name] = Field(max_length=50)


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
# Results endpoints answer JSON, or CSV with format=csv.
CSV_TOO = {
    "responses": {
        "200": {"content": {"text/csv": {"schema": {"type": "string"}}}},
    }
}
