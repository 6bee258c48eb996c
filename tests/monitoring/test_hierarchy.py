"""Kode wilayah levels, parents, containment and validation against the shipped lists."""

from __future__ import annotations

import re

import polars as pl
import pytest

from setara import SetaraError
from setara.monitoring.hierarchy import (
    NATIONAL_CODE,
    are_within,
    check_region_codes,
    is_within,
    parent_code,
    parent_codes,
    region_level,
    region_levels,
    to_dotted,
    validate_region_codes,
)
from setara.regions import read_provinces, read_regencies


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("00", "national", None),
        ("", "national", None),
        ("11", "province", NATIONAL_CODE),
        ("11.01", "regency", "11"),
        ("11.01.01", "district", "11.01"),
        ("11.01.01.2001", "village", "11.01.01"),
    ],
)
def test_level_and_parent(code: str, level: str, parent: str | None) -> None:
    assert region_level(code) == level
    assert parent_code(code) == parent


@pytest.mark.parametrize("code", ["1", "1101", "11.1", "11.01.01.201", "11.01.", "aa", "11-01"])
def test_malformed_codes(code: str) -> None:
    with pytest.raises(SetaraError, match=re.escape(repr(code))):
        region_level(code)
    assert region_levels([code]).item() is None


def test_column_versions_agree_with_the_one_code_versions() -> None:
    regencies = read_regencies()
    codes = regencies.get_column("code")
    assert (region_levels(codes) == "regency").all()
    assert parent_codes(codes).to_list() == regencies.get_column("province_code").to_list()
    assert (parent_codes(read_provinces().get_column("code")) == NATIONAL_CODE).all()


def test_within() -> None:
    codes = ["32", "32.01", "32.01.05", "32.01.05.2003", "32.10", "33.01", None, "junk"]
    assert are_within(codes, "32.01").to_list() == [
        False,
        True,
        True,
        True,
        False,
        False,
        False,
        False,
    ]
    assert are_within(codes, "00").to_list() == [True] * 6 + [False, False]
    assert is_within("32.01", "32") and not is_within("32", "32.01")
    assert is_within("32.10", "32.10")  # a code lies within itself
    # containment is by whole parts: "32.1" is no code, so "32.10" cannot be tested against it
    with pytest.raises(SetaraError, match=re.escape("'32.1'")):
        is_within("32.10", "32.1")
    with pytest.raises(SetaraError):
        is_within("32.01", "3201")


def test_to_dotted() -> None:
    assert to_dotted(
        pl.Series("kode", ["32", "3201", "320105", "3201052003", "32.01", "123"])
    ).to_list() == [
        "32",
        "32.01",
        "32.01.05",
        "32.01.05.2003",
        "32.01",
        "123",
    ]


def test_validation_uses_the_shipped_lists() -> None:
    assert check_region_codes(read_regencies().get_column("code")).height == 0
    problems = check_region_codes(
        ["32.01", "99", "32.99", "32.01.99.9999", "32.99.01", None, "3201", "00"]
    )
    assert problems.select("row", "problem").rows() == [
        (1, "unknown province"),
        (2, "unknown regency"),
        (4, "unknown regency"),
        (5, "missing"),
        (6, "malformed"),
    ]


def test_level_can_be_required() -> None:
    problems = check_region_codes(["32.01", "32", "32.01.01"], level="regency")
    assert problems.select("row", "problem").rows() == [(1, "wrong level"), (2, "wrong level")]
    with pytest.raises(SetaraError, match="level must be one of"):
        check_region_codes(["32"], level="kabupaten")


def test_validate_names_count_and_first_bad_code() -> None:
    validate_region_codes(["32.01", "11.01.01.2001", "00"])
    with pytest.raises(SetaraError) as error:
        validate_region_codes(pl.Series("kode_kab", ["32.01", "32", "32.99"]), level="regency")
    assert str(error.value) == (
        "column 'kode_kab': 2 in 3 rows are not valid regency codes "
        "(first at row 1: '32', wrong level)"
    )
