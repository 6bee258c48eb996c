"""Issue 9 (points 6, 7, 11): confirmation before delete and publish saying who will see the
object, buttons only for what the user may do, styled error pages in the user's language,
recipients reading what shared work rests on, and small things (uploaded by, access labels,
boundaries picked up without a re-run)."""

from __future__ import annotations

from typing import Any

import pytest
from agencies.models import Agency
from analyses.models import Analysis, Report
from django.test import Client
from programmes.models import Simulation

pytestmark = pytest.mark.django_db


def test_delete_asks_first_and_names_who_loses_access(world: dict[str, Any], as_persona):
    manager = as_persona("manager")
    url = f"/reports/{world['report'].pk}/"
    page = manager.post(url, {"delete": "1"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "cannot be undone" in text
    assert "Beta" in text  # shared with beta, who will lose access
    assert 'name="confirmed" value="1"' in text
    assert Report.objects.filter(pk=world["report"].pk).exists()
    assert manager.post(url, {"delete": "1", "confirmed": "1"}).status_code == 302
    assert not Report.objects.filter(pk=world["report"].pk).exists()


def test_confirmation_is_not_shown_to_those_who_may_not_delete(world, as_persona) -> None:
    url = f"/analyses/{world['analysis'].pk}/"
    assert as_persona("analyst").post(url, {"delete": "1"}).status_code == 403
    assert as_persona("outsider").post(url, {"delete": "1"}).status_code == 404


def test_publish_asks_first_and_says_every_agency_will_read(world, as_persona) -> None:
    manager = as_persona("manager")
    dataset = world["dataset"]
    url = f"/datasets/{dataset.pk}/"
    text = manager.post(url, {"published": "1"}).content.decode()
    others = Agency.objects.exclude(pk=dataset.owner_id).count()
    assert f"{others} other agencies" in text
    dataset.refresh_from_db()
    assert not dataset.published
    manager.post(url, {"published": "1", "confirmed": "1"})
    dataset.refresh_from_db()
    assert dataset.published
    manager.post(url, {"published": "0"})  # unpublishing narrows access: no second step
    dataset.refresh_from_db()
    assert not dataset.published


@pytest.mark.parametrize("path", ["/", "/analyses/", "/datasets/", "/programmes/"])
def test_create_buttons_only_for_those_who_may_create(as_persona, path: str) -> None:
    creating = ("/datasets/upload/", "/analyses/new/", "/programmes/new/", "/simulations/new/")
    viewer = as_persona("viewer").get(path).content.decode()
    analyst = as_persona("analyst").get(path).content.decode()
    assert not any(f'href="{target}' in viewer for target in creating)
    assert any(f'href="{target}' in analyst for target in creating)


def _indonesian(client: Client) -> Client:
    client.cookies["django_language"] = "id"
    return client


def test_error_pages_are_styled_and_translated(world, as_persona, settings) -> None:
    from agencies.models import Profile

    Profile.objects.filter(user__username="outsider").update(language="id")
    outsider = as_persona("outsider")
    missing = outsider.get(f"/analyses/{world['analysis'].pk}/")
    assert missing.status_code == 404
    text = missing.content.decode()
    assert "setara.css" in text and "Halaman tidak ditemukan" in text
    Profile.objects.filter(user__username="viewer").update(language="id")
    viewer = as_persona("viewer")
    denied = viewer.post(f"/analyses/{world['analysis'].pk}/", {"delete": "1"})
    assert denied.status_code == 403
    assert "Tidak diizinkan" in denied.content.decode()


def test_expired_form_explains_itself() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "setara.css" in response.content.decode()
    assert "form has expired" in response.content.decode()


def test_recipient_reads_the_dataset_behind_a_shared_analysis(world, as_persona) -> None:
    world["dataset"].shared_with.clear()  # the dataset itself is no longer shared
    reader = as_persona("reader")
    page = reader.get(f"/analyses/{world['analysis'].pk}/").content.decode()
    source = f"/analyses/{world['analysis'].pk}/source/"
    assert f'href="{source}"' in page
    meta = reader.get(source)
    assert meta.status_code == 200
    text = meta.content.decode()
    assert world["dataset"].name in text and "not shared with your agency" in text
    assert "Examples" not in text  # column names and types, never values
    assert reader.get(f"/datasets/{world['dataset'].pk}/").status_code == 404
    assert as_persona("outsider").get(source).status_code == 404


def test_recipient_reads_the_programmes_behind_a_shared_simulation(world, as_persona) -> None:
    sim: Simulation = world["simulation"]
    world["programme"].shared_with.clear()
    reader = as_persona("reader")
    page = reader.get(f"/simulations/{sim.pk}/").content.decode()
    for version in [*sim.baseline.all(), *sim.scenario.all()]:
        link = f"/simulations/{sim.pk}/programmes/{version.pk}/"
        assert f'href="{link}"' in page
        shown = reader.get(link)
        assert shown.status_code == 200
        assert version.programme.name in shown.content.decode()
    assert reader.get(f"/programmes/{world['programme'].pk}/").status_code == 404
    other = world["programme"].versions.first()
    assert reader.get(f"/simulations/{sim.pk}/programmes/{other.pk + 999}/").status_code == 404


def test_uploaded_by_and_access_labels(world, as_persona) -> None:
    page = as_persona("analyst").get(f"/datasets/{world['dataset'].pk}/").content.decode()
    assert "· analyst" in page  # the uploader, not "–"
    import calendar
    import re

    # dates as readers write them ("30 November 2026, 14:05"), not "2026-11-30 14:05"
    assert any(f" {month} 20" in page for month in calendar.month_name[1:])
    assert not re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", page)
    assert "read-only access" not in page
    assert "Managers of Alpha can share" in page
    reader = as_persona("reader").get(f"/datasets/{world['dataset'].pk}/").content.decode()
    assert "read-only access" in reader


def test_dashboard_rendering_follows_newly_uploaded_boundaries(world) -> None:
    from analyses.models import Boundary
    from analyses.rendering import _cache_key

    analysis = Analysis.objects.get(pk=world["analysis"].pk)
    before = _cache_key("results-html", analysis)
    Boundary.objects.create(
        owner=analysis.owner, name="Regencies", level="regency", path="x.geojson", n_features=1
    )
    assert _cache_key("results-html", analysis) != before
