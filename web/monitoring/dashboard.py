"""What the monitoring dashboards show, read from the database into frames and scored.

A reader sees the indicators they may read (owned, shared or published, as every catalogue
object) and, of their values, survey estimates and approved or accepted reports only
(``monitoring.queries``). Members of the agency that owns an indicator may ask to include its
unapproved values (drafts, submitted, returned); those rows carry ``approved = False`` and every
page and export marks them. Scoring and ranking happen in :mod:`monitoring.dashboard_frames`.

The regions compared on a region's dashboard are its children: provinces under the nation,
regencies under a province, districts under a regency (``level="regency"`` on the national
page ranks all 514 regencies). Scored frames are cached per reader's indicator set, plan,
region and a stamp of the data (counts and last changes of values, targets and submissions),
so a new value, target or approval shows at once.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from agencies.access import readable, roles_of
from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.db.models.functions import Length
from django.db.models.signals import post_delete, post_save

from monitoring.choices import APPROVED_STATES
from monitoring.dashboard_frames import (
    INDICATOR_SCHEMA,
    TARGET_SCHEMA,
    VALUE_SCHEMA,
    latest,
    ranking,
    scored_values,
)
from monitoring.models import Indicator, IndicatorValue, Plan, Submission, Target
from monitoring.validators import LEVEL_OF_LENGTH

CACHE_VERSION = 1
CHILD_LENGTH = {0: 2, 2: 5, 5: 8, 8: 13}
LEVEL_LENGTH = {level: length for length, level in LEVEL_OF_LENGTH.items()}


@functools.cache
def region_names() -> dict[str, str]:
    """Kode wilayah → name of the 38 provinces and 514 regencies shipped with Setara."""
    from setara.regions import read_provinces, read_regencies

    names = dict(read_provinces().select("code", "name").iter_rows())
    names.update(dict(read_regencies().select("code", "name").iter_rows()))
    return names


def region_name(code: str, national: str) -> str:
    return national if code == "" else region_names().get(code, code)


def parents(code: str) -> list[str]:
    """The codes above ``code``, nation first (``"32.01"`` → ``["", "32"]``)."""
    parts = code.split(".") if code else []
    return ["", *(".".join(parts[:i]) for i in range(1, len(parts)))]


@dataclass
class Selection:
    """What one dashboard request asks for."""

    region: str
    plan: Plan | None
    indicators: list[Indicator]
    unapproved: set[int] = field(default_factory=set)  # indicator ids shown with unapproved
    level: str = ""  # the level of the compared regions ("" = the region's children)

    @property
    def child_length(self) -> int | None:
        if self.level:
            return LEVEL_LENGTH.get(self.level)
        return CHILD_LENGTH.get(len(self.region))


INDICATOR_FIELDS = ("pk", "code", "name_id", "name_en", "unit", "polarity", "source_kind")


def readable_indicators(user: Any) -> list[Indicator]:
    fields = (*INDICATOR_FIELDS, "owner_id")
    return list(readable(user, Indicator.objects.only(*fields)).order_by("code"))


def readable_plans(user: Any) -> list[Plan]:
    fields = ("pk", "name", "document_title", "start_year", "end_year", "owner_id")
    return list(readable(user, Plan.objects.only(*fields)))


def owned_ids(user: Any, indicators: list[Indicator]) -> set[int]:
    """Indicators whose owner agency the user belongs to (who may see unapproved values)."""
    mine = set(roles_of(user))
    return {i.pk for i in indicators if i.owner_id in mine}


def indicator_frame(indicators: list[Indicator], language: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "indicator_id": [i.pk for i in indicators],
            "code": [i.code for i in indicators],
            "name": [i.name_in(language) for i in indicators],
            "unit": [i.unit for i in indicators],
            "polarity": [i.polarity for i in indicators],
            "source_kind": [i.source_kind for i in indicators],
        },
        schema=INDICATOR_SCHEMA,
    )


def _visible(selection: Selection) -> Q:
    ids = [i.pk for i in selection.indicators]
    shown = Q(submission__isnull=True) | Q(submission__state__in=APPROVED_STATES)
    if selection.unapproved:
        shown |= Q(indicator_id__in=list(selection.unapproved))
    return Q(indicator_id__in=ids, disaggregation="") & shown


def _in(model: Any, regions: Q, length: int | None) -> Any:
    """Rows of ``model`` in ``regions`` whose kode wilayah has ``length`` characters."""
    if length is None:
        return model.objects.filter(regions)
    return model.objects.annotate(region_length=Length("region_code")).filter(
        regions, region_length=length
    )


def values_frame(
    selection: Selection, regions: Q, *, length: int | None = None, latest_only: bool
) -> pl.DataFrame:
    """Values of the selection's indicators in ``regions`` (kode wilayah of ``length``
    characters when given): all periods, or each indicator's latest period among them."""
    base = _in(IndicatorValue, regions, length).filter(_visible(selection))
    if latest_only:
        last = dict(
            base.values("indicator_id")
            .annotate(last=Max("period"))
            .values_list("indicator_id", "last")
        )
        if not last:
            return pl.DataFrame(schema=VALUE_SCHEMA)
        periods = Q(pk__in=[])
        for indicator_id, period in last.items():
            periods |= Q(indicator_id=indicator_id, period=period)
        base = base.filter(periods)
    rows = base.values_list(
        "indicator_id", "region_code", "period", "value", "se", "ci_low", "ci_high", "rse",
        "submission_id", "submission__state",
    )  # fmt: skip
    columns = list(zip(*rows, strict=True)) if rows else [()] * 10
    frame = pl.DataFrame(
        {name: list(col) for name, col in zip(list(VALUE_SCHEMA)[:8], columns[:8], strict=True)},
        schema={k: v for k, v in VALUE_SCHEMA.items() if k != "approved"},
    )
    approved = [
        sub is None or state in APPROVED_STATES
        for sub, state in zip(columns[8], columns[9], strict=True)
    ]
    return frame.with_columns(pl.Series("approved", approved, dtype=pl.Boolean))


def targets_frame(selection: Selection, regions: Q, *, length: int | None = None) -> pl.DataFrame:
    """Targets of the selected plan for the selection's indicators: national ones and those
    in ``regions`` (of ``length`` characters when given)."""
    if selection.plan is None:
        return pl.DataFrame(schema=TARGET_SCHEMA)
    mine = Q(plan=selection.plan, indicator_id__in=[i.pk for i in selection.indicators])
    national = Target.objects.filter(mine, region_code="").values_list(*TARGET_SCHEMA)
    regional = (
        _in(Target, regions, length)
        .filter(mine)
        .exclude(region_code="")
        .values_list(*TARGET_SCHEMA)
    )
    rows = [*national, *regional]
    return pl.DataFrame(rows, schema=TARGET_SCHEMA, orient="row")


TARGETS_VERSION = "monitoring-targets-version"


def _targets_changed(**kwargs: Any) -> None:
    """A target saved or deleted one by one (bulk imports give new ids, seen by ``_stamp``)."""
    try:
        cache.incr(TARGETS_VERSION)
    except ValueError:
        cache.set(TARGETS_VERSION, 1, None)


post_save.connect(_targets_changed, sender=Target, dispatch_uid="monitoring-dashboard-targets")
post_delete.connect(_targets_changed, sender=Target, dispatch_uid="monitoring-dashboard-targets-d")


def stamp() -> str:
    """Changes whenever a value, target, submission or indicator is added, changed or removed.

    Values are never edited in place (a submission's rows are replaced, and its ``updated_at``
    moves), so the last value id and the submissions' count and last change say enough; the
    last target id catches imports, and a counter bumped on every single target save or
    delete catches edits (both read through indexes: no scan of the large tables).
    """
    parts = [
        IndicatorValue.objects.aggregate(last=Max("pk")),
        Target.objects.aggregate(last=Max("pk")),
        cache.get(TARGETS_VERSION, 0),
        Submission.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
        Indicator.objects.aggregate(n=Count("pk"), last=Max("updated_at")),
    ]
    return repr(parts)


def cache_key(kind: str, selection: Selection, language: str, stamp: str) -> str:
    ids = ",".join(str(i.pk) for i in selection.indicators)
    text = (
        f"{kind}|{selection.region}|{selection.level}|{selection.plan and selection.plan.pk}|"
        f"{ids}|{sorted(selection.unapproved)}|{language}|{stamp}"
    )
    return f"monitoring-{CACHE_VERSION}-" + hashlib.sha256(text.encode()).hexdigest()


def _children_q(selection: Selection) -> Q:
    if selection.region == "":
        return Q()
    return Q(region_code__startswith=selection.region + ".")


def scorecard_frames(
    selection: Selection, language: str, data_stamp: str | None = None
) -> dict[str, pl.DataFrame]:
    """``card`` (the region's indicators at their latest period, scored), ``history`` (every
    period of the region, scored, for trends) and ``ranking`` of the compared regions with
    ``children`` (their latest values, scored), cached until the data change."""
    key = cache_key("card", selection, language, data_stamp or stamp())
    cached = cache.get(key)
    if cached is not None:
        return {name: pl.read_ipc(io.BytesIO(blob)) for name, blob in cached.items()}
    indicators = indicator_frame(selection.indicators, language)
    own = Q(region_code=selection.region)
    history = scored_values(
        indicators,
        values_frame(selection, own, latest_only=False),
        targets_frame(selection, own),
    )
    frames = {"history": history, "card": latest(history)}
    length = selection.child_length
    if length is not None:
        inside = _children_q(selection)
        scored = scored_values(
            indicators,
            values_frame(selection, inside, length=length, latest_only=True),
            targets_frame(selection, inside, length=length),
        )
        frames["children"] = scored
        frames["ranking"] = ranking(scored, region_names())
    cache.set(key, {name: _ipc(frame) for name, frame in frames.items()}, 3600)
    return frames


def _ipc(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_ipc(buffer)
    return buffer.getvalue()
