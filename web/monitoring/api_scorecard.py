"""The score card in the REST API: ``GET /api/monitoring/scorecard``.

A region's indicators scored against a plan's targets, the rows of the dashboard's score card
as numbers and codes (no words in a language): value with SE, confidence interval and RSE,
target, achievement, category, traffic light, statistical verdict and RSE flag. The same
selection and checks as the page (:func:`monitoring.dashboard_views.selection_of`): an unknown
region, or a plan or indicator the user may not read, is 404; ``unapproved=1`` includes
unapproved values of the indicators the user's agency owns only. The rows come from the same
score table as the page (:mod:`monitoring.score_table`).
"""

from __future__ import annotations

from typing import Annotated, Any

import polars as pl
from api.api import ERRORS
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from monitoring.dashboard import owned_ids, region_name, scorecard_frames, stamp
from monitoring.dashboard_views import selection_of

router = Router(tags=["monitoring"])

Period = Annotated[
    str,
    Field(
        pattern=r"^\d{4}(-(Q[1-4]|S[12]|0[1-9]|1[0-2]))?$",
        description="a period (2025, 2025-Q3, 2025-S1, 2025-07); default each indicator's latest",
    ),
]


class ScoreRowOut(Schema):
    indicator: int
    code: str
    name_id: str
    name_en: str
    unit: str
    polarity: str
    source_kind: str
    period: str
    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    rse: float | None
    approved: bool
    baseline: float | None
    target_low: float | None
    target_high: float | None
    target_scope: str | None = Field(description="region, national, or null (no target)")
    achievement: float | None = Field(description="% (PermenPANRB 8/2021)")
    category: str | None = Field(description="very_high … very_low (Permendagri 86/2017)")
    light: str | None = Field(description="green, amber, red")
    verdict: str | None = Field(description="met, not_met, cannot_tell (survey indicators)")
    rse_flag: str | None = Field(description="reliable, caution, unreliable (survey indicators)")


class ScorecardOut(Schema):
    region: str
    region_name: str
    plan: int | None
    plan_name: str | None
    period: str | None
    rows: list[ScoreRowOut]


ROW_FIELDS = [f for f in ScoreRowOut.model_fields if f not in ("indicator", "name_id", "name_en")]


def _nan_to_none(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


@router.get("/scorecard", response={200: ScorecardOut, **ERRORS})
def scorecard(
    request: HttpRequest,
    region: Annotated[str | None, Query(description="kode wilayah; empty for national")] = None,
    plan: Annotated[int | None, Query(description="plan id; default the newest readable")] = None,
    period: Annotated[Period | None, Query()] = None,
    unapproved: Annotated[bool, Query(description="include unapproved (owners only)")] = False,
) -> dict[str, Any]:
    """A region's score card: each indicator at its latest period (or at ``period``), with the
    same rows, values and permissions as the dashboard page; region ``""`` is the nation, no
    region the user's agency's region as on the page."""
    selection = selection_of(request)  # reads region and plan from the query, as the page
    selection.unapproved = owned_ids(request.user, selection.indicators) if unapproved else set()
    frames = scorecard_frames(selection, "id", stamp(), children=False)
    card = frames["card"] if period is None else frames["history"]
    if period is not None:
        card = card.filter(pl.col("period") == period)
    names = {i.pk: (i.name_id, i.name_en) for i in selection.indicators}
    rows = []
    for row in card.select("indicator_id", *ROW_FIELDS).iter_rows(named=True):
        name_id, name_en = names[row["indicator_id"]]
        clean = {k: _nan_to_none(v) for k, v in row.items() if k != "indicator_id"}
        rows.append({"indicator": row["indicator_id"], "name_id": name_id, "name_en": name_en,
                     **clean})  # fmt: skip
    chosen = selection.plan
    return {
        "region": selection.region,
        "region_name": region_name(selection.region, "Indonesia"),
        "plan": chosen.pk if chosen is not None else None,
        "plan_name": chosen.name if chosen is not None else None,
        "period": period,
        "rows": rows,
    }
