"""Token API lists (issue 16, point 11): the lists' queries are compiled once per connection
(:mod:`api.prepared`) and read the user's memberships in SQL; these tests keep them exactly the
access rule of the pages, keep a token request to a fixed few queries, and check that a compiled
query carries nothing of one call into the next."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

# A token list request: the token with its user, the page (memberships in a subquery, the
# list's size as a window count), the page's sharing; the dataset list adds its versions.
TOKEN_QUERIES = {"/api/analyses": 3, "/api/datasets": 4}


def _token_client(username: str) -> Client:
    from agencies.actions import create_token
    from django.contrib.auth import get_user_model

    token = create_token(get_user_model().objects.get(username=username), "script")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _listed_ids(client: Client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()}


def test_list_rule_is_the_access_rule(world: dict[str, Any]) -> None:
    """For every persona, a user without agency, published or not: the token lists show
    exactly what ``readable`` (the rule of every page and detail) gives."""
    from agencies import actions
    from agencies.access import readable, readable_by_member
    from analyses.models import Analysis
    from datasets.models import Dataset
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    personas = list(users.values_list("username", flat=True))  # every persona of the world
    assert {"manager", "analyst", "viewer", "reader", "outsider"} <= set(personas)
    actions.create_user(None, username="nobody", password="long enough pass 1")
    gamma = world["agencies"]["gamma"]
    own = Dataset.objects.create(owner=gamma, name="Gamma's own")
    clients = {name: _token_client(name) for name in [*personas, "nobody"]}
    for published in (False, True):
        Dataset.objects.filter(pk=world["dataset"].pk).update(published=published)
        Analysis.objects.filter(pk=world["analysis"].pk).update(published=published)
        for name, client in clients.items():
            user = users.get(username=name)
            for url, model in (("/api/datasets", Dataset), ("/api/analyses", Analysis)):
                rule = set(readable(user, model.objects.all()).values_list("pk", flat=True))
                assert _listed_ids(client, url) == rule, (name, url, published)
                subquery = model.objects.filter(readable_by_member(user.pk)).distinct()
                assert set(subquery.values_list("pk", flat=True)) == rule, (name, model)
        outsider = _listed_ids(clients["outsider"], "/api/datasets")
        assert (world["dataset"].pk in outsider) is published and own.pk in outsider
        assert _listed_ids(clients["nobody"], "/api/datasets") == set()  # published or not


def test_revoked_tokens_and_inactive_users_get_401(world: dict[str, Any]) -> None:
    from agencies.models import ApiToken
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    client = _token_client("reader")
    assert client.get("/api/analyses").status_code == 200
    users = get_user_model().objects
    users.filter(username="reader").update(is_active=False)
    assert client.get("/api/analyses").status_code == 401
    users.filter(username="reader").update(is_active=True)
    assert client.get("/api/analyses").status_code == 200
    ApiToken.objects.filter(user__username="reader").update(revoked_at=timezone.now())
    assert client.get("/api/analyses").status_code == 401


def test_token_user_is_the_stored_user(world: dict[str, Any]) -> None:
    """The user built from the token query has every stored field of the user."""
    from agencies.actions import create_token
    from api.api import USER_FIELDS, TokenAuth
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    stored = get_user_model().objects.get(username="analyst")
    token = create_token(stored, "script")
    request = RequestFactory().get("/api/analyses")
    user = TokenAuth().authenticate(request, token)
    assert user == stored and request.user is user and not user._state.adding
    assert [getattr(user, name) for name in USER_FIELDS] == [
        getattr(stored, name) for name in USER_FIELDS
    ]
    assert TokenAuth().authenticate(request, token + "x") is None


@pytest.mark.parametrize("url", sorted(TOKEN_QUERIES))
def test_token_lists_take_a_fixed_few_queries(world: dict[str, Any], url: str) -> None:
    from agencies.models import ApiToken

    client = _token_client("reader")
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    # the first use records last_used_at: one UPDATE, then none for a minute
    updates = [q["sql"] for q in first.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1 and "agencies_apitoken" in updates[0]
    assert ApiToken.objects.get(user__username="reader").last_used_at is not None
    with CaptureQueriesContext(connection) as again:
        rows = client.get(url).json()
    assert len(again.captured_queries) == TOKEN_QUERIES[url], again.captured_queries
    assert len(first.captured_queries) == TOKEN_QUERIES[url] + 1
    assert rows and all("result" not in q["sql"].lower() for q in again.captured_queries)


def test_a_prepared_query_keeps_only_its_sql(world: dict[str, Any]) -> None:
    """Compiled once per connection (and power of two of a list's length), run with each
    call's own arguments, its columns converted as the ORM converts them."""
    from api.prepared import Prepared
    from datasets.models import DatasetVersion

    built: list[int] = []

    def build(ids: Any, name: Any) -> Any:
        built.append(len(ids))
        found = DatasetVersion.objects.filter(dataset_id__in=[m.as_int for m in ids])
        return found.exclude(original_name=name.as_text).values_list(
            "dataset_id", "uploaded_at", "validation"
        )

    query = Prepared(build)
    version = world["version"]
    expected = list(
        DatasetVersion.objects.filter(pk=version.pk).values_list(
            "dataset_id", "uploaded_at", "validation"
        )
    )
    assert [tuple(r) for r in query.rows(ids=[version.dataset_id], name="x")] == expected
    assert expected[0][1].tzinfo is not None and isinstance(expected[0][2], list)
    assert list(query.rows(ids=[version.dataset_id], name=version.original_name)) == []
    assert list(query.rows(ids=[-1], name="x")) == []  # nothing of the previous call
    for ids in ([version.dataset_id, -1], [-1, -2, version.dataset_id], [-1, -2, -3, -4]):
        found = [tuple(r) for r in query.rows(ids=ids, name="x")]
        assert found == (expected if version.dataset_id in ids else [])
    assert built == [1, 2, 4]  # one compilation per power of two: 3 and 4 values share one
    with pytest.raises(ValueError, match="empty"):
        query.rows(ids=[], name="x")
    unused = Prepared(lambda ids: DatasetVersion.objects.values_list("pk"))
    with pytest.raises(ValueError, match="not used"):
        unused.rows(ids=[1])
