"""``setara evaluate rd`` and ``setara evaluate match`` (issue 12, point 7): the rows equal the
library's on the same file, the formats follow the contract, user errors are one line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from click.testing import CliRunner

from setara.cli import cli, main
from setara.evaluation import match_estimate, rd_estimate
from tests.conftest import DATA

SENATE = DATA / "evaluation" / "rdrobust_RDsenate.csv"
LALONDE = DATA / "evaluation" / "lalonde_nsw_experimental.tsv"
RD_KEYS = [
    "estimand", "estimate", "se", "ci_low", "ci_high",
    "h_left", "h_right", "b_left", "b_right", "n_left", "n_right",
]  # fmt: skip


@pytest.fixture(scope="module")
def lalonde_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("match") / "lalonde.csv"
    pl.read_csv(LALONDE, separator="\t", infer_schema_length=None).write_csv(path)
    return path


def _json(args: list[str]) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    return json.loads(text)  # type: ignore[no-any-return]


def test_rd_json_rows_follow_the_contract_and_equal_the_library() -> None:
    rows = _json(
        ["evaluate", "rd", str(SENATE), "--outcome", "vote", "--running", "margin",
         "--kernel", "epanechnikov", "--bwselect", "msetwo", "--p", "2", "--cutoff", "0"]
    )  # fmt: skip
    assert [list(r) for r in rows] == [RD_KEYS] * 3
    assert [r["estimand"] for r in rows] == ["conventional", "bias_corrected", "robust"]
    library = rd_estimate(
        pl.read_csv(SENATE, null_values=["NA"]),
        outcome="vote",
        running="margin",
        kernel="epanechnikov",
        bwselect="msetwo",
        p=2,
    ).frame
    np.testing.assert_allclose([r["estimate"] for r in rows], library["estimate"], rtol=1e-10)
    np.testing.assert_allclose([r["h_right"] for r in rows], library["h_right"], rtol=1e-10)


def test_rd_fuzzy_and_csv_output(tmp_path: Path) -> None:
    data = pl.read_csv(SENATE, null_values=["NA"]).with_columns(
        won=(pl.col("margin") >= 0).cast(pl.Int64)
    )
    path = tmp_path / "senate.csv"
    data.write_csv(path)
    out = tmp_path / "rd.csv"
    result = CliRunner().invoke(
        cli,
        ["evaluate", "rd", str(path), "--outcome", "vote", "--running", "margin",
         "--fuzzy", "won", "--format", "csv", "--output", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    frame = pl.read_csv(out)
    assert frame.columns == RD_KEYS and frame.height == 3
    assert "93 in 1,390 rows missing" in result.stderr


def test_match_rows_with_balance(lalonde_csv: Path) -> None:
    covariates = ["--covariate", "age", "--covariate", "educ,nodegree", "--covariate", "re75"]
    rows = _json(
        ["evaluate", "match", str(lalonde_csv), "--outcome", "re78", "--treat", "t",
         *covariates, "--method", "ipw", "--estimand", "ate", "--balance"]
    )  # fmt: skip
    assert [r["row"] for r in rows] == ["estimate"] + ["balance"] * 4
    assert [r["covariate"] for r in rows[1:]] == ["age", "educ", "nodegree", "re75"]
    library = match_estimate(
        pl.read_csv(lalonde_csv),
        outcome="re78",
        treat="t",
        covariates=["age", "educ", "nodegree", "re75"],
        method="ipw",
        estimand="ate",
    )
    assert rows[0]["estimate"] == pytest.approx(library.frame["estimate"][0], rel=1e-10)
    assert rows[0]["estimand"] == "ate" and rows[0]["covariate"] is None
    for key in ("mean_treated_before", "mean_control_after", "diff_after", "std_diff_after",
                "var_ratio_after"):  # fmt: skip
        assert rows[1][key] == pytest.approx(library.balance[key][0], rel=1e-10), key
    table = CliRunner().invoke(
        cli, ["evaluate", "match", str(lalonde_csv), "--outcome", "re78", "--treat", "t",
              "--covariate", "age"]
    )  # fmt: skip
    assert table.exit_code == 0 and "estimate" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rd", "{senate}", "--outcome", "vote", "--running", "margn"],
         "error: running variable column 'margn' is not in the data; did you mean 'margin'?"),
        (["rd", "{senate}", "--outcome", "state", "--running", "margin"],
         "error: outcome column 'state' has 1,390 in 1,390 rows that are not numbers"),
        (["rd", "{senate}", "--outcome", "vote", "--running", "margin", "--cutoff", "500"],
         "error: running variable 'margin' has 1,297 rows below the cutoff 500 and 0 at or"),
        (["match", "{lalonde}", "--outcome", "re78", "--treat", "age", "--covariate", "educ"],
         "error: treatment column 'age' must be 0 or 1: 445 in 445 rows are not"),
        (["match", "{lalonde}", "--outcome", "re78", "--treat", "t", "--covariate", "edu"],
         "error: covariate column 'edu' is not in the data; did you mean 'educ'?"),
    ],
)  # fmt: skip
def test_user_errors_are_one_line(
    lalonde_csv: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    argv = [a.format(senate=SENATE, lalonde=lalonde_csv) for a in args]
    with pytest.raises(SystemExit) as stop:
        main(["evaluate", *argv])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(message), err
    assert len(err.strip().splitlines()) == 1
