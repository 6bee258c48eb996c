"""Bounded input: a file's columns, cells and expanded size, checked before it is read in full.

:func:`inspect_file` reads only what describes a file's shape (the CSV header line and a count
of line breaks, the Parquet footer, Stata/SPSS metadata, the xlsx archive's directory and sheet
dimension); :func:`check_shape` compares it with :class:`ReadLimits` and raises
:class:`InputLimitError`, naming the number and the limit, before anything large is in memory.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from setara.errors import ReadError

__all__ = ["FileShape", "InputLimitError", "ReadLimits", "check_shape", "inspect_file"]

CHUNK = 1 << 20  # bytes read at a time when scanning a text file
CELL_BYTES = 8  # memory of one numeric cell once read: the floor of the expanded size
CSV_SEPARATORS = b",;\t|"  # counted in the header whatever the dialect: the largest count wins
DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+(?::([A-Z]+)(\d+))?"')


class InputLimitError(ReadError):
    """A file is larger than a limit of :class:`ReadLimits`; ``limit`` names which one."""

    def __init__(self, message: str, *, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


@dataclass(frozen=True)
class ReadLimits:
    """The largest input read: columns, cells (rows × columns) and expanded size in MB.

    The defaults hold a national Susenas module (about 1.2 million persons × 200 columns)
    with room to spare; the web platform sets them from ``SETARA_MAX_*`` variables and the
    CLI from ``--max-columns``, ``--max-cells`` and ``--max-expanded-mb``.
    """

    max_columns: int = 5_000
    max_cells: int = 250_000_000
    max_expanded_mb: int = 4_096


@dataclass(frozen=True)
class FileShape:
    """What a file's header or metadata says about its size (``None`` where it says nothing).

    ``rows_exact`` is False when rows are counted from line breaks (an upper bound: quoted
    text may hold line breaks), ``columns_exact`` False when a header scan stopped beyond the
    column limit (a lower bound). ``duplicates`` lists header names that occur more than once.
    """

    columns: int | None
    rows: int | None
    expanded_bytes: int | None
    rows_exact: bool = True
    duplicates: tuple[str, ...] = ()
    columns_exact: bool = True


def inspect_file(path: str | Path, *, max_columns: int | None = None) -> FileShape:
    """The shape of ``path`` from its header or metadata, by suffix; nothing is read in full.

    ``max_columns`` stops a CSV header scan once that many columns are exceeded (the count
    is then a lower bound), so a header of millions of columns costs no more than the limit.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    if suffix == ".csv":
        return _csv_shape(file, max_columns)
    if suffix in (".parquet", ".pq"):
        return _parquet_shape(file)
    if suffix in (".dta", ".sav", ".zsav"):
        return _labelled_shape(file, suffix)
    if suffix == ".xlsx":
        return _xlsx_shape(file)
    return FileShape(columns=None, rows=None, expanded_bytes=None)


def check_shape(shape: FileShape, limits: ReadLimits, name: str) -> None:
    """Raise :class:`InputLimitError` when ``shape`` exceeds one of ``limits``."""
    if shape.columns is not None and shape.columns > limits.max_columns:
        more = "" if shape.columns_exact else "more than "
        raise InputLimitError(
            f"file {name!r} has {more}{shape.columns:,} columns; the limit is "
            f"{limits.max_columns:,} columns",
            limit="max_columns",
        )
    if shape.columns is not None and shape.rows is not None:
        cells = shape.columns * shape.rows
        if cells > limits.max_cells:
            about = "" if shape.rows_exact else "about "
            raise InputLimitError(
                f"file {name!r} has {about}{shape.rows:,} rows × {shape.columns:,} columns = "
                f"{cells:,} cells; the limit is {limits.max_cells:,} cells",
                limit="max_cells",
            )
    if shape.expanded_bytes is not None:
        expanded_mb = shape.expanded_bytes / 2**20
        if expanded_mb > limits.max_expanded_mb:
            raise InputLimitError(
                f"file {name!r} expands to about {expanded_mb:,.0f} MB once read; the limit is "
                f"{limits.max_expanded_mb:,} MB",
                limit="max_expanded_mb",
            )


def _csv_shape(file: Path, max_columns: int | None) -> FileShape:
    header, complete = _first_line(file, max_columns)
    counts = {sep: _count_outside_quotes(header, sep) for sep in CSV_SEPARATORS}
    separator = max(counts, key=lambda sep: counts[sep])
    columns = counts[separator] + 1 if header.strip() else 0
    if not complete or (max_columns is not None and columns > max_columns):
        return FileShape(columns=columns, rows=None, expanded_bytes=None, columns_exact=complete)
    size = file.stat().st_size
    breaks = 0
    last = b"\n"
    with file.open("rb") as handle:
        while block := handle.read(CHUNK):
            breaks += block.count(b"\n")
            last = block[-1:]
    lines = breaks + (last != b"\n")
    rows = max(lines - 1 - header.count(b"\n"), 0)  # line breaks quoted in the header
    names = _header_names(header, bytes([separator]))
    duplicates = tuple(n for n, c in Counter(names).items() if c > 1)
    return FileShape(
        columns=columns,
        rows=rows,
        expanded_bytes=max(size, CELL_BYTES * rows * columns),
        rows_exact=False,
        duplicates=duplicates,
    )


def _first_line(file: Path, max_columns: int | None) -> tuple[bytes, bool]:
    """The header line (without its line break), and False when the scan stopped early."""
    parts: list[bytes] = []
    quoted = False
    seen = dict.fromkeys(CSV_SEPARATORS, 0)
    with file.open("rb") as handle:
        while block := handle.read(CHUNK):
            end = _line_end(block, quoted)
            if end >= 0:
                parts.append(block[:end])
                break
            parts.append(block)
            for sep in CSV_SEPARATORS:
                seen[sep] += _count_outside_quotes(block, sep, quoted)
            quoted = (block.count(b'"') % 2 == 1) != quoted
            if max_columns is not None and max(seen.values()) >= max_columns:
                return b"".join(parts), False
    return b"".join(parts).rstrip(b"\r"), True


def _line_end(block: bytes, quoted: bool) -> int:
    """Position of the first line break outside quotes in ``block``, or -1."""
    if b'"' not in block and not quoted:
        return block.find(b"\n")
    start = 0
    for index, piece in enumerate(block.split(b'"')):
        outside = (index % 2 == 0) != quoted
        if outside and (found := piece.find(b"\n")) >= 0:
            return start + found
        start += len(piece) + 1
    return -1


def _count_outside_quotes(text: bytes, separator: int, quoted: bool = False) -> int:
    """How many ``separator`` bytes of ``text`` lie outside quotes (``quoted``: at its start)."""
    pieces = text.split(b'"')
    return sum(piece.count(separator) for piece in pieces[1 if quoted else 0 :: 2])


def _header_names(header: bytes, separator: bytes) -> list[str]:
    import csv
    import io

    text = header.decode("utf-8", errors="replace").lstrip("\ufeff")
    row = next(csv.reader(io.StringIO(text), delimiter=separator.decode()), [])
    return [name.strip() for name in row]


def _parquet_shape(file: Path) -> FileShape:
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(file)
    except Exception as exc:
        raise ReadError(f"cannot read {str(file)!r} as parquet: {_first_line_of(exc)}") from exc
    stored = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    names = [meta.schema.column(i).path.split(".")[0] for i in range(meta.num_columns)]
    columns = len(dict.fromkeys(names))
    return FileShape(
        columns=columns,
        rows=meta.num_rows,
        expanded_bytes=max(stored, CELL_BYTES * meta.num_rows * columns),
    )


def _labelled_shape(file: Path, suffix: str) -> FileShape:
    import pyreadstat

    reader = pyreadstat.read_dta if suffix == ".dta" else pyreadstat.read_sav
    try:
        _, meta = reader(str(file), metadataonly=True)
    except Exception as exc:
        kind = "stata" if suffix == ".dta" else "spss"
        raise ReadError(f"cannot read {str(file)!r} as {kind}: {_first_line_of(exc)}") from exc
    columns = int(meta.number_columns or 0)
    rows = meta.number_rows if meta.number_rows is not None and meta.number_rows >= 0 else None
    widths = getattr(meta, "variable_storage_width", None) or {}
    row_bytes = sum(max(CELL_BYTES, int(w or 0)) for w in widths.values()) or CELL_BYTES * columns
    return FileShape(
        columns=columns,
        rows=rows,
        expanded_bytes=None if rows is None else rows * row_bytes,
    )


def _xlsx_shape(file: Path) -> FileShape:
    """The archive's expanded size, and the first sheet's dimension when it declares one."""
    import zipfile  # only for xlsx (keeps the CLI's start-up light)

    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            expanded = sum(m.file_size for m in members)
            sheets = sorted(
                m.filename for m in members if re.match(r"xl/worksheets/sheet\d+\.xml$", m.filename)
            )
            head = b""
            if sheets:
                first = min(sheets, key=lambda n: int(re.sub(r"\D", "", n)))
                with archive.open(first) as handle:
                    head = handle.read(4096)
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise ReadError(f"cannot read {str(file)!r} as xlsx: {_first_line_of(exc)}") from exc
    found = DIMENSION.search(head)
    if found is None or found.group(1) is None:
        return FileShape(columns=None, rows=None, expanded_bytes=expanded)
    letters, last_row = found.group(1).decode(), int(found.group(2))
    columns = 0
    for letter in letters:
        columns = columns * 26 + ord(letter) - ord("A") + 1
    return FileShape(columns=columns, rows=max(last_row - 1, 0), expanded_bytes=expanded)


def _first_line_of(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
