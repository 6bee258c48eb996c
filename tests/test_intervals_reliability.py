"""Intervals stay on the measure's scale and flags agree with them (issue 8, points 1–2)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import setara
from setara.demo import generate_survey
from setara.errors import InputValueError
from setara.intervals import Scale, confidence_interval
from setara.reliability import ReliabilityRule


@pytest.fixture(scope="module")
def few_psus() -> tuple[pl.DataFrame, setara.SurveyDesign]:
    """A survey cut to few PSUs per regency: the case of the issue (tiny df, wide intervals)."""
    frame = generate_survey(10_000, seed=3)
    design = setara.survey_design(
        frame, weight="weight", strata="stratum", psu="psu", lonely_psu="adjust"
    )
    return frame, design


BOUNDED = ["fgt:alpha=0,line=@poverty_line", "fgt:alpha=1,line=@poverty_line", "gini"]


@pytest.mark.parametrize("method", ["logit", "beta"])
def test_bounded_intervals_stay_in_range(few_psus, method: str) -> None:
    frame, design = few_psus
    res = setara.estimate(
        frame,
        design,
        welfare="expenditure_pc",
        measures=BOUNDED,
        by="regency_code",
        overall=True,
        ci_method=method,
    ).frame.drop_nulls("ci_low")
    assert res.height > 500
    assert res["ci_low"].min() >= 0.0 and res["ci_high"].max() <= 1.0
    inside = (res["ci_low"] <= res["estimate"]) & (res["estimate"] <= res["ci_high"])
    assert inside.all()


def test_wald_leaves_the_range_and_is_never_reliable_there(few_psus) -> None:
    frame, design = few_psus
    res = setara.estimate(
        frame,
        design,
        welfare="expenditure_pc",
        measures=BOUNDED[:1],
        by="regency_code",
        ci_method="wald",
    ).frame
    outside = res.filter(pl.col("ci_low") < 0)
    assert outside.height > 0  # the symmetric interval does leave [0, 1] here
    assert not (outside["reliability"] == "reliable").any()
    assert outside["reliability_reason"].str.contains("interval leaves").all()


def test_no_reliable_flag_on_an_unusable_interval(few_psus) -> None:
    """NCHS: with BPS + NCHS no reliable row has df < 8, effective n < 30, a CI 0.30 wide or
    wider, or a relative CI width above 130% (while BPS alone does flag some of them)."""
    frame, design = few_psus
    kwargs = dict(welfare="expenditure_pc", measures=[BOUNDED[0], "gini"], by="province_code")
    both = setara.estimate(frame, design, **kwargs).frame
    bps = setara.estimate(
        frame, design, reliability=ReliabilityRule(standards=("bps",)), **kwargs
    ).frame
    df = np.tile(design.domain_degf(*_codes(frame)), 2)  # the two measures share the rows
    width = both["ci_high"] - both["ci_low"]
    unusable = (
        (pl.Series(df) < 8) | (width >= 0.30) | ((width > 0.05) & (width / both["estimate"] > 1.30))
    )
    assert unusable.sum() > 0
    assert not ((both["reliability"] == "reliable") & unusable).any()
    assert ((bps["reliability"] == "reliable") & unusable).any()
    assert both["reliability_reason"].str.contains("NCHS").any()
    assert not bps["reliability_reason"].str.contains("NCHS").any()


def _codes(frame: pl.DataFrame) -> tuple[np.ndarray, int]:
    codes, n = setara.estimation.domain_codes(frame, ["province_code"])[:2]
    return codes, n


def test_unbounded_measures_keep_the_wald_interval(few_psus) -> None:
    frame, design = few_psus
    res = setara.estimate(frame, design, welfare="expenditure_pc", measures=["mean", "theil"])
    rows = res.frame
    df = design.domain_degf(np.zeros(frame.height, dtype=np.int64), 1)
    t = design.t_quantile(0.95, df)
    np.testing.assert_allclose(rows["ci_low"], rows["estimate"] - t * rows["se"], rtol=1e-12)


def test_logit_interval_of_a_concentration_index_maps_minus_one_to_one() -> None:
    est, se = np.array([-0.9, 0.0, 0.95]), np.array([0.2, 0.3, 0.2])
    low, high = confidence_interval(
        est, se, t=np.full(3, 2.0), level=0.95, method="logit", scale=Scale(-1, 1),
        df=np.full(3, 30.0), n=np.full(3, 100),
    )  # fmt: skip
    assert (low > -1).all() and (high < 1).all() and (low < est).all() and (est < high).all()
    assert low[1] == pytest.approx(-high[1])  # symmetric around the centre of the range


def test_beta_with_a_zero_proportion_uses_the_actual_n() -> None:
    low, high = confidence_interval(
        np.array([0.0]), np.array([0.0]), t=np.array([2.0]), level=0.95, method="beta",
        scale=Scale(proportion=True), df=np.array([20.0]), n=np.array([50]),
    )  # fmt: skip
    # Clopper–Pearson upper limit for 0 of 50 with the df correction (t_49 / t_20)^2
    assert low[0] == 0.0 and 0.05 < high[0] < 0.09


def test_bad_ci_method_and_standards_are_named() -> None:
    frame = generate_survey(10_000, seed=1)
    design = setara.survey_design(frame, weight="weight")
    with pytest.raises(InputValueError, match="ci_method must be one of logit, beta, wald"):
        setara.estimate(frame, design, welfare="expenditure_pc", measures="gini", ci_method="x")
    with pytest.raises(InputValueError, match="reliability standards"):
        ReliabilityRule(standards=("nchs",))


def test_a_proportion_at_zero_gets_a_korn_graubard_interval_not_a_point() -> None:
    """0 poor among a domain's sample is not certainty: logit (collapsing at 0) falls back to
    Korn–Graubard with the actual n, which is what ``beta`` gives there too."""
    import numpy as np
    import polars as pl

    import setara

    rng = np.random.default_rng(5)
    n = 400
    frame = pl.DataFrame(
        {
            "region": np.repeat(["a", "b"], n // 2),
            "psu": np.arange(n) // 5,
            "w": rng.uniform(1, 3, n),
            # region a: no one below the line; region b: about a third below
            "income": np.where(np.arange(n) < n // 2, 100.0, rng.uniform(5, 25, n)),
        }
    )
    design = setara.survey_design(frame, weight="w", psu="psu")
    results = {
        method: setara.estimate(
            frame,
            design,
            welfare="income",
            measures=["fgt:alpha=0,line=20"],
            by=["region"],
            overall=True,
            ci_method=method,
        ).frame.filter(pl.col("region") == "a")
        for method in ("logit", "beta")
    }
    logit, beta = results["logit"].row(0, named=True), results["beta"].row(0, named=True)
    assert logit["estimate"] == 0.0 and logit["ci_low"] == 0.0
    assert 0.0 < logit["ci_high"] < 0.05  # about 1 - 0.025^(1/200)
    assert logit["ci_high"] == pytest.approx(beta["ci_high"], rel=1e-12)
    assert logit["diff_flag"] is None  # no sampling variance in the domain: no significance claim
