"""Issue 9 point 8: the programme editor for non-programmers — a form for eligibility,
amounts, budget and take-up beside the YAML, names checked at save with a suggestion, the
difference between versions, free-text scenario names."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from programmes.models import Programme, Simulation

pytestmark = pytest.mark.django_db


def _form_data(page: Any) -> dict[str, Any]:
    form = page.context["editor_form"]
    data = {name: form[name].value() for name in form.fields}
    return {k: ("" if v is None else v) for k, v in data.items()} | {"editor": "1"}


def test_form_edit_saves_a_new_version_with_the_changed_values(world, as_persona) -> None:
    analyst = as_persona("analyst")
    programme: Programme = world["programme"]
    url = f"/programmes/{programme.pk}/"
    page = analyst.get(url)
    assert 'id="editor"' in page.content.decode()
    data = _form_data(page)
    assert data["param__primary"] == 900000.0
    data |= {
        "param__primary": "1000000",
        "eligibility": "welfare_decile <= 3",
        "ceiling": "5000000000",
        "rationing": "pro_rata",
        "take_up": "0.9",
        "note": "Decile 3, more for primary",
    }
    response = analyst.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    latest = programme.versions.order_by("-number").first()
    spec = yaml.safe_load(latest.spec)
    assert spec["eligibility"] == "welfare_decile <= 3"
    assert spec["parameters"]["primary"]["values"][-1]["value"] == 1000000
    assert spec["parameters"]["child_0_6"]["values"][-1]["value"] == 3000000  # untouched
    assert spec["budget"] == {"ceiling": 5e9, "rationing": "pro_rata"}
    assert spec["take_up"] == 0.9
    assert latest.note == "Decile 3, more for primary"
    assert latest.spec.startswith("# PKH-like")  # the header comment is kept
    diff = analyst.get(f"/programmes/{programme.pk}/v{latest.number}/").content.decode()
    assert "diff-add" in diff and "welfare_decile &lt;= 3" in diff
    assert "diff-remove" in diff


def test_typo_in_a_rule_is_caught_at_save_with_a_suggestion(world, as_persona) -> None:
    analyst = as_persona("analyst")
    programme: Programme = world["programme"]
    url = f"/programmes/{programme.pk}/"
    before = programme.versions.count()
    data = _form_data(analyst.get(url)) | {"eligibility": "welfare_decile <= 4 and agee < 60"}
    response = analyst.post(url, data)
    assert response.status_code == 400
    text = response.content.decode()
    assert "agee" in text and "did you mean" in text and "age" in text
    assert programme.versions.count() == before
    yaml_typo = programme.versions.order_by("-number").first().spec.replace("age <= 6", "ages <= 6")
    response = analyst.post(url, {"spec": yaml_typo, "note": ""})
    assert response.status_code == 400
    assert "ages" in response.content.decode()
    assert programme.versions.count() == before


def test_viewer_sees_no_editor(world, as_persona) -> None:
    page = as_persona("viewer").get(f"/programmes/{world['programme'].pk}/").content.decode()
    assert 'id="editor"' not in page


def test_free_text_scenario_name(world, as_persona) -> None:
    analyst = as_persona("analyst")
    version = world["version"]
    pv = world["programme"].versions.first()
    response = analyst.post(
        "/simulations/new/",
        {
            "title": "Named scenario",
            "dataset_version": version.pk,
            "scenario": [pv.pk],
            "scenario_name": "PKH 2026",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    sim = Simulation.objects.get(title="Named scenario")
    assert sim.scenario_name == "PKH 2026"
    refused = analyst.post(
        "/simulations/new/",
        {
            "title": "Bad",
            "dataset_version": version.pk,
            "scenario": [pv.pk],
            "scenario_name": "Baseline",
        },
    )
    assert refused.status_code == 400


def test_a_scenario_with_spaces_in_its_name_simulates(world, as_persona) -> None:
    from django.contrib.auth import get_user_model
    from programmes import actions

    analyst = get_user_model().objects.get(username="analyst")
    sim = actions.simulate(
        analyst,
        world["version"],
        baseline=[],
        scenario=[world["programme"].versions.first()],
        title="Spaces",
        scenario_name="PKH 2026",
        run_now=True,
    )
    sim.refresh_from_db()
    assert sim.status == "done", sim.error
    page = as_persona("analyst").get(f"/simulations/{sim.pk}/").content.decode()
    assert "PKH 2026" in page
