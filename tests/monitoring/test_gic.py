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


POINTS = [0.1, 0.25, 0.5, 0.75, 0.9]


@pytest.mark.parametrize("case", ["common", "independent"])
def test_gic_with_shared_psus_equals_r_on_the_stacked_design(case: str) -> None:
    """r_gic_shared_expected.csv (r_gic_shared_reference.R, survey 4.1-1): with shared PSUs
    each round's Woodruff SE (svyquantile) and the correlation of the two quantiles'
    linearizations on the stacked design (vcov of svytotal), by the delta method; and the
    growth of the mean by svycontrast over svyby on both stacked designs; nationally and in
    three regions, with the stacked df. Tolerance RELATIVE (1e-8): both sides sum the same PSU
    totals in double precision (observed ~1e-13). Rows flagged ``boundary`` (the Woodruff CDF
    interval leaves [0, 1] or falls below the smallest value's weight share, where R survey's
    qrule_math takes the second smallest value or gives NA: docs/change-over-time.md) keep
    their estimates and growth checked, not their SE."""
    before, after = rounds()
    ref = pl.read_csv(DATA / "r_gic_shared_expected.csv", null_values="NA").with_columns(
        pl.col("domain").fill_null(""), pl.col("params").fill_null("")
    )
    ref = ref.filter(pl.col("case") == case)
    args = {"welfare": "y", "design": DESIGN, "points": POINTS, "common_psu": case == "common"}
    national = growth_incidence(before, after, **args).frame
    regional = growth_incidence(before, after, by="region", **args).frame
    compared = 0
    for row in ref.iter_rows(named=True):
        frame = (
            national if row["domain"] == "" else regional.filter(pl.col("region") == row["domain"])
        )
        got = frame.filter(
            (pl.col("measure") == row["measure"]) & (pl.col("params") == row["params"])
        ).row(0, named=True)
        columns = ["before", "after", "growth", "df"] + ([] if row["boundary"] else ["se"])
        for column in columns:
            assert got[column] == pytest.approx(row[column], rel=RELATIVE), (row, column)
        compared += len(columns)
    # 5 points x 4 domains with shared PSUs (15 SEs) and the mean's growth in 4 domains
    assert compared == (20 * 4 + 15 + 4 * 5 if case == "common" else 4 * 5)


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
