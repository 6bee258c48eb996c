"""What the monitoring dashboards show, read from the database into frames and scored.

A reader sees the indicators they may read (owned, shared or published, as every catalogue
object) and, of their values, survey estimates and approved or accepted reports only
(``monitoring.queries``). Members of the agency that owns an indicator may ask to include its
unapproved values (drafts, submitted, returned); those rows carry ``approved = False`` and every
page and export marks them. Scoring and ranking happen in :mod:`monitoring.dashboard_frames`.

The regions compared on a region's dashboard are its children: provinces under the nation,
regencies under a province, districts under a regency (``level="regency"`` on the national
page ranks all 514 regencies). The frames are cut from the plan's score table
(:mod:`monitoring.score_table`: every region's values scored at once, per stamp of the data:
counts and last changes of values, targets and submissions), so a new value, target or approval
shows at once.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from agencies.access import readable, roles_of
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save

from monitoring.dashboard_frames import latest, ranking
from monitoring.models import Indicator, IndicatorValue, Plan, Submission, Target
from monitoring.score_table import rows_of, score_table
from monitoring.validators import LEVEL_OF_LENGTH

CACHE_VERSION = 2
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


TARGETS_VERSION = "monitoring-targets-version"


def _targets_version() -> int:
    """A counter in the shared cache, bumped by every single target save or delete. It starts
    at a random value, so a cleared (or culled) cache never brings an earlier stamp back."""
    version = cache.get(TARGETS_VERSION)
    if version is None:
        cache.add(TARGETS_VERSION, secrets.randbits(62), None)
        version = cache.get(TARGETS_VERSION, 0)
    return int(version)


def _targets_changed(**kwargs: Any) -> None:
    """A target saved or deleted one by one (bulk imports give new ids, seen by ``stamp``)."""
    _targets_version()
    try:
        cache.incr(TARGETS_VERSION)
    except ValueError:  # removed by another process in between
        cache.add(TARGETS_VERSION, secrets.randbits(62), None)


post_save.connect(_targets_changed, sender=Target, dispatch_uid="monitoring-dashboard-targets")
post_delete.connect(_targets_changed, sender=Target, dispatch_uid="monitoring-dashboard-targets-d")


def stamp() -> str:
    """Changes whenever a value, target, submission or indicator is added, changed or removed.

    Values are never edited in place (a submission's rows are replaced, and its ``updated_at``
    moves), so the last value id and the submissions' count and last change say enough; the
    last target id catches imports, and a counter bumped on every single target save or
    delete catches edits (both read through indexes: no scan of the large tables).
    """
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql())
        parts = cursor.fetchone()
    return repr((*parts, _targets_version()))


@functools.cache
def _stamp_sql() -> str:
    """One statement of six scalar subqueries (four ORM aggregates cost 4 ms of CPU)."""
    quote = connection.ops.quote_name

    def part(model: Any, what: str) -> str:
        table = quote(model._meta.db_table)
        column = "*" if what == "n" else quote(model._meta.get_field(what).column)
        function = "COUNT" if what == "n" else "MAX"
        return f"(SELECT {function}({column}) FROM {table})"

    parts = [
        part(IndicatorValue, "id"),
        part(Target, "id"),
        part(Submission, "n"),
        part(Submission, "updated_at"),
        part(Indicator, "n"),
        part(Indicator, "updated_at"),
    ]
    return "SELECT " + ", ".join(parts)


def cache_key(kind: str, selection: Selection, language: str, stamp: str, extra: str = "") -> str:
    """A cache key naming everything a cached ``kind`` of output depends on (``extra``: what
    else the caller shows)."""
    ids = ",".join(str(i.pk) for i in selection.indicators)
    text = (
        f"{kind}|{selection.region}|{selection.level}|{selection.plan and selection.plan.pk}|"
        f"{ids}|{sorted(selection.unapproved)}|{language}|{stamp}|{extra}"
    )
    return f"monitoring-{CACHE_VERSION}-" + hashlib.sha256(text.encode()).hexdigest()


def _named(frame: pl.DataFrame, selection: Selection, language: str) -> pl.DataFrame:
    """``frame`` with each indicator's name in ``language``."""
    names = {i.pk: i.name_in(language) for i in selection.indicators}
    return frame.with_columns(
        pl.col("indicator_id")
        .replace_strict(names, default="", return_dtype=pl.String)
        .alias("name")
    )


def scorecard_frames(
    selection: Selection, language: str, data_stamp: str | None = None, *, children: bool = True
) -> dict[str, pl.DataFrame]:
    """``card`` (the region's indicators at their latest period, scored), ``history`` (every
    period of the region, scored, for trends) and ``ranking`` of the compared regions with
    ``children`` (their latest values, scored; not with ``children=False``), read from the
    plan's score table (:mod:`monitoring.score_table`) at the current state of the data."""
    plan_id = selection.plan.pk if selection.plan is not None else None
    table = score_table(plan_id, data_stamp or stamp())
    seen = {"indicator_ids": [i.pk for i in selection.indicators],
            "unapproved": selection.unapproved}  # fmt: skip
    history = _named(rows_of(table, region=selection.region, **seen), selection, language)
    frames = {"history": history, "card": latest(history)}
    length = selection.child_length
    if length is not None and children:
        inside = rows_of(table, parent=selection.region, length=length, **seen)
        children = _named(latest(inside), selection, language)
        frames["children"] = children
        frames["ranking"] = ranking(children, region_names())
    return frames
