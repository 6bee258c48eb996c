"""``setara gap``, ``setara mpi`` and ``setara decompose`` (issue 8, point 10): through click's
CliRunner, every row the command writes equals the library function's on the same file and
design; output formats, created replicates and user errors behave as for ``setara measure``."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

import setara
from setara.cli import cli, main
from setara.cli.equity import group_value
from setara.decomposition import decompose_fgt, decompose_ge, decompose_gini_sources
from setara.gaps import gap
from setara.io import read_survey
from setara.mpi import mpi

RTOL = 1e-12  # the same computation on the same file; only the CSV text round trip differs
DESIGN = ["--weight", "w", "--strata", "stratum", "--psu", "psu"]
VALUES = ("estimate", "se", "ci_low", "ci_high", "n")


@pytest.fixture(scope="module")
def survey_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    rng = np.random.default_rng(11)
    strata, psus, size = 12, 4, 10
    n = strata * psus * size
    psu = np.repeat(np.arange(strata * psus), size)
    effect = rng.normal(size=strata * psus)[psu]
    wage = np.exp(1.0 + 0.5 * effect + rng.normal(size=n))
    enrolled = (rng.random(n) < 0.7 + 0.05 * effect).astype(float)
    enrolled[rng.random(n) < 0.03] = np.nan  # missing outcomes are left out
    frame = pl.DataFrame(
        {
            "stratum": np.repeat(np.arange(strata), psus * size),
            "psu": psu,
            "w": rng.uniform(50.0, 150.0, n),
            "region": rng.integers(0, 3, n),
            "urban": rng.integers(0, 2, n),
            "sex": rng.choice(["F", "M"], n),
            "enrolled": enrolled,
            "wage": wage,
            "transfer": rng.exponential(1.0, n),
            "tax": -0.1 * wage * (rng.random(n) < 0.5),
            "line": np.where(rng.random(n) < 0.5, 2.0, 3.0),
            **{
                f"d{j}": (rng.random(n) < 0.2 + 0.1 * j + 0.1 * effect).astype(int)
                for j in (1, 2, 3)
            },
        }
    ).with_columns(income=pl.col("wage") + pl.col("transfer"))
    path = tmp_path_factory.mktemp("equity") / "survey.csv"
    frame.write_csv(path)
    return path


def run_cli(*args: str) -> pl.DataFrame:
    result = CliRunner().invoke(cli, [*args, "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return pl.read_csv(io.StringIO(result.stdout), infer_schema_length=None)


def library(path: Path, function: Callable[..., setara.Results], **kwargs: Any) -> pl.DataFrame:
    frame = read_survey(path)
    design = setara.survey_design(frame, weight="w", strata="stratum", psu="psu")
    return function(frame, design, **kwargs).frame


def assert_same_rows(cli_rows: pl.DataFrame, expected: pl.DataFrame) -> None:
    assert cli_rows.height == expected.height > 0
    assert cli_rows["measure"].to_list() == expected["measure"].to_list()
    assert cli_rows["params"].fill_null("").to_list() == expected["params"].fill_null("").to_list()
    for column in VALUES:
        np.testing.assert_allclose(
            cli_rows[column].to_numpy().astype(float),
            expected[column].to_numpy().astype(float),
            rtol=RTOL,
            err_msg=column,
        )
    assert cli_rows["reliability"].to_list() == expected["reliability"].to_list()


def test_gap_equals_the_library(survey_file: Path) -> None:
    rows = run_cli(
        "gap",
        str(survey_file),
        "--outcome",
        "enrolled",
        "--group",
        "sex",
        "--comparison",
        "F",
        "--reference",
        "M",
        "--by",
        "urban",
        *DESIGN,
    )
    expected = library(
        survey_file, gap, outcome="enrolled", group="sex", comparison="F", reference="M", by="urban"
    )
    assert_same_rows(rows, expected)
    assert rows["urban"].to_list() == expected["urban"].to_list()
    assert set(rows["measure"]) == {"gap_difference", "gap_ratio"}


def test_gap_numeric_groups_and_totals(survey_file: Path) -> None:
    rows = run_cli(
        "gap",
        str(survey_file),
        "--outcome",
        "income",
        "--group",
        "region",
        "--comparison",
        "2",
        "--reference",
        "0",
        "--statistic",
        "total",
        *DESIGN,
    )
    expected = library(
        survey_file,
        gap,
        outcome="income",
        group="region",
        comparison=2,
        reference=0,
        measure="total",
    )
    assert_same_rows(rows, expected)


def test_mpi_equals_the_library_with_weights_and_fraction_cutoff(survey_file: Path) -> None:
    rows = run_cli(
        "mpi",
        str(survey_file),
        "--indicator",
        "d1=1,d2=1",
        "--indicator",
        "d3=2",
        "--k",
        "1/3",
        "--by",
        "region",
        *DESIGN,
    )
    expected = library(
        survey_file, mpi, indicators={"d1": 1.0, "d2": 1.0, "d3": 2.0}, k=1 / 3, by="region"
    )
    assert_same_rows(rows, expected)
    assert "mpi_M0" in set(rows["measure"])


@pytest.mark.parametrize("alpha", ["0", "1"])
def test_decompose_ge_equals_the_library(survey_file: Path, alpha: str) -> None:
    rows = run_cli(
        "decompose",
        "ge",
        str(survey_file),
        "--income",
        "income",
        "--group",
        "region",
        "--alpha",
        alpha,
        *DESIGN,
    )
    expected = library(
        survey_file, decompose_ge, welfare="income", group="region", alpha=float(alpha)
    )
    assert_same_rows(rows, expected)


@pytest.mark.parametrize("line", ["2.5", "@line"])
def test_decompose_fgt_equals_the_library(survey_file: Path, line: str) -> None:
    rows = run_cli(
        "decompose",
        "fgt",
        str(survey_file),
        "--income",
        "income",
        "--group",
        "region",
        "--alpha",
        "1",
        "--line",
        line,
        "--by",
        "urban",
        *DESIGN,
    )
    fixed: float | str = line if line.startswith("@") else float(line)
    expected = library(
        survey_file,
        decompose_fgt,
        welfare="income",
        group="region",
        alpha=1.0,
        line=fixed,
        by="urban",
    )
    assert_same_rows(rows, expected)
    assert rows["region"].to_list() == expected["region"].to_list()


def test_decompose_sources_equals_the_library(survey_file: Path) -> None:
    rows = run_cli(
        "decompose",
        "sources",
        str(survey_file),
        "--source",
        "wage,transfer",
        "--source",
        "tax",
        *DESIGN,
    )
    expected = library(survey_file, decompose_gini_sources, sources=["wage", "transfer", "tax"])
    assert_same_rows(rows, expected)


def test_created_replicates_json_and_output_file(survey_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "gap.json"
    args = ["gap", str(survey_file), "--outcome", "enrolled", "--group", "sex"]
    args += ["--comparison", "F", "--reference", "M", *DESIGN, "--replicates", "jkn"]
    result = CliRunner().invoke(cli, [*args, "--format", "json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    records = json.loads(out.read_text(encoding="utf-8"))
    frame = read_survey(survey_file)
    design = setara.with_replicates(
        setara.survey_design(frame, weight="w", strata="stratum", psu="psu"), "jkn"
    )
    expected = gap(frame, design, outcome="enrolled", group="sex", comparison="F", reference="M")
    assert [r["se"] for r in records] == pytest.approx(expected.frame["se"].to_list(), rel=RTOL)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "gap",
                "--outcome",
                "enrolled",
                "--group",
                "sex",
                "--comparison",
                "X",
                "--reference",
                "M",
            ],
            "no rows equal to 'X'",
        ),
        (["mpi", "--indicator", "d1", "--indicator", "d1=2"], "'d1' is given twice"),
        (["mpi", "--indicator", "d1", "--k", "a third"], "--k 'a third' is not a number"),
        (
            ["decompose", "fgt", "--income", "income", "--group", "region", "--line", "0.6*median"],
            "fixed poverty line",
        ),
        (["decompose", "ge", "--income", "nope", "--group", "region"], "nope"),
    ],
)
def test_user_errors_are_one_line_and_exit_2(
    survey_file: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    command = args[:2] if args[0] == "decompose" else args[:1]
    with pytest.raises(SystemExit) as stop:
        main([*command, str(survey_file), *args[len(command) :], *DESIGN])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert message in err


def test_group_values_keep_their_text_unless_plainly_numbers() -> None:
    assert group_value("2") == 2
    assert group_value("1.5") == 1.5
    assert group_value("01") == "01"
    assert group_value("F") == "F"
