"""The permission matrix: every view and API endpoint against every persona.

Owner agency roles: admin >= manager (share, publish, delete) >= analyst (edit, run) >= viewer
(read). ``reader`` belongs to an agency the objects are shared with (read-only: 403 on writes);
``outsider`` must not learn the objects exist (404); anonymous users are sent to sign in.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

OWNERS = ("admin", "manager", "analyst", "viewer")
ALL = (*OWNERS, "reader", "outsider")
# 409: the access check passed but the state forbids the change (e.g. an accepted version).
OK = {200, 201, 204, 302, 409}

# kind -> personas allowed; the others get 403 if they can read, else 404.
ALLOWED = {
    "read": {"admin", "manager", "analyst", "viewer", "reader"},
    "edit": {"admin", "manager", "analyst"},
    "share": {"admin", "manager"},
}


def expected(kind: str, persona: str) -> set[int]:
    if persona in ALLOWED[kind]:
        return OK
    return {403} if persona in ALLOWED["read"] else {404}


Url = Callable[[dict[str, Any]], str]
PAGES: list[tuple[str, str, Url, dict[str, Any], str]] = [
    ("dataset page", "get", lambda w: f"/datasets/{w['dataset'].pk}/", {}, "read"),
    ("version page", "get", lambda w: f"/datasets/{w['dataset'].pk}/v1/", {}, "read"),
    ("new version form", "get", lambda w: f"/datasets/{w['dataset'].pk}/upload/", {}, "edit"),
    (
        "remap version",
        "post",
        lambda w: f"/datasets/{w['dataset'].pk}/v1/",
        {"weight": "weight", "welfare": "expenditure_pc"},
        "edit",
    ),
    ("accept version", "post", lambda w: f"/datasets/{w['dataset'].pk}/v1/accept", {}, "edit"),
    ("share dataset", "post", lambda w: f"/datasets/{w['dataset'].pk}/", {"share": "1"}, "share"),
    (
        "publish dataset",
        "post",
        lambda w: f"/datasets/{w['dataset'].pk}/",
        {"published": "1", "confirmed": "1"},
        "share",
    ),
    ("analysis page", "get", lambda w: f"/analyses/{w['analysis'].pk}/", {}, "read"),
    ("all regencies", "get", lambda w: f"/analyses/{w['analysis'].pk}/regencies/", {}, "read"),
    ("analysis status", "get", lambda w: f"/analyses/{w['analysis'].pk}/status.json", {}, "read"),
    ("analysis csv", "get", lambda w: f"/analyses/{w['analysis'].pk}/export.csv", {}, "read"),
    ("analysis xlsx", "get", lambda w: f"/analyses/{w['analysis'].pk}/export.xlsx", {}, "read"),
    ("analysis pdf", "get", lambda w: f"/analyses/{w['analysis'].pk}/export.pdf", {}, "read"),
    ("rerun analysis", "post", lambda w: f"/analyses/{w['analysis'].pk}/", {"rerun": "1"}, "edit"),
    ("share analysis", "post", lambda w: f"/analyses/{w['analysis'].pk}/", {"share": "1"}, "share"),
    (
        "publish analysis",
        "post",
        lambda w: f"/analyses/{w['analysis'].pk}/",
        {"published": "1", "confirmed": "1"},
        "share",
    ),
    ("report form", "get", lambda w: f"/analyses/{w['analysis'].pk}/report/", {}, "edit"),
    (
        "create report",
        "post",
        lambda w: f"/analyses/{w['analysis'].pk}/report/",
        {"title": "New", "summary": ""},
        "edit",
    ),
    ("report page", "get", lambda w: f"/reports/{w['report'].pk}/", {}, "read"),
    ("report pdf", "get", lambda w: f"/reports/{w['report'].pk}/export.pdf", {}, "read"),
    (
        "edit report",
        "post",
        lambda w: f"/reports/{w['report'].pk}/",
        {"title": "Edited", "summary": "x"},
        "edit",
    ),
    ("share report", "post", lambda w: f"/reports/{w['report'].pk}/", {"share": "1"}, "share"),
    ("programme page", "get", lambda w: f"/programmes/{w['programme'].pk}/", {}, "read"),
    ("programme version", "get", lambda w: f"/programmes/{w['programme'].pk}/v1/", {}, "read"),
    (
        "save programme version",
        "post",
        lambda w: f"/programmes/{w['programme'].pk}/",
        {"spec": "id: x\nname: X\nunit: household\nbenefit: {type: flat, amount: 1}", "note": ""},
        "edit",
    ),
    (
        "share programme",
        "post",
        lambda w: f"/programmes/{w['programme'].pk}/",
        {"share": "1"},
        "share",
    ),
    ("simulation page", "get", lambda w: f"/simulations/{w['simulation'].pk}/", {}, "read"),
    (
        "simulation status",
        "get",
        lambda w: f"/simulations/{w['simulation'].pk}/status.json",
        {},
        "read",
    ),
    (
        "simulation csv",
        "get",
        lambda w: f"/simulations/{w['simulation'].pk}/export.csv",
        {},
        "read",
    ),
    (
        "share simulation",
        "post",
        lambda w: f"/simulations/{w['simulation'].pk}/",
        {"share": "1"},
        "share",
    ),
    ("api programme", "get", lambda w: f"/api/programmes/{w['programme'].pk}", {}, "read"),
    ("api simulation", "get", lambda w: f"/api/simulations/{w['simulation'].pk}", {}, "read"),
    (
        "api simulation results",
        "get",
        lambda w: f"/api/simulations/{w['simulation'].pk}/results",
        {},
        "read",
    ),
    (
        "api simulation csv",
        "get",
        lambda w: f"/api/simulations/{w['simulation'].pk}/results?format=csv",
        {},
        "read",
    ),
    ("api dataset", "get", lambda w: f"/api/datasets/{w['dataset'].pk}", {}, "read"),
    ("api analysis", "get", lambda w: f"/api/analyses/{w['analysis'].pk}", {}, "read"),
    ("api results json", "get", lambda w: f"/api/analyses/{w['analysis'].pk}/results", {}, "read"),
    (
        "api results csv",
        "get",
        lambda w: f"/api/analyses/{w['analysis'].pk}/results?format=csv",
        {},
        "read",
    ),
    (
        "api share analysis",
        "post_json",
        lambda w: f"/api/analyses/{w['analysis'].pk}/sharing",
        {"agencies": ["beta"]},
        "share",
    ),
    (
        "api share dataset",
        "post_json",
        lambda w: f"/api/datasets/{w['dataset'].pk}/sharing",
        {"agencies": ["beta"]},
        "share",
    ),
    (
        "api remap",
        "post_json",
        lambda w: f"/api/datasets/{w['dataset'].pk}/versions/1/mapping",
        {"mapping": {"weight": "weight", "welfare": "expenditure_pc"}},
        "edit",
    ),
    (
        "api version",
        "get",
        lambda w: f"/api/datasets/{w['dataset'].pk}/versions/1",
        {},
        "read",
    ),
    (
        "api code tables",
        "post_json",
        lambda w: f"/api/datasets/{w['dataset'].pk}/versions/1/mapping",
        {
            "mapping": {"weight": "weight", "welfare": "expenditure_pc", "urban": "urban"},
            "labels": {"urban": {"1": "urban", "0": "rural"}},
        },
        "edit",
    ),
    (
        "api csv dialect",
        "post_json",
        lambda w: f"/api/datasets/{w['dataset'].pk}/versions/1/dialect",
        {"separator": ";", "decimal": ","},
        "edit",
    ),
    (
        "api new analysis",
        "post_json",
        lambda w: "/api/analyses",
        {"dataset": 0, "version": 1, "dimension": "health"},
        "edit",
    ),
]


def call(client: Any, method: str, url: str, data: dict[str, Any]) -> Any:
    if method == "get":
        return client.get(url)
    if method == "post_json":
        return client.post(url, data=json.dumps(data), content_type="application/json")
    return client.post(url, data)


@pytest.mark.parametrize("name,method,url,data,kind", PAGES, ids=[p[0] for p in PAGES])
def test_matrix(
    world: dict[str, Any],
    as_persona: Any,
    django_capture_on_commit_callbacks: Any,
    name: str,
    method: str,
    url: Url,
    data: dict[str, Any],
    kind: str,
) -> None:
    from django.db import transaction

    body = {k: (v(world) if callable(v) else v) for k, v in data.items()}
    if name == "api new analysis":
        body["dataset"] = world["dataset"].pk
    for persona in ALL:
        sid = transaction.savepoint()
        client = as_persona(persona)
        with django_capture_on_commit_callbacks(execute=False):
            response = call(client, method, url(world), body)
        transaction.savepoint_rollback(sid)
        assert response.status_code in expected(kind, persona), (
            f"{name}: {persona} got {response.status_code}, expected {expected(kind, persona)}"
        )


@pytest.mark.parametrize("name,method,url,data,kind", PAGES, ids=[p[0] for p in PAGES])
def test_anonymous(
    world: dict[str, Any],
    as_persona: Any,
    name: str,
    method: str,
    url: Url,
    data: dict[str, Any],
    kind: str,
) -> None:
    response = call(as_persona(None), method, url(world), data)
    if url(world).startswith("/api/"):
        assert response.status_code == 401
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize(
    "kind,url",
    [
        ("dataset", lambda w: f"/datasets/{w['dataset'].pk}/"),
        ("analysis", lambda w: f"/analyses/{w['analysis'].pk}/"),
        ("report", lambda w: f"/reports/{w['report'].pk}/"),
    ],
)
def test_delete_needs_manager(world: dict[str, Any], as_persona: Any, kind: str, url: Url) -> None:
    for persona, status in (("analyst", 403), ("viewer", 403), ("reader", 403), ("outsider", 404)):
        response = as_persona(persona).post(url(world), {"delete": "1", "confirmed": "1"})
        assert response.status_code == status, persona


def test_manager_deletes_report_then_analysis(world: dict[str, Any], as_persona: Any) -> None:
    from analyses.models import Analysis, Report

    manager = as_persona("manager")
    assert (
        manager.post(
            f"/reports/{world['report'].pk}/", {"delete": "1", "confirmed": "1"}
        ).status_code
        == 302
    )
    assert not Report.objects.filter(pk=world["report"].pk).exists()
    assert (
        manager.post(
            f"/analyses/{world['analysis'].pk}/", {"delete": "1", "confirmed": "1"}
        ).status_code
        == 302
    )
    assert not Analysis.objects.filter(pk=world["analysis"].pk).exists()


def test_lists_show_only_readable_objects(world: dict[str, Any], as_persona: Any) -> None:
    for persona in ALL:
        client = as_persona(persona)
        visible = persona != "outsider"
        for url, text in (("/datasets/", "Alpha survey"), ("/analyses/", "Alpha economic")):
            assert (text in client.get(url).content.decode()) is visible, (persona, url)
        names = [d["name"] for d in client.get("/api/datasets").json()]
        assert ("Alpha survey" in names) is visible


def test_reader_sees_read_only_page(world: dict[str, Any], as_persona: Any) -> None:
    page = as_persona("reader").get(f"/analyses/{world['analysis'].pk}/").content.decode()
    assert "You have read-only access." in page
    assert 'name="delete"' not in page
    owner = as_persona("manager").get(f"/analyses/{world['analysis'].pk}/").content.decode()
    assert 'name="delete"' in owner


def test_published_objects_are_readable_by_every_member(
    world: dict[str, Any], as_persona: Any
) -> None:
    url = f"/analyses/{world['analysis'].pk}/"
    assert as_persona("outsider").get(url).status_code == 404
    assert as_persona("manager").post(url, {"published": "1", "confirmed": "1"}).status_code == 302
    assert as_persona("outsider").get(url).status_code == 200
    assert as_persona("outsider").post(url, {"rerun": "1"}).status_code == 403


def test_members_page_for_agency_admins_only(world: dict[str, Any], as_persona: Any) -> None:
    assert as_persona("admin").get("/agencies/alpha/members/").status_code == 200
    for persona in ("manager", "analyst", "viewer"):
        assert as_persona(persona).get("/agencies/alpha/members/").status_code == 403
    for persona in ("reader", "outsider"):
        assert as_persona(persona).get("/agencies/alpha/members/").status_code == 404
    assert as_persona("admin").get("/audit/").status_code == 200
    for persona in ("manager", "analyst", "viewer", "reader", "outsider"):
        assert as_persona(persona).get("/audit/").status_code == 403
        assert as_persona(persona).get("/audit/export.csv").status_code == 403


def test_token_authentication_uses_the_same_rules(world: dict[str, Any]) -> None:
    from agencies.actions import create_token
    from django.contrib.auth import get_user_model
    from django.test import Client

    url = f"/api/analyses/{world['analysis'].pk}"
    users = get_user_model().objects
    for persona, status in (("reader", 200), ("outsider", 404)):
        token = create_token(users.get(username=persona), "script")
        response = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == status
    assert Client().get(url, HTTP_AUTHORIZATION="Bearer st_wrong").status_code == 401
