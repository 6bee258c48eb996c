"""Every region's values scored against one plan, built once per state of the data.

A score card, a ranking, an export or the score-card API reads one region and its children.
Rather than querying and scoring them on every request, each server process keeps, per plan and
data stamp (:func:`monitoring.dashboard.stamp`), one frame of all values of all indicators,
regions and periods (no disaggregation) scored in a single vectorised call
(:func:`monitoring.dashboard_frames.scored_values`, which calls :func:`setara.monitoring.score`).
It is read with three queries (indicators, values with their submission's state, the plan's
targets). A request only filters it (:func:`rows_of`): the reader's indicators, approved rows or
the owner's unapproved ones, one region or the regions of one length under a parent.

A new value, target, approval or indicator change gives a new stamp, so the next request builds
a new table: no page ever shows a table older than the data it was asked with. The first process
to build a table also writes it as an Arrow file (``SETARA_DATA_DIR/score-tables``, written
aside and renamed into place, so never read half-written); the other server processes map that
file instead of reading and scoring the database again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

import polars as pl
from django.conf import settings

from monitoring.bulk import read_frame
from monitoring.choices import APPROVED_STATES
from monitoring.dashboard_frames import INDICATOR_SCHEMA, TARGET_SCHEMA, VALUE_SCHEMA, scored_values
from monitoring.models import Indicator, IndicatorValue, Target

__all__ = ["rows_of", "score_table"]

#: Tables kept per process (plans × recent stamps); older ones are dropped first.
KEPT = 4
#: A plan's table files older than this (seconds) are removed when a newer one is written.
STALE_AFTER = 300
FORMAT = 1  # bump when the table's columns change

_tables: OrderedDict[tuple[int | None, str], pl.DataFrame] = OrderedDict()
_lock = threading.Lock()

_VALUE_FIELDS = {**{name: VALUE_SCHEMA[name] for name in list(VALUE_SCHEMA)[:8]},
                 "submission_id": pl.Int64, "submission__state": pl.String}  # fmt: skip


def _indicators() -> pl.DataFrame:
    """Every indicator (names are in the reader's language: filled in per request)."""
    fields = ("indicator_id", "code", "unit", "polarity", "source_kind")
    rows = Indicator.objects.order_by().values_list("pk", *fields[1:])
    schema = {name: INDICATOR_SCHEMA[name] for name in fields}
    return read_frame(rows, schema).with_columns(name=pl.lit("")).select(list(INDICATOR_SCHEMA))


def _values() -> pl.DataFrame:
    """Every value without disaggregation, with ``approved`` (a survey estimate, or a report
    whose submission is approved or accepted)."""
    rows = IndicatorValue.objects.filter(disaggregation="").order_by().values_list(*_VALUE_FIELDS)
    frame = read_frame(rows, _VALUE_FIELDS)
    approved = pl.col("submission_id").is_null() | pl.col("submission__state").is_in(
        list(APPROVED_STATES)
    ).fill_null(False)
    return frame.with_columns(approved.alias("approved")).select(list(VALUE_SCHEMA))


def _targets(plan_id: int | None) -> pl.DataFrame:
    if plan_id is None:
        return pl.DataFrame(schema=TARGET_SCHEMA)
    rows = Target.objects.filter(plan_id=plan_id).order_by().values_list(*TARGET_SCHEMA)
    return read_frame(rows, TARGET_SCHEMA)


def build(plan_id: int | None) -> pl.DataFrame:
    """All values scored against the targets of ``plan_id`` (none: unscored), sorted by
    indicator code, region and period."""
    return scored_values(_indicators(), _values(), _targets(plan_id))


def _path(plan_id: int | None, data_stamp: str) -> Path:
    digest = hashlib.sha256(f"{FORMAT}|{plan_id}|{data_stamp}".encode()).hexdigest()[:32]
    return Path(settings.DATA_DIR) / "score-tables" / f"plan-{plan_id or 0}-{digest}.arrow"


def _write(path: Path, table: pl.DataFrame) -> None:
    """Write ``table`` aside, rename it into place, and remove the plan's stale files (a
    process still reading one keeps its open mapping)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.part")
    table.write_ipc(aside)
    os.replace(aside, path)
    plan = path.name.rsplit("-", 1)[0]
    now = time.time()
    for old in path.parent.glob(f"{plan}-*"):
        try:
            if old != path and now - old.stat().st_mtime > STALE_AFTER:
                old.unlink()
        except FileNotFoundError:  # removed by another process meanwhile
            continue


def _load_or_build(plan_id: int | None, data_stamp: str) -> pl.DataFrame:
    path = _path(plan_id, data_stamp)
    try:
        return pl.read_ipc(path)
    except (OSError, pl.exceptions.PolarsError):  # not built yet (or unreadable): build it
        table = build(plan_id)
    with contextlib.suppress(OSError):  # a full or read-only disk costs the others a build
        _write(path, table)
    return table


def score_table(plan_id: int | None, data_stamp: str) -> pl.DataFrame:
    """The scored table of ``plan_id`` at ``data_stamp``: from this process's memory, else from
    the file another process wrote, else built (and written)."""
    key = (plan_id, data_stamp)
    with _lock:
        table = _tables.get(key)
        if table is None:
            table = _load_or_build(plan_id, data_stamp)
            _tables[key] = table
            while len(_tables) > KEPT:
                _tables.popitem(last=False)
        else:
            _tables.move_to_end(key)
    return table


def rows_of(
    table: pl.DataFrame,
    *,
    indicator_ids: Iterable[int],
    unapproved: Iterable[int] = (),
    region: str | None = None,
    parent: str | None = None,
    length: int | None = None,
) -> pl.DataFrame:
    """The rows a reader sees: of ``indicator_ids``, approved (or of an indicator in
    ``unapproved``), and either of ``region`` or of the regions with a kode wilayah of
    ``length`` characters under ``parent`` (``""`` for the nation)."""
    where = pl.col("indicator_id").is_in(list(indicator_ids))
    if region is not None:
        where = (pl.col("region_code") == region) & where
    if length is not None:
        where = (pl.col("region_code").str.len_bytes() == length) & where
        if parent:
            where = where & pl.col("region_code").str.starts_with(parent + ".")
    shown = list(unapproved)
    visible = pl.col("approved") | pl.col("indicator_id").is_in(shown) if shown else "approved"
    return table.filter(where, visible)
