"""Datt-Ravallion and Shapley growth/redistribution decompositions."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.errors import InputValueError
from setara.monitoring import growth_redistribution
from tests.monitoring.test_change_reference import rounds

WEIGHT = {"weight": "weight"}


@pytest.mark.parametrize("alpha", [0.0, 1.0, 2.0])
@pytest.mark.parametrize("method", ["datt-ravallion", "shapley"])
def test_components_add_up_to_the_change(method: str, alpha: float) -> None:
    before, after = rounds()
    frame = growth_redistribution(
        before,
        after,
        welfare="y",
        line="@line",
        alpha=alpha,
        design=WEIGHT,
        by="region",
        method=method,
    ).frame
    parts = frame["growth"] + frame["redistribution"] + frame["residual"]
    np.testing.assert_allclose(parts.to_numpy(), frame["change"].to_numpy(), rtol=0, atol=1e-15)
    if method == "shapley":
        assert (frame["residual"] == 0).all()


def test_before_and_after_are_the_engines_fgt() -> None:
    before, after = rounds()
    frame = growth_redistribution(before, after, welfare="y", line="@line", alpha=1, design=WEIGHT)
    for data, column in ((before, "before"), (after, "after")):
        design = setara.survey_design(data, weight="weight", strata="stratum", psu="psu")
        fgt = setara.estimate(data, design, welfare="y", measures="fgt:alpha=1,line=@line")
        assert frame.frame[column][0] == pytest.approx(fgt.frame["estimate"][0], rel=1e-12)


def test_pure_growth_and_pure_redistribution() -> None:
    """Everyone 10 % richer: all growth. A mean-preserving spread: no growth, and with the
    Datt-Ravallion reference at 'before' no residual either (the mean did not move)."""
    before, _ = rounds()
    richer = before.with_columns(pl.col("y") * 1.1)
    mean = (before["y"] * before["weight"]).sum() / before["weight"].sum()
    spread = before.with_columns((mean + 1.05 * (pl.col("y") - mean)).alias("y"))
    for method in ("datt-ravallion", "shapley"):
        grown = growth_redistribution(
            before, richer, welfare="y", line="@line", design=WEIGHT, method=method
        ).frame.row(0, named=True)
        assert grown["change"] < 0
        assert grown["growth"] == pytest.approx(grown["change"], abs=1e-12)
        assert grown["redistribution"] == pytest.approx(0.0, abs=1e-12)
        spread_row = growth_redistribution(
            before, spread, welfare="y", line="@line", design=WEIGHT, method=method
        ).frame.row(0, named=True)
        assert spread_row["change"] > 0
        assert spread_row["growth"] == pytest.approx(0.0, abs=1e-12)
        assert spread_row["redistribution"] == pytest.approx(spread_row["change"], abs=1e-12)


def test_bad_input() -> None:
    before, after = rounds()
    with pytest.raises(InputValueError, match="datt-ravallion or shapley"):
        growth_redistribution(before, after, welfare="y", line=800, method="oaxaca")
    with pytest.raises(InputValueError, match="give a number or @column"):
        growth_redistribution(before, after, welfare="y", line="line")
