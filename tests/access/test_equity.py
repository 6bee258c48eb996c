"""Access equity goes through the engine: on census demand the values are the engine's
exact population figures; on survey demand they equal the engine's own estimates (with SEs)
for the same joined column."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.access import (
    access_equity,
    access_gap,
    join_access,
    survey_access_equity,
    survey_access_gap,
)
from setara.demo import generate_survey
from setara.errors import InputValueError


@pytest.fixture(scope="module")
def survey() -> pl.DataFrame:
    return generate_survey(10_000, seed=11)


@pytest.fixture(scope="module")
def psu_access(survey: pl.DataFrame) -> pl.DataFrame:
    """One demand point per PSU (a village) with a travel time to the nearest puskesmas."""
    rng = np.random.default_rng(4)
    ids = survey["psu"].unique().sort()
    return pl.DataFrame({"id": ids.cast(pl.String), "minutes": rng.gamma(2.0, 20.0, ids.len())})


def _design(frame: pl.DataFrame) -> setara.SurveyDesign:
    return setara.survey_design(
        frame, weight="weight", strata="stratum", psu="psu", lonely_psu="adjust"
    )


def test_survey_equity_equals_the_engine_on_the_joined_column(
    survey: pl.DataFrame, psu_access: pl.DataFrame
) -> None:
    got = survey_access_equity(
        survey,
        _design(survey),
        psu_access,
        location="psu",
        access="minutes",
        measures=["mean", "gini"],
        welfare="expenditure_pc",
        by=["urban"],
    )
    joined = survey.join(
        psu_access.rename({"id": "psu_text"}),
        left_on=pl.col("psu").cast(pl.String),
        right_on="psu_text",
        how="left",
        maintain_order="left",
    )
    design = _design(joined)
    own = setara.estimate(joined, design, welfare="minutes", measures=["mean", "gini"], by="urban")
    ranked = setara.estimate(
        joined,
        design,
        welfare="expenditure_pc",
        measures=["concentration:outcome=minutes"],
        by="urban",
    )
    expected = pl.concat([own.frame, ranked.frame])
    columns = ["measure", "urban", "estimate", "se", "ci_low", "ci_high", "n"]
    assert got.frame.select(columns).rows() == expected.select(columns).rows()
    assert got.frame["se"].is_not_null().all() and (got.frame["se"] > 0).all()


def test_survey_gap_equals_the_engine(survey: pl.DataFrame, psu_access: pl.DataFrame) -> None:
    from setara.gaps import gap

    got = survey_access_gap(
        survey,
        _design(survey),
        psu_access,
        location="psu",
        access="minutes",
        group="urban",
        comparison=0,
        reference=1,
    )
    joined = join_access(survey, psu_access, location="psu", access="minutes")
    expected = gap(
        joined, _design(joined), outcome="minutes", group="urban", comparison=0, reference=1
    )
    assert (
        got.frame.select("measure", "estimate", "se").rows()
        == expected.frame.select("measure", "estimate", "se").rows()
    )


def test_unknown_locations_are_refused(survey: pl.DataFrame, psu_access: pl.DataFrame) -> None:
    with pytest.raises(
        InputValueError, match=r"survey column 'psu' has [\d,]+ codes in 10,000 rows"
    ):
        join_access(survey, psu_access.head(5), location="psu", access="minutes")


def test_census_equity_is_exact_population_arithmetic() -> None:
    villages = pl.DataFrame(
        {
            "minutes": [10.0, 20.0, 40.0, 80.0],
            "population": [100.0, 300.0, 200.0, 400.0],
            "welfare": [4.0, 1.0, 3.0, 2.0],
            "rural": [0, 1, 1, 1],
        }
    )
    out = access_equity(villages, "minutes", measures=["mean", "gini"], welfare="welfare")
    t, w = villages["minutes"].to_numpy(), villages["population"].to_numpy()
    mean = float((t * w).sum() / w.sum())
    # Gini of a weighted discrete distribution: sum_i sum_j w_i w_j |t_i - t_j| / (2 W^2 mean)
    gini = float(
        (w[:, None] * w[None, :] * np.abs(t[:, None] - t[None, :])).sum()
        / (2 * w.sum() ** 2 * mean)
    )
    # concentration index: 2 cov_w(t, R) / mean, R the weighted fractional rank by welfare
    order = np.argsort(villages["welfare"].to_numpy())
    rank = np.empty(4)
    rank[order] = (np.cumsum(w[order]) - w[order] / 2) / w.sum()
    conc = float(2 * (w * (t - mean) * (rank - (w * rank).sum() / w.sum())).sum() / w.sum() / mean)
    values = dict(zip(out["measure"], out["estimate"], strict=True))
    assert values["mean"] == pytest.approx(mean, rel=1e-12)
    assert values["gini"] == pytest.approx(gini, rel=1e-9)
    assert values["concentration"] == pytest.approx(conc, rel=1e-9)
    assert out["se"].is_null().all() and set(out["reliability"]) == {"exact"}
    gap = access_gap(villages, "minutes", group="rural", comparison=1, reference=0)
    rural = (t[1:] * w[1:]).sum() / w[1:].sum()
    by_measure = dict(zip(gap["measure"], gap["estimate"], strict=True))
    assert by_measure["gap_difference"] == pytest.approx(rural - 10.0, rel=1e-12)
    assert by_measure["gap_ratio"] == pytest.approx(rural / 10.0, rel=1e-12)
