"""Sharing access analyses, siting scenarios and their files through the API, as analyses are
shared: the body validated (400 changes nothing), 403/404 by role, each change audited, and the
agency it is shared with can then read it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from audit.models import Action, AuditEvent
from test_services_web import places  # noqa: F401  (the fixture: files, analysis, scenarios)

KINDS = {"access": "access", "mclp": "siting"}


def _url(kind: str, obj: Any) -> str:
    prefix = "files/" if kind in ("facilities", "villages") else ""
    return f"/api/services/{prefix}{kind}/{obj.pk}/sharing"


def _post(client: Any, url: str, body: Any) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    return client.post(url, data=text, content_type="application/json")


def _state(obj: Any) -> tuple[list[str], bool]:
    obj.refresh_from_db()
    return sorted(a.slug for a in obj.shared_with.all()), obj.published


@pytest.mark.parametrize(
    ("key", "kind"),
    [("access", "access"), ("mclp", "siting"), ("facilities", "facilities"),
     ("villages", "villages")],
)  # fmt: skip
def test_manager_shares_and_the_partner_reads(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    key: str,
    kind: str,
) -> None:
    obj = places[key]
    detail = (
        f"/api/services/files/{kind}/{obj.pk}"
        if kind in ("facilities", "villages")
        else f"/api/services/{kind}/{obj.pk}"
    )
    outsider = as_persona("outsider")  # gamma's analyst: sees nothing before
    assert outsider.get(detail).status_code == 404
    manager = as_persona("manager")
    events = AuditEvent.objects.filter(action=Action.SHARE).count()
    response = _post(manager, _url(kind, obj), {"agencies": ["gamma"]})
    assert response.status_code == 200, response.content
    assert response.json()["shared_with"] == ["gamma"]
    assert _state(obj) == (["gamma"], False)
    assert AuditEvent.objects.filter(action=Action.SHARE).count() == events + 1
    opened = outsider.get(detail)
    assert opened.status_code == 200
    assert opened.json()["id"] == obj.pk and opened.json()["shared_with"] == ["gamma"]
    # A reader now, never a sharer: gamma's analyst may not change the sharing.
    assert _post(outsider, _url(kind, obj), {"agencies": []}).status_code == 403
    assert _post(manager, _url(kind, obj), {"published": True}).json()["published"] is True
    assert _state(obj) == (["gamma"], True)


@pytest.mark.parametrize(
    ("persona", "status"), [("analyst", 403), ("viewer", 403), ("outsider", 404), (None, 401)]
)
@pytest.mark.parametrize("key", ["access", "mclp"])
def test_only_managers_share(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    persona: str | None,
    status: int,
    key: str,
) -> None:
    obj = places[key]
    client = as_persona(persona)
    before = _state(obj), AuditEvent.objects.count()  # signing in is audited
    response = _post(client, _url(KINDS[key], obj), {"agencies": ["gamma"], "published": True})
    assert response.status_code == status, response.content
    assert (_state(obj), AuditEvent.objects.count()) == before


@pytest.mark.parametrize(
    "body",
    ["{}", "[]", '{"agencies": "gamma"}', '{"agencies": ["gamma"], "published": "yes"}',
     '{"agencies": ["gamma", "no-such-agency"], "published": true}', '{"agencie": ["gamma"]}',
     "{not json"],
)  # fmt: skip
def test_bad_body_is_400_and_changes_nothing(
    places: dict[str, Any],  # noqa: F811
    as_persona: Any,
    body: str,
) -> None:
    job = places["mclp"]
    manager = as_persona("manager")
    before = _state(job), AuditEvent.objects.count()
    response = _post(manager, _url("siting", job), body)
    assert response.status_code == 400, response.content
    assert isinstance(response.json()["detail"], str)
    assert (_state(job), AuditEvent.objects.count()) == before


def test_lists_show_the_sharing(places: dict[str, Any], as_persona: Any) -> None:  # noqa: F811
    manager = as_persona("manager")
    _post(manager, _url("siting", places["mclp"]), {"agencies": ["beta", "gamma"]})
    rows = {r["id"]: r for r in manager.get("/api/services/siting").json()}
    assert rows[places["mclp"].pk]["shared_with"] == ["beta", "gamma"]
    assert rows[places["lscp"].pk]["shared_with"] == []
    seen = [r["id"] for r in as_persona("reader").get("/api/services/siting").json()]
    assert seen == [places["mclp"].pk]
