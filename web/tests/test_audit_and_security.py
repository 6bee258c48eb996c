"""The audit trail records every action kind in the change's transaction and cannot be edited;
logins are throttled; production headers are safe."""

from __future__ import annotations

from typing import Any

import pytest
from audit.models import AuditEvent, ImmutableError
from django.test import Client


def kinds() -> set[str]:
    return set(AuditEvent.objects.values_list("action", flat=True))


def test_every_action_kind_is_recorded(world: dict[str, Any], as_persona: Any) -> None:
    manager = as_persona("manager")
    analysis = world["analysis"]
    Client().post("/login/", {"username": "manager", "password": "wrong"})
    manager.post(f"/analyses/{analysis.pk}/", {"published": "1", "confirmed": "1"})
    manager.post(f"/analyses/{analysis.pk}/", {"published": "0"})
    manager.post(f"/analyses/{analysis.pk}/", {"share": "1"})  # removes beta: unshare
    manager.post(
        f"/analyses/{analysis.pk}/", {"share": "1", "agencies": [world["agencies"]["gamma"].pk]}
    )
    manager.get(f"/analyses/{analysis.pk}/export.csv")
    manager.post(f"/reports/{world['report'].pk}/", {"title": "Renamed", "summary": ""})
    manager.post(f"/reports/{world['report'].pk}/", {"delete": "1", "confirmed": "1"})
    manager.post("/logout/")
    expected = {
        "create",
        "update",
        "delete",
        "share",
        "unshare",
        "publish",
        "unpublish",
        "login",
        "logout",
        "login_failed",
        "export",
    }
    assert expected <= kinds()
    share = AuditEvent.objects.filter(action="share", object_type="analysis").first()
    assert share is not None and share.actor_name == "manager"
    assert share.after == {"shared_with": [world["agencies"]["gamma"].pk]}
    update = AuditEvent.objects.filter(action="update", object_type="report").first()
    assert update is not None
    assert update.before["title"] == "Alpha report" and update.after["title"] == "Renamed"


def test_audit_events_cannot_be_changed(world: dict[str, Any]) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    event.actor_name = "someone else"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().update(actor_name="x")
    with pytest.raises(ImmutableError):
        AuditEvent.objects.all().delete()


def test_failed_change_leaves_no_audit_event(world: dict[str, Any], as_persona: Any) -> None:
    before = AuditEvent.objects.count()
    as_persona("viewer").post(
        f"/analyses/{world['analysis'].pk}/", {"published": "1", "confirmed": "1"}
    )
    assert AuditEvent.objects.filter(action="publish").count() == 0
    assert AuditEvent.objects.count() == before + 1  # only the viewer's login


def test_admin_exports_audit_csv(world: dict[str, Any], as_persona: Any) -> None:
    response = as_persona("admin").get("/audit/export.csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("at,who,action")
    assert any(",share," in line for line in lines)
    assert AuditEvent.objects.filter(action="export", object_type="audit trail").exists()


def test_login_throttled_after_repeated_failures(world: dict[str, Any], settings: Any) -> None:
    client = Client()
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        client.post("/login/", {"username": "viewer", "password": "wrong"})
    response = client.post(
        "/login/", {"username": "viewer", "password": "correct horse battery staple"}
    )
    assert response.status_code == 200
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_security_headers(world: dict[str, Any], as_persona: Any) -> None:
    response = as_persona("viewer").get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    page = response.content.decode()
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page


def test_production_defaults() -> None:
    import subprocess
    import sys

    code = (
        "import os; os.environ.pop('SETARA_HTTPS', None); os.environ.pop('SETARA_DEBUG', None);"
        "from setara_web import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.PASSWORD_HASHERS[0].endswith('Argon2PasswordHasher'))"
    )
    import tempfile

    env = {
        "PATH": "/usr/bin:/bin",
        "SETARA_DATA_DIR": tempfile.mkdtemp(),
        "PYTHONPATH": str(__import__("pathlib").Path(__file__).parents[1]),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True", "True", "True"]


def test_openapi_schema(world: dict[str, Any]) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "/api/analyses/{analysis_id}/results" in paths
    assert "/api/datasets" in paths
    assert any(
        "Bearer" in str(v) or "bearer" in str(v)
        for v in schema["components"]["securitySchemes"].values()
    )


def test_dashboard_shows_map_table_and_flags(world: dict[str, Any], as_persona: Any) -> None:
    page = as_persona("reader").get(f"/analyses/{world['analysis'].pk}/").content.decode()
    assert page.count("<svg") >= 4  # province map, ranked plots, sex chart, deciles, Lorenz
    assert 'role="img"' in page and "Aceh" in page
    assert "Poverty headcount (P0)" in page
    assert 'id="headline"' in page
    assert "style=" not in page


def test_api_results_match_engine(world: dict[str, Any], as_persona: Any) -> None:
    import polars as pl

    import setara

    rows = as_persona("reader").get(f"/api/analyses/{world['analysis'].pk}/results").json()["rows"]
    p0 = next(r for r in rows if r["indicator"] == "p0" and r["breakdown"] == "national")
    frame = pl.read_parquet(world["version"].path)
    design = setara.survey_design(
        frame, weight="weight", strata="stratum", psu="psu", lonely_psu="adjust"
    )
    engine = setara.estimate(
        frame, design, welfare="expenditure_pc", measures="fgt:alpha=0,line=@poverty_line"
    ).frame.row(0, named=True)
    assert p0["estimate"] == pytest.approx(engine["estimate"], rel=1e-12)
    assert p0["se"] == pytest.approx(engine["se"], rel=1e-12)
