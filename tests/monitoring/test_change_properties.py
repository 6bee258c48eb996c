"""Properties of setara.monitoring.change that hold whatever the data."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.errors import ColumnNotFoundError, DesignError
from setara.monitoring import change
from tests.monitoring.test_change_reference import DESIGN, rounds

NONLINEAR = ["gini", "median", "fgt:alpha=0,line=0.6*median", "bottom40", "theil"]


def test_independent_se_is_the_rounds_own_ses_combined() -> None:
    """Independent rounds: se(change)^2 = se_before^2 + se_after^2 with each round's SE
    exactly as setara.estimate gives it (relative lines, Woodruff quantiles included)."""
    before, after = rounds()
    got = change(before, after, welfare="y", measures=NONLINEAR, design=DESIGN, by="region").frame
    ses = []
    for frame in (before, after):
        design = setara.survey_design(frame, **DESIGN)
        res = setara.estimate(frame, design, welfare="y", measures=NONLINEAR, by="region")
        ses.append(res.frame.sort("measure", "params", "region")["se"].to_numpy())
    got = got.sort("measure", "params", "region")
    np.testing.assert_allclose(got["se"].to_numpy() ** 2, ses[0] ** 2 + ses[1] ** 2, rtol=1e-10)


def test_same_sample_twice_has_no_sampling_error_with_shared_psus() -> None:
    """The same rows in both rounds on the same PSUs: the covariance equals the variance, so
    the change (0) has SE 0 for every measure, the population-level lines included."""
    before, _ = rounds()
    got = change(
        before, before, welfare="y", measures=NONLINEAR, design=DESIGN, common_psu=True
    ).frame
    np.testing.assert_allclose(got["change"].to_numpy(), 0.0, atol=1e-12)
    np.testing.assert_allclose(got["se"].to_numpy(), 0.0, atol=1e-7 * before["y"].mean())


def test_domain_missing_from_a_round_gets_no_change() -> None:
    before, after = rounds()
    after = after.with_columns(
        pl.when(pl.col("region") == "R3").then(pl.lit("R4")).otherwise("region").alias("region")
    )
    got = change(before, after, welfare="y", measures="mean", design=DESIGN, by="region").frame
    r3 = got.filter(pl.col("region") == "R3").row(0, named=True)
    assert r3["n_after"] == 0 and r3["change"] is None and r3["before"] is not None


def test_errors_name_the_round_and_the_problem() -> None:
    before, after = rounds()
    with pytest.raises(ColumnNotFoundError, match=r"after round: .*'income'"):
        change(
            before.with_columns(income=pl.col("y")),
            after,
            welfare="income",
            measures="mean",
            design=DESIGN,
        )
    with pytest.raises(DesignError, match="common_psu needs the PSU column"):
        change(
            before,
            after,
            welfare="y",
            measures="mean",
            design={"weight": "weight"},
            common_psu=True,
        )
