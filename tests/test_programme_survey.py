"""Survey-based programme results agree with setara.estimate on the same data and design;
the SE of a change is checked against an independent computation; the CLI runs end to end."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

import setara
from setara.cli import main
from setara.demo import DEMO_DESIGN, generate_survey
from setara.programmes import Population, Scenario, load_template, read_programmes, simulate
from setara.programmes.optimise import allocate_with_shares, optimal_allocation
from setara.programmes.pmt import fit_pmt
from setara.programmes.targeting import roc_curve, select_bottom

RTOL = 1e-9  # the same estimator on household rows (weight x members) vs person rows


@pytest.fixture(scope="module")
def survey() -> pl.DataFrame:
    return generate_survey(20_000, seed=4)


@pytest.fixture(scope="module")
def result(survey: pl.DataFrame) -> tuple[Population, setara.programmes.Simulation]:
    pop = Population.from_frame(survey, design="demo")
    scenario = Scenario(
        "sembako300",
        tuple(read_programmes([{"template": "sembako", "parameters": {"voucher": 300000}}])),
    )
    sim = simulate(
        pop,
        [load_template("sembako"), load_template("pkh")],
        scenarios=[scenario],
        date="2025-06-30",
        groups={"female_head": "head_female"},
    )
    return pop, sim


def test_levels_and_ses_equal_estimate(survey: pl.DataFrame, result: tuple) -> None:
    pop, sim = result
    after = sim.runs[0].welfare[pop.household]
    frame = survey.with_columns(pl.Series("after", after))
    design = setara.survey_design(frame, **DEMO_DESIGN)
    specs = ["fgt:alpha=0,line=@poverty_line", "fgt:alpha=2,line=@poverty_line", "gini",
             "theil", "palma"]  # fmt: skip
    for welfare, stage in (("expenditure_pc", "before"), ("after", "after")):
        ref = setara.estimate(frame, design, welfare=welfare, measures=specs, by="province_code")
        ours = sim.impact.filter(
            pl.col("scenario") == "baseline", pl.col("stage") == stage,
            pl.col("domain") == "region",
        )  # fmt: skip
        for label, spec_name in (("fgt0", "fgt"), ("gini", "gini"), ("palma", "palma")):
            mine = ours.filter(pl.col("measure") == label).sort("group")
            theirs = ref.frame.filter(pl.col("measure") == spec_name)
            if spec_name == "fgt":
                theirs = theirs.filter(pl.col("params").str.starts_with("alpha=0"))
            theirs = theirs.sort("province_code")
            np.testing.assert_allclose(mine["estimate"], theirs["estimate"], rtol=RTOL)
            np.testing.assert_allclose(mine["se"], theirs["se"], rtol=1e-7)


def test_se_of_change_in_fgt_equals_the_mean_of_the_difference(
    survey: pl.DataFrame, result: tuple
) -> None:
    # FGT with a fixed line is a mean, so its change is the mean of the per-person difference:
    # setara.estimate of that mean must give the same estimate and SE (covariance included)
    pop, sim = result
    z = survey["poverty_line"].to_numpy()
    y0 = survey["expenditure_pc"].to_numpy()
    y1 = sim.runs[0].welfare[pop.household]
    for alpha in (0, 1, 2):

        def g(y: np.ndarray, a: int = alpha) -> np.ndarray:
            poor = y <= z
            return poor.astype(float) if a == 0 else np.where(poor, (z - y) / z, 0.0) ** a

        frame = survey.with_columns(pl.Series("diff", g(y1) - g(y0)))
        design = setara.survey_design(frame, **DEMO_DESIGN)
        ref = setara.estimate(frame, design, welfare="diff", measures=["mean"]).frame
        mine = sim.impact.filter(
            pl.col("scenario") == "baseline", pl.col("stage") == "change",
            pl.col("domain") == "all", pl.col("measure") == f"fgt{alpha}",
        )  # fmt: skip
        assert mine["estimate"][0] == pytest.approx(ref["estimate"][0], rel=RTOL)
        assert mine["se"][0] == pytest.approx(ref["se"][0], rel=1e-7)
        assert mine["se"][0] > 0


def test_scenario_outputs(result: tuple) -> None:
    _, sim = result
    base = sim.programmes.filter(pl.col("scenario") == "baseline", pl.col("programme") == "sembako")
    more = sim.programmes.filter(
        pl.col("scenario") == "sembako300", pl.col("programme") == "sembako"
    )
    assert more["cost"][0] == pytest.approx(1.5 * base["cost"][0], rel=1e-12)
    # the voucher reaches deciles 1-5: 12 x 200,000 per household
    assert base["mean_benefit"][0] == pytest.approx(2_400_000, rel=1e-12)
    dist = sim.distribution.filter(
        pl.col("scenario") == "baseline", pl.col("programme") == "sembako",
        pl.col("grouping") == "decile",
    )  # fmt: skip
    np.testing.assert_allclose(dist["coverage"], [1] * 5 + [0] * 5)
    assert dist["incidence"].sum() == pytest.approx(1.0)
    winners = sim.winners.filter(pl.col("decile").is_null()).row(0, named=True)
    assert winners["losers"] == 0.0 and 0.45 < winners["winners"] < 0.55
    vs = sim.impact.filter(pl.col("stage") == "vs_baseline", pl.col("domain") == "all")
    assert (vs.filter(pl.col("measure") == "gini")["estimate"] < 0).all()
    female = sim.regions.filter(pl.col("domain") == "female_head")
    assert sorted(female["group"].unique()) == ["no", "yes"]


def test_row_order_does_not_change_results(survey: pl.DataFrame, result: tuple) -> None:
    _, sim = result
    shuffled = survey.sample(fraction=1.0, shuffle=True, seed=3)
    pop2 = Population.from_frame(shuffled, design="demo")
    sim2 = simulate(pop2, [load_template("sembako"), load_template("pkh")], date="2025-06-30")
    key = ["programme"]
    a = sim.programmes.filter(pl.col("scenario") == "baseline").sort(key)
    b = sim2.programmes.sort(key)
    np.testing.assert_allclose(a["cost"], b["cost"], rtol=1e-12)
    ia = sim.impact.filter(pl.col("scenario") == "baseline", pl.col("domain") == "all")
    ib = sim2.impact.filter(pl.col("domain") == "all")
    np.testing.assert_allclose(ia["estimate"], ib["estimate"], rtol=1e-9)


def test_pmt_targeting_and_constrained_optimum(result: tuple) -> None:
    pop, _ = result
    proxies = [
        "members", "urban", "count(age < 15)", "any(disability)",
        "count(years_schooling >= 12)", "count(employed)", "dist_school_km", "head_female",
    ]  # fmt: skip
    model = fit_pmt(pop, proxies, folds=5)
    assert 0.2 < model.cv_r2 <= model.r2 < 1.0
    _, _, auc = roc_curve(model.cv_score, pop.poor, pop.person_weight)
    assert 0.7 < auc < 1.0
    # AUC against the brute-force pairwise definition on a subsample
    idx = np.arange(0, pop.n_households, 13)
    s, t, w = model.cv_score[idx], pop.poor[idx], pop.person_weight[idx]
    pairs = (s[t][:, None] < s[~t][None, :]) + 0.5 * (s[t][:, None] == s[~t][None, :])
    brute = (w[t][:, None] * w[~t][None, :] * pairs).sum() / (w[t].sum() * w[~t].sum())
    assert roc_curve(s, t, w)[2] == pytest.approx(brute, rel=1e-12)
    chosen = select_bottom(model.cv_score, 0.25, weights=pop.person_weight)
    assert pop.person_weight[chosen].sum() / pop.person_weight.sum() == pytest.approx(
        0.25, abs=0.01
    )
    # constrained optimum never beats the unconstrained one; the LP meets its minimum shares
    budget = (
        float((pop.weight * np.maximum(pop.poverty_line - pop.welfare, 0) * pop.members).sum()) / 3
    )
    free = optimal_allocation(pop.welfare, pop.poverty_line, budget, objective="fgt1",
                              weights=pop.weight, members=pop.members)  # fmt: skip
    urban = np.asarray(pop.persons["urban"].gather(pop.first_row).to_numpy(), dtype=np.int64)
    shares = np.array([0.0, 0.4])
    tied = allocate_with_shares(
        pop.welfare, pop.poverty_line, budget, urban, shares,
        objective="fgt1", weights=pop.weight, members=pop.members,
    )  # fmt: skip
    assert tied.after >= free.after - 1e-12
    assert (pop.weight * tied.amount)[urban == 1].sum() >= 0.4 * budget * (1 - 1e-9)


def test_cli_simulate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    programme = tmp_path / "prog.yaml"
    programme.write_text("programmes:\n  - template: sembako\n")
    scenario = tmp_path / "more.yaml"
    scenario.write_text(
        "scenario: more\nprogrammes:\n  - template: sembako\n    parameters: {voucher: 300000}\n"
    )
    out = tmp_path / "out.csv"
    main(["simulate", str(programme), "demo:10000", "--scenario", str(scenario),
          "--date", "2025-06-30", "--format", "csv", "--output", str(out)])  # fmt: skip
    frame = pl.read_csv(out, infer_schema_length=None)
    assert set(frame["table"].unique()) == {"programmes", "distribution", "regions", "impact",
                                            "vs_baseline", "winners"}  # fmt: skip
    paired = frame.filter(table="vs_baseline", measure="fgt0", domain="all")
    assert paired["unit"].to_list() == ["pp"] and paired["ci_low"][0] < paired["ci_high"][0]
    assert set(frame["scenario"].drop_nulls().unique()) == {"baseline", "more"}
    with pytest.raises(SystemExit) as info:
        main(["simulate", str(programme), "demo:10000", "--date", "2015-01-01"])
    assert info.value.code == 2
    assert "no value on 2015-01-01" in capsys.readouterr().err
