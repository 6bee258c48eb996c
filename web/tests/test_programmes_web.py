"""The programme lab in the web platform: editor with templates and versions, simulations
that agree with the library, the comparison page."""

from __future__ import annotations

from typing import Any

import polars as pl
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
        "winners",
        "verdict",
        "targeting",
    }


def test_simulation_with_unknown_variable_fails_cleanly(world: dict[str, Any]) -> None:
    from django.contrib.auth import get_user_model
    from programmes import actions

    analyst = get_user_model().objects.get(username="analyst")
    spec = (
        "id: odd\nname: Odd\nunit: household\neligibility: no_such_column > 1\n"
        "benefit: {type: flat, amount: 100}\n"
    )
    version = actions.create(analyst, world["agencies"]["alpha"], name="Odd", spec=spec)
    sim = actions.simulate(
        analyst, world["version"], baseline=[], scenario=[version], title="odd", run_now=True
    )
    assert sim.status == "failed"
    assert "no_such_column" in sim.error
