"""setara.monitoring.change against R survey 4.1-1 on stacked designs of both rounds.

Reference: tests/data/monitoring/r_change_expected.csv, written by r_change_reference.R from
rounds.csv (two rounds sharing 3 of 5 PSUs per stratum). ``independent`` stacks the rounds
with distinct strata and PSUs (the sum of the variances); ``common`` identifies a PSU by
stratum and id across rounds (the covariance through the shared PSUs).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from setara.monitoring import change

DATA = Path(__file__).parents[1] / "data" / "monitoring"
# R prints 15 significant digits and both sides sum the same PSU totals in double precision:
# the observed relative differences are ~1e-12; 1e-8 leaves room for summation order only.
RELATIVE = 1e-8
DESIGN = {"weight": "weight", "strata": "stratum", "psu": "psu"}
MEASURES = {
    ("mean", ""): "mean",
    ("total", ""): "total",
    ("fgt", "alpha=0,line=@line"): "fgt:alpha=0,line=@line",
    ("fgt", "alpha=1,line=@line"): "fgt:alpha=1,line=@line",
    ("ratio", "denominator=hhsize"): "ratio:denominator=hhsize",
}


def rounds() -> tuple[pl.DataFrame, pl.DataFrame]:
    frame = pl.read_csv(DATA / "rounds.csv")
    return frame.filter(pl.col("round") == 1), frame.filter(pl.col("round") == 2)


def expected() -> pl.DataFrame:
    return pl.read_csv(DATA / "r_change_expected.csv").with_columns(
        pl.col("domain").fill_null(""), pl.col("params").fill_null("")
    )


@pytest.mark.parametrize("case", ["independent", "common"])
def test_change_equals_r_svycontrast_on_stacked_design(case: str) -> None:
    before, after = rounds()
    ref = expected().filter(pl.col("case") == case)
    common = case == "common"
    specs = list(MEASURES.values())
    national = change(
        before, after, welfare="y", measures=specs, design=DESIGN, common_psu=common
    ).frame
    regional = change(
        before, after, welfare="y", measures=specs, design=DESIGN, by="region", common_psu=common
    ).frame
    checked = 0
    for row in ref.iter_rows(named=True):
        frame = (
            national if row["domain"] == "" else regional.filter(pl.col("region") == row["domain"])
        )
        got = frame.filter(
            (pl.col("measure") == row["measure"]) & (pl.col("params") == row["params"])
        )
        assert got.height == 1, row
        for column in ("before", "after", "change", "se", "df"):
            np.testing.assert_allclose(got[column][0], row[column], rtol=RELATIVE, err_msg=str(row))
        checked += 1
    assert checked == 4 * 4 + 1  # four measures nationally and in 3 regions, the ratio nationally


def test_shared_psus_change_the_se() -> None:
    """The covariance is real in this data: the common-PSU SE differs from the independent."""
    ref = expected().filter(pl.col("domain") == "")
    se = {
        case: ref.filter(pl.col("case") == case)["se"].to_numpy()
        for case in ("independent", "common")
    }
    assert np.all(np.abs(se["common"] / se["independent"] - 1) > 0.05)
