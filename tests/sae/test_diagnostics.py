"""Fay–Herriot diagnostics: the between-area R², normality tests, and which areas became
reliable, computed independently where they can be."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl
import pytest
from scipy import stats

from setara.sae import fay_herriot, fh_diagnostics, fh_estimates
from tests.conftest import DATA

MILK = pl.read_csv(DATA / "sae" / "milk.csv").with_columns(vardir=pl.col("SD") ** 2)


def test_milk_diagnostics_agree_with_their_definitions() -> None:
    rows, fit = fh_estimates(
        MILK, direct="yi", vardir="vardir", area="SmallArea", factors=["MajorArea"]
    )
    report = fh_diagnostics(rows, fit)
    null = fay_herriot(MILK["yi"].to_numpy(), MILK["vardir"].to_numpy(), np.ones((43, 1)))
    assert report["between_area_r2"] == pytest.approx(1 - fit.refvar / null.refvar, rel=1e-12)
    assert 0 < report["between_area_r2"] < 1
    residuals = (fit.direct - fit.eblup) / np.sqrt(fit.vardir)
    w, p = stats.shapiro(residuals)
    assert report["normality"]["residuals"]["w"] == pytest.approx(w)
    assert report["normality"]["residuals"]["p_value"] == pytest.approx(p)
    assert report["reliability_after"] == dict(Counter(rows["reliability"].to_list()))
    rse_before = (MILK["SD"] / MILK["yi"]).to_numpy()
    improved = (rse_before > 0.25) & (rows["rse"].to_numpy() <= 0.25)
    became = set(MILK["SmallArea"].to_numpy()[improved].tolist())
    assert set(report["became_reliable"]) == became and became  # the model makes some usable
    assert sum(report["reliability_before"].values()) == 43


def test_data_from_the_model_pass_the_normality_checks() -> None:
    rng = np.random.default_rng(3)
    m = 300
    x = np.column_stack([np.ones(m), rng.normal(size=m)])
    vardir = rng.uniform(0.05, 0.5, size=m)
    y = x @ [1.0, 0.5] + rng.normal(0, 0.4, size=m) + rng.normal(size=m) * np.sqrt(vardir)
    frame = pl.DataFrame({"area": np.arange(m), "y": y, "v": vardir, "x": x[:, 1]})
    rows, fit = fh_estimates(frame, direct="y", vardir="v", area="area", covariates=["x"])
    report = fh_diagnostics(rows, fit)
    assert report["normality"]["area_effects"]["p_value"] > 0.01
    assert report["between_area_r2"] > 0.5  # x explains var 0.25 of 0.41 between areas
    qq = report["normality"]["residuals"]["qq"]
    assert len(qq["theoretical"]) == m and qq["sample"] == sorted(qq["sample"])
