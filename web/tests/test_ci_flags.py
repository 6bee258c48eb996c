"""Issue 8 on the web: intervals within their range, flags that agree with them, differences
from the national figure on the regency page (with its filter), the CI method stored with an
analysis (form and API) and the reliability rules chosen per agency."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from analyses import compute
from datasets.storage import read_version

import setara

BOUNDED = ("p0", "p1", "gini")  # indicators in [0, 1]


def _regency_rows(analysis: Any) -> list[dict[str, Any]]:
    return list(analysis.result["breakdowns"]["regency"])


def _regency_df(analysis: Any) -> dict[str, float]:
    """Degrees of freedom of every regency, recomputed from the stored data and design."""
    version = analysis.dataset_version
    data = compute.prepare(read_version(version.path), version.mapping)
    design = setara.survey_design(
        data, weight="weight", strata="strata", psu="psu", lonely_psu="adjust"
    )
    codes, n, labels = setara.estimation.domain_codes(data, ["regency_code"])
    df = design.domain_degf(codes, n)
    return dict(zip(labels["regency_code"].to_list(), df.tolist(), strict=True))


def test_stored_regency_rows_respect_range_and_nchs(world: dict[str, Any]) -> None:
    analysis = world["analysis"]
    rows = [r for r in _regency_rows(analysis) if r["ci_low"] is not None]
    assert len(rows) > 300
    bounded = [r for r in rows if r["indicator"] in BOUNDED]
    assert min(r["ci_low"] for r in bounded) >= 0 and max(r["ci_high"] for r in bounded) <= 1
    df = _regency_df(analysis)
    reliable = [r for r in bounded if r["reliability"] == "reliable"]
    assert any(df[r["group"]] < 8 for r in bounded)  # the data do have regencies with few PSUs
    for r in reliable:
        width = r["ci_high"] - r["ci_low"]
        assert df[r["group"]] >= 8, r
        assert width < 0.30 and not (width > 0.05 and width / r["estimate"] > 1.30), r
        assert "NCHS" not in r["reliability_reason"]
    flagged = [r for r in bounded if "df" in r["reliability_reason"]]
    assert flagged and all(r["reliability"] != "reliable" for r in flagged)
    compared = [r for r in rows if r["diff_se"] is not None]
    assert len(compared) == len(rows)
    assert {r["diff_flag"] for r in compared if r["se"]} <= {"above", "below", "not different"}
    # a regency estimate without sampling variance (e.g. no poor person sampled) is not tested
    assert all(r["diff_flag"] is None for r in compared if r["se"] == 0)


def test_regency_page_shows_difference_and_filters(world: dict[str, Any], as_persona) -> None:
    analysis = world["analysis"]
    client = as_persona("viewer")
    url = f"/analyses/{analysis.pk}/regencies/"
    page = client.get(url).content.decode()
    assert "vs national" in page and 'name="diff"' in page
    rows = [r for r in _regency_rows(analysis) if r["indicator"] == "p0"]
    above = {r["name"] for r in rows if r["diff_flag"] == "above"}
    other = {r["name"] for r in rows if r["diff_flag"] != "above"} - above
    assert above and other
    filtered = client.get(url, {"diff": "above"}).content.decode()
    assert all(f">{name}</th>" in filtered for name in above)
    assert not any(f">{name}</th>" in filtered for name in other)
    assert client.get(url, {"diff": "nonsense"}).status_code == 200  # ignored, not an error


def test_api_and_form_store_the_ci_method(world: dict[str, Any], as_persona) -> None:
    client = as_persona("analyst")
    body = {"dataset": world["dataset"].pk, "version": 1, "dimension": "health"}
    created = client.post(
        "/api/analyses",
        data=json.dumps(body | {"ci_method": "beta"}),
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["ci_method"] == "beta"
    bad = client.post(
        "/api/analyses",
        data=json.dumps(body | {"ci_method": "normal"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and "ci_method" in bad.content.decode()  # the body's schema
    form = client.get("/analyses/new/").content.decode()
    assert 'name="ci_method"' in form


@pytest.mark.parametrize("standards", ["bps", "bps+nchs"])
def test_agency_admin_chooses_the_rules(world: dict[str, Any], as_persona, standards: str) -> None:
    agency = world["agencies"]["alpha"]
    response = as_persona("admin").post(
        f"/agencies/{agency.slug}/members/", {"reliability_standards": standards}
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.reliability_standards == standards
    as_persona("analyst").post(
        f"/agencies/{agency.slug}/members/", {"reliability_standards": "bps"}
    )  # not an admin: refused, nothing changes
    agency.refresh_from_db()
    assert agency.reliability_standards == standards


def test_bps_only_rules_can_call_an_unusable_interval_reliable(world: dict[str, Any]) -> None:
    """Why NCHS is the default: the same data under BPS alone flag few-PSU rows reliable."""
    version = world["analysis"].dataset_version
    frame = read_version(version.path)
    kwargs = dict(dimension="economic", breakdowns=["regency"])
    bps = compute.run(frame, version.mapping, reliability="bps", **kwargs)
    df = _regency_df(world["analysis"])
    rows = [r for r in bps["breakdowns"]["regency"] if r["indicator"] == "p0"]
    assert any(r["reliability"] == "reliable" and df[r["group"]] < 8 for r in rows)
    assert np.isfinite([r["diff_se"] for r in rows if r["diff_se"] is not None]).all()
