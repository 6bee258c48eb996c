"""``setara evaluate did`` and ``setara evaluate twfe`` (issue 12, point 7): the rows equal the
library's, JSON is a list of row objects with the contract's keys, ``--output`` writes the file,
and user mistakes end in one line naming the column and the count, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from setara.cli import main
from setara.evaluation import AGGREGATES, att_gt

DATA = Path(__file__).resolve().parents[1] / "data" / "evaluation"
MPDTA = str(DATA / "mpdta.csv")
DID = [
    "evaluate",
    "did",
    MPDTA,
    "--outcome",
    "lemp",
    "--unit",
    "countyreal",
    "--time",
    "year",
    "--cohort",
    "first_treat",
]
KEYS = ["estimand", "group", "time", "event", "estimate", "se", "ci_low", "ci_high"]


@pytest.fixture(scope="module")
def staggered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    frame = pl.read_csv(DATA / "mpdta.csv").with_columns(
        d=((pl.col("first_treat") > 0) & (pl.col("year") >= pl.col("first_treat"))).cast(pl.Int64)
    )
    path = tmp_path_factory.mktemp("did") / "mpdta_d.csv"
    frame.write_csv(path)
    return path


def _fails(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    return err.splitlines()[-1]


def test_did_json_rows_equal_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    main(
        [
            *DID,
            "--covariate",
            "lpop",
            "--aggregate",
            "att_gt,simple",
            "--aggregate",
            "dynamic",
            "--aggregate",
            "group",
            "--aggregate",
            "calendar",
            "--format",
            "json",
        ]
    )
    out = capsys.readouterr()
    rows = json.loads(out.out)
    assert isinstance(rows, list)
    assert all(list(row) == KEYS for row in rows)
    expected = att_gt(
        pl.read_csv(MPDTA),
        outcome="lemp",
        unit="countyreal",
        time="year",
        cohort="first_treat",
        covariates=["lpop"],
        aggregate=AGGREGATES,
    ).table
    assert [r["estimand"] for r in rows] == expected["estimand"].to_list()
    np.testing.assert_allclose([r["estimate"] for r in rows], expected["estimate"], rtol=1e-12)
    np.testing.assert_allclose([r["se"] for r in rows], expected["se"], rtol=1e-12)
    simple = next(r for r in rows if r["estimand"] == "simple")
    assert simple["group"] is None and simple["time"] is None and simple["event"] is None
    assert simple["estimate"] == pytest.approx(-0.0417518, abs=1e-6)
    assert "chi2(5) = 6.8418" in out.err


def test_did_csv_to_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "att.csv"
    main(
        [*DID, "--method", "reg", "--control", "notyet", "--format", "csv", "--output", str(target)]
    )
    assert capsys.readouterr().out == ""
    written = pl.read_csv(target)
    assert written.columns == KEYS
    assert written.height == 12
    assert not (tmp_path / "att.csv.partial").exists()


def test_twfe_rows(staggered: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = [
        "evaluate",
        "twfe",
        str(staggered),
        "--outcome",
        "lemp",
        "--treat",
        "d",
        "--unit",
        "countyreal",
        "--time",
        "year",
        "--format",
        "json",
    ]
    main(base)
    (row,) = json.loads(capsys.readouterr().out)
    assert row["estimand"] == "twfe"
    assert row["estimate"] == pytest.approx(-0.036549, abs=1e-6)
    main([*base, "--bacon", "--event-study"])
    rows = json.loads(capsys.readouterr().out)
    parts = [r for r in rows if r["estimand"].startswith("bacon_")]
    assert sum(r["weight"] for r in parts) == pytest.approx(1.0, abs=1e-12)
    assert sum(r["weight"] * r["estimate"] for r in parts) == pytest.approx(
        row["estimate"], abs=1e-12
    )
    assert {r["event"] for r in rows if r["estimand"] == "sun_abraham"} == {-4, -3, -2, 0, 1, 2, 3}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--outcome", "lemps"], "'lemps' not in the data"),
        (["--covariate", "pop"], "'pop' not in the data"),
        (["--aggregate", "overall"], "--aggregate overall"),
    ],
)
def test_did_user_errors(
    change: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = list(DID)
    if change[0] in argv:
        argv[argv.index(change[0]) + 1] = change[1]
    else:
        argv += change
    assert message in _fails(argv, capsys)


def test_did_bad_panels_are_named_with_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = pl.read_csv(MPDTA)
    holes = tmp_path / "holes.csv"
    frame.filter(~((pl.col("countyreal") < 8010) & (pl.col("year") == 2005))).write_csv(holes)
    err = _fails([*DID[:2], str(holes), *DID[3:]], capsys)
    assert "unbalanced" in err and "of 2,500 unit-periods are missing" in err
    text = tmp_path / "text.csv"
    frame.with_columns(pl.col("lemp").cast(pl.String) + "x").write_csv(text)
    assert "outcome column 'lemp' must be numeric" in _fails(
        [*DID[:2], str(text), *DID[3:]], capsys
    )
    moving = tmp_path / "moving.csv"
    frame.with_columns(
        first_treat=pl.when((pl.col("countyreal") == 8001) & (pl.col("year") == 2003))
        .then(2004)
        .otherwise(pl.col("first_treat"))
    ).write_csv(moving)
    err = _fails([*DID[:2], str(moving), *DID[3:]], capsys)
    assert "cohort column 'first_treat' changes within 1 in 500 units" in err


def test_twfe_constant_treatment_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails(
        [
            "evaluate",
            "twfe",
            MPDTA,
            "--outcome",
            "lemp",
            "--treat",
            "treat",
            "--unit",
            "countyreal",
            "--time",
            "year",
        ],
        capsys,
    )
    assert "treatment column 'treat' is constant within every 'countyreal'" in err
