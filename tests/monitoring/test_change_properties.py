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


def test_rescaling_a_rounds_weights_changes_nothing() -> None:
    before, after = rounds()
    # not quantile-based measures: their kernel bandwidth uses N = sum of weights (as convey),
    # so their SEs move slightly with the weight scale (README, definitional choices)
    measures = ["mean", "gini", "fgt:alpha=0,line=@line", "theil"]
    base = change(before, after, welfare="y", measures=measures, design=DESIGN, common_psu=True)
    scaled = change(
        before.with_columns(pl.col("weight") * 7.5),
        after,
        welfare="y",
        measures=measures,
        design=DESIGN,
        common_psu=True,
    )
    for column in ("change", "se"):
        np.testing.assert_allclose(
            scaled.frame[column].to_numpy(), base.frame[column].to_numpy(), rtol=1e-9
        )


def test_replicate_weights_for_independent_rounds_only() -> None:
    """Each round's own replicate SEs combine as independent samples; shared PSUs need the
    PSUs of a linearization design."""
    frames = []
    for frame in rounds():
        psu = frame["psu"].to_numpy()
        reps = {
            f"rep{k}": frame["weight"].to_numpy() * np.where(psu % 5 == k, 0.0, 1.25)
            for k in range(5)
        }
        frames.append(frame.with_columns(**{k: pl.Series(v) for k, v in reps.items()}))
    design = {"weight": "weight", "replicate_weights": "rep*", "replicate_type": "jk1"}
    got = change(*frames, welfare="y", measures=["mean", "gini"], design=design).frame
    ses = []
    for frame in frames:
        own = setara.survey_design(frame, **design)
        ses.append(setara.estimate(frame, own, welfare="y", measures=["mean", "gini"]).frame["se"])
    np.testing.assert_allclose(
        got["se"].to_numpy() ** 2, ses[0].to_numpy() ** 2 + ses[1].to_numpy() ** 2, rtol=1e-12
    )
    with pytest.raises(DesignError, match="replicate weights"):
        change(
            *frames, welfare="y", measures="mean", design={**design, "psu": "psu"}, common_psu=True
        )
