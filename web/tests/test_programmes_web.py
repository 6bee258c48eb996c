"""The programme lab in the web platform: editor with templates and versions, simulations
that agree with the library, the comparison page."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from programmes.models import Programme, Simulation
from programmes.specs import template_text


def test_template_opens_in_the_editor(world: dict[str, Any], as_persona: Any) -> None:
    page = as_persona("analyst").get("/programmes/new/?template=pip").content.decode()
    assert "PIP-like scholarship by school level" in page
    assert "figures_date" in page and "2024-01-01" in page


def test_save_versions_never_overwrite(world: dict[str, Any], as_persona: Any) -> None:
    client = as_persona("analyst")
    programme = world["programme"]
    edited = template_text("pkh").replace("take_up: 1.0", "take_up: 0.8")
    response = client.post(f"/programmes/{programme.pk}/", {"spec": edited, "note": "80% take-up"})
    assert response.status_code == 302
    versions = list(programme.versions.order_by("number").values_list("number", "note"))
    assert versions == [(1, ""), (2, "80% take-up")]
    assert programme.versions.get(number=1).spec == template_text("pkh")


def test_invalid_programme_is_refused_with_a_clear_message(
    world: dict[str, Any], as_persona: Any
) -> None:
    client = as_persona("analyst")
    before = Programme.objects.count()
    response = client.post(
        "/programmes/new/",
        {
            "name": "Broken",
            "agency": world["agencies"]["alpha"].pk,
            "spec": "id: x\nname: [unclosed\n",
        },
    )
    assert response.status_code == 400
    assert "not valid YAML at line" in response.content.decode()
    response = client.post(
        "/programmes/new/",
        {
            "name": "Broken",
            "agency": world["agencies"]["alpha"].pk,
            "spec": "id: x\nname: X\nunit: village\nbenefit: {type: flat, amount: 1}\n",
        },
    )
    assert response.status_code == 400
    assert "unit" in response.content.decode()
    assert Programme.objects.count() == before


def test_simulation_agrees_with_the_library(world: dict[str, Any]) -> None:
    from setara.programmes import Population, Scenario, load_template, simulate

    sim: Simulation = world["simulation"]
    assert sim.status == "done", sim.error
    frame = pl.read_parquet(world["version"].path)
    population = Population.from_frame(
        frame,
        household="hh_id",
        welfare="expenditure_pc",
        poverty_line="poverty_line",
        design={"weight": "weight", "strata": "stratum", "psu": "psu", "fpc": "psu_count"},
        region="province_code",
    )
    direct = simulate(
        population,
        [load_template("pkh")],
        scenarios=[Scenario("pip", (load_template("pip"),))],
        groups={"female_head": "head_female"},
    )
    stored = sim.result["tables"]["impact"]
    expected = direct.impact.filter(
        (pl.col("scenario") == "pip")
        & (pl.col("measure") == "fgt0")
        & (pl.col("domain") == "all")
        & (pl.col("stage") == "change")
    ).row(0, named=True)
    got = next(
        r
        for r in stored
        if r["scenario"] == "pip"
        and r["measure"] == "fgt0"
        and r["domain"] == "all"
        and r["stage"] == "change"
    )
    assert got["estimate"] == expected["estimate"]
    assert got["se"] == expected["se"]
    assert got["estimate"] < 0  # the scholarship lowers the headcount


def test_comparison_page(world: dict[str, Any], as_persona: Any) -> None:
    page = as_persona("reader").get(f"/simulations/{world['simulation'].pk}/").content.decode()
    for marker in (
        'id="programme-table"',
        'id="impact-table"',
        'id="winners-table"',
        'id="verdict-table"',
        'id="targeting-table"',
        'id="verdict"',
        'id="groups-table"',
        'figure class="map"',
        "Benefit incidence by decile: pip",
    ):
        assert marker in page, marker
    assert page.count("<svg") >= 3
    csv = as_persona("reader").get(f"/simulations/{world['simulation'].pk}/export.csv")
    tables = set(pl.read_csv(csv.content, infer_schema=False)["table"].unique())
    assert tables == {
        "programmes",
        "distribution",
        "regions",
        "impact",
        "vs_baseline",
        "winners",
        "verdict",
        "targeting",
    }


def test_comparison_shows_scenario_minus_baseline_in_points(
    world: dict[str, Any], as_persona: Any
) -> None:
    """The paired difference scenario - baseline with its CI, on the page (in pp) and in the
    API's results, equal to the library's; rationing and optimality are stated."""
    sim = world["simulation"]
    page = as_persona("reader").get(f"/simulations/{sim.pk}/").content.decode()
    stored = next(
        r
        for r in sim.result["tables"]["vs_baseline"]
        if r["measure"] == "fgt0" and r["domain"] == "all"
    )
    assert stored["unit"] == "pp" and stored["ci_low"] <= stored["difference"] <= stored["ci_high"]
    impact = next(
        r
        for r in sim.result["tables"]["impact"]
        if r["measure"] == "fgt0" and r["domain"] == "all" and r["stage"] == "vs_baseline"
    )
    assert stored["difference"] == pytest.approx(100 * impact["estimate"], rel=1e-12)
    low, high = (f"{100 * impact[k]:+.1f} pp" for k in ("ci_low", "ci_high"))
    assert f"{low} – {high}" in page
    assert "Scenario minus baseline" in page and "%" not in f"{low}{high}"
    assert "Eligible units left unfunded" in page and "optimal (proven)" in page
    api = as_persona("reader").get(f"/api/simulations/{sim.pk}/results").json()
    assert api["tables"]["vs_baseline"] == sim.result["tables"]["vs_baseline"]


def test_cheaper_scenario_says_why_no_verdict(world: dict[str, Any]) -> None:
    """A scenario cheaper than its baseline gets a translated sentence with the yearly saving
    as money, not a raw number such as -3.83444e+11."""
    from django.template.loader import render_to_string
    from django.utils import translation
    from programmes import comparison, specs

    from setara.programmes import read_programmes

    frame = pl.read_parquet(world["version"].path)
    cheaper = read_programmes([{"template": "sembako", "parameters": {"voucher": 100000}}])
    result = specs.run(
        frame, world["version"].mapping, baseline=read_programmes([{"template": "sembako"}]),
        scenario=cheaper, scenario_name="cheaper", date=None, groups={}, proxies=["members"],
    )  # fmt: skip
    assert result["skipped"]["per_year"] < 0 and "verdict" not in result["tables"]
    assert not any("verdict" in n for n in result["notes"])
    view = comparison.build(result)
    with translation.override("id"):
        html = render_to_string(
            "programmes/simulation.html",
            {"simulation": world["simulation"], "view": view, "can": {}},
        )
    saving = f"{view['skipped']['saving']:,.0f}".replace(",", ".")  # Indonesian grouping
    assert f"Skenario ini Rp {saving} per tahun lebih murah" in html
    assert "e+" not in html.split('id="verdict-skipped"')[1].split("</p>")[0]
