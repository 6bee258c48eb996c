"""The API's endpoints of one dataset version: its detail (roles, code tables, CSV dialect,
validation), its roles and code tables, its CSV dialect and its acceptance. Each goes through
the action the version page uses (``datasets.actions``): the same checks and audit events.
"""

from __future__ import annotations

from typing import Any

from datasets import actions as dataset_actions
from datasets.access import get_version
from django.http import HttpRequest
from ninja import Router

from api.schemas import ERRORS, CsvDialectIn, MappingIn, VersionDetailOut
from setara.csv_dialect import CsvDialect

router = Router(tags=["datasets"])


@router.post(
    "/{dataset_id}/versions/{number}/mapping",
    response={200: VersionDetailOut, **ERRORS},
)
def map_version(request: HttpRequest, dataset_id: int, number: int, body: MappingIn) -> Any:
    """Column roles and, with ``labels``, the code tables for them; then the validation."""
    version = get_version(request.user, dataset_id, number, "edit")
    return dataset_actions.map_and_validate(
        request.user, version, body.mapping, request, body.labels, labels_for_submitted=True
    )


@router.get(
    "/{dataset_id}/versions/{number}",
    response={200: VersionDetailOut, **ERRORS},
)
def version_detail(request: HttpRequest, dataset_id: int, number: int) -> Any:
    return get_version(request.user, dataset_id, number)


@router.post(
    "/{dataset_id}/versions/{number}/dialect",
    response={200: VersionDetailOut, **ERRORS},
)
def change_dialect(request: HttpRequest, dataset_id: int, number: int, body: CsvDialectIn) -> Any:
    """Read the version's CSV file again in this dialect (before acceptance); column roles and
    code tables are kept where their columns remain, and the validation must be run again."""
    version = get_version(request.user, dataset_id, number, "edit")
    dialect = CsvDialect.from_dict(body.model_dump())
    return dataset_actions.change_dialect(request.user, version, dialect, request)


@router.post(
    "/{dataset_id}/versions/{number}/accept",
    response={200: VersionDetailOut, **ERRORS},
)
def accept_version(request: HttpRequest, dataset_id: int, number: int) -> Any:
    version = get_version(request.user, dataset_id, number, "edit")
    return dataset_actions.accept(request.user, version, request)
