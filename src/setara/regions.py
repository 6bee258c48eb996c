"""Indonesia's administrative areas (provinces, regencies, districts) shipped with Setara.

The codes and names are the official *kode wilayah* of the Ministry of Home Affairs decree
(Kepmendagri, 2025) as compiled by the npm package ``idn-area-data`` 4.0.1.

Indonesia administrative area data: idn-area-data, ODbL (see ``data/idn_area/LICENSE-ODbL.md``).

Examples
--------
>>> from setara.regions import read_districts, read_provinces, read_regencies
>>> read_provinces().height, read_regencies().height, read_districts().height
(38, 514, 7285)
"""

from __future__ import annotations

import functools
from importlib.resources import files

import polars as pl

__all__ = ["ATTRIBUTION", "normalise_codes", "read_districts", "read_provinces", "read_regencies"]

ATTRIBUTION = "Indonesia administrative area data: idn-area-data, ODbL"


def _read_csv(name: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    resource = files("setara") / "data" / "idn_area" / name
    with resource.open("rb") as handle:
        return pl.read_csv(handle.read(), schema=schema)


@functools.cache
def read_provinces() -> pl.DataFrame:
    """Return Indonesia's 38 provinces.

    Returns
    -------
    polars.DataFrame
        Columns ``code`` (two-digit string, e.g. ``"11"``) and ``name``, in code order.
        The frame is cached; do not modify it in place.

    Examples
    --------
    >>> read_provinces().row(0)
    ('11', 'Aceh')
    """
    return _read_csv("provinces.csv", {"code": pl.String(), "name": pl.String()})


@functools.cache
def read_regencies() -> pl.DataFrame:
    """Return Indonesia's 514 regencies (*kabupaten*) and cities (*kota*).

    Returns
    -------
    polars.DataFrame
        Columns ``code`` (string, e.g. ``"11.01"``), ``province_code`` (e.g. ``"11"``) and
        ``name`` (``"Kabupaten …"`` or ``"Kota …"``), in code order. The frame is cached.

    Examples
    --------
    >>> read_regencies().row(0)
    ('11.01', '11', 'Kabupaten Aceh Selatan')
    """
    return _read_csv(
        "regencies.csv",
        {"code": pl.String(), "province_code": pl.String(), "name": pl.String()},
    )


@functools.cache
def read_districts() -> pl.DataFrame:
    """Return Indonesia's 7,285 districts (*kecamatan*).

    Returns
    -------
    polars.DataFrame
        Columns ``code`` (string, e.g. ``"11.01.01"``), ``regency_code`` (e.g. ``"11.01"``)
        and ``name``, in code order. The frame is cached.

    Examples
    --------
    >>> read_districts().row(0)
    ('11.01.01', '11.01', 'Bakongan')
    """
    return _read_csv(
        "districts.csv",
        {"code": pl.String(), "regency_code": pl.String(), "name": pl.String()},
    )


def normalise_codes(codes: pl.Series, level: str) -> pl.Series:
    """Write *kode wilayah* the official way: ``"11"`` for provinces, ``"11.01"`` for regencies.

    Accepts numbers or text, with or without the dot: ``11`` and ``"11"`` give ``"11"``;
    ``1101``, ``"1101"`` and ``"11.01"`` give ``"11.01"``. Missing values stay missing.

    Examples
    --------
    >>> normalise_codes(pl.Series(["1101", "32.01", "3201"]), "regency").to_list()
    ['11.01', '32.01', '32.01']
    """
    if level not in ("province", "regency"):
        raise ValueError(f"level must be province or regency, not {level!r}")
    text = codes.cast(pl.String).str.strip_chars().str.replace_all(r"\.", "")
    if level == "province":
        return text.str.zfill(2)
    text = text.str.zfill(4)
    joined = pl.concat_str([text.str.slice(0, 2), text.str.slice(2)], separator=".")
    return pl.select(joined).to_series().alias(codes.name)
