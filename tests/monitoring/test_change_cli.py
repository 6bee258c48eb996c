"""``setara change`` and ``setara gic``: the rows the commands write equal the library's on the
same files and design; user mistakes give one line and exit code 2."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from setara.cli import cli, main
from setara.monitoring import change, growth_incidence, growth_redistribution
from tests.monitoring.test_change_reference import DESIGN, rounds

RTOL = 1e-12  # the same computation; only the CSV text round trip differs
OPTIONS = ["--weight", "weight", "--strata", "stratum", "--psu", "psu"]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("rounds")
    before, after = rounds()
    paths = (folder / "before.csv", folder / "after.csv")
    before.write_csv(paths[0])
    after.write_csv(paths[1])
    return str(paths[0]), str(paths[1])


def run(args: list[str]) -> pl.DataFrame:
    result = CliRunner().invoke(cli, [*args, "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return pl.read_csv(io.StringIO(result.stdout))


def same(got: pl.DataFrame, expected: pl.DataFrame, columns: list[str]) -> None:
    assert got.height == expected.height
    for column in columns:
        np.testing.assert_allclose(
            got[column].cast(pl.Float64).to_numpy(),
            expected[column].cast(pl.Float64).to_numpy(),
            rtol=RTOL,
        )


@pytest.mark.parametrize("common", [False, True])
def test_change_command_equals_the_library(files: tuple[str, str], common: bool) -> None:
    flags = ["--common-psu"] if common else []
    got = run(
        [
            "change",
            *files,
            "--income",
            "y",
            *OPTIONS,
            "--measure",
            "gini",
            "--measure",
            "fgt:alpha=0,line=@line",
            "--by",
            "region",
            *flags,
        ]
    )
    before, after = rounds()
    expected = change(
        before,
        after,
        welfare="y",
        measures=["gini", "fgt:alpha=0,line=@line"],
        design=DESIGN,
        by="region",
        common_psu=common,
    ).frame
    assert got.columns[:3] == ["measure", "params", "region"]
    same(got, expected, ["before", "after", "change", "se", "ci_low", "ci_high", "p_value"])


def test_gic_and_decompose_commands_equal_the_library(files: tuple[str, str]) -> None:
    before, after = rounds()
    got = run(["gic", *files, "--income", "y", *OPTIONS, "--points", "9", "--common-psu"])
    expected = growth_incidence(
        before, after, welfare="y", design=DESIGN, points=9, common_psu=True
    ).frame
    same(got, expected, ["growth", "se", "ci_low", "ci_high"])
    got = run(
        [
            "change",
            *files,
            "--income",
            "y",
            "--weight",
            "weight",
            "--decompose",
            "datt-ravallion",
            "--line",
            "@line",
            "--alpha",
            "1",
        ]
    )
    expected = growth_redistribution(
        before, after, welfare="y", line="@line", alpha=1, design={"weight": "weight"}
    ).frame
    same(got, expected, ["change", "growth", "redistribution", "residual"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measure", "mean", "--income", "nope"], "before round: welfare column 'nope'"),
        (["--income", "y"], "give at least one --measure"),
        (["--income", "y", "--decompose", "shapley"], "--decompose needs the poverty line"),
        (["--income", "y", "--decompose", "shapley", "--line", "abc"], "--line 'abc'"),
        (["--income", "y", "--measure", "mean", "--replicates", "jk1"], "--replicates"),
        (["--income", "y", "--measure", "nonsense"], "unknown measure 'nonsense'"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    files: tuple[str, str], args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["change", *files, "--weight", "weight", *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and err.count("\n") == 1


def test_missing_second_file(
    files: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["gic", files[0], str(tmp_path / "none.csv"), "--income", "y"])
    assert exit_info.value.code == 2
    assert "none.csv" in capsys.readouterr().err
