"""Issue 9 point 9: the regency page filters by province and searches by name; an agency tied
to a province opens on its province."""

from __future__ import annotations

from typing import Any

import pytest
from agencies.models import Agency
from analyses.models import Analysis

pytestmark = pytest.mark.django_db


def _regencies(world: dict[str, Any]) -> list[dict[str, Any]]:
    result = Analysis.objects.get(pk=world["analysis"].pk).result
    key = result["regional_indicators"][0]
    return [r for r in result["breakdowns"]["regency"] if r["indicator"] == key]


def test_filter_by_province_and_search_by_name(world, as_persona) -> None:
    rows = _regencies(world)
    province = rows[0]["group"].split(".")[0]
    inside = [r["name"] for r in rows if r["group"].startswith(province + ".")]
    outside = [r["name"] for r in rows if not r["group"].startswith(province + ".")]
    assert inside and outside
    url = f"/analyses/{world['analysis'].pk}/regencies/"
    page = as_persona("analyst").get(url, {"province": province}).content.decode()
    assert all(name in page for name in inside)
    assert not any(f">{name}<" in page for name in outside)
    everything = as_persona("analyst").get(url).content.decode()
    assert all(f">{name}<" in everything for name in outside[:20])
    target = outside[0]
    word = target.split()[-1]
    found = as_persona("analyst").get(url, {"province": "all", "q": word.lower()})
    text = found.content.decode()
    assert f">{target}<" in text
    assert sum(f">{r['name']}<" in text for r in rows) == sum(
        word.lower() in r["name"].lower() for r in rows
    )


def test_agency_tied_to_a_province_opens_on_it(world, as_persona) -> None:
    rows = _regencies(world)
    province = rows[-1]["group"].split(".")[0]
    Agency.objects.filter(slug="beta").update(region_code=province)
    url = f"/analyses/{world['analysis'].pk}/regencies/"
    page = as_persona("reader").get(url).content.decode()
    assert f'<option value="{province}" selected>' in page
    outside = [r["name"] for r in rows if not r["group"].startswith(province + ".")]
    assert not any(f">{name}<" in page for name in outside)
    every = as_persona("reader").get(url, {"province": "all"}).content.decode()
    assert f">{outside[0]}<" in every
