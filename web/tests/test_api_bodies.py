"""API write bodies are validated by their schema: a bad body is 400 and changes nothing.

Issue 16, finding 6: ``POST /api/analyses/{id}/sharing`` with ``[null,null]``, ``"x"``, ``42``,
``[]``, ``null`` or ``true`` answered 200 and removed all sharing, and ``{"published": false}``
alone did the same. Finding 12: anonymous API writes got 403 "CSRF check Failed", not 401.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

BAD_BODIES = [
    "[null, null]",
    '"x"',
    "42",
    "[]",
    "null",
    "true",
    "{}",
    '{"agencies": null, "published": null}',
    '{"agencie": ["beta"]}',
    '{"agencies": "beta"}',
    '{"agencies": [1]}',
    '{"agencies": ["beta"], "published": "yes"}',
    '{"agencies": ["beta"], "published": 1}',
    '{"agencies": ["no-such-agency"]}',
    '{"agencies": ["beta", "no-such-agency"], "published": true}',
    "{not json",
]


def _state(obj: Any) -> tuple[list[str], bool, int]:
    from audit.models import AuditEvent

    obj.refresh_from_db()
    return sorted(a.slug for a in obj.shared_with.all()), obj.published, AuditEvent.objects.count()


@pytest.mark.parametrize("kind", ["analysis", "dataset"])
@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_sharing_body_is_400_and_changes_nothing(
    world: dict[str, Any], as_persona: Any, kind: str, body: str
) -> None:
    obj = world[kind]
    manager = as_persona("manager")  # signing in is audited: read the state after it
    before = _state(obj)
    assert before[0] == ["beta"]
    url = f"/api/{'analyses' if kind == 'analysis' else 'datasets'}/{obj.pk}/sharing"
    response = manager.post(url, data=body, content_type="application/json")
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert isinstance(detail, str) and detail
    assert _state(obj) == before


def test_sharing_changes_only_what_the_body_names(world: dict[str, Any], as_persona: Any) -> None:
    analysis = world["analysis"]
    url = f"/api/analyses/{analysis.pk}/sharing"
    manager = as_persona("manager")

    def post(body: dict[str, Any]) -> Any:
        return manager.post(url, data=json.dumps(body), content_type="application/json")

    assert post({"published": True}).status_code == 200
    assert _state(analysis)[:2] == (["beta"], True)
    assert post({"published": False}).status_code == 200
    assert _state(analysis)[:2] == (["beta"], False)
    assert post({"agencies": ["beta", "gamma"]}).json()["shared_with"] == ["beta", "gamma"]
    assert _state(analysis)[:2] == (["beta", "gamma"], False)
    assert post({"agencies": [], "published": True}).status_code == 200
    assert _state(analysis)[:2] == ([], True)


def test_unknown_agency_is_named(world: dict[str, Any], as_persona: Any) -> None:
    response = as_persona("manager").post(
        f"/api/datasets/{world['dataset'].pk}/sharing",
        data=json.dumps({"agencies": ["beta", "atlantis"]}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "unknown agencies: atlantis"


@pytest.mark.parametrize(
    "body,field",
    [
        ({"dataset": "1", "version": 1, "dimension": "economic"}, "dataset"),
        ({"dataset": 1, "version": 1, "dimension": "wealth"}, "dimension"),
        ({"dataset": 1, "version": 1, "dimension": "economic", "breakdowns": "sex"}, "breakdowns"),
        ({"dataset": 1, "version": 1, "dimension": "economic", "title": "t" * 201}, "title"),
        ({"dataset": 1, "version": 1, "dimension": "economic", "colour": "red"}, "colour"),
        ({"version": 1, "dimension": "economic"}, "dataset"),
    ],
)
def test_bad_analysis_body_is_400_naming_the_field(
    world: dict[str, Any], as_persona: Any, body: dict[str, Any], field: str
) -> None:
    from analyses.models import Analysis

    count = Analysis.objects.count()
    response = as_persona("analyst").post(
        "/api/analyses", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"{field}: ")
    assert Analysis.objects.count() == count


def test_bad_mapping_body_is_400(world: dict[str, Any], as_persona: Any) -> None:
    version = world["version"]
    before = dict(version.mapping)
    url = f"/api/datasets/{world['dataset'].pk}/versions/1/mapping"
    for body in ('{"mapping": ["weight"]}', '{"mapping": {"weight": 3}}', '["weight"]'):
        response = as_persona("analyst").post(url, data=body, content_type="application/json")
        assert response.status_code == 400, body
        version.refresh_from_db()
        assert version.mapping == before


WRITES = [
    ("post", lambda w: f"/api/analyses/{w['analysis'].pk}/sharing", {"published": True}),
    ("post", lambda w: f"/api/datasets/{w['dataset'].pk}/sharing", {"published": True}),
    ("post", lambda w: "/api/analyses", {"dataset": 1, "version": 1, "dimension": "economic"}),
    ("post", lambda w: f"/api/datasets/{w['dataset'].pk}/versions/1/accept", {}),
    ("delete", lambda w: f"/api/analyses/{w['analysis'].pk}", {}),
]


@pytest.mark.parametrize("method,url,body", WRITES)
def test_anonymous_writes_are_401_even_with_csrf_checks(
    world: dict[str, Any], method: str, url: Any, body: dict[str, Any]
) -> None:
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(
        url(world), data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 401
    assert _state(world["analysis"])[:2] == (["beta"], False)


def test_signed_in_session_still_needs_the_csrf_token(
    world: dict[str, Any], as_persona: Any
) -> None:
    client = as_persona("manager")
    client.handler.enforce_csrf_checks = True
    url = f"/api/analyses/{world['analysis'].pk}/sharing"
    response = client.post(url, data='{"published": true}', content_type="application/json")
    assert response.status_code == 403
    assert _state(world["analysis"])[:2] == (["beta"], False)


def test_token_writes_need_no_csrf_token(world: dict[str, Any]) -> None:
    from agencies.actions import create_token
    from django.contrib.auth import get_user_model

    token = create_token(get_user_model().objects.get(username="manager"), "script")
    response = Client(enforce_csrf_checks=True).post(
        f"/api/analyses/{world['analysis'].pk}/sharing",
        data='{"published": true}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 200
    assert _state(world["analysis"])[:2] == (["beta"], True)


@pytest.mark.parametrize(
    "url,large",
    [("/api/analyses", "analysisresult"), ("/api/datasets", '"columns"')],
)
def test_lists_never_read_large_fields(
    world: dict[str, Any], as_persona: Any, url: str, large: str
) -> None:
    """Finding 12: /api/analyses read every stored result to return a few fields."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_persona("reader")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200 and response.json()
    sql = [q["sql"] for q in queries.captured_queries]
    assert not [q for q in sql if large in q]
    assert len(sql) <= 8  # session, user, profile, roles, rows, 2 prefetches: no query per row


def test_unknown_or_unavailable_breakdowns_are_400_with_a_message(
    world: dict[str, Any], as_persona: Any
) -> None:
    from agencies.actions import create_token
    from django.contrib.auth import get_user_model

    token = create_token(get_user_model().objects.get(username="analyst"), "t")
    client = as_persona(None)
    body = {
        "dataset": world["dataset"].pk,
        "version": world["version"].number,
        "dimension": "economic",
    }
    for breakdowns, word in ((["province", "religion"], "religion"), (["nonsense"], "nonsense")):
        response = client.post(
            "/api/analyses",
            {**body, "breakdowns": breakdowns},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 400, response.content
        assert "breakdowns" in response.content.decode() or word in response.content.decode()
    unknown_dimension = client.post(
        "/api/analyses",
        {**body, "dimension": "wealth"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert (
        unknown_dimension.status_code == 400 and "dimension" in unknown_dimension.content.decode()
    )
