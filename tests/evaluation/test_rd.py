"""Regression discontinuity against the published U.S. Senate illustration of rdrobust, and
the checks a user meets with bad input."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from setara.errors import ColumnNotFoundError, InputValueError
from setara.evaluation import rd_bins, rd_density, rd_estimate
from tests.conftest import DATA

SENATE = DATA / "evaluation" / "rdrobust_RDsenate.csv"
PUBLISHED = DATA / "evaluation" / "rd_senate_published.csv"
# The paper prints five significant digits (7.4141, 17.754, 10.273): half a unit of the last
# printed digit of the largest value, 10.273 and 17.754, is 5e-4.
PRINTED = 5e-4


@pytest.fixture(scope="module")
def senate() -> pl.DataFrame:
    return pl.read_csv(SENATE, null_values=["NA"])


@pytest.fixture(scope="module")
def senate_rd(senate: pl.DataFrame) -> pl.DataFrame:
    return rd_estimate(senate, outcome="vote", running="margin").frame


def test_senate_matches_the_published_illustration(senate_rd: pl.DataFrame) -> None:
    published = pl.read_csv(PUBLISHED)
    for row in published.iter_rows(named=True):
        ours = senate_rd.filter(pl.col("estimand") == row["estimand"]).row(0, named=True)
        for key in ("estimate", "se", "ci_low", "ci_high", "h_left", "h_right"):
            if row[key] is not None:
                assert ours[key] == pytest.approx(row[key], abs=PRINTED), key
        for key in ("b_left", "b_right"):
            assert ours[key] == pytest.approx(row[key], abs=PRINTED), key
        assert (ours["n_left"], ours["n_right"]) == (row["n_left"], row["n_right"])


def test_senate_rows_follow_the_contract(senate_rd: pl.DataFrame) -> None:
    assert senate_rd["estimand"].to_list() == ["conventional", "bias_corrected", "robust"]
    conventional, bias_corrected, robust = senate_rd.iter_rows(named=True)
    # bias correction moves the estimate; the robust row keeps it and widens the interval
    assert bias_corrected["estimate"] == robust["estimate"] != conventional["estimate"]
    assert robust["se"] > conventional["se"]
    assert robust["ci_high"] - robust["ci_low"] > conventional["ci_high"] - conventional["ci_low"]


def test_missing_values_are_left_out_with_a_note(senate: pl.DataFrame) -> None:
    result = rd_estimate(senate, outcome="vote", running="margin")
    assert result.notes == ["outcome column 'vote': 93 in 1,390 rows missing, left out"]


def test_uniform_weights_change_nothing(senate: pl.DataFrame) -> None:
    plain = rd_estimate(senate, outcome="vote", running="margin").frame
    weighted = rd_estimate(
        senate.with_columns(w=pl.lit(3.0)), outcome="vote", running="margin", weight="w"
    ).frame
    np.testing.assert_allclose(weighted["estimate"], plain["estimate"], rtol=1e-8)
    np.testing.assert_allclose(weighted["se"], plain["se"], rtol=1e-8)


def test_cluster_by_state_changes_only_the_variance(senate: pl.DataFrame) -> None:
    """Clustering by state (a text column) keeps the point estimate's definition but gives a
    cluster-robust variance and its own bandwidths."""
    plain = rd_estimate(senate, outcome="vote", running="margin").frame
    clustered = rd_estimate(senate, outcome="vote", running="margin", cluster="state").frame
    assert clustered["se"][0] != plain["se"][0]
    assert clustered["estimand"].to_list() == plain["estimand"].to_list()
    blank = int((senate["year"] == 1914).sum())
    with pytest.raises(InputValueError, match=f"cluster column 'state' has {blank} in 1,390 rows"):
        rd_estimate(
            senate.with_columns(
                state=pl.when(pl.col("year") == 1914).then(None).otherwise("state")
            ),
            outcome="vote",
            running="margin",
            cluster="state",
        )


def test_fuzzy_with_full_compliance_equals_sharp(senate: pl.DataFrame) -> None:
    """A fuzzy design whose treatment jumps from 0 to 1 at the cutoff is the sharp design."""
    data = senate.with_columns(won=(pl.col("margin") >= 0).cast(pl.Float64))
    sharp = rd_estimate(data, outcome="vote", running="margin").frame
    fuzzy = rd_estimate(data, outcome="vote", running="margin", fuzzy="won")
    assert fuzzy.design == "fuzzy"
    np.testing.assert_allclose(fuzzy.frame["estimate"], sharp["estimate"], rtol=1e-6)


def test_options_reach_rdrobust(senate: pl.DataFrame) -> None:
    two = rd_estimate(senate, outcome="vote", running="margin", bwselect="msetwo").frame
    assert two["h_left"][0] != two["h_right"][0]
    cer = rd_estimate(senate, outcome="vote", running="margin", bwselect="cerrd").frame
    mse = rd_estimate(senate, outcome="vote", running="margin").frame
    assert cer["h_left"][0] < mse["h_left"][0]  # CER-optimal bandwidths are smaller
    uniform = rd_estimate(senate, outcome="vote", running="margin", kernel="uniform").frame
    assert uniform["estimate"][0] != mse["estimate"][0]
    quadratic = rd_estimate(senate, outcome="vote", running="margin", p=2).frame
    assert quadratic["h_left"][0] > mse["h_left"][0]


def test_density_test_does_not_reject_for_the_senate(senate: pl.DataFrame) -> None:
    """Cattaneo, Jansson and Ma: no sign of manipulation of the Senate vote margin."""
    row = rd_density(senate, running="margin").row(0, named=True)
    assert row["p_value"] > 0.1
    assert row["n_left"] > 0 and row["n_right"] > 0


def test_density_test_detects_heaping_above_the_cutoff() -> None:
    rng = np.random.default_rng(7)
    score = rng.uniform(-1, 1, 2000)
    pushed = np.where((score > -0.2) & (score < 0) & (rng.random(2000) < 0.7), -score, score)
    row = rd_density(pl.DataFrame({"score": pushed}), running="score").row(0, named=True)
    assert row["p_value"] < 0.01


def test_bins_partition_each_side(senate: pl.DataFrame) -> None:
    bins = rd_bins(senate, outcome="vote", running="margin", bins=10)
    complete = senate.drop_nulls(["vote", "margin"])
    assert bins["n"].sum() == complete.height
    left = bins.filter(pl.col("side") == "left")
    assert (left["x_high"] <= 0).all()
    assert (bins.filter(pl.col("side") == "right")["x_low"] >= 0).all()
    # the first left bin's mean is the plain mean of its rows
    first = left.row(0, named=True)
    inside = complete.filter(
        (pl.col("margin") >= first["x_low"]) & (pl.col("margin") < first["x_high"])
    )
    assert first["y_mean"] == pytest.approx(inside["vote"].mean())
    quantile = rd_bins(senate, outcome="vote", running="margin", bins=5, spacing="quantile")
    counts = quantile.filter(pl.col("side") == "left")["n"].to_numpy()
    assert counts.max() - counts.min() <= 1


def test_bad_input_names_the_column() -> None:
    data = pl.DataFrame({"y": [1.0, 2.0, 3.0], "score": [-1.0, 0.5, 1.0]})
    with pytest.raises(ColumnNotFoundError, match="running variable column 'scor'"):
        rd_estimate(data, outcome="y", running="scor")
    with pytest.raises(InputValueError, match="1 rows below the cutoff 0 and 2 at or above"):
        rd_estimate(data, outcome="y", running="score")
    with pytest.raises(InputValueError, match="kernel 'gauss'"):
        rd_estimate(data, outcome="y", running="score", kernel="gauss")
    text = pl.DataFrame({"y": ["a", "b"], "score": [1.0, 2.0]})
    with pytest.raises(Exception, match="outcome column 'y' has 2 in 2 rows that are not"):
        rd_estimate(text, outcome="y", running="score")
