"""TWFE through pyfixest against a by-hand OLS with dummies and a by-hand cluster sandwich;
the Goodman-Bacon decomposition (weights sum to one, weighted 2x2s give the TWFE coefficient);
the Sun–Abraham event study against the published R ``did`` dynamic effects."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from setara.evaluation import bacon, sun_abraham, twfe

DATA = Path(__file__).resolve().parents[1] / "data" / "evaluation"


@pytest.fixture(scope="module")
def mpdta() -> pl.DataFrame:
    frame = pl.read_csv(DATA / "mpdta.csv")
    treated = (pl.col("first_treat") > 0) & (pl.col("year") >= pl.col("first_treat"))
    return frame.with_columns(treated=treated.cast(pl.Int64))


def _small_panel(rng: np.random.Generator) -> pl.DataFrame:
    units, periods = 12, 4
    cohort = np.array([0, 0, 0, 0, 2, 2, 2, 3, 3, 3, 4, 4])
    unit = np.repeat(np.arange(units), periods)
    period = np.tile(np.arange(1, periods + 1), units)
    g = np.repeat(cohort, periods)
    d = ((g > 0) & (period >= g)).astype(float)
    y = rng.normal(size=units)[unit] + 0.3 * period + 1.5 * d + rng.normal(size=unit.size)
    return pl.DataFrame(
        {
            "unit": unit,
            "period": period,
            "cohort": g,
            "d": d,
            "y": y,
            "w": rng.uniform(0.5, 2.0, units)[unit],
        }
    )


def test_twfe_equals_by_hand_ols_and_cluster_sandwich() -> None:
    frame = _small_panel(np.random.default_rng(3))
    res = twfe(frame, outcome="y", treat="d", unit="unit", time="period").table
    unit = frame["unit"].to_numpy()
    period = frame["period"].to_numpy()
    x = np.column_stack(
        [
            frame["d"].to_numpy(),
            (unit[:, None] == np.arange(12)[None, :]).astype(float),
            (period[:, None] == np.arange(2, 5)[None, :]).astype(float),
        ]
    )
    y = frame["y"].to_numpy()
    xtx_inv = np.linalg.inv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    resid = y - x @ beta
    scores = np.zeros((12, x.shape[1]))
    np.add.at(scores, unit, x * resid[:, None])
    n, k, groups = y.size, x.shape[1], 12
    # CRV1 with fixest's default small-sample factor: the unit dummies are nested in the unit
    # clusters and count as one constant, so K = treatment + 3 period dummies + 1
    k_fit = 1 + 3 + 1
    adj = groups / (groups - 1) * (n - 1) / (n - k_fit)
    vcov = adj * xtx_inv @ (scores.T @ scores) @ xtx_inv
    assert res["estimate"][0] == pytest.approx(beta[0], rel=1e-10)
    assert res["se"][0] == pytest.approx(np.sqrt(vcov[0, 0]), rel=1e-8)
    assert k == 16


def test_twfe_weighted_equals_by_hand_wls() -> None:
    frame = _small_panel(np.random.default_rng(4))
    res = twfe(frame, outcome="y", treat="d", unit="unit", time="period", weight="w").table
    unit, period = frame["unit"].to_numpy(), frame["period"].to_numpy()
    x = np.column_stack(
        [
            frame["d"].to_numpy(),
            (unit[:, None] == np.arange(12)).astype(float),
            (period[:, None] == np.arange(2, 5)).astype(float),
        ]
    )
    w = frame["w"].to_numpy()
    beta = np.linalg.solve(x.T @ (x * w[:, None]), x.T @ (w * frame["y"].to_numpy()))
    assert res["estimate"][0] == pytest.approx(beta[0], rel=1e-10)


def test_twfe_two_by_two_is_the_difference_of_mean_changes() -> None:
    frame = _small_panel(np.random.default_rng(6)).filter(pl.col("period") <= 2)
    frame = frame.filter(pl.col("cohort").is_in([0, 2]))
    res = twfe(frame, outcome="y", treat="d", unit="unit", time="period").table
    wide = frame.pivot(on="period", index=["unit", "cohort"], values="y")
    change = wide.with_columns(c=pl.col("2") - pl.col("1"))
    by_hand = (
        change.filter(pl.col("cohort") == 2)["c"].mean()
        - change.filter(pl.col("cohort") == 0)["c"].mean()
    )  # type: ignore[operator]
    assert res["estimate"][0] == pytest.approx(by_hand, rel=1e-10)


@pytest.mark.parametrize("always_treated", [False, True])
def test_bacon_weights_sum_to_one_and_rebuild_twfe(
    mpdta: pl.DataFrame, always_treated: bool
) -> None:
    frame = mpdta
    if always_treated:  # a seventh of the counties treated from the first year on
        first = pl.when(pl.col("countyreal") % 7 == 0).then(2003).otherwise(pl.col("first_treat"))
        frame = frame.with_columns(first_treat=first)
        frame = frame.with_columns(
            treated=((pl.col("first_treat") > 0) & (pl.col("year") >= pl.col("first_treat"))).cast(
                pl.Int64
            )
        )
    parts = bacon(frame, outcome="lemp", unit="countyreal", time="year", cohort="first_treat")
    coefficient = twfe(
        frame, outcome="lemp", treat="treated", unit="countyreal", time="year"
    ).table["estimate"][0]
    assert parts["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (parts["weight"] * parts["estimate"]).sum() == pytest.approx(coefficient, abs=1e-12)
    assert (parts["weight"] > 0).all()
    assert set(parts["type"]) == {"treated_vs_never", "earlier_vs_later", "later_vs_earlier"}
    # the 2x2 of cohort 2004 against the never treated is R did's group effect of 2004
    row = parts.filter((pl.col("type") == "treated_vs_never") & (pl.col("treated") == 2004))
    if not always_treated:
        assert row["estimate"][0] == pytest.approx(-0.0797491, abs=1e-6)


def test_sun_abraham_post_periods_equal_published_dynamic_effects(mpdta: pl.DataFrame) -> None:
    """With never-treated units as the comparison and cohort-share weights, the interaction-
    weighted effects after treatment are the outcome-regression dynamic aggregation of R
    did (README values)."""
    res = sun_abraham(mpdta, outcome="lemp", unit="countyreal", time="year", cohort="first_treat")
    post = res.filter(pl.col("event") >= 0).sort("event")
    expected = [-0.0199318, -0.0509574, -0.1372587, -0.1008114]
    np.testing.assert_allclose(post["estimate"], expected, atol=1e-6)
    assert -1 not in res["event"].to_list()  # the reference period
    assert (res["se"] > 0).all()
