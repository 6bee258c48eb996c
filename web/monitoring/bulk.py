"""Tables in and out of the database without a model instance per row.

100,000 realisation rows through ``bulk_create`` spent most of their time building model
instances and preparing each field one by one (about 24 s of CPU); :func:`insert_frame` sends
the checked polars table with ``executemany`` in batches, and :func:`read_frame` reads a
queryset's columns straight from the cursor. Both use Django's connection (and so its
transaction): the caller's ``transaction.atomic()`` covers them.
"""

from __future__ import annotations

from typing import Any

import polars as pl
from django.db import connection, models

BATCH = 5_000  # rows per executemany call


def insert_frame(model: type[models.Model], frame: pl.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named by field or attname) into ``model``'s table."""
    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in frame.columns]
    marks = ", ".join(["%s"] * len(columns))
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))}) "
        f"VALUES ({marks})"
    )
    with connection.cursor() as cursor:
        for start in range(0, frame.height, BATCH):
            cursor.executemany(sql, frame.slice(start, BATCH).rows())
    return frame.height


def read_frame(queryset: Any, schema: dict[str, Any]) -> pl.DataFrame:
    """The ``values_list`` queryset's rows as a frame with ``schema`` (names in order)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        data = cursor.fetchall()
    frame = pl.DataFrame(data, schema=list(schema), orient="row", infer_schema_length=None)
    return frame.cast(schema)
