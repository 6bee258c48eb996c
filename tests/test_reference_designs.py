"""Design features against R survey 4.1-1 (tests/data/r_survey_expected.csv, R_REFERENCE.md):
FPC as counts and fractions, multistage with FPC, weights derived from FPCs, lonely PSUs
(also at stage 2, and totals under ``adjust``), created jackknife replicates, degrees of freedom
(without PSUs whose rows all weigh zero), Woodruff quantile SEs and domains."""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
import pytest

import setara
from tests.conftest import DATA, read_api

RTOL = 1e-6  # same formulas as R survey; only summation order differs

EXPECTED = pl.read_csv(DATA / "r_survey_expected.csv", null_values=["NA"])


def _lonely_frame() -> pl.DataFrame:
    frame = read_api("apistrat")
    strata = ["L", *frame["stype"].to_list()[1:]]
    return frame.with_columns(pl.Series("lstr", strata))


def design_for(case: str) -> tuple[pl.DataFrame, setara.SurveyDesign]:
    if case == "srs":
        f = read_api("apisrs")
        return f, setara.survey_design(f, fpc="fpc")
    if case == "srs_nofpc":
        f = read_api("apisrs")
        return f, setara.survey_design(f, weight="pw")
    if case in ("strat", "jkn"):
        f = read_api("apistrat")
        if case == "strat":
            return f, setara.survey_design(f, weight="pw", strata="stype", fpc="fpc")
        d = setara.survey_design(f, weight="pw", strata="stype")
        return f, setara.with_replicates(d, "jkn")
    if case in ("clus1", "clus1_nofpc", "jk1", "jk1_mse"):
        f = read_api("apiclus1")
        if case == "clus1":
            return f, setara.survey_design(f, weight="pw", psu="dnum", fpc="fpc")
        d = setara.survey_design(f, weight="pw", psu="dnum")
        if case == "clus1_nofpc":
            return f, d
        return f, setara.with_replicates(d, "jk1", mse=case == "jk1_mse")
    if case == "clus2":
        f = read_api("apiclus2")
        return f, setara.survey_design(f, psu=["dnum", "snum"], fpc=["fpc1", "fpc2"])
    if case == "clus2_w":
        f = read_api("apiclus2")
        return f, setara.survey_design(f, weight="pw", psu=["dnum", "snum"])
    if case.startswith("clus2_lonely_"):
        f = read_api("apiclus2").with_row_index("row")
        first_228 = pl.col("row").filter(pl.col("dnum") == 228).min()
        f = f.filter((pl.col("dnum") != 228) | (pl.col("row") == first_228)).drop("row")
        policy = case.removeprefix("clus2_lonely_")
        return f, setara.survey_design(
            f, psu=["dnum", "snum"], fpc=["fpc1", "fpc2"], lonely_psu=policy
        )
    if case.startswith("clus1_zero"):
        f = read_api("apiclus1")
        zero = pl.col("dnum").is_in([406, 413]) | (
            (pl.col("dnum") == 178) & (pl.col("stype") == "H")
        )
        f = f.with_columns(pl.when(zero).then(0.0).otherwise(pl.col("pw")).alias("pw0"))
        d = setara.survey_design(f, weight="pw0", psu="dnum")
        return f, (setara.with_replicates(d, "jk1") if case.endswith("_jk1") else d)
    if case.startswith("strat_zero"):
        f = read_api("apistrat").with_row_index("row")
        rank = pl.col("row").rank("ordinal").over("stype")
        if case == "strat_zero_h_jkn":
            zero = pl.col("stype") == "H"
        else:
            zero = ((pl.col("stype") == "E") & (rank <= 3)) | (
                (pl.col("stype") == "H") & (rank <= 2)
            )
        f = f.with_columns(pl.when(zero).then(0.0).otherwise(pl.col("pw")).alias("pw0"))
        d = setara.survey_design(f, weight="pw0", strata="stype")
        return f, (setara.with_replicates(d, "jkn") if case.endswith("_jkn") else d)
    if case.startswith("lonely_"):
        f = _lonely_frame()
        policy = case.split("_")[1]
        fpc = "fpc" if case.endswith("_fpc") else None
        return f, setara.survey_design(f, weight="pw", strata="lstr", fpc=fpc, lonely_psu=policy)
    raise KeyError(case)


ROWS = [r for r in EXPECTED.to_dicts() if r["case"] != "laeken"]


@pytest.mark.parametrize(
    "row", ROWS, ids=lambda r: f"{r['case']}-{r['statistic']}-{r['variable']}-{r['domain']}"
)
def test_r_survey_row(row: dict[str, Any]) -> None:
    frame, design = design_for(row["case"])
    if row["statistic"] == "degf" and row["domain"] == "all":
        assert design.degf == int(row["estimate"])
        return
    if row["statistic"] == "degf":  # degf(subset(design, stype == domain))
        codes = (frame["stype"] == row["domain"]).cast(pl.Int64).to_numpy() - 1
        assert design.domain_degf(codes, 1)[0] == int(row["estimate"])
        return
    stat, variable = row["statistic"], row["variable"]
    if stat == "ratio":
        num, den = variable.split("/")
        variable, spec = num, f"ratio:denominator={den}"
    elif stat.startswith("quantile_"):
        spec = f"quantile:p={stat.split('_')[1]}"
    else:
        spec = stat
    by = None
    if row["domain"] != "all":
        by = "stype" if row["domain"] in ("E", "H", "M") else "awards"
    res = setara.estimate(frame, design, welfare=variable, measures=[spec], by=by).frame
    if by:
        res = res.filter(pl.col(by) == row["domain"])
    assert res["estimate"][0] == pytest.approx(row["estimate"], rel=RTOL)
    assert res["se"][0] == pytest.approx(row["se"], rel=RTOL)


def test_lonely_psu_fail_names_the_stratum() -> None:
    frame = _lonely_frame()
    with pytest.raises(setara.SetaraError, match=r"single PSU.*'L'"):
        setara.survey_design(frame, weight="pw", strata="lstr")


def test_weights_from_fpc_fractions_equal_counts() -> None:
    frame = read_api("apistrat")
    frame = frame.with_columns(
        (pl.col("stype").count().over("stype") / pl.col("fpc")).alias("fraction")
    )
    by_count = setara.survey_design(frame, strata="stype", fpc="fpc")
    by_fraction = setara.survey_design(frame, strata="stype", fpc="fraction")
    np.testing.assert_allclose(by_count.weights, by_fraction.weights, rtol=1e-12)
    np.testing.assert_allclose(by_count.weights, frame["pw"].to_numpy(), rtol=1e-6)
