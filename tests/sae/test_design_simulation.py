"""A design-based simulation (issue 13): one synthetic population of 150 districts, 200
two-stage samples from it. In the small districts (1–2 sampled villages) the Fay–Herriot
estimates have a far lower mean squared error than the direct ones, and their 95% intervals
cover the true poverty rate 93–97% of the time over all districts and samples."""

from __future__ import annotations

import numpy as np
import polars as pl

import setara
from setara.sae import fh_estimates, smooth_variances
from setara.sae.synthetic import synthetic_districts, two_stage_sample

SAMPLES = 200


def test_weights_add_up_to_every_district() -> None:
    population = synthetic_districts(rng=np.random.default_rng(5))
    sample = two_stage_sample(population, rng=np.random.default_rng(6))
    totals = sample.group_by("district").agg(pl.col("weight").sum()).sort("district")
    np.testing.assert_allclose(totals["weight"], 20 * 60)
    villages = sample.group_by("district").agg(pl.col("village").n_unique()).sort("district")
    assert villages["village"].to_list() == population.areas["sampled_villages"].to_list()


def test_model_beats_direct_in_small_areas_and_its_intervals_cover() -> None:
    population = synthetic_districts(rng=np.random.default_rng(2026))
    areas = population.areas
    truth = areas["poverty"].to_numpy()
    psus = areas["sampled_villages"].to_numpy()
    measure = f"fgt:alpha=0,line={population.poverty_line}"
    rng = np.random.default_rng(11)
    direct_error, model_error, covered = [], [], []
    for _ in range(SAMPLES):  # the replications of the simulation, not of a kernel
        sample = two_stage_sample(population, rng=rng)
        design = setara.survey_design(
            sample, weight="weight", strata="district", psu="village", lonely_psu="remove"
        )
        direct = setara.estimate(sample, design, welfare="income", measures=measure, by="district")
        frame = direct.frame.sort("district")
        y = frame["estimate"].to_numpy()
        variances, _ = smooth_variances(
            y, frame["se"].to_numpy() ** 2, frame["n"].to_numpy(), psus,
            kind="proportion", min_psu=2, replace="all",
        )  # fmt: skip
        table = areas.with_columns(direct=pl.Series(y), vardir=pl.Series(variances))
        rows, _ = fh_estimates(
            table, direct="direct", vardir="vardir", area="district", covariates=["covariate"]
        )
        direct_error.append((y - truth) ** 2)
        model_error.append((rows["estimate"].to_numpy() - truth) ** 2)
        low, high = rows["ci_low"].to_numpy(), rows["ci_high"].to_numpy()
        covered.append((low <= truth) & (truth <= high))
    small = psus <= 2
    direct_mse = np.mean(np.array(direct_error)[:, small])
    model_mse = np.mean(np.array(model_error)[:, small])
    coverage = float(np.mean(covered))
    print(
        f"small areas: MSE direct {direct_mse:.5f}, model {model_mse:.5f}; coverage {coverage:.3f}"
    )
    assert model_mse < 0.5 * direct_mse
    assert 0.93 <= coverage <= 0.97


def test_model_estimates_add_up_to_the_direct_estimates_of_larger_areas() -> None:
    """Grouping the 150 districts into 10 provinces: the population-weighted model estimates
    of each province agree with its direct estimate (|z| < 1.96 in at least 9 of 10), and a
    deliberately biased model (every estimate +0.10) fails the check everywhere."""
    from setara.sae import design_consistency

    population = synthetic_districts(rng=np.random.default_rng(77))
    sample = two_stage_sample(population, rng=np.random.default_rng(78))
    sample = sample.with_columns(province=pl.col("district") // 15)
    design = setara.survey_design(
        sample, weight="weight", strata="district", psu="village", lonely_psu="remove"
    )
    measure = f"fgt:alpha=0,line={population.poverty_line}"
    by_district = setara.estimate(sample, design, welfare="income", measures=measure, by="district")
    by_province = setara.estimate(sample, design, welfare="income", measures=measure, by="province")
    frame = by_district.frame.sort("district")
    areas = population.areas
    variances, _ = smooth_variances(
        frame["estimate"].to_numpy(), frame["se"].to_numpy() ** 2, frame["n"].to_numpy(),
        areas["sampled_villages"].to_numpy(), kind="proportion", min_psu=2, replace="all",
    )  # fmt: skip
    table = areas.with_columns(direct=frame["estimate"], vardir=pl.Series(variances))
    rows, _ = fh_estimates(
        table, direct="direct", vardir="vardir", area="district", covariates=["covariate"]
    )
    provinces = by_province.frame.sort("province")
    args = (
        np.full(150, 1200.0), np.arange(150) // 15,
        provinces["estimate"].to_numpy(), provinces["se"].to_numpy(),
    )  # fmt: skip
    check = design_consistency(rows["estimate"].to_numpy(), *args)
    assert check["consistent"].sum() >= 9
    biased = design_consistency(rows["estimate"].to_numpy() + 0.10, *args)
    assert not biased["consistent"].any()
