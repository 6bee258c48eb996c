"""Region levels of Indonesia's *kode wilayah* (official area codes): level, parent, containment.

A *kode wilayah* (Kepmendagri on area codes; Permendagri 72/2019 for the format) is written
with dots between its parts: ``"11"`` province (*provinsi*), ``"11.01"`` regency or city
(*kabupaten/kota*), ``"11.01.01"`` district (*kecamatan*), ``"11.01.01.2001"`` village
(*desa/kelurahan*: four digits, the first 1 for a *kelurahan*, 2 for a *desa*). Setara writes
the whole nation as ``"00"`` (:data:`NATIONAL_CODE`; an empty string is read as national too,
but ``"00"`` survives CSV files, where an empty cell reads back as missing).

Provinces and regencies are checked against the lists shipped with the engine
(:func:`setara.regions.read_provinces`, :func:`setara.regions.read_regencies`); no list of
districts or villages is shipped, so those are checked by format and by their regency only.

Every function has a column version that works on a whole :class:`polars.Series` at once; the
one-code versions call it.

Examples
--------
>>> region_level("11.01.01")
'district'
>>> parent_code("11.01"), is_within("11.01.01.2001", "11.01")
('11', True)
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from setara import regions
from setara.errors import InputValueError, count_phrase

__all__ = [
    "LEVELS",
    "NATIONAL_CODE",
    "are_within",
    "check_region_codes",
    "is_within",
    "parent_code",
    "parent_codes",
    "region_level",
    "region_levels",
    "to_dotted",
    "validate_region_codes",
]

NATIONAL_CODE = "00"
#: Region levels from the top; a code's level is its number of dot-separated parts.
LEVELS = ("national", "province", "regency", "district", "village")
_PATTERNS = {
    "province": r"^\d{2}$",
    "regency": r"^\d{2}\.\d{2}$",
    "district": r"^\d{2}\.\d{2}\.\d{2}$",
    "village": r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$",
}
_DIGITS_TO_DOTS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}


def _series(codes: pl.Series | Sequence[str | None], name: str = "region_code") -> pl.Series:
    if isinstance(codes, pl.Series):
        return codes.cast(pl.String)
    return pl.Series(name, list(codes), dtype=pl.String)


def _level_expr(code: pl.Expr) -> pl.Expr:
    expr: pl.Expr = pl.lit(None, pl.String)
    for level, pattern in reversed(_PATTERNS.items()):
        expr = pl.when(code.str.contains(pattern)).then(pl.lit(level)).otherwise(expr)
    return pl.when(code.is_in(["", NATIONAL_CODE])).then(pl.lit("national")).otherwise(expr)


def to_dotted(codes: pl.Series | Sequence[str | None]) -> pl.Series:
    """Write codes of 2, 4, 6 or 10 bare digits with dots (``"3201012001"`` → ``"32.01.01.2001"``).

    Surrounding spaces are removed; dotted codes and anything else are returned unchanged
    (so that :func:`validate_region_codes` can name them).

    Examples
    --------
    >>> to_dotted(["1101", "11.01", " 110101 "]).to_list()
    ['11.01', '11.01', '11.01.01']
    """
    text = _series(codes).str.strip_chars()
    out = text
    for width, parts in _DIGITS_TO_DOTS.items():
        starts = [sum(parts[:i]) for i in range(len(parts))]
        dotted = pl.concat_str(
            [pl.col("c").str.slice(s, w) for s, w in zip(starts, parts, strict=True)],
            separator=".",
        )
        bare = pl.col("c").str.contains(rf"^\d{{{width}}}$")
        out = (
            pl.DataFrame({"c": text, "o": out})
            .select(pl.when(bare).then(dotted).otherwise(pl.col("o")))
            .to_series()
        )
    return out.alias(text.name)


def region_levels(codes: pl.Series | Sequence[str | None]) -> pl.Series:
    """The level of every code (``national`` … ``village``); null when missing or malformed.

    Examples
    --------
    >>> region_levels(["00", "32", "32.01", "32.01.01", "32.01.01.2001", "3201"]).to_list()
    ['national', 'province', 'regency', 'district', 'village', None]
    """
    series = _series(codes)
    return pl.select(_level_expr(pl.lit(series))).to_series().alias("level")


def region_level(code: str) -> str:
    """The level of one code; raises :class:`setara.SetaraError` when it is malformed."""
    level = region_levels([code]).item()
    if level is None:
        raise InputValueError(
            f"region code {code!r} is not a kode wilayah (expected '00', '11', '11.01', "
            "'11.01.01' or '11.01.01.2001')"
        )
    return str(level)


def parent_codes(codes: pl.Series | Sequence[str | None]) -> pl.Series:
    """The code one level up: a province's parent is ``"00"``; the nation has none (null).

    Malformed codes give null.

    Examples
    --------
    >>> parent_codes(["32.01.01.2001", "32.01", "32", "00"]).to_list()
    ['32.01.01', '32', '00', None]
    """
    series = _series(codes)
    code = pl.lit(series)
    level = _level_expr(code)
    parent = (
        pl.when(level == "province")
        .then(pl.lit(NATIONAL_CODE))
        .when(level.is_in(["regency", "district", "village"]))
        .then(code.str.replace(r"\.\d+$", ""))
        .otherwise(None)
    )
    return pl.select(parent).to_series().alias("parent_code")


def parent_code(code: str) -> str | None:
    """The parent of one code (see :func:`parent_codes`); malformed codes raise."""
    region_level(code)
    value = parent_codes([code]).item()
    return None if value is None else str(value)


def are_within(codes: pl.Series | Sequence[str | None], area: str) -> pl.Series:
    """Whether each code is ``area`` itself or lies inside it (every valid code is in ``"00"``).

    Examples
    --------
    >>> are_within(["32.01", "32.01.05", "32.02", "33"], "32.01").to_list()
    [True, True, False, False]
    """
    area_level = region_level(area)
    series = _series(codes)
    code = pl.lit(series)
    valid = _level_expr(code).is_not_null()
    if area_level == "national":
        inside = valid
    else:
        inside = valid & ((code == area) | code.str.starts_with(area + "."))
    return pl.select(inside.fill_null(False)).to_series().alias("within")


def is_within(code: str, area: str) -> bool:
    """Whether ``code`` is ``area`` or lies inside it (both must be well formed)."""
    region_level(code)
    return bool(are_within([code], area).item())


def check_region_codes(
    codes: pl.Series | Sequence[str | None], *, level: str | None = None
) -> pl.DataFrame:
    """Every problem with a column of codes, one row per bad code.

    Parameters
    ----------
    codes
        Dotted *kode wilayah* (see :func:`to_dotted` for bare digits).
    level
        When given, every code must be of this level.

    Returns
    -------
    polars.DataFrame
        Columns ``row`` (0-based), ``code`` and ``problem``: ``missing``, ``malformed``,
        ``wrong level`` (with ``level``), ``unknown province`` or ``unknown regency`` (for
        districts and villages: their regency). Empty when all codes are good.
    """
    if level is not None and level not in LEVELS:
        raise InputValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    series = _series(codes)
    provinces = regions.read_provinces().get_column("code")
    regencies = regions.read_regencies().get_column("code")
    code = pl.col("code")
    found = _level_expr(code)
    regency = code.str.slice(0, 5)
    problem = (
        pl.when(code.is_null())
        .then(pl.lit("missing"))
        .when(found.is_null())
        .then(pl.lit("malformed"))
        .when(pl.lit(level is not None) & (found != pl.lit(level)))
        .then(pl.lit("wrong level"))
        .when((found != "national") & ~code.str.slice(0, 2).is_in(provinces.implode()))
        .then(pl.lit("unknown province"))
        .when(found.is_in(["regency", "district", "village"]) & ~regency.is_in(regencies.implode()))
        .then(pl.lit("unknown regency"))
    )
    frame = pl.DataFrame({"code": series}).with_row_index("row")
    return frame.with_columns(problem.alias("problem")).filter(pl.col("problem").is_not_null())


def validate_region_codes(
    codes: pl.Series | Sequence[str | None], *, level: str | None = None
) -> None:
    """Raise :class:`setara.SetaraError` naming the first bad code and how many there are.

    Examples
    --------
    >>> from setara import SetaraError
    >>> try:
    ...     validate_region_codes(["32.01", "32.99", "9"])
    ... except SetaraError as error:
    ...     print(error)
    region codes: 2 in 3 rows are not valid (first at row 1: '32.99', unknown regency)
    """
    series = _series(codes)
    problems = check_region_codes(series, level=level)
    if problems.height:
        row, code, problem = problems.row(0)
        name = "region codes" if series.name in ("", "region_code") else f"column {series.name!r}"
        expected = "" if level is None else f" {level} codes"
        raise InputValueError(
            f"{name}: {count_phrase(problems.height, series.len())} are not valid{expected} "
            f"(first at row {row}: {code!r}, {problem})"
        )
