"""Growth incidence curve: SEs against R survey's Woodruff quantile SEs and the delta method."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from setara.errors import InputValueError
from setara.monitoring import growth_incidence
from setara.monitoring.gic import percentile_points
from tests.monitoring.test_change_reference import DATA, DESIGN, RELATIVE, rounds


def test_gic_independent_equals_r_quantiles_and_delta_method() -> None:
    """r_gic_expected.csv: svyquantile(interval.type="mean") per round, g = q2/q1 - 1 and
    se = sqrt(se2^2 + (q2/q1)^2 se1^2) / q1 (r_change_reference.R)."""
    before, after = rounds()
    ref = pl.read_csv(DATA / "r_gic_expected.csv")
    got = growth_incidence(
        before, after, welfare="y", design=DESIGN, points=ref["p"].to_list()
    ).frame.filter(pl.col("measure") == "gic")
    for column in ("before", "after", "growth", "se"):
        np.testing.assert_allclose(got[column].to_numpy(), ref[column].to_numpy(), rtol=RELATIVE)


def test_shared_psus_use_the_covariance() -> None:
    """With the PSU effect persisting across rounds, the covariance is positive: the SE of every
    growth rate falls below the independent one; identical rounds have no sampling error."""
    before, after = rounds()
    args = {"welfare": "y", "design": DESIGN, "points": [0.25, 0.5, 0.75]}
    independent = growth_incidence(before, after, **args).frame
    common = growth_incidence(before, after, common_psu=True, **args).frame
    assert (common["se"].to_numpy() < independent["se"].to_numpy()).all()
    same = growth_incidence(before, before, common_psu=True, **args).frame
    np.testing.assert_allclose(same["growth"].to_numpy(), 0.0, atol=1e-15)
    np.testing.assert_allclose(same["se"].to_numpy(), 0.0, atol=1e-9)


def test_growth_of_the_mean_and_mean_of_growth_rates() -> None:
    before, after = rounds()
    frame = growth_incidence(before, after, welfare="y", design=DESIGN, points=4).frame
    gic = frame.filter(pl.col("measure") == "gic")
    assert gic["params"].to_list() == ["p=0.2", "p=0.4", "p=0.6", "p=0.8"]
    average = frame.filter(pl.col("measure") == "mean_growth_rate")["growth"][0]
    assert average == pytest.approx(gic["growth"].mean(), rel=1e-12)
    mean = frame.filter(pl.col("measure") == "growth_mean").row(0, named=True)
    w1, w2 = before["weight"], after["weight"]
    m1 = (before["y"] * w1).sum() / w1.sum()
    m2 = (after["y"] * w2).sum() / w2.sum()
    assert mean["growth"] == pytest.approx(m2 / m1 - 1.0, rel=1e-12)


def test_points_are_checked() -> None:
    assert percentile_points(99)[:2] == [0.01, 0.02]
    with pytest.raises(InputValueError, match="strictly between 0 and 1"):
        percentile_points([0.5, 1.0])
    with pytest.raises(InputValueError, match="between 1 and"):
        percentile_points(0)
