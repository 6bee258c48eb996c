"""CSV files as they come: separator, decimal mark, thousands separator and encoding.

Indonesian Excel saves CSV with ``;`` between fields, decimal commas (``1,5``) and, when the
cells are formatted, thousands dots (``1.532.173``), in Windows-1252. :func:`detect_dialect`
reads a sample of the file and finds the :class:`CsvDialect`; :func:`read_csv` reads the file with
it. Columns named like codes or ids (:data:`CODE_COLUMN`) always stay text, so *kode wilayah*
``11.10`` is never read as the number 11.1.

Rules (and the ambiguous cases they settle)
-------------------------------------------
- **Separator**: the first of ``,`` ``;`` tab ``|`` that splits the header into at least two
  fields and gives the same number of fields on most sampled lines; when several do, the one
  with the most consistent lines, then the most fields. A one-column file is read with ``,``.
- **Decimal mark**: counted over the values of non-code columns. ``1,5``, ``0,125`` and
  ``1.234,5`` say decimal comma; ``1.5``, ``0.125`` and ``1,234.5`` say decimal point. A value
  such as ``1,234`` or ``1.234`` (one group of three digits) says nothing by itself: when nothing
  else decides, files separated by ``;`` are read with a decimal comma (Indonesian Excel) and
  all others with a decimal point. So ``1.234`` in a ``;`` file is 1234 and in a ``,`` file 1.234.
- **Thousands separator**: the mark that is not the decimal mark, when a sampled number uses it
  in groups of three digits (``1.532.173``). A column with a value that breaks the pattern
  (``1.2.3``) stays text.
- **Encoding**: UTF-8 with or without a byte-order mark; a file that is not valid UTF-8 is read
  as Windows-1252 (the Indonesian and Western Windows code page).

Without a thousands separator Polars parses the numbers (column types inferred from the first
10,000 rows, as for any CSV); with one, a column becomes numeric only when every value is a
number in the dialect, otherwise it stays text and the validation step says so. Every guess can
be overridden (``separator=``, ``decimal_comma=``; the CLI's ``--csv-separator`` and
``--decimal-comma``).

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "excel.csv"
>>> _ = path.write_bytes("kode_kab;nama;pengeluaran\\n11.10;Aceh;1.532.173,5\\n".encode("cp1252"))
>>> dialect = detect_dialect(path)
>>> dialect.separator, dialect.decimal, dialect.thousands
(';', ',', '.')
>>> read_csv(path, dialect=dialect).row(0)
('11.10', 'Aceh', 1532173.5)
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from setara.errors import ReadError

__all__ = [
    "CODE_COLUMN",
    "DECIMALS",
    "ENCODINGS",
    "SEPARATORS",
    "CsvDialect",
    "detect_dialect",
    "read_csv",
]

# Column names read as text: codes and identifiers, never quantities.
CODE_COLUMN = re.compile(r"(code|kode|^kd|_kd|^id_|_id$|^r10[1-4]$)", re.IGNORECASE)
SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
DECIMALS = {".": "point", ",": "comma"}
ENCODINGS = ("utf-8", "utf-8-sig", "windows-1252")
NULL_VALUES = ["", "NA"]
SAMPLE_BYTES = 256 * 1024
SAMPLE_LINES = 500


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file is written: ``separator``, ``decimal`` mark, ``thousands`` separator
    (``None`` when numbers are not grouped) and ``encoding``; ``notes`` say what was guessed."""

    separator: str = ","
    decimal: str = "."
    thousands: str | None = None
    encoding: str = "utf-8"
    notes: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if self.separator not in SEPARATORS:
            raise ReadError(f"CSV separator {self.separator!r} is not one of , ; tab |")
        if self.decimal not in DECIMALS:
            raise ReadError(f"CSV decimal mark {self.decimal!r} is not '.' or ','")
        if self.thousands is not None and self.thousands not in ".," + " ":
            raise ReadError(f"CSV thousands separator {self.thousands!r} is not '.', ',' or ' '")
        if self.thousands == self.decimal:
            raise ReadError(f"CSV thousands separator {self.thousands!r} equals the decimal mark")
        if self.decimal == self.separator:
            raise ReadError("a CSV file with decimal commas needs a separator other than ','")
        if self.encoding not in ENCODINGS:
            raise ReadError(f"CSV encoding {self.encoding!r} is not one of {', '.join(ENCODINGS)}")

    @property
    def is_plain(self) -> bool:
        """Comma-separated, decimal point, no grouping, UTF-8: Polars reads it directly."""
        return (self.separator, self.decimal, self.thousands) == (",", ".", None) and (
            self.encoding != "windows-1252"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored with a dataset version)."""
        out = asdict(self)
        out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CsvDialect:
        return cls(
            separator=data.get("separator", ","),
            decimal=data.get("decimal", "."),
            thousands=data.get("thousands") or None,
            encoding=data.get("encoding", "utf-8"),
            notes=tuple(data.get("notes", ())),
        )

    def describe(self) -> str:
        """One line, e.g. ``separator semicolon, decimal comma, thousands '.', windows-1252``."""
        grouping = f"thousands {self.thousands!r}" if self.thousands else "no thousands separator"
        return (
            f"separator {SEPARATORS[self.separator]}, decimal {DECIMALS[self.decimal]}, "
            f"{grouping}, {self.encoding}"
        )


def _number_patterns(decimal: str, thousands: str | None) -> tuple[str, str]:
    """Regexes of an integer and of any number written in the dialect."""
    d = re.escape(decimal)
    digits = r"\d+"
    if thousands is not None:
        digits = rf"(?:\d{{1,3}}(?:{re.escape(thousands)}\d{{3}})+|\d+)"
    integer = rf"^[+-]?{digits}$"
    number = rf"^[+-]?(?:{digits}(?:{d}\d*)?|{d}\d+)(?:[eE][+-]?\d+)?$"
    return integer, number


def _sample(path: Path) -> tuple[bytes, bool]:
    with open(path, "rb") as handle:
        head = handle.read(SAMPLE_BYTES + 1)
    return head[:SAMPLE_BYTES], len(head) > SAMPLE_BYTES


def _encoding(head: bytes, truncated: bool) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=not truncated)
    except UnicodeDecodeError:
        return "windows-1252"
    return "utf-8"


def _lines(head: bytes, truncated: bool, encoding: str) -> list[str]:
    text = head.decode("cp1252" if encoding == "windows-1252" else encoding, errors="replace")
    lines = text.splitlines()
    if truncated and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut in the middle
    return [line for line in lines[:SAMPLE_LINES] if line.strip()]


def _separator(lines: list[str]) -> str:
    best: tuple[float, int, str] = (0.0, 1, ",")
    for sep in SEPARATORS:
        counts = [1 if row is None else len(row) for row in _parse(lines, sep)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(c == counts[0] for c in counts) / len(counts)
        if (consistent, counts[0]) > best[:2]:
            best = (consistent, counts[0], sep)
    return best[2]


_EVIDENCE = {
    "comma": (r"^[+-]?\d+,\d+$", r"^[+-]?\d{1,3}(\.\d{3})+,\d+$", r"^[+-]?\d{1,3}(\.\d{3}){2,}$"),
    "point": (r"^[+-]?\d+\.\d+$", r"^[+-]?\d{1,3}(,\d{3})+\.\d+$", r"^[+-]?\d{1,3}(,\d{3}){2,}$"),
}
_NUMERIC = re.compile(r"^[+-]?[\d.,]*\d[\d.,]*$")
_ONE_GROUP = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")  # 1,234 or 1.234: says nothing alone


def _parse(lines: list[str], separator: str) -> list[list[str] | None]:
    """The sample's rows split at ``separator``; ``None`` for a row the csv module refuses (a
    field beyond its size limit: with a wrong separator a very wide header is one field)."""
    out: list[list[str] | None] = []
    reader = csv.reader(lines, delimiter=separator)
    while True:
        try:
            out.append(next(reader))
        except StopIteration:
            return out
        except csv.Error:
            out.append(None)


def _values(lines: list[str], separator: str) -> list[str]:
    rows = [row for row in _parse(lines, separator) if row is not None]
    if not rows:
        return []
    keep = [i for i, name in enumerate(rows[0]) if not CODE_COLUMN.search(name.strip())]
    return [row[i].strip() for row in rows[1:] for i in keep if i < len(row) and row[i].strip()]


_EVIDENCE_ANY = {
    mark: re.compile("|".join(f"(?:{p})" for p in pats)) for mark, pats in _EVIDENCE.items()
}


def _decimal(values: list[str], separator: str) -> tuple[str, list[str]]:
    # Every pattern needs a comma or a point: count each such distinct value once, weighted.
    marked = Counter(v for v in values if "," in v or "." in v)
    score = {
        mark: sum(n for v, n in marked.items() if not _ONE_GROUP.match(v) and pattern.match(v))
        for mark, pattern in _EVIDENCE_ANY.items()
    }
    if score["comma"] != score["point"]:
        return ("," if score["comma"] > score["point"] else "."), []
    if separator == ",":
        return ".", []
    decimal = "," if separator == ";" else "."
    notes = []
    if any(_ONE_GROUP.match(v) for v in values):
        notes.append(
            "numbers such as 1.234 or 1,234 could be read either way: read with decimal "
            f"{DECIMALS[decimal]} (the usual mark of {SEPARATORS[separator]}-separated files)"
        )
    return decimal, notes


def _thousands(values: list[str], decimal: str) -> str | None:
    mark = "." if decimal == "," else ","
    with_mark = [v for v in values if mark in v and _NUMERIC.match(v)]
    if not with_mark:
        return None
    _, number = _number_patterns(decimal, mark)
    grouped = re.compile(number)
    return mark if any(grouped.match(v) for v in with_mark) else None


def detect_dialect(
    path: str | Path, *, separator: str | None = None, decimal_comma: bool | None = None
) -> CsvDialect:
    """Find how the CSV file at ``path`` is written, from its first 256 KB.

    Parameters
    ----------
    path : str or Path
        The CSV file.
    separator : {",", ";", "\\t", "|"}, optional
        Use this separator instead of guessing it (``"tab"`` and ``"\\\\t"`` are accepted).
    decimal_comma : bool, optional
        ``True``/``False`` to fix the decimal mark instead of guessing it.

    Returns
    -------
    CsvDialect
        With ``notes`` naming guesses that the data could not settle.
    """
    file = Path(path)
    try:
        head, truncated = _sample(file)
    except OSError as exc:
        raise ReadError(f"cannot read {str(file)!r}: {exc.strerror or exc}") from exc
    encoding = _encoding(head, truncated)
    lines = _lines(head, truncated, encoding)
    sep = _separator(lines) if separator is None else _separator_option(separator)
    values = _values(lines, sep)
    notes: list[str] = []
    if decimal_comma is None:
        decimal, notes = _decimal(values, sep)
    else:
        decimal = "," if decimal_comma else "."
    if decimal == sep:
        raise ReadError(
            f"file {str(file)!r}: decimal commas need a separator other than ',' (got {sep!r})"
        )
    if encoding == "windows-1252":
        notes.append("not valid UTF-8: read as Windows-1252")
    return CsvDialect(sep, decimal, _thousands(values, decimal), encoding, tuple(notes))


def _separator_option(value: str) -> str:
    named = {name: sep for sep, name in SEPARATORS.items()} | {"\\t": "\t", "tab": "\t"}
    sep = named.get(value, value)
    if sep not in SEPARATORS:
        raise ReadError(f"CSV separator {value!r} is not one of , ; tab |")
    return sep


def read_csv(
    path: str | Path,
    *,
    dialect: CsvDialect | None = None,
    separator: str | None = None,
    decimal_comma: bool | None = None,
) -> pl.DataFrame:
    """Read a CSV file in its dialect (detected unless given); code columns stay text.

    Raises
    ------
    ReadError
        If the file cannot be parsed; the message names the dialect it was read with.
    """
    file = Path(path)
    if dialect is None:
        dialect = detect_dialect(file, separator=separator, decimal_comma=decimal_comma)
    try:
        source: Path | io.BytesIO = file
        if dialect.encoding == "windows-1252":
            source = io.BytesIO(file.read_bytes().decode("cp1252", errors="replace").encode())
        if dialect.thousands is None:  # Polars parses the numbers itself (types from 10,000 rows)
            header = pl.read_csv(source, n_rows=0, separator=dialect.separator).columns
            codes = {c: pl.String for c in header if CODE_COLUMN.search(c)}
            if isinstance(source, io.BytesIO):
                source.seek(0)
            return pl.read_csv(
                source,
                separator=dialect.separator,
                decimal_comma=dialect.decimal == ",",
                infer_schema_length=10_000,
                null_values=NULL_VALUES,
                schema_overrides=codes,
            )
        text = pl.read_csv(
            source, separator=dialect.separator, infer_schema=False, null_values=NULL_VALUES
        )
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ReadError(
            f"cannot read {str(file)!r} as csv ({dialect.describe()}): {reason}"
        ) from exc
    return _to_numbers(text, dialect)


def _to_numbers(frame: pl.DataFrame, dialect: CsvDialect) -> pl.DataFrame:
    """Columns whose every value is a number in the dialect become Int64 or Float64."""
    integer, number = _number_patterns(dialect.decimal, dialect.thousands)
    columns = [c for c in frame.columns if not CODE_COLUMN.search(c)]
    stripped = frame.select(pl.col(columns).str.strip_chars())
    checks = stripped.select(
        *[pl.col(c).str.contains(number).all().alias(f"n{i}") for i, c in enumerate(columns)],
        *[pl.col(c).str.contains(integer).all().alias(f"i{i}") for i, c in enumerate(columns)],
    ).row(0, named=True)
    converted = []
    for i, name in enumerate(columns):
        if not checks[f"n{i}"] or stripped[name].null_count() == frame.height:
            continue
        value = pl.col(name).str.strip_chars()
        if dialect.thousands:
            value = value.str.replace_all(dialect.thousands, "", literal=True)
        if dialect.decimal == ",":
            value = value.str.replace(",", ".", literal=True)
        cleaned = frame.select(value).to_series()
        numbers = cleaned.cast(pl.Int64 if checks[f"i{i}"] else pl.Float64, strict=False)
        if numbers.null_count() > cleaned.null_count():  # integers beyond 64 bits
            numbers = cleaned.cast(pl.Float64, strict=False)
        converted.append(numbers)
    return frame.with_columns(converted) if converted else frame
