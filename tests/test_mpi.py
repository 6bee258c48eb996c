"""Alkire–Foster multidimensional poverty (setara.mpi)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.errors import InputValueError
from setara.mpi import mpi

INDICATORS = {"d1": 1.0, "d2": 1.0, "d3": 2.0}  # normalised: 0.25, 0.25, 0.5


def tiny() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "d1": [1, 1, 0, 1, 0, 0],
            "d2": [1, 0, 0, 1, 0, 1],
            "d3": [1, 0, 1, 0, 0, 0],
            "w": [2.0, 1.0, 1.0, 3.0, 1.0, 2.0],
        }
    )


def values(res: setara.Results, measure: str) -> dict[str, float]:
    rows = res.frame.filter(pl.col("measure") == measure)
    return dict(zip(rows["params"], rows["estimate"], strict=True))


def test_mpi_by_hand() -> None:
    # scores 1, .25, .5, .5, 0, .25; poor (c >= 1/3): rows 1, 3, 4 with weights 2, 1, 3 of 10
    frame = tiny()
    res = mpi(frame, setara.survey_design(frame, weight="w"), indicators=INDICATORS)
    h = values(res, "mpi_H")["k=0.333333"]
    a = values(res, "mpi_A")["k=0.333333"]
    m0 = values(res, "mpi_M0")["k=0.333333"]
    assert h == pytest.approx(0.6)
    assert m0 == pytest.approx((2 * 1.0 + 1 * 0.5 + 3 * 0.5) / 10)
    assert a == pytest.approx(4.0 / 6.0)
    assert m0 == pytest.approx(h * a, rel=1e-12)
    ch = values(res, "mpi_censored_headcount")
    assert ch == pytest.approx({"indicator=d1": 0.5, "indicator=d2": 0.5, "indicator=d3": 0.3})
    contrib = values(res, "mpi_contribution")
    assert contrib == pytest.approx(
        {"indicator=d1": 0.3125, "indicator=d2": 0.3125, "indicator=d3": 0.375}
    )
    assert sum(contrib.values()) == pytest.approx(1.0, rel=1e-12)
    weights = {"indicator=d1": 0.25, "indicator=d2": 0.25, "indicator=d3": 0.5}
    assert sum(weights[k] * v for k, v in ch.items()) == pytest.approx(m0, rel=1e-12)
    pandas_frame = frame.to_pandas()  # pandas input gives the same results
    again = mpi(pandas_frame, setara.survey_design(pandas_frame, weight="w"), indicators=INDICATORS)
    assert again.frame.equals(res.frame)


def synthetic(seed: int = 5) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    strata, psus, size = 25, 4, 10
    n = strata * psus * size
    psu = np.repeat(np.arange(strata * psus), size)
    effect = rng.normal(size=strata * psus)[psu]
    cols = {
        f"d{j}": (rng.random(n) < 1.0 / (1.0 + np.exp(-(effect + rng.normal() - 0.5)))).astype(
            np.int64
        )
        for j in range(1, 5)
    }
    return pl.DataFrame(
        {
            "stratum": np.repeat(np.arange(strata), psus * size),
            "psu": psu,
            "w": rng.uniform(20.0, 80.0, n),
            "urban": rng.integers(0, 2, n),
            **cols,
        }
    )


def test_mpi_standard_errors_match_means_and_ratios() -> None:
    frame = synthetic()
    design = setara.survey_design(frame, weight="w", strata="stratum", psu="psu")
    ind = {"d1": 1.0, "d2": 1.0, "d3": 1.0, "d4": 1.0}
    res = mpi(frame, design, indicators=ind, k=0.5, by="urban")
    score = pl.sum_horizontal([0.25 * pl.col(c) for c in ind])
    extra = frame.with_columns(
        poor=(score >= 0.5).cast(pl.Float64),
        censored=pl.when(score >= 0.5).then(score).otherwise(0.0),
    )
    check = {
        "mpi_H": setara.estimate(extra, design, welfare="poor", measures=["mean"], by="urban"),
        "mpi_M0": setara.estimate(extra, design, welfare="censored", measures=["mean"], by="urban"),
        "mpi_A": setara.estimate(
            extra, design, welfare="censored", measures=["ratio:denominator=poor"], by="urban"
        ),
    }
    for name, expected in check.items():
        got = res.frame.filter(pl.col("measure") == name)
        np.testing.assert_allclose(got["estimate"], expected.frame["estimate"], rtol=1e-12)
        np.testing.assert_allclose(got["se"], expected.frame["se"], rtol=1e-10)
    contrib = res.frame.filter(pl.col("measure") == "mpi_contribution")
    sums = contrib.group_by("urban").agg(pl.col("estimate").sum())["estimate"]
    np.testing.assert_allclose(sums, 1.0, rtol=1e-12)
    rep = mpi(frame, setara.with_replicates(design, "jkn"), indicators=ind, k=0.5, by="urban")
    np.testing.assert_allclose(rep.frame["estimate"], res.frame["estimate"], rtol=1e-12)
    np.testing.assert_allclose(rep.frame["se"], res.frame["se"], rtol=0.05)


def test_mpi_cutoff_tolerates_rounding() -> None:
    # seven equal weights: 5 * (1/7) sums to 0.7142857142857142 < 5/7 in floating point
    cols = {f"x{j}": [1 if j < 5 else 0, 0] for j in range(7)}
    frame = pl.DataFrame({**cols, "w": [1.0, 1.0]})
    res = mpi(
        frame, setara.survey_design(frame, weight="w"), indicators=dict.fromkeys(cols, 1.0), k=5 / 7
    )
    assert res.frame.filter(pl.col("measure") == "mpi_H")["estimate"][0] == pytest.approx(0.5)


def test_mpi_missing_and_invalid_values() -> None:
    frame = tiny().with_columns(d3=pl.Series([1, None, 1, 0, 0, 0]))
    res = mpi(frame, setara.survey_design(frame, weight="w"), indicators=INDICATORS)
    assert res.frame["n"][0] == 5
    assert any("d3" in note for note in res.notes)
    bad = tiny().with_columns(d2=pl.Series([2, 0, 0, 1, 0, 1]))
    with pytest.raises(InputValueError, match="0/1"):
        mpi(bad, setara.survey_design(bad, weight="w"), indicators=INDICATORS)
    with pytest.raises(InputValueError, match="cutoff"):
        mpi(frame, setara.survey_design(frame, weight="w"), indicators=INDICATORS, k=0.0)
    with pytest.raises(InputValueError, match="positive"):
        mpi(frame, setara.survey_design(frame, weight="w"), indicators={"d1": -1.0})
