"""Login throttling per account and per address: failures on one account or from one address
never refuse another user's correct password; every throttled attempt is in the audit trail;
the client address comes from a proxy header only when one is configured as trusted."""

from __future__ import annotations

from typing import Any

import pytest
from audit.actions import client_ip
from audit.models import AuditEvent
from django.test import Client, RequestFactory

PASSWORD = "correct horse battery staple"
THROTTLED = "Too many failed sign-in attempts"


def attempt(username: str, password: str, address: str = "10.0.0.1") -> tuple[bool, str]:
    client = Client(REMOTE_ADDR=address)
    response = client.post("/login/", {"username": username, "password": password})
    return "_auth_user_id" in client.session, response.content.decode()


def events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


def test_one_address_failing_on_many_accounts_does_not_lock_out_others(
    world: dict[str, Any], settings: Any
) -> None:
    # The issue: 20 failures from one address, for users that do not even exist, refused every
    # correct password from that address (everyone, behind the recommended reverse proxy).
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    for i in range(25):
        assert attempt(f"nobody{i}", "wrong")[0] is False
    assert AuditEvent.objects.filter(action="login_failed", ip="10.0.0.1").count() == 25
    for name in ("viewer", "manager", "analyst"):
        signed_in, page = attempt(name, PASSWORD)
        assert signed_in, name
        assert THROTTLED not in page


def test_busy_address_gives_a_failing_account_no_more_guesses(
    world: dict[str, Any], settings: Any
) -> None:
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 10
    for i in range(10):
        attempt(f"sprayed{i}", "wrong")
    # From the busy address, an account with one failure is refused without a password check
    # (even the correct one); from elsewhere it still signs in.
    assert attempt("reader", "wrong")[0] is False
    throttled_before = events("login_throttled")
    signed_in, page = attempt("reader", PASSWORD)
    assert not signed_in and THROTTLED in page
    assert events("login_throttled") == throttled_before + 1
    assert attempt("reader", PASSWORD, address="10.9.9.9")[0] is True


def test_account_lock_does_not_touch_other_accounts(world: dict[str, Any], settings: Any) -> None:
    for i in range(settings.LOGIN_FAILURE_LIMIT):
        attempt("viewer", "wrong", address=f"10.1.0.{i}")  # a distributed guesser
    signed_in, page = attempt("viewer", PASSWORD, address="10.2.0.1")
    assert not signed_in and THROTTLED in page
    assert attempt("manager", PASSWORD, address="10.1.0.1")[0] is True


def test_every_throttled_attempt_is_audited(world: dict[str, Any], settings: Any) -> None:
    # The issue: 30 wrong passwords left 5 audit rows.
    failed, throttled = events("login_failed"), events("login_throttled")
    for _ in range(30):
        attempt("outsider", "wrong")
    assert events("login_failed") - failed == settings.LOGIN_FAILURE_LIMIT
    assert events("login_throttled") - throttled == 30 - settings.LOGIN_FAILURE_LIMIT
    last = AuditEvent.objects.filter(action="login_throttled").first()
    assert last is not None
    assert (last.actor_name, last.ip, last.after) == (
        "outsider",
        "10.0.0.1",
        {"throttled": "account"},
    )


def test_audit_list_offers_throttled_logins(world: dict[str, Any], as_persona: Any) -> None:
    page = as_persona("admin").get("/audit/?action=login_throttled")
    assert page.status_code == 200
    assert 'value="login_throttled" selected' in page.content.decode()


@pytest.mark.parametrize(
    ("header", "count", "meta", "expected"),
    [
        ("", 1, {"HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "192.0.2.1"),  # not trusted: ignored
        ("X-Forwarded-For", 1, {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4"}, "1.2.3.4"),
        ("X-Forwarded-For", 2, {"HTTP_X_FORWARDED_FOR": "6.6.6.6, 1.2.3.4, 10.0.0.2"}, "1.2.3.4"),
        ("X-Real-IP", 1, {"HTTP_X_REAL_IP": "2001:db8::1"}, "2001:db8::1"),
        ("X-Forwarded-For", 1, {}, "192.0.2.1"),  # did not come through the proxy
        ("X-Forwarded-For", 1, {"HTTP_X_FORWARDED_FOR": "not-an-address"}, None),
    ],
)
def test_client_address_from_trusted_proxy_only(
    settings: Any, header: str, count: int, meta: dict[str, str], expected: str | None
) -> None:
    settings.TRUSTED_PROXY_HEADER = header
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.1", **meta)
    assert client_ip(request) == expected


def test_forged_forwarded_for_cannot_dodge_the_address_count(
    world: dict[str, Any], settings: Any
) -> None:
    settings.TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for i in range(3):  # the attacker prepends a different fake address every time
        Client(HTTP_X_FORWARDED_FOR=f"9.9.9.{i}, 203.0.113.7").post(
            "/login/", {"username": "admin", "password": "wrong"}
        )
    assert AuditEvent.objects.filter(action="login_failed", ip="203.0.113.7").count() == 3
    response = Client(HTTP_X_FORWARDED_FOR="9.9.9.9, 203.0.113.7").post(
        "/login/", {"username": "admin", "password": PASSWORD}
    )
    assert THROTTLED in response.content.decode()
