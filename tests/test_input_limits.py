"""Bounded input (issue 16, findings 4 and 11): limits checked from a file's header or metadata
before it is read, and the bad-file corpus through the library and the CLI."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl
import pyreadstat
import pytest

import setara.io
from setara import estimate, survey_design
from setara.cli import main
from setara.errors import ReadError, SetaraError
from setara.io import read_survey
from setara.limits import InputLimitError, ReadLimits, inspect_file
from tests.badfiles import DATA, ESTIMATE_CASES, READ_CASES, BadFile


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _never_read(*args: object) -> None:
    raise AssertionError("the file was read in full before its limits were checked")


@pytest.mark.parametrize("case", READ_CASES, ids=lambda c: c.name)
def test_bad_files_are_refused_by_the_reader(
    case: BadFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = case.write(tmp_path)
    if "limit" in case.message or "duplicate" in case.message:
        monkeypatch.setattr(setara.io, "_read", _never_read)  # refused from header or metadata
    with pytest.raises(ReadError) as caught:
        read_survey(path)
    assert case.message in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("case", READ_CASES + ESTIMATE_CASES, ids=lambda c: c.name)
def test_bad_files_through_the_cli(
    case: BadFile, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = case.write(tmp_path)
    args = ["measure", str(path), "--income", "welfare", "--weight", "weight"]
    code, out, err = run(args, capsys)
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err  # one line: no traceback, no NumPy warning
    assert lines[0].startswith("error: ") and case.message in lines[0]


@pytest.mark.parametrize(
    ("case", "option"),
    [(READ_CASES[0], "--max-columns"), (READ_CASES[1], "--max-cells")],
    ids=["columns", "cells"],
)
def test_cli_names_the_option_that_raises_a_limit(
    case: BadFile, option: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["measure", str(case.write(tmp_path)), "--income", "welfare"], capsys)
    assert code == 2
    assert err.strip().endswith(f"(raise it with {option})")


def test_cli_option_raises_the_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "six.csv"
    pl.DataFrame({f"c{i}": [1.0, 2.0, 4.0] for i in range(6)}).write_csv(path)
    code, _, err = run(["measure", str(path), "--income", "c0", "--max-columns", "5"], capsys)
    assert code == 2 and "has 6 columns; the limit is 5 columns" in err
    code, out, err = run(
        ["measure", str(path), "--income", "c0", "--max-columns", "6", "--format", "csv"], capsys
    )
    assert code == 0, err
    assert "mean" in out


def test_ten_million_column_header_is_refused_after_one_block(tmp_path: Path) -> None:
    path = tmp_path / "wider.csv"
    path.write_bytes(b"c," * 10_000_000)  # 20 MB of header, no line break
    shape = inspect_file(path, max_columns=5_000)
    assert not shape.columns_exact and shape.columns is not None and shape.columns > 5_000
    with pytest.raises(InputLimitError, match=r"has more than [0-9,]+ columns; the limit is 5,000"):
        read_survey(path)


def test_csv_header_quotes_and_separators(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    path.write_bytes(b'"a,b";"line\nbreak";c\n1;2;3\n4;5;6\n')
    shape = inspect_file(path)
    assert (shape.columns, shape.rows) == (3, 2)
    path.write_bytes(b"x,y\r\n1,2\r\n3,4")  # CRLF and no final line break
    assert (inspect_file(path).columns, inspect_file(path).rows) == (2, 2)


def test_metadata_of_parquet_stata_spss_and_xlsx(tmp_path: Path) -> None:
    frame = pl.DataFrame({"welfare": np.arange(1.0, 101.0), "weight": np.ones(100), "k": 1})
    frame.write_parquet(tmp_path / "f.parquet")
    frame.write_excel(tmp_path / "f.xlsx")
    pyreadstat.write_dta(frame.to_pandas(), str(tmp_path / "f.dta"))
    pyreadstat.write_sav(frame.to_pandas(), str(tmp_path / "f.sav"))
    small = ReadLimits(max_cells=299)
    for suffix in ("parquet", "xlsx", "dta", "sav"):
        path = tmp_path / f"f.{suffix}"
        shape = inspect_file(path)
        assert (shape.columns, shape.rows) == (3, 100), suffix
        assert read_survey(path, limits=ReadLimits(max_cells=300)).shape == (100, 3)
        with pytest.raises(InputLimitError, match="100 rows × 3 columns = 300 cells") as caught:
            read_survey(path, limits=small)
        assert caught.value.limit == "max_cells"


def test_expanded_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "text.csv"
    path.write_text("name\n" + ("x" * 1000 + "\n") * 3000)  # 3 MB of text in one column
    with pytest.raises(InputLimitError, match="expands to about 3 MB once read; the limit is 2 MB"):
        read_survey(path, limits=ReadLimits(max_expanded_mb=2))
    assert read_survey(path, limits=ReadLimits(max_expanded_mb=3)).height == 3000


def test_rows_bomb_is_refused_without_reading(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = DATA / "rows_bomb.parquet"
    assert path.stat().st_size < 1_000_000
    monkeypatch.setattr(setara.io, "_read", _never_read)
    code, _, err = run(["measure", str(path), "--income", "welfare"], capsys)
    assert code == 2 and "60,000,000 rows" in err


@pytest.mark.parametrize("case", ESTIMATE_CASES, ids=lambda c: c.name)
def test_estimate_checks_in_the_library(case: BadFile, tmp_path: Path) -> None:
    frame = read_survey(case.write(tmp_path))
    with pytest.raises(SetaraError, match=re.escape(case.message)):
        design = survey_design(frame, weight="weight")
        estimate(frame, design, welfare="welfare", measures=["mean"])
