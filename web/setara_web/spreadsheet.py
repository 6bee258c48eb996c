"""Exported values that a spreadsheet cannot execute (CSV and XLSX formula injection).

Every CSV and XLSX export goes through :func:`neutralise` (one value), :func:`neutralise_frame`
(the text columns of a table) or :func:`to_csv` (a table as CSV bytes). A text value starting
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, as the
OWASP "CSV Injection" page recommends, so that Excel, LibreOffice and Google Sheets show it as
text instead of evaluating it. Numbers stay numbers: numeric columns are never touched, and a
text value that is a plain decimal number (``-12.5``, ``+3``, ``1e-4``) is left as it is, since
a spreadsheet reads it as that number and nothing else; so is a lone character (the ``-`` that
marks "nobody" in the audit trail), which cannot hold a formula. No Django import.

>>> neutralise('=HYPERLINK("http://x", "click")')
'\\'=HYPERLINK("http://x", "click")'
>>> neutralise("-12.5")
'-12.5'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import polars as pl

# Characters that make a spreadsheet cell a formula (or a DDE call) when they come first.
TRIGGERS = "=+-@\t\r"
_STARTS_WITH_TRIGGER = r"^[=+\-@\t\r]"
_PLAIN_NUMBER = r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$"
_NUMBER = re.compile(_PLAIN_NUMBER)


def neutralise(value: Any) -> Any:
    """``value`` with an apostrophe in front when it is text a spreadsheet would execute."""
    if (
        isinstance(value, str)
        and len(value) > 1
        and value[0] in TRIGGERS
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The table with every text column neutralised (vectorised; numeric columns untouched)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(
            pl.col(name).str.contains(_STARTS_WITH_TRIGGER)
            & (pl.col(name).str.len_chars() > 1)
            & ~pl.col(name).str.contains(_PLAIN_NUMBER)
        )
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


def localise(
    frame: pl.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
) -> pl.DataFrame:
    """The table in the reader's words: the text values of each column named in ``values``
    replaced by their words (a value without one is kept), then the columns renamed by
    ``columns``. Numeric columns stay numbers. Two columns never get one heading: the second
    keeps its own name in brackets."""
    changes = [
        pl.col(name).replace(dict(words))
        for name, words in (values or {}).items()
        if words and frame.schema.get(name) == pl.String
    ]
    if changes:
        frame = frame.with_columns(changes)
    renamed: dict[str, str] = {}
    taken = set(frame.columns)
    for name in frame.columns:
        heading = (columns or {}).get(name)
        if heading is None or heading == name:
            continue
        if heading in taken:
            heading = f"{heading} ({name})"
        renamed[name] = heading
        taken.add(heading)
    return frame.rename(renamed)


def to_csv(frame: pl.DataFrame) -> bytes:
    """The table as UTF-8 CSV bytes, its text neutralised."""
    return neutralise_frame(frame).write_csv().encode("utf-8")
