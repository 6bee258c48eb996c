"""CSV files as they come (issue 9, point 1): separators, decimal commas, thousands separators,
byte-order marks and Windows-1252, through the library and through the CLI.

The files in ``tests/data/csv/`` are written byte for byte as Indonesian Excel and other tools
write them; ``excel_indonesia.csv`` is Windows-1252 with an accented name and CRLF lines.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from setara.csv_dialect import CsvDialect, detect_dialect, read_csv
from setara.errors import ReadError
from setara.io import read_survey
from tests.conftest import DATA
from tests.test_cli import run

FILES = DATA / "csv"


def test_indonesian_excel_file() -> None:
    dialect = detect_dialect(FILES / "excel_indonesia.csv")
    assert (dialect.separator, dialect.decimal, dialect.thousands) == (";", ",", ".")
    assert dialect.encoding == "windows-1252"
    frame = read_survey(FILES / "excel_indonesia.csv")
    assert frame["kode_kab"].to_list() == ["11.10", "11.01", "32.73", "53.71"]  # text, not 11.1
    assert frame["nama"][0] == "Aulia Rahmán"
    assert frame["pengeluaran_kapita"].to_list() == [1532173.5, 845000.0, 2104990.25, 612450.0]
    assert frame["bobot"].to_list() == [123.4, 98.75, 210.5, 87.0]
    assert frame["r105"].dtype == pl.Int64 and frame["r105"].to_list() == [1, 2, 1, 2]


@pytest.mark.parametrize(
    ("name", "separator", "encoding", "thousands"),
    [
        ("tab.csv", "\t", "utf-8", None),
        ("pipe.csv", "|", "utf-8", None),
        ("bom.csv", ",", "utf-8-sig", None),
        ("thousands_en.csv", ",", "utf-8", ","),
    ],
)
def test_other_dialects(name: str, separator: str, encoding: str, thousands: str | None) -> None:
    dialect = detect_dialect(FILES / name)
    assert (dialect.separator, dialect.decimal) == (separator, ".")
    assert (dialect.encoding, dialect.thousands) == (encoding, thousands)
    frame = read_csv(FILES / name)
    assert frame.columns[0] == "kode_kab"  # no byte-order mark glued to the first name
    assert frame["kode_kab"].to_list() == ["11.10", "11.01"]
    assert frame["welfare"].to_list() == [1532173.5, 845000.0]
    assert frame["weight"].to_list() == [123.4, 98.75]


def test_ambiguous_single_group_follows_the_separator() -> None:
    """1.234 alone cannot say which mark is decimal: ';' files read it the Indonesian way."""
    semicolon = detect_dialect(FILES / "ambiguous_semicolon.csv")
    assert (semicolon.decimal, semicolon.thousands) == (",", ".")
    assert semicolon.notes and "either way" in semicolon.notes[0]
    assert read_csv(FILES / "ambiguous_semicolon.csv")["welfare"].to_list() == [1234, 2500]
    assert read_csv(FILES / "ambiguous_comma.csv")["welfare"].to_list() == [1.234, 2.5]
    # the override settles it the other way
    assert read_csv(FILES / "ambiguous_semicolon.csv", decimal_comma=False)[
        "welfare"
    ].to_list() == [1.234, 2.5]


def test_text_with_dots_keeps_thousands_and_stays_text(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_text("alamat;nilai;catatan\nJl. Merdeka 1;1.500.000;ok\nJl. Sudirman;250,5;1.2.3\n")
    dialect = detect_dialect(path)
    assert (dialect.decimal, dialect.thousands) == (",", ".")
    frame = read_csv(path, dialect=dialect)
    assert frame["nilai"].to_list() == [1500000.0, 250.5]
    assert frame["catatan"].to_list() == ["ok", "1.2.3"]  # not every value a number: text
    assert frame["alamat"][0] == "Jl. Merdeka 1"


def test_plain_file_keeps_polars_types(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("regency_code,urban,weight\n11.10,true,1.5\n32.01,false,2\n")
    dialect = detect_dialect(path)
    assert dialect == CsvDialect() and dialect.is_plain
    frame = read_csv(path)
    assert frame.schema == {"regency_code": pl.String, "urban": pl.Boolean, "weight": pl.Float64}


def test_dialect_round_trip_and_bad_values() -> None:
    dialect = detect_dialect(FILES / "excel_indonesia.csv")
    assert CsvDialect.from_dict(json.loads(json.dumps(dialect.to_dict()))) == dialect
    assert "semicolon" in dialect.describe() and "windows-1252" in dialect.describe()
    with pytest.raises(ReadError, match="separator"):
        CsvDialect(separator=":")
    with pytest.raises(ReadError, match="decimal commas need"):
        CsvDialect(separator=",", decimal=",")
    with pytest.raises(ReadError, match="decimal commas need"):
        detect_dialect(FILES / "bom.csv", decimal_comma=True)


def test_wrong_separator_names_the_dialect(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('a;b\n1;2\n3;"4\n')
    with pytest.raises(ReadError, match=r"separator semicolon"):
        read_csv(path, separator=";", decimal_comma=True)


def _excel_copy(tmp_path: Path) -> Path:
    """apistrat.csv as Indonesian Excel saves it: ';', decimal commas, Windows-1252."""
    frame = pl.read_csv(DATA / "apistrat.csv")
    floats = [c for c, t in frame.schema.items() if t == pl.Float64]
    text = frame.with_columns(pl.col(floats).cast(pl.String).str.replace(".", ",", literal=True))
    path = tmp_path / "apistrat_excel.csv"
    path.write_bytes(text.write_csv(separator=";").encode("cp1252"))
    return path


def test_cli_reads_excel_csv_like_the_original(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--income", "api00", "--weight", "pw", "--strata", "stype", "--format", "csv"]
    args += ["--measure", "mean", "--measure", "gini", "--quiet"]
    code, plain, err = run(["measure", str(DATA / "apistrat.csv"), *args], capsys)
    assert code == 0, err
    excel = _excel_copy(tmp_path)
    code, detected, err = run(["measure", str(excel), *args], capsys)
    assert code == 0, err
    assert detected == plain
    overrides = ["--csv-separator", ";", "--decimal-comma"]
    code, forced, err = run(["measure", str(excel), *args, *overrides], capsys)
    assert code == 0, err
    assert forced == plain


def test_cli_overrides_apply_to_csv_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parquet = tmp_path / "a.parquet"
    pl.read_csv(DATA / "apistrat.csv").write_parquet(parquet)
    code, _, err = run(
        ["measure", str(parquet), "--income", "api00", "--weight", "pw", "--decimal-comma"],
        capsys,
    )
    assert code == 2
    assert err.startswith("error: --decimal-comma apply to CSV files only")
    code, _, err = run(
        ["measure", str(_excel_copy(tmp_path)), "--income", "api00", "--csv-separator", ","],
        capsys,
    )
    assert code == 2 and err.count("\n") == 1  # one line, no traceback


def test_every_data_command_has_the_overrides() -> None:
    from setara.cli import cli

    for name in ("measure", "diagnose", "simulate", "target", "optimise"):
        options = {o for p in cli.commands[name].params for o in p.opts}
        assert {"--csv-separator", "--decimal-comma"} <= options, name
